package ring

import (
	"context"
	"errors"
	"testing"
)

// FuzzOps drives a queue single-threaded with a random sequence of
// operations and checks every result against a plain slice model: contents
// and order, Len, Refused, HighWater (exact when one goroutine does
// everything), Close semantics. The first byte picks the queue kind and a
// capacity of 1 to 16.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{0x13, 0x20, 0x21, 0x22, 0x42, 0x10, 0x33, 0x31, 0x25, 0x46, 0x07, 0x01})
	f.Add([]byte{0x04, 0x2f, 0x2f, 0x2f, 0x4f, 0x4f, 0x2f, 0x4f, 0x2f, 0x4f, 0x2f, 0x4f, 0x2f})
	f.Add([]byte{0x12, 0x00, 0x00, 0x10, 0x21, 0x07, 0x30, 0x41, 0x51, 0x61})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		capacity := 1 << (ops[0] & 0x0f % 5)
		var q Queue[int]
		var err error
		if ops[0]&0x10 == 0 {
			q, err = asQueue(NewSPSC[int](capacity))
		} else {
			q, err = asQueue(NewMPSC[int](capacity))
		}
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var (
			model   []int
			next    int
			refused uint64
			hw      int
			closed  bool
			buf     = make([]int, 16)
		)
		pushed := func(n int) {
			model = append(model, buf[:n]...)
			hw = max(hw, len(model))
		}
		for i, op := range ops[1:] {
			arg := int(op >> 4) // 0..15
			switch op & 0x0f % 8 {
			case 0: // TryPush
				ok := q.TryPush(next)
				if want := !closed && len(model) < capacity; ok != want {
					t.Fatalf("op %d: TryPush = %v, want %v", i, ok, want)
				}
				if ok {
					buf[0] = next
					pushed(1)
				} else {
					refused++
				}
				next++
			case 1: // TryPushBatch of arg items
				for j := range arg {
					buf[j] = next + j
				}
				n := q.TryPushBatch(buf[:arg])
				want := min(arg, capacity-len(model))
				if closed {
					want = 0
				}
				if n != want {
					t.Fatalf("op %d: TryPushBatch(%d) = %d, want %d", i, arg, n, want)
				}
				pushed(n)
				refused += uint64(arg - n)
				next += arg
			case 2: // TryPop
				v, ok := q.TryPop()
				if ok != (len(model) > 0) {
					t.Fatalf("op %d: TryPop ok = %v with %d queued", i, ok, len(model))
				}
				if ok {
					if v != model[0] {
						t.Fatalf("op %d: TryPop = %d, want %d", i, v, model[0])
					}
					model = model[1:]
				}
			case 3: // TryPopBatch into arg slots
				n := q.TryPopBatch(buf[:arg])
				if want := min(arg, len(model)); n != want {
					t.Fatalf("op %d: TryPopBatch(%d) = %d, want %d", i, arg, n, want)
				}
				for j := range n {
					if buf[j] != model[j] {
						t.Fatalf("op %d: TryPopBatch item %d = %d, want %d", i, j, buf[j], model[j])
					}
				}
				model = model[n:]
			case 4: // blocking pop, only when it cannot block
				if len(model) == 0 && !closed {
					continue
				}
				n, err := q.PopBatch(ctx, buf[:max(arg, 1)])
				if len(model) == 0 {
					if n != 0 || !errors.Is(err, ErrClosed) {
						t.Fatalf("op %d: PopBatch on closed empty queue = %d, %v", i, n, err)
					}
					continue
				}
				if want := min(max(arg, 1), len(model)); n != want || err != nil {
					t.Fatalf("op %d: PopBatch = %d, %v; want %d, nil", i, n, err, want)
				}
				for j := range n {
					if buf[j] != model[j] {
						t.Fatalf("op %d: PopBatch item %d = %d, want %d", i, j, buf[j], model[j])
					}
				}
				model = model[n:]
			case 5: // blocking push, only when it cannot block
				if !closed && capacity-len(model) < arg {
					continue
				}
				for j := range arg {
					buf[j] = next + j
				}
				n, err := q.PushBatch(ctx, buf[:arg])
				if closed {
					if n != 0 || (arg > 0 && !errors.Is(err, ErrClosed)) {
						t.Fatalf("op %d: PushBatch after Close = %d, %v", i, n, err)
					}
					continue
				}
				if n != arg || err != nil {
					t.Fatalf("op %d: PushBatch(%d) = %d, %v", i, arg, n, err)
				}
				pushed(n)
				next += arg
			case 6: // Close, rarely
				if arg == 15 {
					q.Close()
					closed = true
				}
			case 7: // observers
			}
			if q.Len() != len(model) || q.Refused() != refused || q.HighWater() != hw || q.Closed() != closed {
				t.Fatalf("op %d: Len %d Refused %d HighWater %d Closed %v; model %d %d %d %v",
					i, q.Len(), q.Refused(), q.HighWater(), q.Closed(), len(model), refused, hw, closed)
			}
		}
	})
}
