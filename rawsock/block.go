package rawsock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Layout of TPACKET_V3 ring memory (linux/if_packet.h), in host byte order,
// which is little endian on every platform we build for.
const (
	// struct tpacket_block_desc: version, offset_to_priv, then
	// tpacket_hdr_v1 {block_status, num_pkts, offset_to_first_pkt, blk_len,
	// seq_num, ts_first_pkt, ts_last_pkt}.
	bdBlockStatus   = 8
	bdNumPkts       = 12
	bdOffsetToFirst = 16
	bdBlkLen        = 20
	blockHeaderLen  = 48

	// struct tpacket3_hdr.
	fhNextOffset = 0
	fhSec        = 4
	fhNsec       = 8
	fhSnaplen    = 12
	fhLen        = 16
	fhStatus     = 20
	fhMac        = 24
	fhVLANTCI    = 32
	fhVLANTPID   = 36
	frameHdrLen  = 48

	// frameHeaderRoom is what precedes a frame's MAC header in a block:
	// tpacket3_hdr, sockaddr_ll, alignment and our reserve for a VLAN tag.
	frameHeaderRoom = 128

	// struct sockaddr_ll, which follows tpacket3_hdr: family, protocol
	// (network byte order), ifindex, hatype, pkttype, halen, addr[8].
	sllOff      = frameHdrLen
	sllProtocol = 2
	sllIfindex  = 4
	sllHatype   = 8
	sllPkttype  = 10
	sllHalen    = 11
	sllAddr     = 12
	sllAddrLen  = 20

	// cookedHdrLen is the Linux cooked (SLL) header put in front of each
	// frame of a SOCK_DGRAM capture: packet type, ARPHRD type, address
	// length (each 2 bytes, big endian), 8 bytes of address, protocol.
	cookedHdrLen = 16
	cookedProto  = 14

	tpStatusUser          = 1
	tpStatusVLANValid     = 0x10
	tpStatusVLANTPIDValid = 0x40

	vlanTagLen  = 4
	macAddrsLen = 12
)

// errCorruptBlock reports ring memory whose header fields point outside the
// block. It is never returned to callers: the block is skipped and counted.
var errCorruptBlock = errors.New("corrupt ring block")

// blockCursor walks the frame headers of one TPACKET_V3 block. Block memory
// is the kernel's, so every offset and length is checked against the block
// before it is followed.
type blockCursor struct {
	block  []byte
	blkLen uint64
	off    uint64 // next frame header
	i, n   uint32 // frames read, frames in the block
	vlan   bool   // frames have a place for a VLAN tag (Ethernet, cooked)
	cooked bool   // frames start at the network header (SOCK_DGRAM): a cooked header goes in front
	err    error  // why the walk stopped early
}

// ringFrame is one frame header, checked against its block.
type ringFrame struct {
	mac       uint64 // offset of the frame's first byte in the block
	caplen    uint64 // bytes the ring holds, from mac
	wire      uint64 // length on the wire
	sec, nsec uint32
	tagged    bool // the kernel stripped a VLAN tag: tpid and tci
	tpid, tci uint16
	ifindex   int32              // the interface it came on (cooked frames only)
	cooked    [cookedHdrLen]byte // its cooked header (cooked frames only)
}

// linkHeader puts what goes in front of a cooked frame's data into dst and
// returns it: the cooked header, with the VLAN tag the kernel stripped
// where libpcap puts it (the protocol field becomes the tag's TPID, and the
// tag and the frame's own protocol follow).
func (f *ringFrame) linkHeader(dst *[cookedHdrLen + vlanTagLen]byte) []byte {
	copy(dst[:], f.cooked[:])
	if !f.tagged {
		return dst[:cookedHdrLen]
	}
	be := binary.BigEndian
	copy(dst[cookedHdrLen+2:], f.cooked[cookedProto:])
	be.PutUint16(dst[cookedProto:], f.tpid)
	be.PutUint16(dst[cookedHdrLen:], f.tci)
	return dst[:]
}

