package rawsock

import (
	"encoding/binary"
	"fmt"
	"io"
	"unsafe"

	"golang.org/x/sys/unix"
)

// iovec is one writev segment.
type iovec = unix.Iovec

// iovMax is the most segments one writev takes (IOV_MAX).
const iovMax = 1024

// ringCopyMax is the size from which a frame goes out straight from the
// ring. Smaller frames are copied after their record header into the
// Writer's buffer, where consecutive ones form one writev segment: the
// kernel's work per segment costs more than copying a small frame
// (BenchmarkBlockToFile; make bench-capture: 64-byte frames each in a
// segment of their own cost 10 % more CPU than copied).
const ringCopyMax = 256

// writeRing writes frames, which lie in the ring block mem, as pcap records
// with writev, up to iovMax segments at a time. A frame of ringCopyMax bytes
// or more is written straight from the ring: its record header is laid out
// in the frame's own kernel header (ringHeadroom bytes before Data, read by
// walkBlock and no longer needed). Smaller ones are copied into the buffer
// (see ringCopyMax). A frame that does not lie where walkBlock put it goes,
// with those after it, through the copy path (WriteFrames).
func (w *Writer) writeRing(mem []byte, frames []Frame) (int, error) {
	if cap(w.iov) < iovMax {
		w.iov = make([]iovec, 0, iovMax)
	}
	le := binary.LittleEndian
	snap := w.snaplen
	// Small records are staged in the spare capacity of w.buf (empty, as
	// WriteBatch flushed it), which is never grown here: segments stay valid.
	const stageMax = iovMax * (pcapRecordHeaderLen + ringCopyMax)
	if cap(w.buf) < stageMax {
		w.buf = make([]byte, 0, stageMax)
	}
	buf := w.buf[:0]
	for done := 0; done < len(frames); {
		iov := w.iov[:0]
		buf = buf[:0]
		foreign := false
		i := done
		for i < len(frames) && len(iov) < iovMax {
			s, k := len(buf), 0
			if buf, k = stageSmall(buf, frames[i:], snap); k > 0 {
				iov = appendSegment(iov, buf[s:])
				i += k
				continue
			}
			f := &frames[i]
			n, off := min(len(f.Data), snap), f.ringOff
			if n < ringCopyMax {
				break // buffer full: write this chunk first
			}
			if off < ringHeadroom || off+n > len(mem) || &f.Data[0] != &mem[off] {
				foreign = true
				break
			}
			r := mem[off-pcapRecordHeaderLen : off+n : off+n]
			le.PutUint32(r[0:], uint32(f.Timestamp.Unix()))
			le.PutUint32(r[4:], uint32(f.Timestamp.Nanosecond()))
			le.PutUint32(r[8:], uint32(n))
			le.PutUint32(r[12:], uint32(max(f.Length, n)))
			iov = appendSegment(iov, r)
			i++
		}
		if len(iov) > 0 {
			written, err := w.writev(iov)
			if err != nil {
				return w.ringCutBack(frames[done:i], written, err) + done + 1, w.err
			}
			w.written += int64(written)
			w.packets += uint64(i - done)
			w.onDisk += uint64(i - done)
		}
		if foreign {
			k, err := w.WriteFrames(frames[i:])
			if err == nil {
				err = w.Flush()
			}
			return i + k, err
		}
		done = i
	}
	return len(frames), nil
}

// stageSmall lays out the records of frames, from the first on, in buf
// (after its length, within its capacity) while they are smaller than
// ringCopyMax and fit, and returns buf and how many it took. It is
// WriteFrames' loop: a small function, so that its few variables stay in
// registers across the copies.
func stageSmall(buf []byte, frames []Frame, snap int) ([]byte, int) {
	le := binary.LittleEndian
	for i := range frames {
		f := &frames[i]
		n, s := min(len(f.Data), snap), len(buf)
		if n >= ringCopyMax || cap(buf)-s < pcapRecordHeaderLen+n {
			return buf, i
		}
		buf = buf[:s+pcapRecordHeaderLen+n]
		r := buf[s:]
		le.PutUint32(r[0:], uint32(f.Timestamp.Unix()))
		le.PutUint32(r[4:], uint32(f.Timestamp.Nanosecond()))
		le.PutUint32(r[8:], uint32(n))
		le.PutUint32(r[12:], uint32(max(f.Length, n)))
		copy(r[pcapRecordHeaderLen:], f.Data[:n])
	}
	return buf, len(frames)
}

// appendSegment appends a writev segment for b (not empty).
func appendSegment(iov []iovec, b []byte) []iovec {
	iov = append(iov, iovec{Base: &b[0]})
	iov[len(iov)-1].SetLen(len(b))
	return iov
}

// writev writes every byte of iov (trimming it as it goes) and returns how
// many it wrote.
func (w *Writer) writev(iov []iovec) (int, error) {
	w.wv.iov, w.wv.n, w.wv.err = iov, 0, nil
	if w.wv.step == nil {
		w.wv.step = w.writevStep // one method value for the Writer's life
	}
	err := w.raw.Write(w.wv.step)
	if w.wv.err != nil {
		err = w.wv.err
	}
	return w.wv.n, err
}

// writevStep is writev's work for RawConn.Write: false asks to be called
// again once the descriptor takes more.
func (w *Writer) writevStep(fd uintptr) bool {
	iov := w.wv.iov
	defer func() { w.wv.iov = iov }()
	for len(iov) > 0 {
		r, _, e := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
		switch {
		case e == unix.EINTR:
			continue
		case e == unix.EAGAIN:
			return false
		case e != 0:
			w.wv.err = e
			return true
		case r == 0:
			w.wv.err = io.ErrShortWrite
			return true
		}
		w.wv.n += int(r)
		for k := int(r); k > 0; {
			if l := int(iov[0].Len); l <= k {
				iov, k = iov[1:], k-l
			} else {
				iov[0].Base = (*byte)(unsafe.Add(unsafe.Pointer(iov[0].Base), k))
				iov[0].SetLen(l - k)
				k = 0
			}
		}
	}
	return true
}

// ringCutBack handles a writev of frames' records that stored n bytes: the
// file is cut back to the last record written whole. It returns how many
// records that is and sets w.err.
func (w *Writer) ringCutBack(frames []Frame, n int, cause error) int {
	whole, size := 0, 0
	for i := range frames {
		r := pcapRecordHeaderLen + min(len(frames[i].Data), w.snaplen)
		if size+r > n {
			break
		}
		size += r
		whole++
	}
	w.packets += uint64(whole)
	w.onDisk += uint64(whole)
	err := error(&WriteError{Err: cause, Bytes: w.written + int64(size)})
	if w.file != nil && size < n {
		if terr := w.file.Truncate(w.written + int64(size)); terr != nil {
			err = fmt.Errorf("%w (and the file could not be cut back to its last complete packet: %v)", cause, terr)
		}
	}
	w.written += int64(size)
	w.err = err
	return whole
}

// writevState is a writev in progress, kept in the Writer so that handing
// it to RawConn.Write allocates nothing.
type writevState struct {
	iov  []iovec
	n    int
	err  error
	step func(fd uintptr) bool
}
