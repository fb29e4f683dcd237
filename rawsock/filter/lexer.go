package filter

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// tokKind classifies a lexical token of a filter expression.
type tokKind int

const (
	tEOF  tokKind = iota
	tWord         // keyword or name (ID)
	tNum          // number (decimal, 0x hex, leading-0 octal) or named constant
	tHID          // dotted IPv4 address or partial address: 10, 10.1, 10.1.2.3
	tHID6         // IPv6 address
	tEID          // MAC address
	tOp           // operator or punctuation
)

// token is one lexical token with its 1-based column.
type token struct {
	kind tokKind
	text string // source text (for tWord: without a leading backslash)
	num  uint32 // value of tNum
	col  int
	esc  bool // the word was escaped with a backslash (never a keyword)
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	default:
		return strconv.Quote(t.text)
	}
}

// is reports whether t is the keyword or operator s.
func (t token) is(s string) bool {
	return (t.kind == tOp || (t.kind == tWord && !t.esc)) && t.text == s
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == ':'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// lex splits expr into tokens.
func lex(expr string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(expr) {
		c := expr[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		col := i + 1
		// Two-character operators first.
		if i+1 < len(expr) {
			two := expr[i : i+2]
			switch two {
			case "&&", "||", "==", "!=", "<=", ">=", "<<", ">>":
				toks = append(toks, token{kind: tOp, text: two, col: col})
				i += 2
				continue
			}
		}
		switch {
		case c == ':' && i+1 < len(expr) && expr[i+1] == ':':
		case strings.IndexByte("()[]!=<>+-*/%&|^:", c) >= 0:
			toks = append(toks, token{kind: tOp, text: string(c), col: col})
			i++
			continue
		}
		if c == ':' && i+1 < len(expr) && expr[i+1] == ':' {
			// An IPv6 address starting with "::".
			j := i
			for j < len(expr) && isWordByte(expr[j]) {
				j++
			}
			if a, err := netip.ParseAddr(expr[i:j]); err == nil && a.Is6() {
				toks = append(toks, token{kind: tHID6, text: expr[i:j], col: col})
				i = j
				continue
			}
		}
		esc := false
		if c == '\\' {
			esc = true
			i++
			if i >= len(expr) || !isAlnum(expr[i]) {
				return nil, &SyntaxError{Column: col, Msg: "a backslash must be followed by a name"}
			}
		}
		if !isAlnum(expr[i]) {
			return nil, &SyntaxError{Column: col, Msg: fmt.Sprintf("unexpected character %q", rune(c))}
		}
		j := i
		for j < len(expr) && isWordByte(expr[j]) {
			j++
		}
		run := expr[i:j]
		tok, n := classify(run, esc)
		tok.col = col
		toks = append(toks, tok)
		i += n
	}
	toks = append(toks, token{kind: tEOF, col: len(expr) + 1})
	return toks, nil
}

// classify picks the longest token at the start of run (a maximal run of
// word characters) and returns it with the number of bytes it consumed.
func classify(run string, esc bool) (token, int) {
	if !esc && strings.Contains(run, ":") {
		if isMAC(run, ':') {
			return token{kind: tEID, text: run}, len(run)
		}
		if a, err := netip.ParseAddr(run); err == nil && a.Is6() && a.Zone() == "" {
			return token{kind: tHID6, text: run}, len(run)
		}
		run = run[:strings.IndexByte(run, ':')]
	}
	// A name may not end in '-' or '_' (those are then operators or errors).
	for len(run) > 1 && (run[len(run)-1] == '-' || run[len(run)-1] == '_') {
		run = run[:len(run)-1]
	}
	n := len(run)
	if esc {
		return token{kind: tWord, text: run, esc: true}, n + 1
	}
	if isMAC(run, '-') || isDottedMAC(run) {
		return token{kind: tEID, text: run}, n
	}
	if v, ok, over := parseNum(run); ok || over {
		if over {
			return token{kind: tNum, text: run, num: 0, esc: true}, n // esc marks overflow
		}
		return token{kind: tNum, text: run, num: v}, n
	}
	if isHID(run) {
		return token{kind: tHID, text: run}, n
	}
	if v, ok := namedConstants[run]; ok {
		return token{kind: tNum, text: run, num: v}, n
	}
	return token{kind: tWord, text: run}, n
}

// parseNum parses a libpcap number: 0x hex, leading-0 octal or decimal.
// over reports a well-formed number that does not fit in 32 bits.
func parseNum(s string) (v uint32, ok, over bool) {
	base := 10
	digits := s
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" {
		return 0, false, false
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		valid := false
		switch base {
		case 16:
			valid = isHex(c)
		case 10:
			valid = c >= '0' && c <= '9'
		case 8:
			valid = c >= '0' && c <= '7'
		}
		if !valid {
			return 0, false, false
		}
	}
	u, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return 0, false, true
	}
	return uint32(u), true, false
}