// putCookedHeader writes into h the cooked header of the frame whose
// sockaddr_ll is a.
func putCookedHeader(h *[cookedHdrLen]byte, a []byte) {
	be := binary.BigEndian
	halen := min(a[sllHalen], 8)
	*h = [cookedHdrLen]byte{}
	be.PutUint16(h[0:], uint16(a[sllPkttype]))
	be.PutUint16(h[2:], binary.LittleEndian.Uint16(a[sllHatype:]))
	be.PutUint16(h[4:], uint16(a[sllHalen]))
	copy(h[6:6+halen], a[sllAddr:]) // the rest of the ring's 8 bytes may be stale
	copy(h[cookedProto:], a[sllProtocol:sllProtocol+2])
}

// newBlockCursor checks a block's header and returns a cursor on its first
// frame. The link type says how frames are framed: Ethernet frames get a
// stripped VLAN tag back, Linux cooked frames (a SOCK_DGRAM socket) get a
// cooked header and their tag, others are as the kernel left them.
func newBlockCursor(block []byte, lt LinkType) (blockCursor, error) {
	if len(block) < blockHeaderLen {
		return blockCursor{}, fmt.Errorf("%w: %d bytes is shorter than a block header", errCorruptBlock, len(block))
	}
	le := binary.LittleEndian
	n := le.Uint32(block[bdNumPkts:])
	blkLen := le.Uint32(block[bdBlkLen:])
	if blkLen > uint32(len(block)) || blkLen < blockHeaderLen {
		return blockCursor{}, fmt.Errorf("%w: block length %d outside [%d, %d]", errCorruptBlock, blkLen, blockHeaderLen, len(block))
	}
	// Each frame takes at least a header, which bounds a sane count.
	if uint64(n)*frameHdrLen > uint64(blkLen) {
		return blockCursor{}, fmt.Errorf("%w: %d frames cannot fit in %d bytes", errCorruptBlock, n, blkLen)
	}
	return blockCursor{block: block, blkLen: uint64(blkLen), off: uint64(le.Uint32(block[bdOffsetToFirst:])), n: n,
		vlan: lt == LinkTypeEthernet || lt == LinkTypeLinuxSLL, cooked: lt == LinkTypeLinuxSLL}, nil
}

// limit stops the walk after n frames (0: no limit).
func (c *blockCursor) limit(n int) {
	if n > 0 && uint32(n) < c.n {
		c.n = uint32(n)
	}
}

// more reports whether the block has frames left.
func (c *blockCursor) more() bool { return c.i < c.n }

// next reads the next frame's header into f. On an inconsistency in that
// header it returns an error wrapping errCorruptBlock; a frame whose link to
// the next one is broken is returned whole, and the walk stops after it
// with the error in c.err. more is false after either.
func (c *blockCursor) next(f *ringFrame) error {
	off, end := c.off, c.blkLen
	if off < blockHeaderLen || off+frameHdrLen > end {
		return c.corrupt("header at offset %d outside the block (length %d)", off, end)
	}
	le := binary.LittleEndian
	h := c.block[off : off+frameHdrLen]
	f.caplen = uint64(le.Uint32(h[fhSnaplen:]))
	f.wire = uint64(le.Uint32(h[fhLen:]))
	f.mac = off + uint64(le.Uint16(h[fhMac:]))
	if f.mac < off+frameHdrLen || f.mac+f.caplen > end {
		return c.corrupt("data [%d, %d) outside the block (length %d)", f.mac, f.mac+f.caplen, end)
	}
	if f.wire < f.caplen {
		return c.corrupt("captured %d bytes of a %d-byte frame", f.caplen, f.wire)
	}
	f.sec, f.nsec = le.Uint32(h[fhSec:]), le.Uint32(h[fhNsec:])
	status, tci := le.Uint32(h[fhStatus:]), le.Uint32(h[fhVLANTCI:])
	if c.cooked {
		// The address the kernel reports follows the header; the data
		// must not overlap it. What goes in front of the data (at most
		// 20 bytes) then lands after the frame header.
		if f.mac < off+frameHdrLen+sllAddrLen {
			return c.corrupt("data at offset %d overlaps its address (header at %d)", f.mac, off)
		}
		a := c.block[off+sllOff : off+sllOff+sllAddrLen]
		putCookedHeader(&f.cooked, a)
		f.ifindex = int32(le.Uint32(a[sllIfindex:]))
	}
	// A tag goes back in front of the EtherType: the ring leaves room for
	// it before the MAC header (PACKET_RESERVE). Cooked frames have it in
	// front of their data, after the cooked header.
	f.tagged = c.vlan && (tci != 0 || status&tpStatusVLANValid != 0) &&
		(c.cooked || f.caplen >= macAddrsLen && f.mac >= off+frameHdrLen+vlanTagLen)
	if f.tagged {
		f.tci, f.tpid = uint16(tci), 0x8100
		if t := le.Uint16(h[fhVLANTPID:]); t != 0 || status&tpStatusVLANTPIDValid != 0 {
			f.tpid = t
		}
	}
	if c.i+1 < c.n {
		// Frames never overlap: the next header comes after this frame's
		// data (so the walk advances, and putting a tag back in this frame
		// cannot change a header still to be read).
		next := uint64(le.Uint32(h[fhNextOffset:]))
		if off+next < f.mac+f.caplen {
			c.err = c.corrupt("next offset %d is inside the frame, whose data ends at %d", next, f.mac+f.caplen-off)
			return nil
		}
		c.off = off + next
	}
	c.i++
	return nil
}

