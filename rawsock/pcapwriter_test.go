package rawsock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// testFrames are frames of every padding class (pcapng pads data to four
// bytes), one cut at the snaplen and one longer on the wire than captured.
func testFrames() []Frame {
	var fs []Frame
	base := time.Date(2026, 11, 26, 3, 4, 5, 123456789, time.UTC)
	for i, n := range []int{60, 61, 62, 63, 64, 1514, 300} {
		d := frameBytes(n, byte(i))
		f := Frame{Timestamp: base.Add(time.Duration(i) * 1001 * time.Nanosecond), Length: n, Data: d, CaptureLength: n}
		if i == 6 {
			f.Length = 9000 // truncated by the kernel's snaplen
		}
		fs = append(fs, f)
	}
	return fs
}

// readBack decodes a capture with pcapgo's readers, independent of Writer.
func readBack(t *testing.T, b []byte, format FileFormat) (ts []time.Time, caplens, wires []int, data [][]byte) {
	t.Helper()
	var next func() ([]byte, time.Time, int, error)
	if format == FormatPcap {
		r, err := pcapgo.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		next = func() ([]byte, time.Time, int, error) {
			d, ci, err := r.ReadPacketData()
			return d, ci.Timestamp, ci.Length, err
		}
	} else {
		r, err := pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		next = func() ([]byte, time.Time, int, error) {
			d, ci, err := r.ReadPacketData()
			return d, ci.Timestamp, ci.Length, err
		}
	}
	for {
		d, when, wire, err := next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("after %d packets: %v", len(data), err)
		}
		ts, caplens, wires, data = append(ts, when), append(caplens, len(d)), append(wires, wire), append(data, append([]byte(nil), d...))
	}
}

