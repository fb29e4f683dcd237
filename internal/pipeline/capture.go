// Package pipeline runs a live capture from end to end: one or more rawsock
// handles (a PACKET_FANOUT group when there are several workers) hand ring
// blocks, by reference, through lock-free queues (package ring) to the
// consumers: the sinks (capture file, packet printer) and the processors
// (protocol decoding, asset discovery), each in its own goroutine.
//
// # Backpressure policy
//
// A block goes back to the kernel when every consumer that took it has
// released it. Each consumer has its own bounded queue (RingSize blocks).
//
//   - Processors (decoding, asset discovery) never hold capture up: when a
//     processor's queue is full, it misses the block (the others still get
//     it) and its frames are counted in Result.ProcessorMissed. A slow or
//     stuck processor holds at most RingSize blocks of the kernel's ring.
//   - Sinks (the capture file) are what a capture is for, so the reader
//     waits for room in their queue rather than skip: while it waits, the
//     kernel's ring keeps filling, and what does not fit is counted by the
//     kernel as dropped, as with tcpdump. Nothing is lost silently.
//   - When the CPU is short (the reader finds ShedBehind or more blocks
//     already filled behind the one it reads, because decoders, the writer
//     and the kernel's receive path share too little CPU), processors skip
//     what they are given until the reader has caught up, counted as
//     missed too: decoding gives way to capture. Where the direct path
//     below can be had, the reader also takes it meanwhile, once the sinks
//     have written what was queued, so capture costs no more than without
//     decoders.
//
// A capture that only writes a file (one handle, no processor, no other
// sink) skips the queues and Frames altogether: the handle lays each block
// out as records in the file's buffer (rawsock.RecordReader).
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirebom/wirebom/rawsock"
	"github.com/wirebom/wirebom/ring"
)

// DefaultRingSize is the number of ring blocks each consumer may hold
// queued. A consumer holds at most RingSize+16 blocks (its queue and the
// batch it is working on), so with the default kernel ring (256 blocks of
// 256 KiB) the writer and a decoder together hold at most 96 of them: a
// stuck decoder never takes the whole ring.
const DefaultRingSize = 32

// ShedBehind is how far behind (rawsock.Batch.Behind) a reader must be for
// processors to skip blocks: 1 MiB of kernel ring with the default
// blocks, filled while the reader was kept from running.
const ShedBehind = 4

// Options describe one capture run.
type Options struct {
	// Interface is the interface to capture on.
	Interface string
	// Config is passed to rawsock.Open for every worker.
	Config rawsock.Config
	// Workers is the number of sockets in the fanout group (default 1).
	Workers int
	// Count stops the capture after the sinks took this many frames
	// (0: no limit).
	Count uint64
	// Duration stops the capture after this long (0: no limit).
	Duration time.Duration
	// RingSize is each consumer queue's capacity in blocks, a power of
	// two (0: DefaultRingSize).
	RingSize int
	// Sinks receive every frame, in order, from one goroutine, and are
	// flushed after each block so a reader at the other end of a pipe sees
	// frames promptly. Capture does not close them.
	Sinks []Sink
	// Processors each get every frame from a goroutine of their own.
	Processors []Processor
	// OnStart, when set, is called once every handle is open, before the
	// first frame is read: from then on nothing sent is missed.
	OnStart func(ring bool)
	// Progress, when set, is called about once a second.
	Progress func(Progress)
	// Warn, when set, receives backpressure warnings (at most one every
	// few seconds).
	Warn func(string)
	// Open opens one worker's handle; nil means rawsock.Open.
	Open func(iface string, cfg rawsock.Config) (rawsock.Source, error)
}

// Sink consumes captured frames: a capture file, a packet printer.
type Sink interface {
	WriteFrame(*rawsock.Frame) error
	Flush() error
}

// Processor consumes captured frames for analysis. Process must not keep f
// or its Data after returning.
type Processor interface {
	Process(f *rawsock.Frame)
}

// Progress is a snapshot of a running capture.
type Progress struct {
	Elapsed time.Duration
	Packets uint64 // taken by the sinks
	Bytes   uint64
	Dropped uint64 // by the kernel
	Missed  uint64 // by consumers whose queue was full
}

