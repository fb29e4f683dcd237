package parse

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// File formats OpenCapture recognises.
const (
	FormatPcap   = "pcap"
	FormatPcapng = "pcapng"
)

// ErrUnknownFormat is returned by OpenCapture for input that is neither
// pcap nor pcapng.
var ErrUnknownFormat = errors.New("not a pcap or pcapng file")

// FileError reports where a capture file went wrong.
type FileError struct {
	Offset int64 // byte offset of the record or block that is bad
	Packet int   // 1-based number of the packet that could not be read
	Err    error // io.ErrUnexpectedEOF when the file ends early
}

func (e *FileError) Error() string {
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("truncated packet record at byte offset %d (packet %d): file ends early", e.Offset, e.Packet)
	}
	return fmt.Sprintf("corrupt packet record at byte offset %d (packet %d): %v", e.Offset, e.Packet, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// CaptureReader reads packets from a pcap or pcapng stream (through
// gopacket's pcapgo) and knows the byte offset of every record, so that a
// damaged file is reported precisely.
type CaptureReader struct {
	Format string
	pcap   *pcapgo.Reader
	ng     *pcapgo.NgReader
	framer *ngFramer
	off    int64 // pcap: offset of the next record
	n      int   // packets returned
	err    error
}

// OpenCapture reads the file header of r and returns a reader for its
// packets.
func OpenCapture(r io.Reader) (*CaptureReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, err := br.Peek(4)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: file is empty or shorter than a header", ErrUnknownFormat)
		}
		return nil, err
	}
	c := &CaptureReader{}
	switch binary.LittleEndian.Uint32(magic) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		c.Format = FormatPcap
		c.pcap, err = pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("pcap header: %w", err)
		}
		c.off = 24
	case 0x0a0d0d0a:
		c.Format = FormatPcapng
		c.framer = &ngFramer{r: br}
		c.ng, err = pcapgo.NewNgReader(c.framer, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			if c.framer.err != nil {
				return nil, &FileError{Offset: c.framer.badOff, Packet: 1, Err: c.framer.err}
			}
			return nil, fmt.Errorf("pcapng header: %w", err)
		}
	default:
		return nil, fmt.Errorf("%w (magic %02x %02x %02x %02x)", ErrUnknownFormat, magic[0], magic[1], magic[2], magic[3])
	}
	return c, nil
}

// LinkType is the link type of the (first) interface.
func (c *CaptureReader) LinkType() LinkType {
	if c.pcap != nil {
		return c.pcap.LinkType()
	}
	return c.ng.LinkType()
}

// Snaplen is the snapshot length of the capture (pcap header or first
// interface).
func (c *CaptureReader) Snaplen() uint32 {
	if c.pcap != nil {
		return c.pcap.Snaplen()
	}
	if n, err := c.ng.Interface(0); err == nil && n.SnapLength > 0 {
		return n.SnapLength
	}
	return 262144
}

// ReadPacket returns the next packet; data is reused by the next call. At
// the end it returns io.EOF; for a damaged file a *FileError.
func (c *CaptureReader) ReadPacket() (data []byte, ci gopacket.CaptureInfo, lt LinkType, err error) {
	if c.err != nil {
		return nil, ci, 0, c.err
	}
	if c.pcap != nil {
		data, ci, err = c.pcap.ZeroCopyReadPacketData()
		if err == nil {
			c.off += 16 + int64(ci.CaptureLength)
			c.n++
			return data, ci, c.pcap.LinkType(), nil
		}
		if err == io.EOF {
			c.err = io.EOF
		} else {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			c.err = &FileError{Offset: c.off, Packet: c.n + 1, Err: err}
		}
		return nil, ci, 0, c.err
	}
	data, ci, err = c.ng.ZeroCopyReadPacketData()
	if err == nil {
		c.n++
		lt = c.LinkType()
		if ci.InterfaceIndex > 0 {
			if ifc, ierr := c.ng.Interface(ci.InterfaceIndex); ierr == nil {
				lt = ifc.LinkType
			}
		}
		return data, ci, lt, nil
	}
	switch {
	case c.framer.err != nil:
		c.err = &FileError{Offset: c.framer.badOff, Packet: c.n + 1, Err: c.framer.err}
	case err == io.EOF:
		c.err = io.EOF
	default:
		c.err = &FileError{Offset: c.framer.off, Packet: c.n + 1, Err: err}
	}
	return nil, ci, 0, c.err
}

// ngFramer passes a pcapng stream through block by block, checking each
// block's length fields, so that the offset of a damaged block is known
// even though pcapgo reads ahead.
type ngFramer struct {
	r      io.Reader
	order  binary.ByteOrder
	block  []byte // rest of the current block to hand out
	off    int64  // offset of the next block
	badOff int64
	err    error
	hdr    [12]byte
	buf    []byte
}

func (f *ngFramer) Read(p []byte) (int, error) {
	if len(f.block) == 0 {
		if f.err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		if err := f.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, f.block)
	f.block = f.block[n:]
	return n, nil
}

func (f *ngFramer) fail(err error) error {
	f.err = err
	f.badOff = f.off
	return io.ErrUnexpectedEOF
}

func (f *ngFramer) next() error {
	n, err := io.ReadFull(f.r, f.hdr[:8])
	if n == 0 && err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return f.fail(io.ErrUnexpectedEOF)
	}
	if binary.LittleEndian.Uint32(f.hdr[:4]) == 0x0a0d0d0a {
		// Section header: the byte-order magic follows the length.
		if _, err := io.ReadFull(f.r, f.hdr[8:12]); err != nil {
			return f.fail(io.ErrUnexpectedEOF)
		}
		switch binary.LittleEndian.Uint32(f.hdr[8:12]) {
		case 0x1a2b3c4d:
			f.order = binary.LittleEndian
		case 0x4d3c2b1a:
			f.order = binary.BigEndian
		default:
			return f.fail(errors.New("bad pcapng byte-order magic"))
		}
	} else if f.order == nil {
		return f.fail(errors.New("pcapng block before the section header"))
	}
	total := f.order.Uint32(f.hdr[4:8])
	if total < 12 || total%4 != 0 || total > 1<<28 {
		return f.fail(fmt.Errorf("bad pcapng block length %d", total))
	}
	have := 8
	if binary.LittleEndian.Uint32(f.hdr[:4]) == 0x0a0d0d0a {
		have = 12
	}
	if cap(f.buf) < int(total) {
		f.buf = make([]byte, total)
	}
	buf := f.buf[:total]
	copy(buf, f.hdr[:have])
	if _, err := io.ReadFull(f.r, buf[have:]); err != nil {
		return f.fail(io.ErrUnexpectedEOF)
	}
	if f.order.Uint32(buf[total-4:]) != total {
		return f.fail(fmt.Errorf("pcapng block length %d does not match its trailer", total))
	}
	f.block = buf
	f.off += int64(total)
	return nil
}
