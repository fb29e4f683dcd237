//go:build linux

package rawsock

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectWriterKinds checks which outputs get the direct write (those
// whose writes cannot block for long) and that it writes everything.
func TestDirectWriterKinds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	write := directWriter(f)
	if write == nil {
		t.Fatal("a regular file did not get the direct write")
	}
	data := bytes.Repeat([]byte("wirebom"), 100000)
	if n, err := write(data); n != len(data) || err != nil {
		t.Fatalf("wrote %d of %d: %v", n, len(data), err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatalf("the file holds %d bytes, want the %d written", len(got), len(data))
	}

	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if directWriter(null) == nil {
		t.Error("the null device did not get the direct write")
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if directWriter(w) != nil {
		t.Error("a pipe got the direct write: it can block for as long as its reader likes")
	}

	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := directWriter(ro)([]byte("x")); err == nil {
		t.Error("writing to a read-only descriptor did not fail")
	}
}
