package rawsock

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// FileFormat is a capture file format.
type FileFormat int

// File formats written by Writer.
const (
	FormatPcap   FileFormat = iota // nanosecond pcap (magic a1b23c4d)
	FormatPcapng                   // pcapng with nanosecond resolution
)

// ParseFileFormat maps a --format value to a FileFormat.
func ParseFileFormat(s string) (FileFormat, error) {
	switch strings.ToLower(s) {
	case "pcap":
		return FormatPcap, nil
	case "pcapng":
		return FormatPcapng, nil
	}
	return 0, fmt.Errorf("unknown capture format %q: use pcap or pcapng", s)
}

// FormatForPath picks pcapng for a .pcapng name and pcap otherwise.
func FormatForPath(path string) FileFormat {
	if strings.HasSuffix(strings.ToLower(path), ".pcapng") {
		return FormatPcapng
	}
	return FormatPcap
}

// Writer writes frames to a pcap or pcapng stream. File headers (the pcap
// file header; pcapng's section header, interface description and
// interface statistics blocks) come from gopacket's pcapgo; packet records
// are laid out here, one append per frame, since they sit on the capture's
// hot path. Whole records are buffered and written on Flush, so the output
// always ends on a record boundary: if a write fails part way (a full
// disk), a regular file is cut back to its last complete packet and stays
// readable.
type Writer struct {
	file    *os.File                  // set when the output is a regular file that can be truncated
	write   func([]byte) (int, error) // the output's Write, or a direct write (directWriter)
	ng      *pcapgo.NgWriter
	ngOut   byteSink // where ng's blocks land before they join buf
	snaplen int
	ifIDs   map[int]uint32 // pcapng interface of each interface index given to NewWriter
	header  []byte         // the file header, for each new file of a rotation
	buf     []byte         // complete records not yet written
	written int64          // bytes of the current file on disk, all complete
	packets uint64         // frames accepted by WriteFrame
	pending uint64         // packet records in buf
	onDisk  uint64         // frames whose records were written whole
	err     error

	// Rotation (SetRotation): past limit bytes or period after the file
	// began, the next record starts a file opened by next; owned is the
	// file next gave, which Close closes.
	limit     int64
	period    time.Duration
	fileStart time.Time
	now       func() time.Time // time.Now, or a test's clock
	next      func() (*os.File, error)
	owned     *os.File
	noRotate  bool
}

// byteSink collects what pcapgo writes.
type byteSink struct{ b []byte }

func (s *byteSink) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }

const (
	// flushAt is the buffered size past which WriteFrame writes out.
	flushAt = 4 << 20
	// pcapRecordHeaderLen is a pcap record header: seconds, nanoseconds,
	// captured length, original length.
	pcapRecordHeaderLen = 16
	// ngEPBOverhead is an enhanced packet block without its data: type,
	// total length, interface, timestamp high and low, captured length,
	// original length, and the trailing total length.
	ngEPBOverhead   = 32
	ngBlockTypeEPB  = 6
	ngBlockMinLen   = 12
	ngTimestampUnit = 1 // nanoseconds: the interface's if_tsresol is 9
)

