// Package pipeline runs a live capture: one or more rawsock handles (a
// PACKET_FANOUT group when there are several workers) feeding the sinks
// (capture file, per-packet printer), with stop conditions and statistics.
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wirebom/wirebom/rawsock"
)

// Options describe one capture run.
type Options struct {
	// Interface is the interface to capture on.
	Interface string
	// Config is passed to rawsock.Open for every worker.
	Config rawsock.Config
	// Workers is the number of sockets in the fanout group (default 1).
	Workers int
	// Count stops the capture after this many frames (0: no limit).
	Count uint64
	// Duration stops the capture after this long (0: no limit).
	Duration time.Duration
	// Sinks receive every frame, in order, and are flushed after each
	// batch so a reader at the other end of a pipe sees frames promptly.
	// Calls are serialized. Capture does not close them.
	Sinks []Sink
	// OnStart, when set, is called once every handle is open, before the
	// first frame is read: from then on nothing sent is missed.
	OnStart func(ring bool)
	// Progress, when set, is called about once a second with the totals.
	Progress func(Progress)
	// Open opens one worker's handle; nil means rawsock.Open. Tests use it
	// to open sockets inside a network namespace.
	Open func(iface string, cfg rawsock.Config) (rawsock.Source, error)
}

// Sink consumes captured frames: a capture file, a packet printer.
type Sink interface {
	WriteFrame(*rawsock.Frame) error
	Flush() error
}

// Progress is a snapshot of a running capture.
type Progress struct {
	Elapsed time.Duration
	Packets uint64
	Bytes   uint64
	Dropped uint64
}

// Result is what a finished capture reports.
type Result struct {
	// Stats sums the kernel and reader counters of every worker.
	Stats rawsock.Stats
	// Packets is the number of frames handed to the sinks.
	Packets uint64
	// Ring reports whether the memory-mapped ring was used (false: the
	// fallback socket).
	Ring bool
}

// Capture opens the handles, captures until ctx is done, Count frames were
// taken, Duration passed or a sink or handle fails, then closes the handles.
// It returns what was captured even on error: every frame counted in
// Result.Packets was handed to every sink.
func Capture(ctx context.Context, o Options) (Result, error) {
	if o.Workers <= 0 {
		o.Workers = 1
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
	srcs := make([]rawsock.Source, 0, o.Workers)
	closeAll := func() {
		for _, s := range srcs {
			s.Close()
		}
	}
	for i := 0; i < o.Workers; i++ {
		s, err := o.Open(o.Interface, cfg)
		if err != nil {
			closeAll()
			return Result{}, err
		}
		srcs = append(srcs, s)
	}

	if o.OnStart != nil {
		o.OnStart(srcs[0].Ring())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &run{o: o, start: time.Now(), done: cancel}
	if o.Duration > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, o.Duration)
		defer stop()
	}
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.worker(s); err != nil {
				c.fail(err)
				cancel()
			}
		}()
	}
	stopProgress := c.progress(ctx, srcs)
	<-ctx.Done()
	closeAll()
	wg.Wait()
	stopProgress()

	res := Result{Packets: c.packets.Load(), Ring: srcs[0].Ring()}
	for _, s := range srcs {
		st, _ := s.Stats()
		res.Stats = res.Stats.Add(st)
	}
	return res, c.err
}

type run struct {
	o       Options
	start   time.Time
	mu      sync.Mutex // serializes sinks
	packets atomic.Uint64
	bytes   atomic.Uint64
	done    context.CancelFunc
	errOnce sync.Once
	err     error
}

func (c *run) fail(err error) { c.errOnce.Do(func() { c.err = err }) }

func (c *run) worker(s rawsock.Source) error {
	var b rawsock.Batch
	for {
		if err := s.ReadBatch(&b); err != nil {
			if errors.Is(err, rawsock.ErrClosed) {
				return nil
			}
			return err
		}
		full, err := c.sink(b.Frames)
		b.Release()
		if err != nil {
			return err
		}
		if full {
			c.done()
			return nil
		}
	}
}

// sink hands frames to the writer and printer; it reports whether Count
// has been reached.
func (c *run) sink(frames []rawsock.Frame) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.packets.Load()
	for i := range frames {
		if c.o.Count > 0 && n >= c.o.Count {
			break
		}
		f := &frames[i]
		for _, s := range c.o.Sinks {
			if err := s.WriteFrame(f); err != nil {
				c.packets.Store(n)
				return false, err
			}
		}
		n++
		c.bytes.Add(uint64(f.Length))
	}
	c.packets.Store(n)
	for _, s := range c.o.Sinks {
		if err := s.Flush(); err != nil {
			return false, err
		}
	}
	return c.o.Count > 0 && n >= c.o.Count, nil
}

func (c *run) progress(ctx context.Context, srcs []rawsock.Source) (stop func()) {
	if c.o.Progress == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				var sum rawsock.Stats
				for _, s := range srcs {
					st, _ := s.Stats()
					sum = sum.Add(st)
				}
				c.o.Progress(Progress{Elapsed: time.Since(c.start), Packets: c.packets.Load(), Bytes: c.bytes.Load(), Dropped: sum.Dropped})
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}
