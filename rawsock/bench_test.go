package rawsock

import (
	"io"
	"testing"
)

// BenchmarkBlockToPcap is the user-space cost of capture per frame: a ring
// block of 64-byte frames laid out as pcap records, through Frames (what a
// capture with decoders does) and straight from the block (the direct path
// of a capture that only writes a file).
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
	run := func(b *testing.B, write func() error) {
		b.ReportAllocs()
		for b.Loop() {
			if err := write(); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/frame")
	}
	b.Run("frames", func(b *testing.B) {
		var out []Frame
		run(b, func() error {
			out, _ = walkBlock(blk, DefaultSnaplen, 1, true, out[:0])
			_, err := w.WriteFrames(out)
			return err
		})
	})
	b.Run("records", func(b *testing.B) {
		run(b, func() error {
			_, _, err := w.appendRingBlock(blk, true, 0)
			return err
		})
	})
}