// Result is what a finished capture reports.
type Result struct {
	// Stats sums the kernel and reader counters of every worker.
	Stats rawsock.Stats
	// Packets is the number of frames handed to the sinks.
	Packets uint64
	// SinkMissed counts frames read but never handed to the sinks because
	// the capture stopped (or a sink failed) while they waited in the queue.
	SinkMissed uint64
	// ProcessorMissed counts, for each processor, the frames it missed
	// because its queue was full.
	ProcessorMissed []uint64
	// Ring reports whether the memory-mapped ring was used.
	Ring bool
}

// block is one batch in flight, shared by the consumers that took it.
type block struct {
	batch rawsock.Batch
	refs  atomic.Int32
	free  *freeList // where it goes back when released
}

func (b *block) unref() {
	if b.refs.Add(-1) == 0 {
		b.batch.Release()
		b.free.put(b)
	}
}

// freeList keeps a capture's released blocks for reuse. Unlike a
// sync.Pool it is not emptied by garbage collections: a block's Frames grow
// to a ring block's worth (~260 KB of small frames), and growing them again
// after every collection made the garbage that caused the next one; on one
// CPU, those collections' marking stalled the reader long enough for the
// kernel to drop frames.
type freeList struct {
	mu     sync.Mutex
	blocks []*block
}

func (l *freeList) get() *block {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.blocks); n > 0 {
		b := l.blocks[n-1]
		l.blocks = l.blocks[:n-1]
		return b
	}
	return &block{free: l}
}

func (l *freeList) put(b *block) {
	l.mu.Lock()
	l.blocks = append(l.blocks, b)
	l.mu.Unlock()
}

// consumer is one queue and the goroutine draining it.
type consumer struct {
	q      *ring.MPSC[*block]
	missed atomic.Uint64
}

// Live is a running capture's counters, safe to read at any time (for
// metrics); before the capture starts they read as zero.
type Live struct {
	run atomic.Pointer[run]
}

// Capture opens the handles, captures until ctx is done, Count frames were
// taken, Duration passed or a sink or handle fails, then drains the queues
// and closes the handles. It returns what was captured even on error: every
// frame counted in Result.Packets was handed to every sink.
func Capture(ctx context.Context, o Options) (Result, error) {
	return CaptureLive(ctx, o, nil)
}

// CaptureLive is Capture that also fills live (if not nil) before OnStart,
// for a metrics endpoint to read.
func CaptureLive(ctx context.Context, o Options, live *Live) (Result, error) {
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if o.RingSize == 0 {
		o.RingSize = DefaultRingSize
	}
	if o.Open == nil {
		o.Open = rawsock.Open
	}
	cfg := o.Config
	if o.Workers > 1 && cfg.FanoutGroup == 0 {
		var g [2]byte
		_, _ = rand.Read(g[:])
		cfg.FanoutGroup = binary.LittleEndian.Uint16(g[:]) | 1
	}
	c := &run{o: o, sinksIdle: make(chan struct{}, 1)}
	newConsumer := func() (*consumer, error) {
		q, err := ring.NewMPSC[*block](o.RingSize)
		if err != nil {
			return nil, fmt.Errorf("ring size %d: %w", o.RingSize, err)
		}
		return &consumer{q: q}, nil
	}
	var err error
	if c.sinks, err = newConsumer(); err != nil {
		return Result{}, err
	}
	for range o.Processors {
		p, err := newConsumer()
		if err != nil {
			return Result{}, err
		}
		c.procs = append(c.procs, p)
	}

	for i := 0; i < o.Workers; i++ {
		s, err := o.Open(o.Interface, cfg)
		if err != nil {
			for _, s := range c.srcs {
				s.Close()
			}
			return Result{}, err
		}
		c.srcs = append(c.srcs, s)
	}
	if live != nil {
		live.run.Store(c)
	}
	if o.OnStart != nil {
		o.OnStart(c.srcs[0].Ring())
	}
	c.start = time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.cancel = cancel
	if o.Duration > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, o.Duration)
		defer stop()
	}

	var consumers sync.WaitGroup
	consumers.Add(1 + len(o.Processors))
	go func() {
		defer consumers.Done()
		c.drain(c.sinks, func(b *block) error {
			defer c.sinkDone()
			return c.sinkBlock(b)
		})
	}()
	for i, p := range o.Processors {
		go func() {
			defer consumers.Done()
			c.drain(c.procs[i], func(b *block) error {
				if c.behind.Load() > 0 {
					c.procs[i].missed.Add(uint64(len(b.batch.Frames)))
					return nil
				}
				for j := range b.batch.Frames {
					p.Process(&b.batch.Frames[j])
				}
				return nil
			})
		}()
	}
	var readers sync.WaitGroup
	for _, s := range c.srcs {
		readers.Add(1)
		go func() {
			defer readers.Done()
			if err := c.read(ctx, s); err != nil {
				c.fail(err)
			}
		}()
	}
	stopMonitor := c.monitor(ctx)
	<-ctx.Done()
	// Stop reading, let the consumers finish what they hold, then close.
	for _, s := range c.srcs {
		s.Close()
	}
	readers.Wait()
	c.sinks.q.Close()
	for _, p := range c.procs {
		p.q.Close()
	}
	consumers.Wait()
	stopMonitor()

	res := Result{Packets: c.packets.Load(), Ring: c.srcs[0].Ring(), SinkMissed: c.sinks.missed.Load()}
	for _, p := range c.procs {
		res.ProcessorMissed = append(res.ProcessorMissed, p.missed.Load())
	}
	res.Stats = c.stats()
	return res, c.err
}