// isHID reports a dotted-decimal (possibly partial) IPv4 address.
func isHID(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

func isMAC(s string, sep byte) bool {
	parts := strings.Split(s, string(sep))
	if len(parts) != 6 {
		return false
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 2 || !isHex(p[0]) || (len(p) == 2 && !isHex(p[1])) {
			return false
		}
	}
	return true
}

func isDottedMAC(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if len(p) != 4 {
			return false
		}
		for i := 0; i < 4; i++ {
			if !isHex(p[i]) {
				return false
			}
		}
	}
	return true
}

// parseMAC converts any accepted MAC notation to 6 bytes.
func parseMAC(s string) ([6]byte, bool) {
	var m [6]byte
	var hexs string
	switch {
	case isMAC(s, ':'), isMAC(s, '-'):
		sep := ":"
		if strings.Contains(s, "-") {
			sep = "-"
		}
		for _, p := range strings.Split(s, sep) {
			if len(p) == 1 {
				p = "0" + p
			}
			hexs += p
		}
	case isDottedMAC(s):
		hexs = strings.ReplaceAll(s, ".", "")
	default:
		return m, false
	}
	for i := 0; i < 6; i++ {
		v, err := strconv.ParseUint(hexs[2*i:2*i+2], 16, 8)
		if err != nil {
			return m, false
		}
		m[i] = byte(v)
	}
	return m, true
}

// parseHID parses a possibly partial dotted IPv4 address the way libpcap
// does: each part is one byte, the value is right-aligned and the returned
// length is 8 bits per part.
func parseHID(s string) (v uint32, bits int, ok bool) {
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n > 255 {
			return 0, 0, false
		}
		v = v<<8 | uint32(n)
		bits += 8
	}
	return v, bits, true
}

// namedConstants are the pcap-filter(7) names that stand for numbers.
var namedConstants = map[string]uint32{
	"icmptype": 0, "icmpcode": 1,
	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5,
	"icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11,
	"icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15,
	"icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
	"tcpflags": 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
	"icmp6type": 0, "icmp6code": 1,
	"icmp6-destinationunreach": 1, "icmp6-packettoobig": 2, "icmp6-timeexceeded": 3,
	"icmp6-parameterproblem": 4, "icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131,
	"icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133, "icmp6-routeradvert": 134,
	"icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136, "icmp6-redirect": 137,
	"icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139,
	"icmp6-nodeinformationresponse": 140, "icmp6-ineighbordiscoverysolicit": 141,
	"icmp6-ineighbordiscoveryadvert": 142, "icmp6-multicastlistenerreportv2": 143,
	"icmp6-homeagentdiscoveryrequest": 144, "icmp6-homeagentdiscoveryreply": 145,
	"icmp6-mobileprefixsolicit": 146, "icmp6-mobileprefixadvert": 147,
	"icmp6-certpathsolicit": 148, "icmp6-certpathadvert": 149,
	"icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153,
}
