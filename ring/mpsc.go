package ring

import (
	"context"
	"sync/atomic"

	"golang.org/x/sys/cpu"
)

// MPSC is a bounded lock-free queue for any number of producer goroutines
// and one consumer goroutine.
//
// Producers reserve a run of positions with one compare-and-swap on the
// tail, copy their items in, then publish the whole run with one atomic
// store; the consumer reads runs in order and stops at the first one not yet
// published. Items pushed by one producer are therefore popped in the order
// that producer pushed them, and a batch pushed with one call is contiguous.
// Producers never wait for one another beyond a lost compare-and-swap, but a
// producer descheduled between reserving and publishing holds the consumer
// back at its run until it resumes (items queued behind it wait too).
//
// Any goroutine may call the Push methods; the Pop methods must be called by
// one goroutine at a time. Close, Len, Cap, HighWater and Refused may be
// called from any goroutine.
type MPSC[T any] struct {
	_ cpu.CacheLinePad

	// Set at construction, read by everyone.
	vals []T
	// ends[p&mask] holds p+n once the run of n positions reserved at p is
	// published. A run starts where the previous one ended, so the consumer
	// only ever reads ends[] at the start of a run; any value left from an
	// earlier lap is at most p, which the consumer tells apart.
	ends     []atomic.Uint64
	mask     uint64
	capacity uint64
	done     chan struct{} // closed by Close
	closed   atomic.Bool
	_        cpu.CacheLinePad

	tail      atomic.Uint64 // next position to reserve; producers CAS it
	headCache atomic.Uint64 // producers' shared, possibly stale, view of head
	_         cpu.CacheLinePad

	highWater atomic.Uint64
	refused   atomic.Uint64
	_         cpu.CacheLinePad

	head  atomic.Uint64 // next position to read; written by the consumer
	avail uint64        // consumer only: positions before avail are published
	_     cpu.CacheLinePad

	readable notifier // the consumer parks here; producers signal
	_        cpu.CacheLinePad
	writable notifier // producers park here; the consumer signals
	_        cpu.CacheLinePad
}

// NewMPSC returns an empty multi-producer single-consumer queue holding up
// to capacity items. The error wraps [ErrCapacity] when capacity is not a
// power of two between 1 and [MaxCapacity].
func NewMPSC[T any](capacity int) (*MPSC[T], error) {
	if err := checkCapacity(capacity); err != nil {
		return nil, err
	}
	return &MPSC[T]{
		vals:     make([]T, capacity),
		ends:     make([]atomic.Uint64, capacity),
		mask:     uint64(capacity - 1),
		capacity: uint64(capacity),
		done:     make(chan struct{}),
		readable: newNotifier(),
		writable: newNotifier(),
	}, nil
}

// Cap returns the capacity the queue was created with.
func (q *MPSC[T]) Cap() int { return int(q.capacity) }

// Len returns the number of items queued, counting those a producer has
// reserved room for but not finished copying. It is a snapshot.
func (q *MPSC[T]) Len() int {
	h := q.head.Load()
	n := q.tail.Load() - h
	return int(min(n, q.capacity))
}

// HighWater returns the largest number of items producers have seen queued
// at once since the queue was created.
func (q *MPSC[T]) HighWater() int { return int(q.highWater.Load()) }

// Refused returns how many items TryPush and TryPushBatch have refused
// because the queue was full or closed.
func (q *MPSC[T]) Refused() uint64 { return q.refused.Load() }

// Closed reports whether Close has been called.
func (q *MPSC[T]) Closed() bool { return q.closed.Load() }

// Close marks the end of the stream and wakes every waiting goroutine.
// Later pushes are refused; pops drain the items still queued, then report
// [ErrClosed]. Call it after every producer has returned from its last push.
// Calling Close more than once is harmless.
func (q *MPSC[T]) Close() {
	if q.closed.CompareAndSwap(false, true) {
		close(q.done)
	}
}

// TryPush appends v if there is room and reports whether it did. It never
// blocks (beyond retrying a compare-and-swap lost to another producer); a
// refusal (queue full or closed) is counted in Refused.
func (q *MPSC[T]) TryPush(v T) bool {
	if !q.closed.Load() {
		if t, n := q.reserve(1); n == 1 {
			q.vals[t&q.mask] = v
			q.ends[t&q.mask].Store(t + 1)
			if q.readable.pending() {
				q.readable.signal()
			}
			return true
		}
	}
	q.refused.Add(1)
	return false
}

// TryPushBatch appends as many items of vs as fit, in order and contiguous,
// and returns how many it appended. It never blocks; the items it could not
// append are counted in Refused.
func (q *MPSC[T]) TryPushBatch(vs []T) int {
	n := 0
	if !q.closed.Load() {
		n = q.pushBatch(vs)
	}
	if r := len(vs) - n; r > 0 {
		q.refused.Add(uint64(r))
	}
	return n
}

// Push appends v, waiting for room if the queue is full. It returns
// [ErrClosed] if the queue is closed before v could be appended, or
// ctx.Err() if ctx is done first (a nil ctx never is).
func (q *MPSC[T]) Push(ctx context.Context, v T) error {
	vs := [1]T{v}
	_, err := q.PushBatch(ctx, vs[:])
	return err
}