type run struct {
	o       Options
	srcs    []rawsock.Source
	sinks   *consumer
	procs   []*consumer
	start   time.Time
	cancel  context.CancelFunc
	packets atomic.Uint64
	bytes   atomic.Uint64
	full    atomic.Bool
	failed  atomic.Bool
	behind  atomic.Int32 // readers at least ShedBehind blocks behind
	// sinkPending counts the blocks queued for the sinks and not yet
	// written: at 0 the sinks' goroutine does not touch them until the
	// reader queues another. sinksIdle gets a token when it falls to 0.
	sinkPending atomic.Int64
	sinksIdle   chan struct{}
	free        freeList
	errOnce     sync.Once
	err         error
}

func (c *run) fail(err error) {
	c.errOnce.Do(func() { c.err = err })
	c.failed.Store(true)
	c.cancel()
}

func (c *run) stats() rawsock.Stats {
	var sum rawsock.Stats
	for _, s := range c.srcs {
		st, _ := s.Stats()
		sum = sum.Add(st)
	}
	return sum
}

// read moves blocks from one handle into every consumer's queue: it waits
// for room in the sinks' queue and skips processors whose queue is full.
func (c *run) read(ctx context.Context, s rawsock.Source) error {
	direct := len(c.srcs) == 1 && len(c.procs) == 0
	behind := false
	defer func() {
		if behind {
			c.behind.Add(-1)
		}
	}()
	rr, w := c.recordPath(s)
	if rr != nil && direct {
		if done, err := c.readRecords(rr, w); done {
			return err
		}
		rr = nil
	}
	for {
		if rr != nil && behind && !c.full.Load() && !c.failed.Load() && c.waitSinks(ctx) {
			// Processors give way, and the sinks' goroutine has written
			// every queued block: lay this block out in the file as the
			// direct path does, without Frames (about a third less CPU
			// with IMIX in RPS mode), until the reader has caught up.
			k, err := c.writeRecords(rr, w)
			if err != nil {
				if errors.Is(err, rawsock.ErrClosed) {
					return nil
				}
				return err
			}
			for _, p := range c.procs {
				p.missed.Add(uint64(k))
			}
			if rr.Behind() < ShedBehind {
				behind = false
				c.behind.Add(-1)
			}
			continue
		}
		b := c.free.get()
		if err := s.ReadBatch(&b.batch); err != nil {
			c.free.put(b)
			if errors.Is(err, rawsock.ErrClosed) {
				return nil
			}
			return err
		}
		n := uint64(len(b.batch.Frames))
		if now := b.batch.Behind >= ShedBehind; now != behind {
			behind = now
			if now {
				c.behind.Add(1)
			} else {
				c.behind.Add(-1)
			}
		}
		if direct {
			// One reader and no processor: a queue would only add a
			// goroutine switch per block, and the reader waits for the
			// sinks either way.
			if err := c.sinkBlock(b); err != nil {
				c.fail(err)
			}
			b.batch.Release()
			c.free.put(b)
			continue
		}
		b.refs.Store(int32(1 + len(c.procs)))
		c.sinkPending.Add(1)
		if !c.sinks.q.TryPush(b) {
			if err := c.sinks.q.Push(ctx, b); err != nil {
				c.sinkDone()
				c.sinks.missed.Add(n)
				b.unref()
			}
		}
		for _, p := range c.procs {
			if behind || !p.q.TryPush(b) {
				p.missed.Add(n)
				b.unref()
			}
		}
	}
}

