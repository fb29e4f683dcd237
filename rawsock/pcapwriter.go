package rawsock

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
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

// Writer writes frames to a pcap or pcapng stream through gopacket's pcapgo.
// It buffers whole records and writes them on Flush, so the output always
// ends on a record boundary: if a write fails part way (a full disk), a
// regular file is cut back to its last complete packet and stays readable.
type Writer struct {
	out     io.Writer
	file    *os.File // set when out is a regular file that can be truncated
	buf     recordBuffer
	pcap    *pcapgo.Writer
	ng      *pcapgo.NgWriter
	written int64  // bytes of complete records on disk
	packets uint64 // frames accepted by WriteFrame
	onDisk  uint64 // frames whose records were written whole
	err     error
}

// recordBuffer collects pcapgo's output and remembers where records end
// and which of them are packets.
type recordBuffer struct {
	b       []byte
	ends    []int
	packets []bool
}

func (r *recordBuffer) Write(p []byte) (int, error) { r.b = append(r.b, p...); return len(p), nil }
func (r *recordBuffer) mark(packet bool) {
	r.ends = append(r.ends, len(r.b))
	r.packets = append(r.packets, packet)
}
func (r *recordBuffer) reset() { r.b, r.ends, r.packets = r.b[:0], r.ends[:0], r.packets[:0] }

// NewWriter writes the file header for an Ethernet capture with the given
// snaplen and returns a Writer. When out is an *os.File naming a regular
// file, a failed write cuts the file back to its last complete record.
func NewWriter(out io.Writer, format FileFormat, snaplen int) (*Writer, error) {
	w := &Writer{out: out}
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			w.file = f
		}
	}
	switch format {
	case FormatPcap:
		w.pcap = pcapgo.NewWriterNanos(&w.buf)
		if err := w.pcap.WriteFileHeader(uint32(snaplen), layers.LinkTypeEthernet); err != nil {
			return nil, err
		}
	case FormatPcapng:
		ng, err := pcapgo.NewNgWriterInterface(&w.buf, pcapgo.NgInterface{
			Name: "wirebom", LinkType: layers.LinkTypeEthernet, SnapLength: uint32(snaplen),
			TimestampResolution: 9,
		}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "wirebom"}})
		if err != nil {
			return nil, err
		}
		if err := ng.Flush(); err != nil {
			return nil, err
		}
		w.ng = ng
	default:
		return nil, fmt.Errorf("unknown capture format %d", format)
	}
	w.buf.mark(false)
	return w, w.Flush()
}

// WriteFrame appends one frame to the buffer.
func (w *Writer) WriteFrame(f *Frame) error {
	if w.err != nil {
		return w.err
	}
	ci := gopacket.CaptureInfo{Timestamp: f.Timestamp, CaptureLength: len(f.Data), Length: max(f.Length, len(f.Data))}
	var err error
	if w.ng != nil {
		if err = w.ng.WritePacket(ci, f.Data); err == nil {
			err = w.ng.Flush()
		}
	} else {
		err = w.pcap.WritePacket(ci, f.Data)
	}
	if err != nil {
		w.err = err
		return err
	}
	w.buf.mark(true)
	w.packets++
	if len(w.buf.b) >= 4<<20 {
		return w.Flush()
	}
	return nil
}

// Packets returns how many frames were accepted by WriteFrame.
func (w *Writer) Packets() uint64 { return w.packets }

// PacketsWritten returns how many frames are in the output as complete
// records: after a failed write, the frames the file really holds.
func (w *Writer) PacketsWritten() uint64 { return w.onDisk }

// Flush writes every buffered complete record.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf.b) == 0 {
		return nil
	}
	n, err := w.out.Write(w.buf.b)
	if err == nil && n < len(w.buf.b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = w.cutBack(n, err)
		return w.err
	}
	w.written += int64(n)
	for _, p := range w.buf.packets {
		if p {
			w.onDisk++
		}
	}
	w.buf.reset()
	return nil
}

// cutBack handles a write that stored n of the buffered bytes: the file is
// truncated to the last record that was written whole.
func (w *Writer) cutBack(n int, cause error) error {
	whole := 0
	for i, end := range w.buf.ends {
		if end > n {
			break
		}
		whole = end
		if w.buf.packets[i] {
			w.onDisk++
		}
	}
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
// statistics block carrying the kernel's counters (as dumpcap does).
func (w *Writer) Close(st *Stats) error {
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
			w.buf.mark(false)
		}
	}
	return w.Flush()
}
