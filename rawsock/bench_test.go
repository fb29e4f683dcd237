package rawsock

import (
	"io"
	"testing"
)

// BenchmarkBlockToPcap is the user-space cost of capture per frame: a ring
// block of 64-byte frames, or of the IMIX mix, laid out as pcap records,
// through Frames (what a capture with decoders does) and straight from the
// block (the direct path of a capture that only writes a file).
func BenchmarkBlockToPcap(b *testing.B) {
	b.Run("64", func(b *testing.B) { benchBlockToPcap(b, []int{64}) })
	b.Run("imix", func(b *testing.B) { benchBlockToPcap(b, imix) })
}

// imix is the frame mix of make bench-capture: 64:7, 570:4, 1514:1.
var imix = []int{64, 570, 64, 64, 570, 64, 1514, 64, 570, 64, 64, 570}

// blockFrames returns frames of the given sizes, in turn, as many as a
// ring block of DefaultBlockSize holds.
func blockFrames(sizes []int) []synthFrame {
	var frames []synthFrame
	for i, room := 0, DefaultBlockSize-blockHeaderLen; ; i++ {
		n := sizes[i%len(sizes)]
		if room -= synthMac + n + 16; room < 0 { // at most 15 bytes of alignment
			return frames
		}
		frames = append(frames, synthFrame{data: frameBytes(n, byte(i))})
	}
}

func benchBlockToPcap(b *testing.B, sizes []int) {
	frames := blockFrames(sizes)
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
			out, _ = walkBlock(blk, DefaultSnaplen, 1, LinkTypeEthernet, out[:0])
			_, err := w.WriteFrames(out)
			return err
		})
	})
	b.Run("records", func(b *testing.B) {
		run(b, func() error {
			_, _, err := w.appendRingBlock(blk, LinkTypeEthernet, 0)
			return err
		})
	})
}
