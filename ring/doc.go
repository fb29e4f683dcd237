// Package ring provides bounded, lock-free queues for handing items from
// capture goroutines to the goroutine that parses or writes them, so that
// capture never blocks on downstream work.
//
// Two queues share one API:
//
//   - [SPSC] has exactly one producer goroutine and one consumer goroutine.
//   - [MPSC] has any number of producer goroutines and one consumer goroutine
//     (several PACKET_FANOUT workers feeding one writer, for example).
//
// Both have a power-of-two capacity fixed at construction ([NewSPSC],
// [NewMPSC] return [ErrCapacity] otherwise), keep producer and consumer
// indices on separate cache lines, and never allocate after construction.
//
// # Producing
//
// [SPSC.TryPush] and [SPSC.TryPushBatch] never block: when the queue is full
// (or closed) they refuse the item and count it, see [SPSC.Refused]. This is
// what a live capture uses: a refused packet is a counted drop, never a stall
// of the kernel ring. [SPSC.Push] and [SPSC.PushBatch] wait for room instead,
// which suits replaying a file, where nothing may be lost.
//
// # Consuming
//
// [SPSC.TryPop] and [SPSC.TryPopBatch] never block. [SPSC.Pop] and
// [SPSC.PopBatch] wait until at least one item is available: they spin
// briefly, then park on a channel until a producer signals them. A producer
// only pays for the signal when the consumer is actually parked (one atomic
// load otherwise), and the handshake is ordered so that a wake-up is never
// lost. Waiting ends when an item arrives, when the context is done (the
// context's error is returned) or when the queue is closed.
//
// # Closing
//
// [SPSC.Close] marks the end of the stream and wakes every waiter. Pushes
// after Close are refused; pops keep returning the items still queued and
// report [ErrClosed] once the queue is empty. Close is meant to be called
// once all producers have finished (for MPSC, after their WaitGroup): an item
// pushed concurrently with Close may be refused or, if the consumer has
// already seen the queue closed and empty, left unread.
//
// # Observing
//
// [SPSC.Len], [SPSC.Cap], [SPSC.HighWater] (the largest fill observed by
// producers) and [SPSC.Refused] are safe to call from any goroutine at any
// time, for example from a metrics scrape.
//
// The zero value of either queue is not usable; create queues with their
// constructors. A queue must not be copied after first use.
package ring
