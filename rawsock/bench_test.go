package rawsock

import (
	"io"
	"testing"
)

// BenchmarkBlockToPcap is the user-space cost of capture per frame: a ring
// block of 64-byte frames, or of the IMIX mix, laid out as pcap records,
// through Frames (what a capture with decoders does) and straight from the
// block (the direct path of a capture that only writes a file). The cooked
// variants are the same frames as the any device gets them (-i any), with
// a cooked header to put in front of each.
func BenchmarkBlockToPcap(b *testing.B) {
	b.Run("64", func(b *testing.B) { benchBlockToPcap(b, []int{64}, LinkTypeEthernet) })
	b.Run("imix", func(b *testing.B) { benchBlockToPcap(b, imix, LinkTypeEthernet) })
	b.Run("cooked-64", func(b *testing.B) { benchBlockToPcap(b, []int{64}, LinkTypeLinuxSLL) })
	b.Run("cooked-imix", func(b *testing.B) { benchBlockToPcap(b, imix, LinkTypeLinuxSLL) })
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

func benchBlockToPcap(b *testing.B, sizes []int, lt LinkType) {
	frames := blockFrames(sizes)
	for i := range frames {
		frames[i].pkttype, frames[i].hatype, frames[i].halen, frames[i].proto = 0, 1, 6, 0x0800
	}
	blk := buildBlock(DefaultBlockSize, frames)
	w, err := NewWriter(io.Discard, FormatPcap, lt, DefaultSnaplen)
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
			out, _ = walkBlock(blk, DefaultSnaplen, 1, lt, out[:0])
			_, err := w.WriteFrames(out)
			return err
		})
	})
	b.Run("records", func(b *testing.B) {
		run(b, func() error {
			_, _, err := w.appendRingBlock(blk, lt, 0)
			return err
		})
	})
}