// corrupt stops the walk at frame c.i and returns an error about it.
func (c *blockCursor) corrupt(format string, args ...any) error {
	err := fmt.Errorf("%w: frame %d %s", errCorruptBlock, c.i, fmt.Sprintf(format, args...))
	c.n = 0
	return err
}

// walkBlock decodes every frame of one TPACKET_V3 block into frames (reused,
// appended to) and returns them. On the first inconsistency in the block it
// returns the frames decoded so far and an error wrapping errCorruptBlock.
//
// Frames carrying a VLAN tag that the kernel stripped get it back: the MAC
// addresses move four bytes towards the frame header (room the ring always
// has, see PACKET_RESERVE) and the tag goes where it was on the wire, so Data
// is the frame as it was on the wire, still without a copy. Only Ethernet
// and cooked frames have a place for a tag. Cooked frames (lt
// LinkTypeLinuxSLL) get their cooked header written in front of them, in
// the room the kernel leaves there, and the interface they came on.
func walkBlock(block []byte, snaplen, ifindex int, lt LinkType, frames []Frame) ([]Frame, error) {
	c, err := newBlockCursor(block, lt)
	if err != nil {
		return frames, err
	}
	// Room for the block's frames at once: growing by appends would leave
	// garbage behind each time a batch first meets a fuller block, and
	// collections are what a busy capture can least afford. (The count is
	// the kernel's; newBlockCursor checked that the block can hold it.)
	frames = slices.Grow(frames, int(c.n))
	var rf ringFrame
	for c.more() {
		if err := c.next(&rf); err != nil {
			return frames, err
		}
		// Fill the frame in place: a Frame is ~80 bytes, and copying one
		// per packet shows in profiles.
		frames = append(frames, Frame{})
		f := &frames[len(frames)-1]
		f.Timestamp = time.Unix(int64(rf.sec), int64(rf.nsec))
		f.Length = int(rf.wire)
		f.InterfaceIndex = ifindex
		start, caplen := rf.mac, rf.caplen
		switch {
		case c.cooked:
			var room [cookedHdrLen + vlanTagLen]byte
			head := rf.linkHeader(&room)
			start -= uint64(len(head))
			copy(block[start:rf.mac], head)
			caplen += uint64(len(head))
			f.Length += len(head)
			f.InterfaceIndex = int(rf.ifindex)
			if rf.tagged {
				f.VLAN, f.VLANTPID, f.HasVLAN = rf.tci&0x0fff, rf.tpid, true
			}
		case rf.tagged:
			start -= vlanTagLen
			copy(block[start:start+macAddrsLen], block[rf.mac:rf.mac+macAddrsLen])
			be := binary.BigEndian
			be.PutUint16(block[start+macAddrsLen:], rf.tpid)
			be.PutUint16(block[start+macAddrsLen+2:], rf.tci)
			caplen += vlanTagLen
			f.Length += vlanTagLen
			f.VLAN, f.VLANTPID, f.HasVLAN = rf.tci&0x0fff, rf.tpid, true
		}
		caplen = min(caplen, uint64(snaplen))
		f.CaptureLength = int(caplen)
		f.Data = block[start : start+caplen : start+caplen]
	}
	return frames, c.err
}

