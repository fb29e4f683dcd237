package parse

import (
	"net/netip"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendText appends wire bytes b as a double-quoted, escaped string that is
// safe on a terminal: printable Unicode passes, quotes, backslashes, control
// and format characters (bidi overrides, ANSI escapes) become Go-style
// escapes, bytes that are not UTF-8 become \xNN. At most max bytes of b are
// shown (max <= 0: all); the rest is replaced by a marker "...(+N bytes)".
func AppendText(dst, b []byte, max int) []byte {
	cut := 0
	if max > 0 && len(b) > max {
		cut = len(b) - max
		b = b[:max]
		// Do not split a UTF-8 sequence at the cut.
		if start := lastRuneStart(b); !utf8.FullRune(b[start:]) {
			cut += len(b) - start
			b = b[:start]
		}
	}
	dst = append(dst, '"')
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', hexDigits[b[0]>>4], hexDigits[b[0]&15])
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r < utf8.RuneSelf && strconv.IsPrint(r):
			dst = append(dst, byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\a':
			dst = append(dst, '\\', 'a')
		case r == '\b':
			dst = append(dst, '\\', 'b')
		case r == '\f':
			dst = append(dst, '\\', 'f')
		case r == '\v':
			dst = append(dst, '\\', 'v')
		case r < 0x80:
			dst = append(dst, '\\', 'x', hexDigits[byte(r)>>4], hexDigits[byte(r)&15])
		case strconv.IsPrint(r):
			dst = append(dst, b[:size]...)
		case r < 0x10000:
			dst = append(dst, '\\', 'u')
			dst = appendHexN(dst, uint64(r), 4)
		default:
			dst = append(dst, '\\', 'U')
			dst = appendHexN(dst, uint64(r), 8)
		}
		b = b[size:]
	}
	dst = append(dst, '"')
	if cut > 0 {
		dst = append(dst, "...(+"...)
		dst = strconv.AppendInt(dst, int64(cut), 10)
		dst = append(dst, " bytes)"...)
	}
	return dst
}

func lastRuneStart(b []byte) int {
	i := len(b) - 1
	for i > 0 && len(b)-i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}

func appendHexN(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[(v>>(4*uint(i)))&15])
	}
	return dst
}

// AppendJSONString appends b as a JSON string. The result is always valid
// UTF-8: bytes that are not UTF-8 become U+FFFD, control characters and
// the characters JSON or HTML embedding care about are \u-escaped.
func AppendJSONString(dst, b []byte) []byte {
	dst = append(dst, '"')
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&':
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			default:
				dst = append(dst, c)
			}
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == 0x2028 || r == 0x2029:
			dst = append(dst, '\\', 'u')
			dst = appendHexN(dst, uint64(r), 4)
		default:
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return append(dst, '"')
}

// appendMAC appends a colon-separated lowercase MAC address.
func appendMAC(dst, b []byte) []byte {
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendIP appends an IPv4 or IPv6 address (RFC 5952 form), or hex for
// other lengths.
func appendIP(dst, b []byte) []byte {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)).AppendTo(dst)
	case 16:
		return netip.AddrFrom16([16]byte(b)).AppendTo(dst)
	}
	return appendHex(dst, b)
}

func appendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendValue appends v: as JSON when json is set, else as display text
// with strings truncated to maxText bytes.
func appendValue(dst []byte, v Value, json bool, maxText int) []byte {
	switch v.Kind {
	case KindUint:
		return strconv.AppendUint(dst, v.Num, 10)
	case KindBool:
		return strconv.AppendBool(dst, v.Num != 0)
	case KindString:
		if json {
			return AppendJSONString(dst, v.Bytes)
		}
		return AppendText(dst, v.Bytes, maxText)
	}
	if json {
		dst = append(dst, '"')
	}
	switch v.Kind {
	case KindHex:
		dst = appendHex(dst, v.Bytes)
	case KindMAC:
		dst = appendMAC(dst, v.Bytes)
	case KindIP:
		dst = appendIP(dst, v.Bytes)
	}
	if json {
		dst = append(dst, '"')
	}
	return dst
}