// NewWriter writes the file header for a capture of link type lt (the
// source's LinkType) with the given snaplen and returns a Writer. When out
// is an *os.File naming a regular file, a failed write cuts the file back
// to its last complete record.
//
// In pcapng, each of ifaces gets an interface description block of its
// own, after interface 0, and frames whose Frame.InterfaceIndex (or, on the
// direct path, cooked frame's interface) is one of them are recorded
// against it, so that readers show which interface each frame came on (a
// capture on AnyInterface); other frames go to interface 0. The interfaces
// are in the file header, so every file of a rotation has them.
func NewWriter(out io.Writer, format FileFormat, lt LinkType, snaplen int, ifaces ...Interface) (*Writer, error) {
	w := &Writer{snaplen: snaplen, buf: make([]byte, 0, 64<<10), now: time.Now}
	w.setOutput(out)
	switch format {
	case FormatPcap:
		var hdr byteSink
		if err := pcapgo.NewWriterNanos(&hdr).WriteFileHeader(uint32(snaplen), layers.LinkType(lt)); err != nil {
			return nil, err
		}
		w.buf = append(w.buf, hdr.b...)
	case FormatPcapng:
		ng, err := pcapgo.NewNgWriterInterface(&w.ngOut, pcapgo.NgInterface{
			Name: "wirebom", LinkType: layers.LinkType(lt), SnapLength: uint32(snaplen),
			TimestampResolution: 9,
		}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "wirebom"}})
		if err != nil {
			return nil, err
		}
		for _, it := range ifaces {
			id, err := ng.AddInterface(pcapgo.NgInterface{Name: it.Name, LinkType: layers.LinkType(lt),
				SnapLength: uint32(snaplen), TimestampResolution: 9})
			if err != nil {
				return nil, err
			}
			if w.ifIDs == nil {
				w.ifIDs = map[int]uint32{}
			}
			w.ifIDs[it.Index] = uint32(id)
		}
		if err := ng.Flush(); err != nil {
			return nil, err
		}
		w.ng = ng
		w.buf = append(w.buf, w.ngOut.b...)
		w.ngOut.b = w.ngOut.b[:0]
	default:
		return nil, fmt.Errorf("unknown capture format %d", format)
	}
	w.header = slices.Clone(w.buf)
	w.buf = w.buf[:0]
	// The header goes out alone, so every later buffer holds only records.
	if err := w.writeHeader(); err != nil {
		return nil, err
	}
	return w, nil
}

// setOutput makes out the stream that records go to.
func (w *Writer) setOutput(out io.Writer) {
	w.write, w.file = out.Write, nil
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			w.file = f
		}
		if write := directWriter(f); write != nil {
			w.write = write
		}
	}
}

// SetRotation makes the Writer go on in a new file once the current one
// holds more than limit bytes (0: no limit), as tcpdump -C does, or has
// been written for period (0: no period, from this call for the current
// output), as tcpdump -G does: the record that takes a file past limit is
// its last, and the next record written starts a file that next opens
// (each file gets the file header, so each stands alone). Periods are kept
// to the granularity of Flush, which a capture calls for each ring block.
// The Writer closes the files next gave it (the last at Close); the first
// output stays the caller's. An error from next ends the writing, as a
// failed write does.
func (w *Writer) SetRotation(limit int64, period time.Duration, next func() (*os.File, error)) {
	w.limit, w.period, w.next, w.fileStart = limit, period, next, w.now()
}

// rotate closes the file the Writer is done with and starts the next one
// with the file header.
func (w *Writer) rotate() error {
	if w.owned != nil {
		if err := w.owned.Close(); err != nil {
			return &WriteError{Err: err, Bytes: w.written}
		}
		w.owned = nil
	}
	f, err := w.next()
	if err != nil {
		return &WriteError{Err: fmt.Errorf("starting the next file: %w", err), Bytes: w.written}
	}
	w.owned, w.fileStart = f, w.now()
	w.setOutput(f)
	return w.writeHeader()
}

// writeHeader writes the file header; a file that cannot take it whole is
// emptied again.
func (w *Writer) writeHeader() error {
	n, err := w.write(w.header)
	if err == nil && n < len(w.header) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if w.file != nil {
			w.file.Truncate(0) //nolint:errcheck // the write error is what matters
		}
		return &WriteError{Err: err}
	}
	w.written = int64(n)
	return nil
}

// WriteFrame appends one frame to the buffer.
func (w *Writer) WriteFrame(f *Frame) error {
	if w.err != nil {
		return w.err
	}
	w.appendFrame(f)
	if len(w.buf) >= flushAt {
		return w.Flush()
	}
	return nil
}

