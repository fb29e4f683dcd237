package ring

import (
	"context"
	"sync/atomic"

	"golang.org/x/sys/cpu"
)

// SPSC is a bounded lock-free queue for exactly one producer goroutine and
// one consumer goroutine.
//
// The producer calls the Push methods, the consumer the Pop methods; each
// side must be used by one goroutine at a time (or serialised by the
// caller). Close, Len, Cap, HighWater and Refused may be called from any
// goroutine.
type SPSC[T any] struct {
	_ cpu.CacheLinePad

	// Set at construction, read by everyone.
	buf      []T
	mask     uint64
	capacity uint64
	done     chan struct{} // closed by Close
	closed   atomic.Bool
	_        cpu.CacheLinePad

	// Producer's line.
	tail       atomic.Uint64 // next position to write
	cachedHead uint64        // producer's last view of head
	highWater  atomic.Uint64
	refused    atomic.Uint64
	_          cpu.CacheLinePad

	// Consumer's line.
	head       atomic.Uint64 // next position to read
	cachedTail uint64        // consumer's last view of tail
	_          cpu.CacheLinePad

	readable notifier // the consumer parks here; producers signal
	_        cpu.CacheLinePad
	writable notifier // the producer parks here; the consumer signals
	_        cpu.CacheLinePad
}

// NewSPSC returns an empty single-producer single-consumer queue holding up
// to capacity items. The error wraps [ErrCapacity] when capacity is not a
// power of two between 1 and [MaxCapacity].
func NewSPSC[T any](capacity int) (*SPSC[T], error) {
	if err := checkCapacity(capacity); err != nil {
		return nil, err
	}
	return &SPSC[T]{
		buf:      make([]T, capacity),
		mask:     uint64(capacity - 1),
		capacity: uint64(capacity),
		done:     make(chan struct{}),
		readable: newNotifier(),
		writable: newNotifier(),
	}, nil
}

// Cap returns the capacity the queue was created with.
func (q *SPSC[T]) Cap() int { return int(q.capacity) }

// Len returns the number of items queued. It is a snapshot: producers and
// the consumer may change it at any moment.
func (q *SPSC[T]) Len() int {
	h := q.head.Load()
	n := q.tail.Load() - h
	return int(min(n, q.capacity))
}

// HighWater returns the largest number of items the producer has seen
// queued at once since the queue was created.
func (q *SPSC[T]) HighWater() int { return int(q.highWater.Load()) }

// Refused returns how many items TryPush and TryPushBatch have refused
// because the queue was full or closed.
func (q *SPSC[T]) Refused() uint64 { return q.refused.Load() }

// Closed reports whether Close has been called.
func (q *SPSC[T]) Closed() bool { return q.closed.Load() }

// Close marks the end of the stream and wakes every waiting goroutine.
// Later pushes are refused; pops drain the items still queued, then report
// [ErrClosed]. Calling Close more than once is harmless.
func (q *SPSC[T]) Close() {
	if q.closed.CompareAndSwap(false, true) {
		close(q.done)
	}
}

// TryPush appends v if there is room and reports whether it did. It never
// blocks; a refusal (queue full or closed) is counted in Refused.
func (q *SPSC[T]) TryPush(v T) bool {
	if q.closed.Load() || !q.push(v) {
		q.refused.Add(1)
		return false
	}
	return true
}

// TryPushBatch appends as many items of vs as fit, in order, and returns how
// many it appended. It never blocks; the items it could not append are
// counted in Refused.
func (q *SPSC[T]) TryPushBatch(vs []T) int {
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
func (q *SPSC[T]) Push(ctx context.Context, v T) error {
	for spin := 0; ; spin++ {
		if q.closed.Load() {
			return ErrClosed
		}
		if q.push(v) {
			return nil
		}
		if backoff(spin) {
			continue
		}
		q.writable.prepare()
		if q.tail.Load()-q.head.Load() < q.capacity || q.closed.Load() {
			q.writable.cancel()
			continue
		}
		if err := q.writable.park(orBackground(ctx), q.done); err != nil {
			return err
		}
	}
}

// PushBatch appends all of vs in order, waiting for room as needed. It
// returns how many items it appended, with [ErrClosed] or ctx.Err() if it
// had to stop before appending them all.
func (q *SPSC[T]) PushBatch(ctx context.Context, vs []T) (int, error) {
	done := 0
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
		if q.tail.Load()-q.head.Load() < q.capacity || q.closed.Load() {
			q.writable.cancel()
			continue
		}
		if err := q.writable.park(orBackground(ctx), q.done); err != nil {
			return done, err
		}
	}
	return done, nil
}

