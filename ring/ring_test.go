package ring

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"
)

// kinds lists the queue implementations every behavioural test runs on.
var kinds = []struct {
	name string
	new  func(capacity int) (Queue[int], error)
}{
	{"SPSC", func(c int) (Queue[int], error) { return asQueue(NewSPSC[int](c)) }},
	{"MPSC", func(c int) (Queue[int], error) { return asQueue(NewMPSC[int](c)) }},
}

// asQueue converts a constructor's result, keeping a nil pointer nil.
func asQueue[Q interface {
	Queue[int]
	comparable
}](q Q, err error) (Queue[int], error) {
	var zero Q
	if q == zero {
		return nil, err
	}
	return q, err
}

func forKinds(t *testing.T, f func(t *testing.T, newQ func(int) Queue[int])) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			f(t, func(c int) Queue[int] {
				q, err := k.new(c)
				if err != nil {
					t.Fatalf("capacity %d: %v", c, err)
				}
				return q
			})
		})
	}
}

// waiters returns the number of goroutines registered to wait for items
// (readable) or for room (writable).
func waiters(q Queue[int], readable bool) int32 {
	switch q := q.(type) {
	case *SPSC[int]:
		if readable {
			return q.readable.waiters.Load()
		}
		return q.writable.waiters.Load()
	case *MPSC[int]:
		if readable {
			return q.readable.waiters.Load()
		}
		return q.writable.waiters.Load()
	}
	panic("unknown queue type")
}

// untilWaiting yields until at least one goroutine waits on q. It checks
// state, not time: if nobody ever waits, the test hangs and go test's
// timeout reports it.
func untilWaiting(q Queue[int], readable bool) {
	for waiters(q, readable) == 0 {
		runtime.Gosched()
	}
}

func TestCapacityValidation(t *testing.T) {
	twiceMax := MaxCapacity
	twiceMax <<= 1 // 2^31: negative where int has 32 bits, rejected either way
	bad := []int{0, -1, -4096, 3, 6, 100, 4095, MaxCapacity + 1, twiceMax, math.MaxInt, math.MinInt}
	good := []int{1, 2, 4, 64, 4096}
	for _, k := range kinds {
		for _, c := range bad {
			q, err := k.new(c)
			if !errors.Is(err, ErrCapacity) || q != nil {
				t.Errorf("%s capacity %d: got queue %v, err %v; want nil, ErrCapacity", k.name, c, q, err)
			}
		}
		for _, c := range good {
			q, err := k.new(c)
			if err != nil {
				t.Errorf("%s capacity %d: %v", k.name, c, err)
				continue
			}
			if q.Cap() != c || q.Len() != 0 || q.HighWater() != 0 || q.Refused() != 0 {
				t.Errorf("%s capacity %d: new queue has Cap %d Len %d HighWater %d Refused %d",
					k.name, c, q.Cap(), q.Len(), q.HighWater(), q.Refused())
			}
		}
	}
}

func TestFIFOWrapAround(t *testing.T) {
	// Many laps of a 4-slot ring with batch sizes that do not divide the
	// capacity, so every split point of a batch across the end is hit.
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		q := newQ(4)
		next, want := 0, 0
		buf := make([]int, 7)
		for lap := 0; lap < 1000; lap++ {
			k := 1 + lap%5
			for i := range k {
				buf[i] = next + i
			}
			n := q.TryPushBatch(buf[:k])
			if free := 4 - (next - want); n != min(k, free) {
				t.Fatalf("lap %d: pushed %d of %d with %d free", lap, n, k, free)
			}
			next += n
			if q.Len() != next-want {
				t.Fatalf("lap %d: Len %d, want %d", lap, q.Len(), next-want)
			}
			m := q.TryPopBatch(buf[:1+lap%3])
			for i := range m {
				if buf[i] != want {
					t.Fatalf("lap %d: popped %d, want %d", lap, buf[i], want)
				}
				want++
			}
			if lap%7 == 0 {
				if v, ok := q.TryPop(); ok {
					if v != want {
						t.Fatalf("lap %d: TryPop %d, want %d", lap, v, want)
					}
					want++
				}
			}
		}
		if want < 1000 {
			t.Fatalf("only %d items went through", want)
		}
	})
}