// appendBlockRecords lays out at most limit (0: all) frames of one
// TPACKET_V3 block as capture-file records at the end of buf (pcap records,
// or pcapng enhanced packet blocks on interface 0 with nanosecond
// timestamps when ng is set): what walkBlock and Writer.WriteFrames do,
// without Frames in between and without changing the block. It returns how
// many frames it laid out and their length on the wire; on an
// inconsistency in the block, what it laid out before it and an error
// wrapping errCorruptBlock.
func appendBlockRecords(buf, block []byte, snaplen int, lt LinkType, ng bool, limit int) (_ []byte, frames int, wire uint64, err error) {
	c, err := newBlockCursor(block, lt)
	if err != nil {
		return buf, 0, 0, err
	}
	c.limit(limit)
	return appendRecords(buf, &c, snaplen, ng, nil, 0)
}

// appendRecords lays out the frames left in c's block as records at the end
// of buf, as appendBlockRecords does, and stops early once buf is longer
// than stop bytes (0: never), so that a caller can write the buffer out
// while it is still in the CPU's cache and go on where it stopped.
func appendRecords(buf []byte, c *blockCursor, snaplen int, ng bool, ifIDs map[int]uint32, stop int) (_ []byte, frames int, wire uint64, err error) {
	if stop <= 0 {
		stop = math.MaxInt
	}
	block := c.block[:c.blkLen]
	end, vlan := c.blkLen, c.vlan
	le, be := binary.LittleEndian, binary.BigEndian
	// Records go at buf[p:]. A record is never longer than the space its
	// frame took in the block (a 48-byte header and room for a tag, or a
	// cooked header, come before each frame), so room for blkLen more
	// bytes is enough unless frames overlap, which only a corrupt block
	// does (then buf grows).
	p := len(buf)
	buf = slices.Grow(buf, int(end))
	buf = buf[:cap(buf)]
	off, i, n := c.off, c.i, c.n
	var rf ringFrame
	for i < n && p < stop {
		if !ng {
			// Most frames take the short way; the first that does not
			// (or that would pass stop) comes here below.
			used, next, k, w := appendCommonPcap(buf[p:min(len(buf), stop)], block, off, n-i, uint64(snaplen), vlan, c.cooked)
			p, off, i = p+used, next, i+k
			frames += int(k)
			wire += w
			if i == n {
				break
			}
		}
		c.off, c.i = off, i
		if err = c.next(&rf); err != nil {
			break
		}
		off, i, n = c.off, c.i, c.n
		mac, caplen, length := rf.mac, rf.caplen, rf.wire
		sec, nsec, tagged := rf.sec, rf.nsec, rf.tagged
		var room [cookedHdrLen + vlanTagLen]byte
		var head []byte
		switch {
		case c.cooked:
			head = rf.linkHeader(&room)
			caplen += uint64(len(head))
			length += uint64(len(head))
		case tagged:
			caplen += vlanTagLen
			length += vlanTagLen
		}
		caplen = min(caplen, uint64(snaplen))
		if nsec >= 1e9 { // as time.Unix normalizes it
			sec, nsec = sec+nsec/1e9, nsec%1e9
		}
		hl, tl := pcapRecordHeaderLen, 0
		if ng {
			hl, tl = ngEPBOverhead-4, int(-caplen&3)+4
		}
		need := hl + int(caplen) + tl
		if need > len(buf)-p {
			buf = slices.Grow(buf[:p], need+int(end))
			buf = buf[:cap(buf)]
		}
		r := buf[p : p+need]
		p += need
		if !ng {
			le.PutUint64(r[0:], uint64(sec)|uint64(nsec)<<32)
			le.PutUint64(r[8:], caplen|length<<32)
		} else {
			ts := (uint64(sec)*1e9 + uint64(nsec)) / ngTimestampUnit
			le.PutUint32(r[0:], ngBlockTypeEPB)
			le.PutUint32(r[4:], uint32(need))
			le.PutUint32(r[8:], ifIDs[int(rf.ifindex)]) // 0 unless a cooked frame's interface has its own
			le.PutUint32(r[12:], uint32(ts>>32))
			le.PutUint32(r[16:], uint32(ts))
			le.PutUint32(r[20:], uint32(caplen))
			le.PutUint32(r[24:], uint32(length))
			clear(r[need-tl : need-4])
			le.PutUint32(r[need-4:], uint32(need))
		}
		d := r[hl : hl+int(caplen)]
		switch {
		case head != nil:
			m := copy(d, head)
			copy(d[m:], block[mac:])
		case !tagged:
			copy(d, block[mac:])
		default:
			var tag [vlanTagLen]byte
			be.PutUint16(tag[:], rf.tpid)
			be.PutUint16(tag[2:], rf.tci)
			m := copy(d, block[mac:mac+macAddrsLen])
			m += copy(d[m:], tag[:])
			copy(d[m:], block[mac+macAddrsLen:])
		}
		frames++
		wire += length
	}
	c.off, c.i = off, i
	if err == nil && !c.more() {
		err = c.err
	}
	return buf[:p], frames, wire, err
}