// sinkDone counts a queued block as written by the sinks.
func (c *run) sinkDone() {
	if c.sinkPending.Add(-1) == 0 {
		select {
		case c.sinksIdle <- struct{}{}:
		default:
		}
	}
}

// waitSinks waits until the sinks have written every block queued for them
// and reports true, or false if ctx ends first.
func (c *run) waitSinks(ctx context.Context) bool {
	for c.sinkPending.Load() != 0 {
		select {
		case <-c.sinksIdle:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// recordPath returns s as a RecordReader and the capture file it can lay
// records out in, when one handle feeds one capture file (and, perhaps,
// processors); nil otherwise.
func (c *run) recordPath(s rawsock.Source) (rawsock.RecordReader, *rawsock.Writer) {
	rr, ok := s.(rawsock.RecordReader)
	if !ok || len(c.srcs) != 1 || len(c.o.Sinks) != 1 {
		return nil, nil
	}
	w, ok := c.o.Sinks[0].(*rawsock.Writer)
	if !ok {
		return nil, nil
	}
	return rr, w
}

// readRecords is read's path when one handle feeds a capture file and
// nothing else: the handle lays each block out as records in the file's
// buffer, and the block goes straight back to the kernel. It returns done
// false when the file failed or is full (-c), and read carries on with
// batches, which count what arrives after that.
func (c *run) readRecords(rr rawsock.RecordReader, w *rawsock.Writer) (done bool, err error) {
	for !c.full.Load() && !c.failed.Load() {
		if _, err := c.writeRecords(rr, w); err != nil {
			if errors.Is(err, rawsock.ErrClosed) {
				return true, nil
			}
			return true, err
		}
	}
	return false, nil
}

// writeRecords lays the next block out in w (up to -c) and flushes w. It
// returns how many frames it wrote, and the handle's error (ErrClosed after
// Close); a failed file fails the capture instead.
func (c *run) writeRecords(rr rawsock.RecordReader, w *rawsock.Writer) (int, error) {
	limit := 0
	n := c.packets.Load()
	if c.o.Count > 0 {
		limit = int(c.o.Count - n)
	}
	k, bytes, err := rr.ReadRecords(w, limit)
	if err != nil {
		return 0, err
	}
	c.bytes.Add(bytes)
	n += uint64(k)
	c.packets.Store(n)
	if err := w.Flush(); err != nil {
		c.fail(err)
		return k, nil
	}
	if c.o.Count > 0 && n >= c.o.Count {
		c.full.Store(true)
		c.cancel()
	}
	return k, nil
}

// drain pops blocks until the queue is closed and empty.
func (c *run) drain(cs *consumer, handle func(*block) error) {
	var buf [16]*block
	for {
		n, err := cs.q.PopBatch(context.Background(), buf[:])
		for _, b := range buf[:n] {
			if herr := handle(b); herr != nil {
				c.fail(herr)
			}
			b.unref()
		}
		if err != nil {
			return
		}
	}
}

// BatchSink is a Sink that also takes a block's frames in one call (the
// capture file does): it returns how many frames it took.
type BatchSink interface {
	Sink
	WriteFrames([]rawsock.Frame) (int, error)
}

// sinkBlock writes one block's frames to every sink and flushes them.
func (c *run) sinkBlock(b *block) error {
	if c.full.Load() || c.failed.Load() {
		if !c.full.Load() {
			c.sinks.missed.Add(uint64(len(b.batch.Frames)))
		}
		return nil
	}
	n := c.packets.Load()
	frames := b.batch.Frames
	if c.o.Count > 0 && uint64(len(frames)) > c.o.Count-n {
		frames = frames[:c.o.Count-n]
	}
	taken := len(frames)
	var err error
	for _, s := range c.o.Sinks {
		var k int
		if bs, ok := s.(BatchSink); ok {
			k, err = bs.WriteFrames(frames)
		} else {
			for k = 0; k < len(frames) && err == nil; k++ {
				err = s.WriteFrame(&frames[k])
			}
		}
		if err != nil {
			// Frame k-1 failed: what every sink took whole is before it.
			taken = max(0, min(taken, k-1))
			break
		}
	}
	var bytes uint64
	for i := range frames[:taken] {
		bytes += uint64(frames[i].Length)
	}
	c.bytes.Add(bytes)
	n += uint64(taken)
	c.packets.Store(n)
	if err != nil {
		return err
	}
	for _, s := range c.o.Sinks {
		if err := s.Flush(); err != nil {
			return err
		}
	}
	if c.o.Count > 0 && n >= c.o.Count {
		c.full.Store(true)
		c.cancel()
	}
	return nil
}

// monitor reports progress once a second and warns when a queue stays
// nearly full.
func (c *run) monitor(ctx context.Context) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		var lastWarn, lastProgress time.Time
		high := 0
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if c.o.Warn != nil {
					if c.fillRatio() > 0.9 {
						high++
					} else {
						high = 0
					}
					if high >= 2 && now.Sub(lastWarn) > 5*time.Second {
						lastWarn = now
						c.o.Warn(backpressureMessage(c.o.RingSize))
					}
				}
				if c.o.Progress != nil && now.Sub(lastProgress) >= time.Second {
					lastProgress = now
					c.o.Progress(c.progress())
				}
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}

func backpressureMessage(ringSize int) string {
	return fmt.Sprintf("processing is falling behind: a queue is over 90%% full (%d blocks); "+
		"packets will be missed unless it drains. A larger --ring-size absorbs longer bursts; "+
		"more --workers spread the load", ringSize)
}

func (c *run) fillRatio() float64 {
	r := float64(c.sinks.q.Len()) / float64(c.sinks.q.Cap())
	for _, p := range c.procs {
		r = max(r, float64(p.q.Len())/float64(p.q.Cap()))
	}
	return r
}

func (c *run) missed() uint64 {
	n := c.sinks.missed.Load()
	for _, p := range c.procs {
		n += p.missed.Load()
	}
	return n
}

func (c *run) progress() Progress {
	return Progress{Elapsed: time.Since(c.start), Packets: c.packets.Load(), Bytes: c.bytes.Load(),
		Dropped: c.stats().Dropped, Missed: c.missed()}
}

// Stats returns the kernel and reader counters summed over the workers.
func (l *Live) Stats() rawsock.Stats {
	if c := l.run.Load(); c != nil {
		return c.stats()
	}
	return rawsock.Stats{}
}

// Packets returns the frames taken by the sinks so far.
func (l *Live) Packets() uint64 {
	if c := l.run.Load(); c != nil {
		return c.packets.Load()
	}
	return 0
}

// Bytes returns the wire bytes of those frames.
func (l *Live) Bytes() uint64 {
	if c := l.run.Load(); c != nil {
		return c.bytes.Load()
	}
	return 0
}

// Queue returns the statistics of the sinks' queue, in blocks, with the
// frames missed by every consumer; it satisfies metrics.RingStats.
func (l *Live) Queue() QueueStats { return QueueStats{l} }

// QueueStats reads a Live capture's queue.
type QueueStats struct{ l *Live }

func (q QueueStats) get() *run { return q.l.run.Load() }

// Len returns the blocks waiting for the sinks.
func (q QueueStats) Len() int {
	if c := q.get(); c != nil {
		return c.sinks.q.Len()
	}
	return 0
}

// Cap returns the queue's capacity in blocks.
func (q QueueStats) Cap() int {
	if c := q.get(); c != nil {
		return c.sinks.q.Cap()
	}
	return 0
}

// HighWater returns the most blocks seen waiting.
func (q QueueStats) HighWater() int {
	if c := q.get(); c != nil {
		return c.sinks.q.HighWater()
	}
	return 0
}

// Refused returns the frames consumers missed because a queue was full.
func (q QueueStats) Refused() uint64 {
	if c := q.get(); c != nil {
		return c.missed()
	}
	return 0
}