func TestRefusedAndHighWater(t *testing.T) {
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		q := newQ(8)
		for i := range 5 {
			if !q.TryPush(i) {
				t.Fatalf("push %d refused", i)
			}
		}
		if got := q.HighWater(); got != 5 {
			t.Fatalf("HighWater %d, want 5", got)
		}
		if n := q.TryPushBatch([]int{5, 6, 7, 8, 9}); n != 3 {
			t.Fatalf("TryPushBatch into 3 free slots pushed %d", n)
		}
		if q.TryPush(10) {
			t.Fatal("push into a full queue succeeded")
		}
		if got := q.Refused(); got != 3 {
			t.Fatalf("Refused %d, want 3 (2 from the batch, 1 single)", got)
		}
		if q.Len() != 8 || q.HighWater() != 8 {
			t.Fatalf("full queue: Len %d HighWater %d, want 8 8", q.Len(), q.HighWater())
		}
		dst := make([]int, 6)
		if n := q.TryPopBatch(dst); n != 6 {
			t.Fatalf("popped %d, want 6", n)
		}
		if q.Len() != 2 || q.HighWater() != 8 {
			t.Fatalf("after pops: Len %d HighWater %d, want 2 8", q.Len(), q.HighWater())
		}
		if n := q.TryPushBatch(nil); n != 0 || q.Refused() != 3 {
			t.Fatalf("empty batch: pushed %d, Refused %d", n, q.Refused())
		}
		if n := q.TryPopBatch(nil); n != 0 {
			t.Fatalf("TryPopBatch(nil) = %d", n)
		}
		if n, err := q.PopBatch(context.Background(), nil); n != 0 || err != nil {
			t.Fatalf("PopBatch(nil) = %d, %v", n, err)
		}
	})
}

func TestCloseDrainsThenReportsClosed(t *testing.T) {
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		q := newQ(8)
		q.TryPushBatch([]int{1, 2, 3, 4})
		q.Close()
		q.Close() // harmless
		if !q.Closed() {
			t.Fatal("Closed() false after Close")
		}
		if q.TryPush(5) || q.TryPushBatch([]int{6, 7}) != 0 {
			t.Fatal("push after Close succeeded")
		}
		if q.Refused() != 3 {
			t.Fatalf("Refused %d after 3 refused pushes", q.Refused())
		}
		if err := q.Push(context.Background(), 8); !errors.Is(err, ErrClosed) {
			t.Fatalf("Push after Close: %v", err)
		}
		if n, err := q.PushBatch(context.Background(), []int{9}); n != 0 || !errors.Is(err, ErrClosed) {
			t.Fatalf("PushBatch after Close: %d, %v", n, err)
		}
		if v, err := q.Pop(context.Background()); v != 1 || err != nil {
			t.Fatalf("Pop = %d, %v; want 1, nil", v, err)
		}
		dst := make([]int, 2)
		if n, err := q.PopBatch(context.Background(), dst); n != 2 || err != nil || dst[0] != 2 || dst[1] != 3 {
			t.Fatalf("PopBatch = %d %v %v", n, dst, err)
		}
		if n, err := q.PopBatch(context.Background(), dst); n != 1 || err != nil || dst[0] != 4 {
			t.Fatalf("PopBatch = %d %v %v", n, dst[:n], err)
		}
		if _, err := q.Pop(context.Background()); !errors.Is(err, ErrClosed) {
			t.Fatalf("Pop on closed empty queue: %v", err)
		}
		//lint:ignore SA1012 a nil ctx is documented to mean "never done"
		if _, err := q.PopBatch(nil, dst); !errors.Is(err, ErrClosed) {
			t.Fatalf("PopBatch on closed empty queue: %v", err)
		}
	})
}