// appendCommonPcap lays out pcap records for the common frames of block
// that follow one another from the frame header at off, at most left of
// them, into dst: frames whose header and data lie inside the block, with
// no VLAN tag to put back, a sane timestamp, and a next frame that starts
// after their data. It stops at the first frame that is not common or
// whose record does not fit in dst, and returns the bytes of dst it used,
// the offset of the next frame header, how many frames it laid out and
// their length on the wire. It is appendRecords's short way: what it
// leaves, appendRecords lays out one frame at a time, or reports as
// corrupt. Cooked frames (a SOCK_DGRAM ring, the any device; vlan is then
// set too) get their cooked header in front of their data.
func appendCommonPcap(dst, block []byte, off uint64, left uint32, snaplen uint64, vlan, cooked bool) (used int, _ uint64, k uint32, wire uint64) {
	le := binary.LittleEndian
	end := uint64(len(block))
	// What comes before a frame's data: its header, and for a cooked
	// frame the address the kernel reports; what goes before it in the
	// record.
	before, extra := uint64(frameHdrLen), uint64(0)
	if cooked {
		before, extra = frameHdrLen+sllAddrLen, cookedHdrLen
	}
	var hdr [cookedHdrLen]byte
	for k < left && off >= blockHeaderLen && off <= end-frameHdrLen {
		h := (*[frameHdrLen]byte)(block[off:])
		w0 := le.Uint64(h[fhNextOffset:]) // next offset, sec
		w1 := le.Uint64(h[fhNsec:])       // nsec, snaplen
		w2 := le.Uint64(h[fhLen:])        // len, status
		caplen, length := w1>>32, uint64(uint32(w2))
		mac := off + uint64(le.Uint16(h[fhMac:]))
		next := uint64(uint32(w0))
		if mac < off+before || mac+caplen > end || caplen > length || uint32(w1) >= 1e9 ||
			(off+next < mac+caplen && k+1 < left) ||
			vlan && (le.Uint32(h[fhVLANTCI:]) != 0 || w2>>32&tpStatusVLANValid != 0) {
			break
		}
		total := min(caplen+extra, snaplen)
		need := pcapRecordHeaderLen + int(total)
		if need > len(dst)-used {
			break
		}
		r := dst[used : used+need]
		le.PutUint64(r[0:], w0>>32|w1<<32) // sec, nsec
		le.PutUint64(r[8:], total|(length+extra)<<32)
		d := r[pcapRecordHeaderLen:]
		if cooked {
			putCookedHeader(&hdr, block[off+sllOff:mac])
			d = d[copy(d, hdr[:]):]
		}
		copy(d, block[mac:mac+caplen])
		used += need
		off += next
		k++
		wire += length + extra
	}
	return used, off, k, wire
}