func TestWriterRoundTrip(t *testing.T) {
	for _, format := range []FileFormat{FormatPcap, FormatPcapng} {
		for _, batch := range []bool{false, true} {
			var out bytes.Buffer
			const snap = 1000
			w, err := NewWriter(&out, format, LinkTypeEthernet, snap)
			if err != nil {
				t.Fatal(err)
			}
			frames := testFrames()
			if batch {
				if n, err := w.WriteFrames(frames); err != nil || n != len(frames) {
					t.Fatalf("WriteFrames = %d, %v", n, err)
				}
			} else {
				for i := range frames {
					if err := w.WriteFrame(&frames[i]); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := w.Close(&Stats{Received: 9, Dropped: 2}); err != nil {
				t.Fatal(err)
			}
			if w.Packets() != uint64(len(frames)) || w.PacketsWritten() != uint64(len(frames)) {
				t.Errorf("format %d: Packets %d, PacketsWritten %d, want %d", format, w.Packets(), w.PacketsWritten(), len(frames))
			}
			ts, caplens, wires, data := readBack(t, out.Bytes(), format)
			if len(data) != len(frames) {
				t.Fatalf("format %d batch %v: read %d packets, want %d", format, batch, len(data), len(frames))
			}
			for i, f := range frames {
				want := f.Data[:min(len(f.Data), snap)]
				if !ts[i].Equal(f.Timestamp) || caplens[i] != len(want) || wires[i] != f.Length || !bytes.Equal(data[i], want) {
					t.Errorf("format %d packet %d: got ts %v caplen %d wire %d, want %v %d %d (data equal %v)",
						format, i, ts[i], caplens[i], wires[i], f.Timestamp, len(want), f.Length, bytes.Equal(data[i], want))
				}
			}
		}
	}
}

// shortWriter takes at most room bytes, then fails like a full disk.
type shortWriter struct {
	f    *os.File
	room int
}

func (s *shortWriter) Write(p []byte) (int, error) {
	n := min(len(p), s.room)
	n, _ = s.f.Write(p[:n])
	s.room -= n
	if n < len(p) {
		return n, errors.New("no space left on device")
	}
	return n, nil
}

// TestWriterCutBack fills a "disk" part way through a buffer: the file must
// end on the last whole record and hold exactly PacketsWritten packets.
func TestWriterCutBack(t *testing.T) {
	for _, format := range []FileFormat{FormatPcap, FormatPcapng} {
		for _, room := range []int{300, 1000, 1900, 2200} {
			path := filepath.Join(t.TempDir(), "out")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			sw := &shortWriter{f: f, room: room}
			w, err := NewWriter(f, format, LinkTypeEthernet, DefaultSnaplen)
			if err != nil {
				t.Fatal(err)
			}
			w.write = sw.Write // the header went to the file: the "disk" fills from here
			frames := testFrames()
			if _, err := w.WriteFrames(frames); err != nil {
				t.Fatal(err)
			}
			err = w.Flush()
			var we *WriteError
			if !errors.As(err, &we) {
				t.Fatalf("room %d: Flush error %v, want a WriteError", room, err)
			}
			if err := w.Flush(); err == nil {
				t.Errorf("room %d: a second Flush after a failure succeeded", room)
			}
			f.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != we.Bytes {
				t.Errorf("format %d room %d: file has %d bytes, error says %d", format, room, len(b), we.Bytes)
			}
			_, _, _, data := readBack(t, b, format)
			if uint64(len(data)) != w.PacketsWritten() || len(data) == len(frames) {
				t.Errorf("format %d room %d: file holds %d packets, PacketsWritten %d (of %d)", format, room, len(data), w.PacketsWritten(), len(frames))
			}
		}
	}
}

// countingWriter records the size of each write.
type countingWriter struct {
	bytes.Buffer
	writes []int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes = append(c.writes, len(p))
	return c.Buffer.Write(p)
}

// TestRingBlockChunks writes one large ring block through the direct path:
// it goes out in chunks of about recordChunk bytes, the file is what
// walkBlock and WriteFrames make of the block, and a disk that fills in
// the middle of the block leaves a file that ends on a whole record.
func TestRingBlockChunks(t *testing.T) {
	var sf []synthFrame
	for i := range 1500 {
		sf = append(sf, synthFrame{data: frameBytes(60+i%400, byte(i))})
	}
	blk := buildBlock(1<<20, sf)
	frames, err := walkBlock(slices.Clone(blk), DefaultSnaplen, 1, LinkTypeEthernet, nil)
	if err != nil || len(frames) != len(sf) {
		t.Fatalf("walkBlock: %d frames, %v", len(frames), err)
	}
	for _, format := range []FileFormat{FormatPcap, FormatPcapng} {
		var want bytes.Buffer
		ww, err := NewWriter(&want, format, LinkTypeEthernet, DefaultSnaplen)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ww.WriteFrames(frames); err != nil {
			t.Fatal(err)
		}
		if err := ww.Flush(); err != nil {
			t.Fatal(err)
		}

		var got countingWriter
		w, err := NewWriter(&got, format, LinkTypeEthernet, DefaultSnaplen)
		if err != nil {
			t.Fatal(err)
		}
		got.writes = nil
		n, _, err := w.appendRingBlock(blk, LinkTypeEthernet, 0)
		if err != nil || n != len(frames) {
			t.Fatalf("format %d: appendRingBlock %d frames, %v", format, n, err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("format %d: direct path output differs from WriteFrames", format)
		}
		total := want.Len()
		if len(got.writes) < total/recordChunk {
			t.Errorf("format %d: %d bytes went out in %d writes, want one per %d bytes", format, total, len(got.writes), recordChunk)
		}
		for _, k := range got.writes[:len(got.writes)-1] {
			if k > recordChunk+2048 {
				t.Errorf("format %d: a write of %d bytes, want at most a chunk of %d and a record", format, k, recordChunk)
			}
		}

		// The disk fills in the second chunk.
		path := filepath.Join(t.TempDir(), "out")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w, err = NewWriter(f, format, LinkTypeEthernet, DefaultSnaplen)
		if err != nil {
			t.Fatal(err)
		}
		w.write = (&shortWriter{f: f, room: recordChunk + recordChunk/2}).Write
		n, _, err = w.appendRingBlock(blk, LinkTypeEthernet, 0)
		if err != nil || n != len(frames) {
			t.Fatalf("format %d, full disk: appendRingBlock %d frames, %v", format, n, err)
		}
		var we *WriteError
		if err := w.Flush(); !errors.As(err, &we) {
			t.Fatalf("format %d, full disk: Flush error %v, want a WriteError", format, err)
		}
		f.Close()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, data := readBack(t, b, format)
		if int64(len(b)) != we.Bytes || uint64(len(data)) != w.PacketsWritten() || len(data) == 0 || len(data) >= len(frames) {
			t.Errorf("format %d, full disk: file %d bytes (error says %d), %d packets, PacketsWritten %d, of %d",
				format, len(b), we.Bytes, len(data), w.PacketsWritten(), len(frames))
		}
		for i, d := range data {
			if !bytes.Equal(d, frames[i].Data) {
				t.Fatalf("format %d, full disk: packet %d differs", format, i)
			}
		}
	}
}

// TestWriterRotation writes a ring block's frames and then Frames across
// files of at most limit bytes and one record, as tcpdump -C does: every
// file stands alone, the frames come out in order and whole, each file
// but the last ends with the record that takes it past the limit, and the
// pcapng statistics block ends the last file.
func TestWriterRotation(t *testing.T) {
	var sf []synthFrame
	for i := range 600 {
		sf = append(sf, synthFrame{data: frameBytes(60+i*7%1400, byte(i))})
	}
	blk := buildBlock(1<<20, sf)
	frames, err := walkBlock(slices.Clone(blk), DefaultSnaplen, 1, LinkTypeEthernet, nil)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 50000
	for _, format := range []FileFormat{FormatPcap, FormatPcapng} {
		var paths []string
		open := numberedFiles(t, &paths, -1, nil)
		first, err := open()
		if err != nil {
			t.Fatal(err)
		}
		w, err := NewWriter(first, format, LinkTypeEthernet, DefaultSnaplen)
		if err != nil {
			t.Fatal(err)
		}
		w.SetRotation(limit, 0, open)
		if n, _, err := w.appendRingBlock(blk, LinkTypeEthernet, 0); err != nil || n != len(frames) {
			t.Fatalf("appendRingBlock: %d, %v", n, err)
		}
		if _, err := w.WriteFrames(frames); err != nil {
			t.Fatal(err)
		}
		// The last file ends past the limit: the statistics block must
		// still go in it, not start another.
		want := slices.Clone(frames)
		want = append(want, frames...)
		for w.Flush() == nil && w.written <= limit {
			if err := w.WriteFrame(&frames[len(want)%len(frames)]); err != nil {
				t.Fatal(err)
			}
			want = append(want, frames[len(want)%len(frames)])
		}
		if err := w.Close(&Stats{Received: 1200}); err != nil {
			t.Fatal(err)
		}
		first.Close()
		var all [][]byte
		total := 0
		for i, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			_, _, _, data := readBack(t, b, format)
			last := data[len(data)-1]
			record := len(last) + pcapRecordHeaderLen
			if format == FormatPcapng {
				record = len(last) + -len(last)&3 + ngEPBOverhead
			}
			if i < len(paths)-1 && (len(b) <= limit || len(b)-record > limit) {
				t.Errorf("format %d file %d: %d bytes, its last record %d; want it to end past %d with that record", format, i, len(b), record, limit)
			}
			if format == FormatPcapng {
				// The last block's type, found from its trailing length.
				le := binary.LittleEndian
				isb := le.Uint32(b[len(b)-int(le.Uint32(b[len(b)-4:])):]) == 5
				if isb != (i == len(paths)-1) {
					t.Errorf("pcapng file %d of %d ends with a statistics block: %v", i+1, len(paths), isb)
				}
			}
			total += len(b)
			all = append(all, data...)
		}
		if len(paths) < total/(limit+1600) || len(all) != len(want) || w.PacketsWritten() != uint64(len(all)) {
			t.Fatalf("format %d: %d files, %d packets (PacketsWritten %d), want %d", format, len(paths), len(all), w.PacketsWritten(), len(want))
		}
		for i, d := range all {
			if !bytes.Equal(d, want[i].Data) {
				t.Fatalf("format %d: packet %d differs", format, i)
			}
		}
	}
}

// TestWriterRotationPeriod: with a period, the first record written once
// the period has passed starts the next file (on the Writer's clock, here
// a test's), and an error from opening it ends the writing with a
// WriteError that says so.
func TestWriterRotationPeriod(t *testing.T) {
	frames := testFrames()
	var paths []string
	stop := errors.New("no more files")
	open := numberedFiles(t, &paths, 3, stop)
	first, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	w, err := NewWriter(first, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return clock }
	w.SetRotation(0, time.Minute, open)
	write := func(f *Frame) error {
		if err := w.WriteFrame(f); err != nil {
			return err
		}
		return w.Flush()
	}
	for i, step := range []time.Duration{0, 59 * time.Second, time.Second, 0, 30 * time.Second, 30 * time.Second} {
		clock = clock.Add(step)
		if err := write(&frames[i]); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	clock = clock.Add(time.Minute)
	if err := write(&frames[6]); !errors.Is(err, stop) {
		t.Fatalf("a fourth file: %v, want the opener's error", err)
	}
	w.Close(nil) //nolint:errcheck // failed above
	want := [][]int{{0, 1}, {2, 3, 4}, {5}}
	if len(paths) != len(want) {
		t.Fatalf("%d files, want %d", len(paths), len(want))
	}
	for k, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, data := readBack(t, b, FormatPcap)
		if len(data) != len(want[k]) {
			t.Fatalf("file %d: %d packets, want frames %v", k, len(data), want[k])
		}
		for j, i := range want[k] {
			if !bytes.Equal(data[j], frames[i].Data) {
				t.Errorf("file %d packet %d is not frame %d", k, j, i)
			}
		}
	}
}

// numberedFiles returns a rotation's opener that creates out0, out1... in a
// temporary directory and adds each to paths; after max files (unless max
// is negative) it returns stop instead.
func numberedFiles(t *testing.T, paths *[]string, max int, stop error) func() (*os.File, error) {
	dir := t.TempDir()
	return func() (*os.File, error) {
		if max >= 0 && len(*paths) == max {
			return nil, stop
		}
		p := filepath.Join(dir, fmt.Sprintf("out%d", len(*paths)))
		*paths = append(*paths, p)
		return os.Create(p)
	}
}

// TestWriterInterfaces: in pcapng, cooked frames are recorded against the
// interface they came on when NewWriter was given it (its name in its own
// description block), on the direct path and through Frames alike; others
// against interface 0.
func TestWriterInterfaces(t *testing.T) {
	blk := buildBlock(4096, []synthFrame{
		{data: frameBytes(40, 1), halen: 6, hatype: 1, proto: 0x0800, ifindex: 7},
		{data: frameBytes(50, 2), halen: 6, hatype: 1, proto: 0x0800, ifindex: 3},
		{data: frameBytes(60, 3), halen: 6, hatype: 1, proto: 0x0800, ifindex: 9},
	})
	ifaces := []Interface{{Index: 3, Name: "eth3"}, {Index: 7, Name: "eth7"}}
	for _, direct := range []bool{true, false} {
		var out bytes.Buffer
		w, err := NewWriter(&out, FormatPcapng, LinkTypeLinuxSLL, DefaultSnaplen, ifaces...)
		if err != nil {
			t.Fatal(err)
		}
		if direct {
			_, _, err = w.appendRingBlock(blk, LinkTypeLinuxSLL, 0)
		} else {
			frames, _ := walkBlock(slices.Clone(blk), DefaultSnaplen, 0, LinkTypeLinuxSLL, nil)
			_, err = w.WriteFrames(frames)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(nil); err != nil {
			t.Fatal(err)
		}
		r, err := pcapgo.NewNgReader(bytes.NewReader(out.Bytes()), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			_, ci, err := r.ReadPacketData()
			if err != nil {
				break
			}
			intf, err := r.Interface(ci.InterfaceIndex)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d:%s", ci.InterfaceIndex, intf.Name))
		}
		if want := "2:eth7 1:eth3 0:wirebom"; strings.Join(got, " ") != want {
			t.Errorf("direct %v: packets on %v, want %s", direct, got, want)
		}
	}
}