func TestCloseWakesBlockedConsumer(t *testing.T) {
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		for _, batch := range []bool{false, true} {
			q := newQ(4)
			errc := make(chan error)
			go func() {
				var err error
				if batch {
					_, err = q.PopBatch(context.Background(), make([]int, 4))
				} else {
					_, err = q.Pop(context.Background())
				}
				errc <- err
			}()
			untilWaiting(q, true)
			q.Close()
			if err := <-errc; !errors.Is(err, ErrClosed) {
				t.Fatalf("batch=%v: blocked pop returned %v, want ErrClosed", batch, err)
			}
		}
	})
}

func TestPushWakesBlockedConsumer(t *testing.T) {
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		q := newQ(4)
		got := make(chan int)
		go func() {
			for range 3 {
				v, err := q.Pop(context.Background())
				if err != nil {
					t.Error(err)
				}
				got <- v
			}
		}()
		for i := range 3 {
			untilWaiting(q, true)
			if !q.TryPush(100 + i) {
				t.Fatal("push refused")
			}
			if v := <-got; v != 100+i {
				t.Fatalf("consumer got %d, want %d", v, 100+i)
			}
		}
	})
}

func TestContextStopsWaiting(t *testing.T) {
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		q := newQ(2)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error)
		go func() {
			_, err := q.Pop(ctx)
			errc <- err
		}()
		untilWaiting(q, true)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("Pop returned %v, want context.Canceled", err)
		}

		// A full queue: a blocked producer is released by its context.
		q.TryPushBatch([]int{1, 2})
		ctx, cancel = context.WithCancel(context.Background())
		go func() {
			n, err := q.PushBatch(ctx, []int{3, 4, 5})
			if n != 0 {
				t.Errorf("pushed %d into a full queue", n)
			}
			errc <- err
		}()
		untilWaiting(q, false)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("PushBatch returned %v, want context.Canceled", err)
		}
		if q.Refused() != 0 {
			t.Fatalf("blocking pushes counted %d refusals", q.Refused())
		}
	})
}

func TestBlockedProducerWakes(t *testing.T) {
	forKinds(t, func(t *testing.T, newQ func(int) Queue[int]) {
		q := newQ(2)
		q.TryPushBatch([]int{0, 1})
		errc := make(chan error)
		go func() { errc <- q.Push(context.Background(), 2) }()
		untilWaiting(q, false)
		if v, ok := q.TryPop(); !ok || v != 0 {
			t.Fatalf("TryPop = %d, %v", v, ok)
		}
		if err := <-errc; err != nil {
			t.Fatalf("Push: %v", err)
		}
		for want := 1; want <= 2; want++ {
			if v, ok := q.TryPop(); !ok || v != want {
				t.Fatalf("TryPop = %d, %v; want %d", v, ok, want)
			}
		}

		// Close releases a producer blocked on a full queue.
		q.TryPushBatch([]int{3, 4})
		go func() { errc <- q.Push(context.Background(), 5) }()
		untilWaiting(q, false)
		q.Close()
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Fatalf("blocked Push after Close: %v", err)
		}
	})
}

func TestNoAllocations(t *testing.T) {
	type item = handoffItem
	ctx := context.Background()
	spsc, _ := NewSPSC[item](64)
	mpsc, _ := NewMPSC[item](64)
	for name, q := range map[string]Queue[item]{"SPSC": spsc, "MPSC": mpsc} {
		batch := make([]item, 16)
		allocs := testing.AllocsPerRun(1000, func() {
			q.TryPush(item{a: 1, c: 3, d: 4})
			_ = q.Push(ctx, item{b: 2})
			q.TryPushBatch(batch)
			_, _ = q.PushBatch(ctx, batch)
			q.TryPop()
			_, _ = q.Pop(ctx)
			q.TryPopBatch(batch)
			for q.Len() > 0 {
				_, _ = q.PopBatch(ctx, batch)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per round of pushes and pops", name, allocs)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	_, err := NewSPSC[int](12)
	if err == nil || err.Error() != "ring: capacity 12: "+ErrCapacity.Error() {
		t.Fatalf("error %q does not name the capacity", err)
	}
	if _, err := NewMPSC[int](MaxCapacity + MaxCapacity/2); err == nil || !errors.Is(err, ErrCapacity) {
		t.Fatalf("capacity 1.5 * 2^30: %v", err)
	}
}