// PushBatch appends all of vs in order, waiting for room as needed. Items
// from other producers may be interleaved between the runs it appends. It
// returns how many items it appended, with [ErrClosed] or ctx.Err() if it
// had to stop before appending them all.
func (q *MPSC[T]) PushBatch(ctx context.Context, vs []T) (int, error) {
	done := 0
	parked := false
	for spin := 0; done < len(vs); spin++ {
		if q.closed.Load() {
			return done, ErrClosed
		}
		if n := q.pushBatch(vs[done:]); n > 0 {
			done += n
			spin = -1
			continue
		}
		if backoff(spin) {
			continue
		}
		q.writable.prepare()
		if q.hasRoom() || q.closed.Load() {
			q.writable.cancel()
			continue
		}
		if err := q.writable.park(orBackground(ctx), q.done); err != nil {
			return done, err
		}
		parked = true
	}
	if parked {
		// Several producers may be parked; the consumer wakes one at a
		// time, so pass the wake-up on.
		q.writable.handOn()
	}
	return done, nil
}

// hasRoom reports whether a push might succeed now.
func (q *MPSC[T]) hasRoom() bool {
	t := q.tail.Load()
	h := q.head.Load()
	return int64(t-h) < int64(q.capacity)
}

// reserve claims up to k consecutive positions starting at t and returns
// how many it claimed (0 when the queue is full).
func (q *MPSC[T]) reserve(k uint64) (t, n uint64) {
	for {
		t = q.tail.Load()
		// headCache trails head, so it under-states the free room; only
		// when that is too little is the consumer's line read.
		h := q.headCache.Load()
		if t-h+k > q.capacity {
			h = q.head.Load()
			maxUint64(&q.headCache, h)
		}
		used := t - h
		if int64(used) < 0 {
			// head was read after other producers and the consumer
			// moved past t: t is stale, read again.
			continue
		}
		n = min(k, q.capacity-used)
		if n == 0 {
			return t, 0
		}
		if q.tail.CompareAndSwap(t, t+n) {
			if f := t + n - h; f > q.highWater.Load() {
				// Measure again: the consumer may have moved since h
				// was read. Our positions are unpublished, so head <= t.
				maxUint64(&q.highWater, t+n-q.head.Load())
			}
			return t, n
		}
	}
}

// pushBatch appends as many items of vs as fit, without counting refusals.
func (q *MPSC[T]) pushBatch(vs []T) int {
	if len(vs) == 0 {
		return 0
	}
	t, n := q.reserve(uint64(len(vs)))
	if n == 0 {
		return 0
	}
	c := copy(q.vals[t&q.mask:], vs[:n])
	copy(q.vals, vs[c:n])
	q.ends[t&q.mask].Store(t + n)
	if q.readable.pending() {
		q.readable.signal()
	}
	return int(n)
}

// TryPop removes and returns the oldest item, reporting false if the queue
// is empty or its oldest item is still being written. It never blocks.
func (q *MPSC[T]) TryPop() (T, bool) {
	var zero T
	h := q.head.Load()
	if h == q.avail && !q.refresh() {
		return zero, false
	}
	i := h & q.mask
	v := q.vals[i]
	q.vals[i] = zero // do not keep what v points to alive
	q.head.Store(h + 1)
	if q.writable.pending() {
		q.writable.signal()
	}
	return v, true
}

// refresh advances avail over the runs published since, reporting whether
// it found any. Only the consumer calls it, when head has reached avail.
func (q *MPSC[T]) refresh() bool {
	found := false
	for {
		end := q.ends[q.avail&q.mask].Load()
		if end <= q.avail { // not yet published: a value from an earlier lap
			return found
		}
		q.avail = end
		found = true
	}
}

// TryPopBatch moves up to len(dst) of the oldest published items into dst,
// in order, and returns how many it moved. It never blocks.
func (q *MPSC[T]) TryPopBatch(dst []T) int {
	h := q.head.Load()
	if q.avail-h < uint64(len(dst)) {
		q.refresh()
	}
	n := min(q.avail-h, uint64(len(dst)))
	if n == 0 {
		return 0
	}
	moveOut(dst[:n], q.vals, h&q.mask)
	q.head.Store(h + n)
	if q.writable.pending() {
		q.writable.signal()
	}
	return int(n)
}

// Pop removes and returns the oldest item, waiting for one if the queue is
// empty. It returns [ErrClosed] once the queue is closed and empty, or
// ctx.Err() if ctx is done while waiting (a nil ctx never is).
func (q *MPSC[T]) Pop(ctx context.Context) (T, error) { return pop[T](q, ctx) }

// PopBatch moves up to len(dst) of the oldest items into dst, waiting until
// at least one is available, and returns how many it moved. It returns
// [ErrClosed] once the queue is closed and empty, or ctx.Err() if ctx is
// done while waiting (a nil ctx never is). An empty dst returns 0, nil.
func (q *MPSC[T]) PopBatch(ctx context.Context, dst []T) (int, error) {
	return popBatch[T](q, ctx, dst)
}

// waitReadable is called by the consumer after finding no published item
// for the spin-th time. It returns nil when the consumer should try again,
// ErrClosed when the queue is closed, or ctx.Err().
func (q *MPSC[T]) waitReadable(ctx context.Context, spin int) error {
	if q.closed.Load() {
		return ErrClosed
	}
	if backoff(spin) {
		return nil
	}
	q.readable.prepare()
	if q.ends[q.avail&q.mask].Load() > q.avail || q.closed.Load() {
		q.readable.cancel()
		return nil
	}
	return q.readable.park(orBackground(ctx), q.done)
}