// WriteFrames appends frames to the buffer, as WriteFrame does one by one,
// and returns how many it took (all of them unless it returns an error).
func (w *Writer) WriteFrames(frames []Frame) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.ng != nil {
		for i := range frames {
			w.appendFrame(&frames[i])
			if len(w.buf) >= flushAt {
				if err := w.Flush(); err != nil {
					return i + 1, err
				}
			}
		}
		return len(frames), nil
	}
	// pcap, the capture's hot path: appendFrame's work with the buffer in
	// a local and one capacity check per record.
	le := binary.LittleEndian
	buf, snap, counted := w.buf, w.snaplen, 0
	for i := range frames {
		f := &frames[i]
		data := f.Data
		if len(data) > snap {
			data = data[:snap]
		}
		n, need := len(buf), pcapRecordHeaderLen+len(data)
		if cap(buf)-n < need {
			buf = slices.Grow(buf, need)
		}
		buf = buf[:n+need]
		r := buf[n : n+need]
		le.PutUint32(r[0:], uint32(f.Timestamp.Unix()))
		le.PutUint32(r[4:], uint32(f.Timestamp.Nanosecond()))
		le.PutUint32(r[8:], uint32(len(data)))
		le.PutUint32(r[12:], uint32(max(f.Length, len(data))))
		copy(r[pcapRecordHeaderLen:], data)
		if len(buf) >= flushAt {
			w.buf = buf
			w.packets += uint64(i + 1 - counted)
			w.pending += uint64(i + 1 - counted)
			counted = i + 1
			if err := w.Flush(); err != nil {
				return i + 1, err
			}
			buf = w.buf
		}
	}
	w.buf = buf
	w.packets += uint64(len(frames) - counted)
	w.pending += uint64(len(frames) - counted)
	return len(frames), nil
}

// appendFrame lays out one packet record at the end of the buffer.
func (w *Writer) appendFrame(f *Frame) {
	data := f.Data
	if len(data) > w.snaplen {
		data = data[:w.snaplen]
	}
	wire := uint32(max(f.Length, len(data)))
	le := binary.LittleEndian
	n := len(w.buf)
	if w.ng == nil {
		w.buf = slices.Grow(w.buf, pcapRecordHeaderLen+len(data))[:n+pcapRecordHeaderLen]
		h := w.buf[n : n+pcapRecordHeaderLen]
		le.PutUint32(h[0:], uint32(f.Timestamp.Unix()))
		le.PutUint32(h[4:], uint32(f.Timestamp.Nanosecond()))
		le.PutUint32(h[8:], uint32(len(data)))
		le.PutUint32(h[12:], wire)
		w.buf = append(w.buf, data...)
	} else {
		pad := -len(data) & 3
		total := ngEPBOverhead + len(data) + pad
		w.buf = slices.Grow(w.buf, total)[:n+total]
		b := w.buf[n : n+total]
		ts := uint64(f.Timestamp.UnixNano()) / ngTimestampUnit
		le.PutUint32(b[0:], ngBlockTypeEPB)
		le.PutUint32(b[4:], uint32(total))
		le.PutUint32(b[8:], w.ifIDs[f.InterfaceIndex]) // 0 unless the frame's interface has its own
		le.PutUint32(b[12:], uint32(ts>>32))
		le.PutUint32(b[16:], uint32(ts))
		le.PutUint32(b[20:], uint32(len(data)))
		le.PutUint32(b[24:], wire)
		copy(b[28:], data)
		clear(b[28+len(data) : total-4])
		le.PutUint32(b[total-4:], uint32(total))
	}
	w.packets++
	w.pending++
}

// Packets returns how many frames were accepted by WriteFrame.
func (w *Writer) Packets() uint64 { return w.packets }

// PacketsWritten returns how many frames are in the output as complete
// records: after a failed write, the frames the file really holds.
func (w *Writer) PacketsWritten() uint64 { return w.onDisk }

// Flush writes every buffered complete record (with a rotation, across as
// many files as it takes).
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	for len(w.buf) > 0 {
		end, packets := len(w.buf), w.pending
		if w.next != nil && !w.noRotate {
			if w.limit > 0 && w.written > w.limit || w.period > 0 && w.now().Sub(w.fileStart) >= w.period {
				if w.err = w.rotate(); w.err != nil {
					return w.err
				}
			}
			if w.limit > 0 {
				end, packets = w.crossing(w.limit - w.written)
			}
		}
		n, err := w.write(w.buf[:end])
		if err == nil && n < end {
			err = io.ErrShortWrite
		}
		if err != nil {
			w.err = w.cutBack(n, err)
			return w.err
		}
		w.written += int64(n)
		w.onDisk += packets
		w.pending -= packets
		if end == len(w.buf) {
			w.buf = w.buf[:0]
		} else {
			w.buf = w.buf[:copy(w.buf, w.buf[end:])]
		}
	}
	return nil
}

// crossing returns the end of the first buffered record that ends past
// room bytes, and how many packets lie before that end; the whole buffer
// if none does.
func (w *Writer) crossing(room int64) (end int, packets uint64) {
	for end < len(w.buf) {
		size, packet := w.recordAt(end)
		end += size
		if packet {
			packets++
		}
		if int64(end) > room {
			break
		}
	}
	return end, packets
}

