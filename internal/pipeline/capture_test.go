package pipeline

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirebom/wirebom/rawsock"
)

// fakeSource hands out numbered one-frame batches from a fixed budget of
// lent buffers, like a kernel ring of `blocks` blocks: when every block is
// out with consumers, it counts the frame as a kernel drop instead, or, with
// wait set, waits for a block to come back (a sender slowed down by flow
// control).
type fakeSource struct {
	total   int
	blocks  int
	wait    bool
	mu      sync.Mutex
	freed   *sync.Cond
	next    int
	lent    int
	drops   uint64
	closed  atomic.Bool
	done    chan struct{}
	stopped sync.Once
	behind  func(seq int) int // Batch.Behind of each frame's batch, if set
}

func newFakeSource(total, blocks int) *fakeSource {
	s := &fakeSource{total: total, blocks: blocks, done: make(chan struct{})}
	s.freed = sync.NewCond(&s.mu)
	return s
}

func (s *fakeSource) ReadBatch(b *rawsock.Batch) error {
	b.Release()
	for {
		if s.closed.Load() {
			return rawsock.ErrClosed
		}
		s.mu.Lock()
		if s.next >= s.total {
			s.mu.Unlock()
			s.stopped.Do(func() { close(s.done) })
			time.Sleep(time.Millisecond) // idle until Close; a fake, not a poll loop under test
			continue
		}
		for s.wait && s.lent == s.blocks && !s.closed.Load() {
			s.freed.Wait()
		}
		seq := s.next
		s.next++
		if s.lent == s.blocks {
			s.drops++
			s.mu.Unlock()
			continue
		}
		s.lent++
		s.mu.Unlock()
		data := make([]byte, 64)
		binary.BigEndian.PutUint32(data, uint32(seq))
		b.Frames = append(b.Frames[:0], rawsock.Frame{Timestamp: time.Unix(0, int64(seq)), CaptureLength: 64, Length: 64, Data: data})
		rawsock.SetBatchOwner(b, s, seq)
		if s.behind != nil {
			b.Behind = s.behind(seq)
		}
		return nil
	}
}

func (s *fakeSource) ReleaseBlock(int) {
	s.mu.Lock()
	s.lent--
	s.freed.Broadcast()
	s.mu.Unlock()
}

func (s *fakeSource) Stats() (rawsock.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return rawsock.Stats{Received: uint64(s.next), Dropped: s.drops, Captured: uint64(s.next) - s.drops}, nil
}

func (s *fakeSource) Close() error {
	s.closed.Store(true)
	s.mu.Lock()
	s.freed.Broadcast()
	s.mu.Unlock()
	return nil
}
func (s *fakeSource) Ring() bool { return true }

func (s *fakeSource) LinkType() rawsock.LinkType { return rawsock.LinkTypeEthernet }

// countSink records the sequence numbers it is given.
type countSink struct {
	seqs []uint32
}

func (c *countSink) WriteFrame(f *rawsock.Frame) error {
	c.seqs = append(c.seqs, binary.BigEndian.Uint32(f.Data))
	return nil
}
func (c *countSink) Flush() error { return nil }

// slowProc blocks on a gate before processing each frame.
type slowProc struct {
	gate chan struct{}
	n    atomic.Uint64
}

func (p *slowProc) Process(*rawsock.Frame) {
	<-p.gate
	p.n.Add(1)
}

func runFake(t *testing.T, src *fakeSource, o Options) (Result, error) {
	t.Helper()
	o.Open = func(string, rawsock.Config) (rawsock.Source, error) { return src, nil }
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-src.done
		cancel()
	}()
	return Capture(ctx, o)
}

