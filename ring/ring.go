package ring

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
)

// MaxCapacity is the largest capacity a queue may have (2^30 items).
const MaxCapacity = 1 << 30

// ErrCapacity is wrapped by the constructors' error when the requested
// capacity is not a power of two between 1 and [MaxCapacity].
var ErrCapacity = errors.New("capacity must be a power of two between 1 and 2^30")

// ErrClosed is returned by blocking pops once the queue is closed and empty,
// and by blocking pushes once the queue is closed.
var ErrClosed = errors.New("ring: queue closed")

// checkCapacity validates a requested capacity.
func checkCapacity(n int) error {
	if n < 1 || n > MaxCapacity || n&(n-1) != 0 {
		return fmt.Errorf("ring: capacity %d: %w", n, ErrCapacity)
	}
	return nil
}

// Spinning before parking: the first activeSpins checks are back-to-back,
// the following ones yield the processor, then the waiter parks. A handoff
// that completes within a few microseconds therefore never touches the
// scheduler's sleep path, and an idle queue costs no CPU.
const (
	activeSpins = 32
	totalSpins  = 48
)

// backoff is called between failed attempts; it reports false when the
// caller should park instead of trying again.
func backoff(spin int) bool {
	if spin < activeSpins {
		return true
	}
	if spin < totalSpins {
		runtime.Gosched()
		return true
	}
	return false
}

// notifier lets goroutines park until another goroutine changes the state
// they wait on.
//
// The protocol is Dekker's: a waiter increments waiters, then re-checks the
// condition, then parks; a signaller changes the state, then loads waiters
// and signals if it is non-zero. sync/atomic operations are sequentially
// consistent, so either the waiter's re-check sees the new state or the
// signaller sees the waiter: a wake-up cannot be lost. A token may be left
// in the channel (the waiter found its condition true before parking); the
// next park then returns at once and the waiter re-checks, which is harmless.
type notifier struct {
	waiters atomic.Int32
	ch      chan struct{} // capacity 1: at most one pending token
}

func newNotifier() notifier {
	return notifier{ch: make(chan struct{}, 1)}
}

// pending reports whether anyone is parked or about to park. It is the only
// cost signallers pay on the fast path.
func (n *notifier) pending() bool { return n.waiters.Load() != 0 }

// signal wakes one parked waiter, if any, without blocking.
func (n *notifier) signal() {
	select {
	case n.ch <- struct{}{}:
	default:
	}
}

// prepare registers the caller as a waiter; it must then re-check its
// condition and either call cancel or park.
func (n *notifier) prepare() { n.waiters.Add(1) }

// cancel undoes prepare when the re-check found the condition true.
func (n *notifier) cancel() { n.waiters.Add(-1) }

// park blocks until a signal, until done is closed or until ctx is done,
// and unregisters the caller. It returns ctx.Err() in the last case.
func (n *notifier) park(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-n.ch:
		n.waiters.Add(-1)
		return nil
	case <-done:
		n.waiters.Add(-1)
		return nil
	case <-ctx.Done():
		n.waiters.Add(-1)
		// A signal meant for us may have raced with the cancellation;
		// hand it on so that another waiter does not sleep through it.
		if n.pending() {
			n.signal()
		}
		return ctx.Err()
	}
}

// handOn passes a wake-up to the next waiter after the caller made progress
// (used where several producers may be parked on one queue).
func (n *notifier) handOn() {
	if n.pending() {
		n.signal()
	}
}

// orBackground returns ctx, or context.Background() when ctx is nil.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// maxUint64 raises hw to v if v is larger (several writers).
func maxUint64(hw *atomic.Uint64, v uint64) {
	for {
		old := hw.Load()
		if v <= old || hw.CompareAndSwap(old, v) {
			return
		}
	}
}

// Queue is the API SPSC and MPSC share, for code that picks one at run time
// (one capture worker or several). Calling through the interface costs an
// indirect call per operation; the batch methods amortise it.
type Queue[T any] interface {
	TryPush(v T) bool
	TryPushBatch(vs []T) int
	Push(ctx context.Context, v T) error
	PushBatch(ctx context.Context, vs []T) (int, error)
	TryPop() (T, bool)
	TryPopBatch(dst []T) int
	Pop(ctx context.Context) (T, error)
	PopBatch(ctx context.Context, dst []T) (int, error)
	Close()
	Closed() bool
	Len() int
	Cap() int
	HighWater() int
	Refused() uint64
}

var (
	_ Queue[int] = (*SPSC[int])(nil)
	_ Queue[int] = (*MPSC[int])(nil)
)

// moveOut moves len(dst) items starting at index i of the circular buffer
// vals into dst, wrapping at the end, and clears the slots it emptied so
// they keep nothing alive.
func moveOut[T any](dst, vals []T, i uint64) {
	n := uint64(len(dst))
	if end := i + n; end <= uint64(len(vals)) {
		copy(dst, vals[i:end])
		clear(vals[i:end])
		return
	}
	c := copy(dst, vals[i:])
	clear(vals[i:])
	copy(dst[c:], vals)
	clear(vals[:n-uint64(c)])
}

// consumer is the consumer side both queues share, for the blocking pops.
type consumer[T any] interface {
	TryPop() (T, bool)
	TryPopBatch(dst []T) int
	waitReadable(ctx context.Context, spin int) error
}

// pop implements Pop: try, then wait, and after Close take what is left
// (items pushed before Close are visible by then).
func pop[T any, Q consumer[T]](q Q, ctx context.Context) (T, error) {
	for spin := 0; ; spin++ {
		if v, ok := q.TryPop(); ok {
			return v, nil
		}
		if err := q.waitReadable(ctx, spin); err != nil {
			if err == ErrClosed {
				if v, ok := q.TryPop(); ok {
					return v, nil
				}
			}
			var zero T
			return zero, err
		}
	}
}

// popBatch implements PopBatch the same way.
func popBatch[T any, Q consumer[T]](q Q, ctx context.Context, dst []T) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	for spin := 0; ; spin++ {
		if n := q.TryPopBatch(dst); n > 0 {
			return n, nil
		}
		if err := q.waitReadable(ctx, spin); err != nil {
			if err == ErrClosed {
				if n := q.TryPopBatch(dst); n > 0 {
					return n, nil
				}
			}
			return 0, err
		}
	}
}
