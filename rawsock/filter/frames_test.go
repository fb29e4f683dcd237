package filter

import "encoding/binary"

// liveFrame builds an Ethernet frame with the given tags (TPID, VLAN ID
// pairs, outermost first) carrying IPv4 with protocol proto to port 502
// (TCP) or 53 (UDP), and a marker in its payload.
func liveFrame(tags [][2]uint16, proto byte, marker byte) []byte {
	f := []byte{0x02, 0, 0, 0, 0, 0xbb, 0x02, 0, 0, 0, 0, 0xaa}
	for _, t := range tags {
		f = binary.BigEndian.AppendUint16(f, t[0])
		f = binary.BigEndian.AppendUint16(f, t[1])
	}
	f = binary.BigEndian.AppendUint16(f, 0x0800)
	ip := []byte{0x45, 0, 0, 48, 0, byte(marker), 0, 0, 64, proto, 0, 0, 10, 0, 0, 5, 10, 0, 0, 6}
	binary.BigEndian.PutUint16(ip[2:], uint16(20+20+8))
	f = append(f, ip...)
	l4 := make([]byte, 20)
	binary.BigEndian.PutUint16(l4[0:], 40000)
	if proto == 6 {
		binary.BigEndian.PutUint16(l4[2:], 502)
		l4[12] = 0x50
	} else {
		binary.BigEndian.PutUint16(l4[2:], 53)
	}
	f = append(f, l4...)
	return append(f, 'W', 'B', 'M', 'K', marker, marker, marker, marker)
}
