package ring

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// Items in the stress tests carry their producer and a per-producer
// sequence number: id<<24 | seq.
const seqBits = 24

// produce pushes seq 0..n-1 tagged with id, using one of four push styles so
// that every combination of fast path, retry and parking is exercised.
func produce(q Queue[int], id, n, style int) error {
	ctx := context.Background()
	batch := make([]int, 0, 17)
	rnd := uint32(id*7919 + 1)
	for seq := 0; seq < n; {
		rnd = rnd*1664525 + 1013904223
		switch style {
		case 0: // non-blocking, retry on refusal
			if q.TryPush(id<<seqBits | seq) {
				seq++
			} else {
				runtime.Gosched()
			}
		case 1: // blocking single
			if err := q.Push(ctx, id<<seqBits|seq); err != nil {
				return err
			}
			seq++
		case 2, 3: // batches of 1..17, blocking or non-blocking with retry
			k := min(1+int(rnd>>16)%17, n-seq)
			batch = batch[:0]
			for i := range k {
				batch = append(batch, id<<seqBits|(seq+i))
			}
			var m int
			if style == 2 {
				var err error
				if m, err = q.PushBatch(ctx, batch); err != nil {
					return err
				}
			} else if m = q.TryPushBatch(batch); m == 0 {
				runtime.Gosched()
			}
			seq += m
		}
	}
	return nil
}

// consume pops until the queue reports ErrClosed and checks that each
// producer's items arrive exactly once and in order.
func consume(t *testing.T, q Queue[int], producers, n int) {
	t.Helper()
	next := make([]int, producers)
	dst := make([]int, 33)
	rnd := uint32(12345)
	check := func(v int) {
		id, seq := v>>seqBits, v&(1<<seqBits-1)
		if id < 0 || id >= producers {
			t.Fatalf("item %#x from unknown producer %d", v, id)
		}
		if seq != next[id] {
			t.Fatalf("producer %d: got seq %d, want %d (lost, duplicated or reordered)", id, seq, next[id])
		}
		next[id]++
	}
	for {
		rnd = rnd*1664525 + 1013904223
		var err error
		switch rnd >> 30 {
		case 0:
			var v int
			if v, err = q.Pop(context.Background()); err == nil {
				check(v)
			}
		case 1:
			if v, ok := q.TryPop(); ok {
				check(v)
			} else if q.Closed() && q.Len() == 0 {
				_, err = q.Pop(context.Background())
			}
		default:
			var k int
			k, err = q.PopBatch(context.Background(), dst[:1+int(rnd>>8)%len(dst)])
			for _, v := range dst[:k] {
				check(v)
			}
		}
		if errors.Is(err, ErrClosed) {
			break
		}
		if err != nil {
			t.Fatalf("pop: %v", err)
		}
	}
	for id, got := range next {
		if got != n {
			t.Errorf("producer %d: received %d items, want %d", id, got, n)
		}
	}
	if q.Len() != 0 {
		t.Errorf("Len %d after drain", q.Len())
	}
	if hw := q.HighWater(); hw < 1 || hw > q.Cap() {
		t.Errorf("HighWater %d outside [1, %d]", hw, q.Cap())
	}
}

func stress(t *testing.T, newQ func(int) Queue[int], producers int) {
	n := 100_000
	if raceEnabled || testing.Short() {
		n = 10_000
	}
	for _, capacity := range []int{1, 8, 64} {
		t.Run(fmt.Sprintf("cap%d", capacity), func(t *testing.T) {
			n := n
			if capacity == 1 {
				n /= 10 // every item parks someone: slow, and no more telling
			}
			for style := range 4 {
				q := newQ(capacity)
				var wg sync.WaitGroup
				for id := range producers {
					wg.Go(func() {
						if err := produce(q, id, n, (style+id)%4); err != nil {
							t.Errorf("producer %d: %v", id, err)
						}
					})
				}
				go func() {
					wg.Wait()
					q.Close()
				}()
				consume(t, q, producers, n)
			}
		})
	}
}

func TestStressSPSC(t *testing.T) {
	stress(t, func(c int) Queue[int] {
		q, err := NewSPSC[int](c)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}, 1)
}

func TestStressMPSC(t *testing.T) {
	stress(t, func(c int) Queue[int] {
		q, err := NewMPSC[int](c)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}, 4)
}
