package rawsock

import (
	"io"
	"testing"
)

// BenchmarkBlockToPcap is the user-space cost of capture per frame: walk a
// ring block of 64-byte frames and write each to a pcap stream.
func BenchmarkBlockToPcap(b *testing.B) {
	var frames []synthFrame
	for i := 0; i < 800; i++ {
		frames = append(frames, synthFrame{data: frameBytes(64, byte(i))})
	}
	blk := buildBlock(DefaultBlockSize, frames)
	w, err := NewWriter(io.Discard, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
	if err != nil {
		b.Fatal(err)
	}
	var out []Frame
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, _ = walkBlock(blk, DefaultSnaplen, 1, true, out[:0])
		if _, err := w.WriteFrames(out); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/frame")
}
