package observe

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"

	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/parse/asset"
)

// corpusFrames returns the frames of the test captures.
func corpusFrames(tb testing.TB) [][]byte {
	tb.Helper()
	var frames [][]byte
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "*.pcap"))
	paths = append(paths, filepath.Join("..", "..", "..", "testdata", "demo", "ot-sample.pcap"))
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		cr, err := parse.OpenCapture(f)
		if err != nil {
			tb.Fatal(err)
		}
		for {
			data, _, lt, err := cr.ReadPacket()
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
			if lt == parse.LinkTypeEthernet {
				frames = append(frames, bytes.Clone(data))
			}
		}
		f.Close()
	}
	return frames
}

// FuzzProducer decodes random Ethernet frames (seeded with every frame of
// the test captures), folds their observations twice into a table and
// checks that nothing panics and the JSON output stays valid.
func FuzzProducer(f *testing.F) {
	for _, fr := range corpusFrames(f) {
		f.Add(fr)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		dec := parse.NewDecoder()
		pr := New()
		tb := asset.NewTable()
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0), CaptureLength: len(frame), Length: len(frame)}
		for i := 0; i < 2; i++ {
			p, _ := dec.DecodeCapture(ci, frame, parse.LinkTypeEthernet)
			obs := pr.Packet(p)
			if len(obs) > maxObs {
				t.Fatalf("%d observations", len(obs))
			}
			for _, o := range obs {
				tb.Observe(o)
			}
		}
		var buf bytes.Buffer
		if err := asset.WriteJSON(&buf, tb.Report()); err != nil || !json.Valid(buf.Bytes()) {
			t.Fatalf("invalid JSON (%v)", err)
		}
	})
}

// BenchmarkProducer measures decode + produce + fold per frame over the
// demo capture's frames, the work `wirebom assets` does per packet.
func BenchmarkProducer(b *testing.B) {
	frames := corpusFrames(b)
	dec := parse.NewDecoder()
	pr := New()
	tb := asset.NewTable()
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fr := frames[i%len(frames)]
		ci.CaptureLength, ci.Length = len(fr), len(fr)
		p, _ := dec.DecodeCapture(ci, fr, parse.LinkTypeEthernet)
		pr.Fold(tb, p)
	}
}