// TestSlowProcessorDoesNotStallCapture: a processor that never proceeds
// may hold only its queue's worth of blocks; the sink still gets every
// frame, the kernel side never runs out of blocks, and the processor's
// misses are counted.
func TestSlowProcessorDoesNotStallCapture(t *testing.T) {
	const total = 5000
	// Each consumer holds at most RingSize+16 blocks: 64 in all, plus the
	// one being read.
	src := newFakeSource(total, 65)
	sink := &countSink{}
	proc := &slowProc{gate: make(chan struct{})}
	go func() {
		<-src.done
		close(proc.gate) // let it drain at the end
	}()
	res, err := runFake(t, src, Options{RingSize: 16, Sinks: []Sink{sink}, Processors: []Processor{proc}})
	if err != nil {
		t.Fatal(err)
	}
	if src.drops != 0 {
		t.Fatalf("the source ran out of blocks (%d drops): a slow processor stalled capture", src.drops)
	}
	if len(sink.seqs) != total || res.Packets != total || res.SinkMissed != 0 {
		t.Fatalf("sink got %d frames (result %d, missed %d), want all %d", len(sink.seqs), res.Packets, res.SinkMissed, total)
	}
	for i, s := range sink.seqs {
		if s != uint32(i) {
			t.Fatalf("sink frame %d is %d: order lost", i, s)
		}
	}
	if len(res.ProcessorMissed) != 1 || res.ProcessorMissed[0] == 0 || res.ProcessorMissed[0]+proc.n.Load() != total {
		t.Fatalf("processor saw %d and missed %v of %d: every frame must be processed or counted", proc.n.Load(), res.ProcessorMissed, total)
	}
}

// countProc counts the frames it processes.
type countProc struct{ n atomic.Uint64 }

func (p *countProc) Process(*rawsock.Frame) { p.n.Add(1) }

