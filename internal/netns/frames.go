package netns

import "encoding/binary"

// TestEtherType is the IEEE local experimental EtherType that numbered test
// frames carry: nothing else on a test link uses it.
const TestEtherType = 0x88b5

// NumberedFrame builds test frame seq: a size in [60, 1514] that varies with
// seq and, for every fifth frame, an 802.1Q tag with VLAN ID 10, 20, 30 or
// 40. It returns the frame as sent on the wire and its VLAN ID (0: untagged).
func NumberedFrame(seq uint32) ([]byte, uint16) {
	size := 60 + int((seq*2654435761)>>7)%(1514-60+1)
	f := make([]byte, size)
	copy(f[0:6], []byte{0x02, 0, 0, 0, 0, 0xaa})
	copy(f[6:12], []byte{0x02, 0, 0, 0, 0, 0xbb})
	off := 12
	var vid uint16
	if seq%5 == 0 {
		vid = uint16(10 + seq%4*10)
		binary.BigEndian.PutUint16(f[12:], 0x8100)
		binary.BigEndian.PutUint16(f[14:], vid)
		off = 16
	}
	binary.BigEndian.PutUint16(f[off:], TestEtherType)
	binary.BigEndian.PutUint32(f[off+2:], seq)
	for i := off + 6; i < size; i++ {
		f[i] = byte(seq) ^ byte(i)
	}
	return f, vid
}

// SeqOf returns the sequence number of a frame built by NumberedFrame.
func SeqOf(f []byte) (uint32, bool) {
	off := 12
	if len(f) >= 16 && binary.BigEndian.Uint16(f[12:]) == 0x8100 {
		off = 16
	}
	if len(f) < off+6 || binary.BigEndian.Uint16(f[off:]) != TestEtherType {
		return 0, false
	}
	return binary.BigEndian.Uint32(f[off+2:]), true
}
