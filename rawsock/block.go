package rawsock

import (
	"encoding/binary"
	"errors"
	"fmt"
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

	tpStatusUser          = 1
	tpStatusVLANValid     = 0x10
	tpStatusVLANTPIDValid = 0x40

	vlanTagLen  = 4
	macAddrsLen = 12
)

// errCorruptBlock reports ring memory whose header fields point outside the
// block. It is never returned to callers: the block is skipped and counted.
var errCorruptBlock = errors.New("corrupt ring block")

// walkBlock decodes every frame of one TPACKET_V3 block into frames (reused,
// appended to) and returns them. It validates each offset and length against
// the block before following it; on the first inconsistency it returns the
// frames decoded so far and an error wrapping errCorruptBlock.
//
// Frames carrying a VLAN tag that the kernel stripped get it back: the MAC
// addresses move four bytes towards the frame header (room the ring always
// has, see PACKET_RESERVE) and the tag goes where it was on the wire, so Data
// is the frame as it was on the wire, still without a copy. Only Ethernet
// frames (vlan true) have a place for a tag.
func walkBlock(block []byte, snaplen, ifindex int, vlan bool, frames []Frame) ([]Frame, error) {
	if len(block) < blockHeaderLen {
		return frames, fmt.Errorf("%w: %d bytes is shorter than a block header", errCorruptBlock, len(block))
	}
	le := binary.LittleEndian
	n := le.Uint32(block[bdNumPkts:])
	first := le.Uint32(block[bdOffsetToFirst:])
	blkLen := le.Uint32(block[bdBlkLen:])
	if blkLen > uint32(len(block)) || blkLen < blockHeaderLen {
		return frames, fmt.Errorf("%w: block length %d outside [%d, %d]", errCorruptBlock, blkLen, blockHeaderLen, len(block))
	}
	if n == 0 {
		return frames, nil
	}
	// Each frame takes at least a header, which bounds a sane count.
	if uint64(n)*frameHdrLen > uint64(blkLen) {
		return frames, fmt.Errorf("%w: %d frames cannot fit in %d bytes", errCorruptBlock, n, blkLen)
	}
	off := uint64(first)
	for i := uint32(0); i < n; i++ {
		if off < blockHeaderLen || off+frameHdrLen > uint64(blkLen) {
			return frames, fmt.Errorf("%w: frame %d header at offset %d outside the block (length %d)", errCorruptBlock, i, off, blkLen)
		}
		h := block[off : off+frameHdrLen]
		caplen := uint64(le.Uint32(h[fhSnaplen:]))
		wire := int(le.Uint32(h[fhLen:]))
		mac := off + uint64(le.Uint16(h[fhMac:]))
		status := le.Uint32(h[fhStatus:])
		if mac < off+frameHdrLen || mac+caplen > uint64(blkLen) {
			return frames, fmt.Errorf("%w: frame %d data [%d, %d) outside the block (length %d)", errCorruptBlock, i, mac, mac+caplen, blkLen)
		}
		if uint64(wire) < caplen {
			return frames, fmt.Errorf("%w: frame %d captured %d bytes of a %d-byte frame", errCorruptBlock, i, caplen, wire)
		}
		start := mac
		// Fill the frame in place: a Frame is ~90 bytes, and copying one
		// per packet shows in profiles.
		frames = append(frames, Frame{})
		f := &frames[len(frames)-1]
		f.Timestamp = time.Unix(int64(le.Uint32(h[fhSec:])), int64(le.Uint32(h[fhNsec:])))
		f.Length = wire
		f.InterfaceIndex = ifindex
		tci := le.Uint32(h[fhVLANTCI:])
		if vlan && (tci != 0 || status&tpStatusVLANValid != 0) && caplen >= macAddrsLen && mac >= off+frameHdrLen+vlanTagLen {
			tpid := uint16(0x8100)
			if t := le.Uint16(h[fhVLANTPID:]); t != 0 || status&tpStatusVLANTPIDValid != 0 {
				tpid = t
			}
			start = mac - vlanTagLen
			copy(block[start:start+macAddrsLen], block[mac:mac+macAddrsLen])
			be := binary.BigEndian
			be.PutUint16(block[start+macAddrsLen:], tpid)
			be.PutUint16(block[start+macAddrsLen+2:], uint16(tci))
			caplen += vlanTagLen
			f.Length += vlanTagLen
			f.VLAN, f.VLANTPID, f.HasVLAN = uint16(tci)&0x0fff, tpid, true
		}
		if caplen > uint64(snaplen) {
			caplen = uint64(snaplen)
		}
		f.CaptureLength = int(caplen)
		f.Data = block[start : start+caplen : start+caplen]

		next := uint64(le.Uint32(h[fhNextOffset:]))
		if i+1 < n {
			if next < frameHdrLen {
				return frames, fmt.Errorf("%w: frame %d next offset %d does not advance", errCorruptBlock, i, next)
			}
			off += next
		}
	}
	return frames, nil
}