// recordAt returns the size of the buffered record at off and whether it
// is a packet (pcapng also has statistics blocks). Every record in the
// buffer was laid out by this Writer or pcapgo, so their lengths are
// consistent.
func (w *Writer) recordAt(off int) (size int, packet bool) {
	le := binary.LittleEndian
	if w.ng == nil {
		return pcapRecordHeaderLen + int(le.Uint32(w.buf[off+8:])), true
	}
	return int(le.Uint32(w.buf[off+4:])), le.Uint32(w.buf[off:]) == ngBlockTypeEPB
}

// records walks the buffered records (after a failed write) and returns the
// end of the last one that lies wholly within the first n bytes, and how
// many of those are packets.
func (w *Writer) records(n int) (whole int, packets uint64) {
	for off := 0; off < len(w.buf); {
		size, packet := w.recordAt(off)
		if off+size > n {
			break
		}
		off += size
		whole = off
		if packet {
			packets++
		}
	}
	return whole, packets
}

// cutBack handles a write that stored n of the buffered bytes: the file is
// truncated to the last record that was written whole.
func (w *Writer) cutBack(n int, cause error) error {
	whole, packets := w.records(n)
	w.onDisk += packets
	if w.file != nil && whole < n {
		if terr := w.file.Truncate(w.written + int64(whole)); terr != nil {
			return fmt.Errorf("%w (and the file could not be cut back to its last complete packet: %v)", cause, terr)
		}
	}
	return &WriteError{Err: cause, Bytes: w.written + int64(whole)}
}

// WriteError reports a failed write of capture output; Bytes says how much
// of the file is complete and readable.
type WriteError struct {
	Err   error
	Bytes int64
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("%v (the file keeps its first %d bytes, ending on a complete packet)", e.Err, e.Bytes)
}

func (e *WriteError) Unwrap() error { return e.Err }

// Close flushes the buffer and, for pcapng, ends with an interface
// statistics block carrying the kernel's counters (as dumpcap does). With a
// rotation, it closes the last file, and the statistics block stays in it.
func (w *Writer) Close(st *Stats) (err error) {
	if w.owned != nil {
		defer func() {
			if cerr := w.owned.Close(); err == nil && cerr != nil {
				err = &WriteError{Err: cerr, Bytes: w.written}
			}
		}()
	}
	if err := w.Flush(); err != nil {
		return err
	}
	w.noRotate = true
	if w.ng != nil && st != nil && w.err == nil {
		err := w.ng.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{
			LastUpdate:      time.Now(),
			PacketsReceived: st.Received,
			PacketsDropped:  st.Dropped,
		})
		if err == nil {
			err = w.ng.Flush()
		}
		if err == nil {
			w.buf = append(w.buf, w.ngOut.b...)
			w.ngOut.b = w.ngOut.b[:0]
		}
	}
	return w.Flush()
}

// recordChunk is how many bytes of records appendRingBlock lays out
// before it writes them: a chunk small enough to stay in the CPU's cache
// between being laid out and being written, large enough that the write
// calls do not show.
const recordChunk = 64 << 10

// appendRingBlock appends at most limit (0: all) frames of a TPACKET_V3
// ring block as records, as WriteFrames would after walkBlock, writing
// them out every recordChunk bytes (the last chunk stays buffered). It
// returns how many it appended and their length on the wire.
func (w *Writer) appendRingBlock(block []byte, lt LinkType, limit int) (n int, wire uint64, err error) {
	c, err := newBlockCursor(block, lt)
	if err != nil {
		return 0, 0, err
	}
	c.limit(limit)
	stop := recordChunk
	for {
		buf, k, kw, err := appendRecords(w.buf, &c, w.snaplen, w.ng != nil, w.ifIDs, stop)
		w.buf = buf
		w.packets += uint64(k)
		w.pending += uint64(k)
		n += k
		wire += kw
		if err != nil || !c.more() {
			return n, wire, err
		}
		if w.Flush() != nil {
			// The file failed (w.err says why, at the caller's Flush):
			// the rest of the block is counted as before, unwritten.
			stop = 0
		}
	}
}
