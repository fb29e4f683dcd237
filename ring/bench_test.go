package ring

import (
	"context"
	"testing"
)

// handoffItem is the 32-byte item every handoff benchmark moves (the size
// of a frame descriptor: data pointer, length, timestamp, flags).
type handoffItem struct{ a, b, c, d uint64 }

var _ = handoffItem{}.b + handoffItem{}.c + handoffItem{}.d // padding fields, read nowhere else

const (
	handoffCap   = 4096
	handoffBatch = 64
)

// BenchmarkHandoff moves b.N 32-byte items from one producer goroutine to
// one consumer goroutine through a queue of capacity 4096: a buffered Go
// channel (the peer), SPSC one item at a time, SPSC in batches of 64, and
// MPSC (with one producer) both ways. Both sides block when they must wait.
func BenchmarkHandoff(b *testing.B) {
	b.Run("chan", func(b *testing.B) {
		ch := make(chan handoffItem, handoffCap)
		handoff(b, func(n int) {
			for i := range n {
				ch <- handoffItem{a: uint64(i)}
			}
			close(ch)
		}, func() (sum uint64) {
			for v := range ch {
				sum += v.a
			}
			return sum
		})
	})
	b.Run("ring", func(b *testing.B) {
		q, _ := NewSPSC[handoffItem](handoffCap)
		handoff(b, func(n int) { produceOne(q, n) }, func() uint64 { return consumeOne(q) })
	})
	b.Run("ring-batch", func(b *testing.B) {
		q, _ := NewSPSC[handoffItem](handoffCap)
		handoff(b, func(n int) { produceBatch(q, n) }, func() uint64 { return consumeBatch(q) })
	})
	b.Run("mpsc", func(b *testing.B) {
		q, _ := NewMPSC[handoffItem](handoffCap)
		handoff(b, func(n int) { produceOne(q, n) }, func() uint64 { return consumeOne(q) })
	})
	b.Run("mpsc-batch", func(b *testing.B) {
		q, _ := NewMPSC[handoffItem](handoffCap)
		handoff(b, func(n int) { produceBatch(q, n) }, func() uint64 { return consumeBatch(q) })
	})
}

// handoff runs produce(b.N) in a new goroutine and consume in this one,
// checks that every item arrived, and reports items/s.
func handoff(b *testing.B, produce func(n int), consume func() uint64) {
	b.ReportAllocs()
	b.ResetTimer()
	go produce(b.N)
	sum := consume()
	b.StopTimer()
	if want := uint64(b.N) * uint64(b.N-1) / 2; sum != want {
		b.Fatalf("sum of received items %d, want %d", sum, want)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

func produceOne[Q Queue[handoffItem]](q Q, n int) {
	ctx := context.Background()
	for i := range n {
		if err := q.Push(ctx, handoffItem{a: uint64(i)}); err != nil {
			panic(err)
		}
	}
	q.Close()
}

func consumeOne[Q Queue[handoffItem]](q Q) (sum uint64) {
	ctx := context.Background()
	for {
		v, err := q.Pop(ctx)
		if err != nil {
			return sum
		}
		sum += v.a
	}
}

func produceBatch[Q Queue[handoffItem]](q Q, n int) {
	ctx := context.Background()
	var batch [handoffBatch]handoffItem
	for i := 0; i < n; i += handoffBatch {
		k := min(handoffBatch, n-i)
		for j := range k {
			batch[j] = handoffItem{a: uint64(i + j)}
		}
		if _, err := q.PushBatch(ctx, batch[:k]); err != nil {
			panic(err)
		}
	}
	q.Close()
}

func consumeBatch[Q Queue[handoffItem]](q Q) (sum uint64) {
	ctx := context.Background()
	var dst [handoffBatch]handoffItem
	for {
		n, err := q.PopBatch(ctx, dst[:])
		if err != nil {
			return sum
		}
		for _, v := range dst[:n] {
			sum += v.a
		}
	}
}
