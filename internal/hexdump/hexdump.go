// Package hexdump prints packet bytes as tcpdump's -x, -xx, -X and -XX
// options do.
package hexdump

import "math/bits"

// Style selects what a dump shows.
type Style struct {
	// Link starts the dump at the link-layer header (-xx, -XX) instead of
	// after it (-x, -X).
	Link bool
	// ASCII adds the printable characters beside each line (-X, -XX).
	ASCII bool
}

const hexDigits = "0123456789abcdef"

// Append appends the dump of data to dst, sixteen bytes per line, each
// line a tab, the offset, the bytes in groups of two and, with ASCII, the
// bytes as characters (those that are not graphic, space included, as '.'):
//
//	0x0010:  7f00 0001 7f00 0001 0800 f7ff 0000 0000  ................
func Append(dst, data []byte, ascii bool) []byte {
	for off := 0; off < len(data); off += 16 {
		row := data[off:min(off+16, len(data))]
		dst = append(dst, "\t0x"...)
		for shift := max(12, (bits.Len(uint(off))+3)/4*4-4); shift >= 0; shift -= 4 {
			dst = append(dst, hexDigits[off>>shift&0xf])
		}
		dst = append(dst, ": "...)
		for i := range 16 {
			if i%2 == 0 {
				dst = append(dst, ' ')
			}
			if i < len(row) {
				dst = append(dst, hexDigits[row[i]>>4], hexDigits[row[i]&0xf])
			} else if ascii {
				dst = append(dst, "  "...)
			}
		}
		if ascii {
			dst = append(dst, "  "...)
			for _, b := range row {
				if b <= 0x20 || b > 0x7e { // graphic characters only, as tcpdump
					b = '.'
				}
				dst = append(dst, b)
			}
		}
		for len(dst) > 0 && dst[len(dst)-1] == ' ' {
			dst = dst[:len(dst)-1]
		}
		dst = append(dst, '\n')
	}
	return dst
}

// Link-layer header types (pcap LINKTYPE_ values) whose header LinkHeaderLen
// knows.
const (
	linkTypeNull     = 0
	linkTypeEthernet = 1
	linkTypeRaw      = 101
	linkTypeLinuxSLL = 113
)

// LinkHeaderLen returns how many bytes of a frame of link type linkType
// come before its network-layer packet, as tcpdump counts them: the
// Ethernet or Linux cooked header with any VLAN tags after it and, for an
// 802.3 frame (a length where the type would be), its 802.2 LLC header
// and SNAP header; the 4-byte BSD loopback family; nothing for raw IP. It
// never exceeds len(data); for an unknown link type it is 0 (the dump
// shows the whole frame).
func LinkHeaderLen(linkType uint32, data []byte) int {
	var n int
	switch linkType {
	case linkTypeEthernet:
		n = 14
	case linkTypeLinuxSLL:
		n = 16
	case linkTypeNull:
		return min(4, len(data))
	default:
		return 0
	}
	// The type field ends the header; VLAN tags add four bytes each.
	for n <= len(data) {
		switch t := uint16(data[n-2])<<8 | uint16(data[n-1]); {
		case t == 0x8100 || t == 0x88a8 || t == 0x9100:
			n += 4
			continue
		case t < 0x0600 && linkType == linkTypeEthernet:
			n += llcLen(data[n:])
		}
		break
	}
	return min(n, len(data))
}

// llcLen is the length of the 802.2 LLC header at the start of b, with the
// SNAP header that follows AA AA 03: 3 bytes for an unnumbered frame, 4 for
// an information or supervisory one (a two-byte control field), 8 with
// SNAP.
func llcLen(b []byte) int {
	switch {
	case len(b) < 3:
		return 3
	case b[0] == 0xaa && b[1] == 0xaa && b[2] == 0x03:
		return 8
	case b[2]&3 == 3:
		return 3
	}
	return 4
}
