package rawsock

import (
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkBlockToPcapCrossCPU is BenchmarkBlockToPcap with ring memory as
// a live capture sees it: a goroutine on CPU 0 writes each block (as the
// kernel's softirq does on the CPU that receives the traffic) just before
// the benchmark, on CPU 1, lays it out as records, so every block is read
// from the other CPU's cache. It reports the reader's busy time per frame
// (waits for the writer excluded), which in-cache benchmarks cannot show
// and live captures show only through their noise. Linux, two CPUs.
func BenchmarkBlockToPcapCrossCPU(b *testing.B) {
	if runtime.NumCPU() < 2 {
		b.Skip("needs two CPUs")
	}
	b.Run("64", func(b *testing.B) { benchCrossCPU(b, []int{64}) })
	b.Run("imix", func(b *testing.B) { benchCrossCPU(b, imix) })
}

// pinThread locks the calling goroutine to its thread and the thread to
// cpu. The thread is not unlocked: it ends with the goroutine.
func pinThread(b *testing.B, cpu int) {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		b.Fatalf("pin to CPU %d: %v", cpu, err)
	}
}

func benchCrossCPU(b *testing.B, sizes []int) {
	frames := blockFrames(sizes)
	tmpl := buildBlock(DefaultBlockSize, frames)
	const nblk = 8 // a 4 MiB ring, far larger than the writer's L2
	var ring [nblk][]byte
	for i := range ring {
		ring[i] = make([]byte, len(tmpl))
	}
	w, err := NewWriter(io.Discard, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
	if err != nil {
		b.Fatal(err)
	}
	// ready: blocks written; done: blocks laid out. The writer stays one
	// block ahead, as the kernel fills the next block while the reader
	// takes the last one.
	var ready, done atomic.Int64
	stop := make(chan struct{})
	go func() {
		pinThread(b, 0)
		for i := int64(0); ; i++ {
			for done.Load() < i-1 {
				select {
				case <-stop:
					return
				default:
				}
			}
			copy(ring[i%nblk], tmpl)
			ready.Store(i + 1)
		}
	}()
	defer close(stop)
	pinThread(b, 1)
	var busy time.Duration
	n := int64(0)
	for b.Loop() {
		for ready.Load() <= n {
		}
		t0 := time.Now()
		if _, _, err := w.appendRingBlock(ring[n%nblk], LinkTypeEthernet, 0); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		busy += time.Since(t0)
		n++
		done.Store(n)
	}
	b.ReportMetric(float64(busy.Nanoseconds())/float64(n*int64(len(frames))), "ns/frame")
}
