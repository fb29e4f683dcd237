package rawsock

import (
	"os"
	"testing"
)

// BenchmarkBlockToFile is the user-space cost per frame of writing a ring
// block to /dev/null, both ways, in one run: "copy" lays the records out in
// the Writer's buffer (WriteFrames, then Flush), "ring" writes them from
// ring memory with writev (WriteBatch). Each iteration walks a fresh copy of
// the block (WriteBatch writes into the frame headers); that copy is not
// timed. Sizes: 64-byte frames, and the IMIX mix of make bench-capture.
func BenchmarkBlockToFile(b *testing.B) {
	mixes := []struct {
		name  string
		sizes []int
	}{{"64", []int{64}}, {"imix", []int{64, 64, 64, 64, 64, 64, 64, 570, 570, 570, 570, 1514}}}
	for _, mix := range mixes {
		var frames []synthFrame
		used := blockHeaderLen
		for i := 0; ; i++ {
			n := mix.sizes[i%len(mix.sizes)]
			if used+82+n+16 > DefaultBlockSize {
				break
			}
			frames = append(frames, synthFrame{data: frameBytes(n, byte(i))})
			used += (82 + n + 15) &^ 15
		}
		pristine := buildBlock(DefaultBlockSize, frames)
		for _, path := range []string{"copy", "ring"} {
			b.Run(mix.name+"/"+path, func(b *testing.B) {
				f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				w, err := NewWriter(f, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
				if err != nil {
					b.Fatal(err)
				}
				blk := make([]byte, len(pristine))
				batch := &Batch{}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					copy(blk, pristine)
					b.StartTimer()
					batch.Frames, _ = walkBlock(blk, DefaultSnaplen, 1, true, batch.Frames[:0])
					if path == "ring" {
						batch.mem = blk
						_, err = w.WriteBatch(batch, batch.Frames)
					} else {
						if _, err = w.WriteFrames(batch.Frames); err == nil {
							err = w.Flush()
						}
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/frame")
			})
		}
	}
}