// TestProcessorsGiveWayWhenReaderIsBehind: while the reader reports that
// the kernel has filled ShedBehind blocks it has not read yet, processors
// skip what they get (counted as missed) and the sink still gets every
// frame; once it has caught up, they process again.
func TestProcessorsGiveWayWhenReaderIsBehind(t *testing.T) {
	const total = 2000
	src := newFakeSource(total, 1<<20)
	src.behind = func(seq int) int {
		if seq < total-1 {
			return ShedBehind
		}
		return 0
	}
	sink := &countSink{}
	proc := &countProc{}
	res, err := runFake(t, src, Options{Sinks: []Sink{sink}, Processors: []Processor{proc}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.seqs) != total || res.Packets != total {
		t.Fatalf("sink got %d frames (result %d), want all %d", len(sink.seqs), res.Packets, total)
	}
	got := proc.n.Load()
	if got > 1 || got+res.ProcessorMissed[0] != total {
		t.Fatalf("processor processed %d and missed %d of %d frames: it must skip all but the last, read after the reader caught up", got, res.ProcessorMissed[0], total)
	}
}

// recordSource is a fakeSource that is also a rawsock.RecordReader: it
// writes the frames ReadRecords takes with the Writer's own WriteFrame.
type recordSource struct {
	*fakeSource
	calls, last int
	byRecords   map[int]bool // frames taken by ReadRecords
}

func (s *recordSource) ReadRecords(w *rawsock.Writer, limit int) (int, uint64, error) {
	var b rawsock.Batch
	if err := s.ReadBatch(&b); err != nil {
		return 0, 0, err
	}
	defer b.Release()
	s.calls++
	s.last = int(binary.BigEndian.Uint32(b.Frames[0].Data))
	s.byRecords[s.last] = true
	if err := w.WriteFrame(&b.Frames[0]); err != nil {
		return 0, 0, err
	}
	return 1, uint64(b.Frames[0].Length), nil
}

func (s *recordSource) Behind() int { return s.behind(s.last) }

// TestBehindTakesTheRecordPath: while the reader is behind, a capture with
// decoders that writes one file lays blocks out in it straight from the
// ring (processors miss them, counted), then goes back to batches once it
// has caught up; the file still has every frame, in order.
func TestBehindTakesTheRecordPath(t *testing.T) {
	const total, from, to = 3000, 100, 2000
	src := &recordSource{fakeSource: newFakeSource(total, 1<<20), byRecords: map[int]bool{}}
	src.behind = func(seq int) int {
		if seq >= from && seq < to {
			return ShedBehind
		}
		return 0
	}
	var file bytes.Buffer
	w, err := rawsock.NewWriter(&file, rawsock.FormatPcap, rawsock.LinkTypeEthernet, 262144)
	if err != nil {
		t.Fatal(err)
	}
	proc := &seqProc{}
	o := Options{Sinks: []Sink{w}, Processors: []Processor{proc}}
	o.Open = func(string, rawsock.Config) (rawsock.Source, error) { return src, nil }
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-src.done
		cancel()
	}()
	res, err := Capture(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	b := file.Bytes()[24:] // after the file header
	for i := 0; i < total; i++ {
		if len(b) < 16+64 || binary.LittleEndian.Uint32(b[8:]) != 64 {
			t.Fatalf("record %d missing or not 64 bytes (%d bytes left)", i, len(b))
		}
		if seq := binary.BigEndian.Uint32(b[16:]); seq != uint32(i) {
			t.Fatalf("record %d holds frame %d: order lost", i, seq)
		}
		b = b[16+64:]
	}
	if len(b) != 0 || res.Packets != total {
		t.Fatalf("%d bytes after %d records, result %d packets", len(b), total, res.Packets)
	}
	// Behind from frame 100 on: the reader goes to records once the frames
	// queued before are written, and back to batches after frame 1999.
	if src.calls < (to-from)/2 || src.calls > to-from {
		t.Errorf("%d blocks through ReadRecords, want most of the %d read while behind", src.calls, to-from)
	}
	// The processor sees no frame the records took, counts them as missed,
	// and processes again after the reader caught up.
	resumed := false
	for _, seq := range proc.seqs {
		if src.byRecords[seq] {
			t.Fatalf("the processor got frame %d, which went to the file through ReadRecords", seq)
		}
		resumed = resumed || seq >= to
	}
	if missed := res.ProcessorMissed[0]; uint64(len(proc.seqs))+missed != total || !resumed {
		t.Errorf("processor processed %d (resumed: %v) and missed %d of %d frames", len(proc.seqs), resumed, missed, total)
	}
}

// seqProc records the sequence numbers it processes.
type seqProc struct {
	mu   sync.Mutex
	seqs []int
}

func (p *seqProc) Process(f *rawsock.Frame) {
	p.mu.Lock()
	p.seqs = append(p.seqs, int(binary.BigEndian.Uint32(f.Data)))
	p.mu.Unlock()
}

func TestCountStopsCapture(t *testing.T) {
	src := newFakeSource(1000, 64)
	src.wait = true
	sink := &countSink{}
	o := Options{Count: 100, Sinks: []Sink{sink}}
	o.Open = func(string, rawsock.Config) (rawsock.Source, error) { return src, nil }
	res, err := Capture(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Packets != 100 || len(sink.seqs) != 100 {
		t.Fatalf("count 100: result %d, sink %d", res.Packets, len(sink.seqs))
	}
}

type failSink struct{ after int }

func (f *failSink) WriteFrame(*rawsock.Frame) error {
	if f.after == 0 {
		return errors.New("no space left on device")
	}
	f.after--
	return nil
}
func (f *failSink) Flush() error { return nil }

func TestSinkErrorEndsCapture(t *testing.T) {
	src := newFakeSource(1<<30, 64)
	src.wait = true
	o := Options{Sinks: []Sink{&failSink{after: 10}}}
	o.Open = func(string, rawsock.Config) (rawsock.Source, error) { return src, nil }
	res, err := Capture(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("err = %v, want the sink's error", err)
	}
	if res.Packets != 10 {
		t.Fatalf("packets %d, want the 10 written before the error", res.Packets)
	}
}

func TestBackpressureWarningNamesTheFlag(t *testing.T) {
	msg := backpressureMessage(8)
	if !strings.Contains(msg, "--ring-size") || !strings.Contains(msg, "90%") {
		t.Fatalf("warning %q", msg)
	}
}