// push appends v if there is room, without counting refusals.
func (q *SPSC[T]) push(v T) bool {
	t := q.tail.Load()
	if t-q.cachedHead >= q.capacity {
		q.cachedHead = q.head.Load()
		if t-q.cachedHead >= q.capacity {
			return false
		}
	}
	q.buf[t&q.mask] = v
	q.tail.Store(t + 1)
	q.published(t + 1)
	return true
}

// pushBatch appends as many items of vs as fit, without counting refusals.
func (q *SPSC[T]) pushBatch(vs []T) int {
	if len(vs) == 0 {
		return 0
	}
	t := q.tail.Load()
	free := q.capacity - (t - q.cachedHead)
	if free < uint64(len(vs)) {
		q.cachedHead = q.head.Load()
		free = q.capacity - (t - q.cachedHead)
	}
	n := min(uint64(len(vs)), free)
	if n == 0 {
		return 0
	}
	c := copy(q.buf[t&q.mask:], vs[:n])
	copy(q.buf, vs[c:n])
	q.tail.Store(t + n)
	q.published(t + n)
	return int(n)
}

// published updates the high-water mark and wakes a parked consumer after
// the producer moved tail to t.
func (q *SPSC[T]) published(t uint64) {
	// t-cachedHead over-estimates the fill; only when that estimate beats
	// the mark is head re-read to measure it.
	if t-q.cachedHead > q.highWater.Load() {
		q.cachedHead = q.head.Load()
		if f := t - q.cachedHead; f > q.highWater.Load() {
			q.highWater.Store(f)
		}
	}
	if q.readable.pending() {
		q.readable.signal()
	}
}

// TryPop removes and returns the oldest item, reporting false if the queue
// is empty. It never blocks.
func (q *SPSC[T]) TryPop() (T, bool) {
	var zero T
	h := q.head.Load()
	if h == q.cachedTail {
		q.cachedTail = q.tail.Load()
		if h == q.cachedTail {
			return zero, false
		}
	}
	i := h & q.mask
	v := q.buf[i]
	q.buf[i] = zero // do not keep what v points to alive
	q.head.Store(h + 1)
	if q.writable.pending() {
		q.writable.signal()
	}
	return v, true
}

// TryPopBatch moves up to len(dst) of the oldest items into dst, in order,
// and returns how many it moved. It never blocks.
func (q *SPSC[T]) TryPopBatch(dst []T) int {
	if len(dst) == 0 {
		return 0
	}
	h := q.head.Load()
	avail := q.cachedTail - h
	if avail < uint64(len(dst)) {
		q.cachedTail = q.tail.Load()
		avail = q.cachedTail - h
	}
	n := min(avail, uint64(len(dst)))
	if n == 0 {
		return 0
	}
	moveOut(dst[:n], q.buf, h&q.mask)
	q.head.Store(h + n)
	if q.writable.pending() {
		q.writable.signal()
	}
	return int(n)
}

// Pop removes and returns the oldest item, waiting for one if the queue is
// empty. It returns [ErrClosed] once the queue is closed and empty, or
// ctx.Err() if ctx is done while waiting (a nil ctx never is).
func (q *SPSC[T]) Pop(ctx context.Context) (T, error) { return pop[T](q, ctx) }

// PopBatch moves up to len(dst) of the oldest items into dst, waiting until
// at least one is available, and returns how many it moved. It returns
// [ErrClosed] once the queue is closed and empty, or ctx.Err() if ctx is
// done while waiting (a nil ctx never is). An empty dst returns 0, nil.
func (q *SPSC[T]) PopBatch(ctx context.Context, dst []T) (int, error) {
	return popBatch[T](q, ctx, dst)
}

// waitReadable is called by the consumer after finding the queue empty for
// the spin-th time. It returns nil when the consumer should try again,
// ErrClosed when the queue is closed, or ctx.Err().
func (q *SPSC[T]) waitReadable(ctx context.Context, spin int) error {
	if q.closed.Load() {
		return ErrClosed
	}
	if backoff(spin) {
		return nil
	}
	q.readable.prepare()
	if q.tail.Load() != q.head.Load() || q.closed.Load() {
		q.readable.cancel()
		return nil
	}
	return q.readable.park(orBackground(ctx), q.done)
}
