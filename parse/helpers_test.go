package parse

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// forEachFrame calls fn for every frame of a corpus capture.
func forEachFrame(t testing.TB, name string, fn func(n int, p *Packet, err error)) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "corpus", "pcaps", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr, err := OpenCapture(f)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder()
	for n := 1; ; n++ {
		data, ci, lt, err := cr.ReadPacket()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p, derr := d.DecodeCapture(ci, data, lt)
		fn(n, p, derr)
	}
}
