package filter

import (
	"fmt"
	"net/netip"
	"strconv"

	"golang.org/x/net/bpf"
)

// Qualifier values (pcap-filter(7) "type", "dir" and "proto" qualifiers).
type protoQ int

const (
	pUndef protoQ = iota
	pDefault
	pLink
	pIP
	pIP6
	pARP
	pRARP
	pTCP
	pUDP
	pSCTP
	pICMP
	pICMP6
	pIGMP
	pIGRP
	pPIM
	pVRRP
	pCARP
	pAH
	pESP
)

var protoNames = map[string]protoQ{
	"ether": pLink, "link": pLink, "ip": pIP, "ip6": pIP6, "arp": pARP, "rarp": pRARP,
	"tcp": pTCP, "udp": pUDP, "sctp": pSCTP, "icmp": pICMP, "icmp6": pICMP6,
	"igmp": pIGMP, "igrp": pIGRP, "pim": pPIM, "vrrp": pVRRP, "carp": pCARP,
	"ah": pAH, "esp": pESP,
}

func (p protoQ) String() string {
	for k, v := range protoNames {
		if v == p && k != "link" {
			return k
		}
	}
	return "?"
}

type dirQ int

const (
	dUndef dirQ = iota
	dDefault
	dSrc
	dDst
	dOr
	dAnd
)

type addrQ int

const (
	aUndef addrQ = iota
	aDefault
	aHost
	aNet
	aPort
	aPortRange
	aProto
)

type qual struct {
	proto protoQ
	dir   dirQ
	addr  addrQ
}

var qerr = qual{}

// unsupported lists pcap-filter(7) keywords that wirebom does not compile.
var unsupported = map[string]string{
	"gateway": "gateway", "protochain": "protochain", "inbound": "inbound", "outbound": "outbound",
	"ifindex": "ifindex", "ifname": "ifname", "on": "pflog filters", "rnr": "pflog filters",
	"srnr": "pflog filters", "rulenum": "pflog filters", "reason": "pflog filters", "rset": "pflog filters",
	"ruleset": "pflog filters", "action": "pflog filters", "subrulenum": "pflog filters",
	"pppoed": "pppoed", "pppoes": "pppoes", "geneve": "geneve", "llc": "llc",
	"atalk": "atalk", "aarp": "aarp", "decnet": "decnet", "lat": "lat", "sca": "sca",
	"moprc": "moprc", "mopdl": "mopdl", "iso": "iso", "esis": "esis", "es-is": "esis",
	"isis": "isis", "is-is": "isis", "l1": "isis", "l2": "isis", "iih": "isis", "lsp": "isis",
	"snp": "isis", "csnp": "isis", "psnp": "isis", "clnp": "clnp", "stp": "stp", "ipx": "ipx",
	"netbeui": "netbeui", "radio": "radio", "fddi": "fddi", "tr": "tr", "wlan": "wlan",
	"type": "802.11 filters", "subtype": "802.11 filters", "dir": "802.11 filters",
	"direction": "802.11 filters", "addr1": "802.11 filters", "addr2": "802.11 filters",
	"addr3": "802.11 filters", "addr4": "802.11 filters", "ra": "802.11 filters", "ta": "802.11 filters",
	"lane": "ATM filters", "metac": "ATM filters", "bcc": "ATM filters", "oam": "ATM filters",
	"oamf4": "ATM filters", "oamf4ec": "ATM filters", "oamf4sc": "ATM filters", "sc": "ATM filters",
	"ilmic": "ATM filters", "vpi": "ATM filters", "vci": "ATM filters", "connectmsg": "ATM filters",
	"metaconnect": "ATM filters", "fisu": "SS7 filters", "lssu": "SS7 filters", "msu": "SS7 filters",
	"hfisu": "SS7 filters", "hlssu": "SS7 filters", "hmsu": "SS7 filters", "sio": "SS7 filters",
	"opc": "SS7 filters", "dpc": "SS7 filters", "sls": "SS7 filters", "hsio": "SS7 filters",
	"hopc": "SS7 filters", "hdpc": "SS7 filters", "hsls": "SS7 filters", "byte": "byte",
}

// parser turns tokens into a node tree. Like libpcap, it generates code
// while parsing: every "vlan" and "mpls" keyword moves the offsets used by
// everything parsed after it.
type parser struct {
	toks []token
	pos  int
	opts Options

	offLinkType uint32 // offset of the EtherType (or SLL protocol) field
	offNL       uint32 // offset of the network-layer header
	vlanSeen    int    // number of "vlan" keywords parsed
	mplsSeen    int    // number of "mpls" keywords parsed
	liveTagUsed bool   // the outermost tag was tested through SKF_AD_VLAN_*
	furthest    *SyntaxError
}

func (p *parser) peek() token        { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token { return p.toks[min(p.pos+n, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func errAt(t token, format string, args ...any) *SyntaxError {
	return &SyntaxError{Column: t.col, Msg: fmt.Sprintf(format, args...)}
}

func expected(t token, what string) *SyntaxError {
	return errAt(t, "expected %s, found %s", what, t)
}

func (p *parser) expect(s string) error {
	t := p.next()
	if !t.is(s) {
		return expected(t, strconv.Quote(s))
	}
	return nil
}

func isAnd(t token) bool { return t.is("and") || t.is("&&") }
func isOr(t token) bool  { return t.is("or") || t.is("||") }
func isNot(t token) bool { return t.is("not") || t.is("!") }

func isRelop(t token) bool {
	switch {
	case t.is(">"), t.is(">="), t.is("="), t.is("=="), t.is("<"), t.is("<="), t.is("!="):
		return true
	}
	return false
}

func isArithOp(t token) bool {
	switch {
	case t.is("+"), t.is("-"), t.is("*"), t.is("/"), t.is("%"), t.is("&"), t.is("|"), t.is("^"), t.is("<<"), t.is(">>"):
		return true
	}
	return false
}

// save/restore support backtracking between arithmetic and boolean parses.
type state struct {
	pos, vlan, mpls int
	offLT, offNL    uint32
	live            bool
}

func (p *parser) save() state {
	return state{p.pos, p.vlanSeen, p.mplsSeen, p.offLinkType, p.offNL, p.liveTagUsed}
}

func (p *parser) restore(s state) {
	p.pos, p.vlanSeen, p.mplsSeen, p.offLinkType, p.offNL, p.liveTagUsed = s.pos, s.vlan, s.mpls, s.offLT, s.offNL, s.live
}

// note remembers the error that got furthest, reported when all
// alternatives fail.
func (p *parser) note(err error) error {
	if se, ok := err.(*SyntaxError); ok {
		if p.furthest == nil || se.Column > p.furthest.Column {
			p.furthest = se
		}
	}
	return err
}

// parseProgram parses a whole expression. An empty expression matches all.
func (p *parser) parseProgram() (node, error) {
	if p.peek().kind == tEOF {
		return constNode(true), nil
	}
	n, _, err := p.parseExpr(qerr)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.is(")") {
			return nil, errAt(t, "unbalanced parenthesis")
		}
		return nil, expected(t, `"and", "or" or end of expression`)
	}
	return n, nil
}

// startsID reports whether the next tokens form an "id" (an address,
// number or name continuing the previous qualifiers) rather than a term.
func (p *parser) startsID() bool {
	i := 0
	for isNot(p.peekAt(i)) {
		i++
	}
	t := p.peekAt(i)
	switch t.kind {
	case tHID, tHID6, tEID:
		return true
	case tNum:
		n := p.peekAt(i + 1)
		return !isRelop(n) && !isArithOp(n)
	case tWord:
		if t.esc {
			return true
		}
		_, kw := keywords[t.text]
		return !kw
	case tOp:
		if t.is("(") {
			// "( id ...": a parenthesised list of ids.
			j := i + 1
			for isNot(p.peekAt(j)) || p.peekAt(j).is("(") {
				j++
			}
			u := p.peekAt(j)
			switch u.kind {
			case tHID, tHID6, tEID:
				return true
			case tNum:
				n := p.peekAt(j + 1)
				return !isRelop(n) && !isArithOp(n)
			case tWord:
				_, kw := keywords[u.text]
				return u.esc || !kw
			}
		}
	}
	return false
}

func (p *parser) parseExpr(q qual) (node, qual, error) {
	left, q, err := p.parseTerm(q)
	if err != nil {
		return nil, q, err
	}
	for {
		t := p.peek()
		var opAnd bool
		switch {
		case isAnd(t):
			opAnd = true
		case isOr(t):
		default:
			return left, q, nil
		}
		p.next()
		var right node
		if p.startsID() {
			right, err = p.parseID(q)
		} else {
			right, q, err = p.parseTerm(q)
		}
		if err != nil {
			return nil, q, err
		}
		if opAnd {
			left = and(left, right)
		} else {
			left = or(left, right)
		}
	}
}

func (p *parser) parseTerm(q qual) (node, qual, error) {
	if isNot(p.peek()) {
		p.next()
		n, q2, err := p.parseTerm(q)
		if err != nil {
			return nil, q2, err
		}
		return not(n), q2, nil
	}
	return p.parseRTerm(q)
}

// parseID parses an id with qualifiers q: nid | pnum | ( pid ).
func (p *parser) parseID(q qual) (node, error) {
	t := p.peek()
	if isNot(t) {
		p.next()
		n, err := p.parseID(q)
		if err != nil {
			return nil, err
		}
		return not(n), nil
	}
	if t.is("(") {
		p.next()
		n, err := p.parseID(q)
		if err != nil {
			return nil, err
		}
		for {
			u := p.peek()
			if isAnd(u) || isOr(u) {
				p.next()
				m, err := p.parseID(q)
				if err != nil {
					return nil, err
				}
				if isAnd(u) {
					n = and(n, m)
				} else {
					n = or(n, m)
				}
				continue
			}
			break
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return n, nil
	}
	if q.addr == aUndef {
		return nil, errAt(t, "%s needs a qualifier such as host, net or port", t)
	}
	p.next()
	switch t.kind {
	case tNum:
		if t.esc {
			return nil, errAt(t, "number %s overflows 32 bits", t.text)
		}
		return p.genNum(t, q)
	case tHID:
		if nt := p.peek(); nt.is("/") {
			p.next()
			l := p.next()
			if l.kind != tNum || l.esc {
				return nil, expected(l, "a prefix length")
			}
			return p.genNet4(t, q, netFromLen(l.num), true, l)
		} else if nt.is("mask") {
			p.next()
			m := p.next()
			if m.kind != tHID {
				return nil, expected(m, "a netmask")
			}
			mv, bits, ok := parseHID(m.text)
			if !ok {
				return nil, errAt(m, "invalid netmask %s", m.text)
			}
			mv <<= 32 - uint(bits)
			return p.genNet4(t, q, mv, true, m)
		}
		return p.genNum(t, q)
	case tHID6:
		plen := uint32(128)
		if p.peek().is("/") {
			p.next()
			l := p.next()
			if l.kind != tNum || l.esc {
				return nil, expected(l, "a prefix length")
			}
			plen = l.num
		}
		return p.genHost6(t, q, plen)
	case tEID:
		return p.genEther(t, q)
	case tWord:
		if _, kw := keywords[t.text]; kw && !t.esc {
			return nil, expected(t, idWanted(q))
		}
		return p.genName(t, q)
	}
	return nil, expected(t, idWanted(q))
}

// idWanted describes what an id with qualifiers q should be.
func idWanted(q qual) string {
	switch q.addr {
	case aHost:
		return "a host address"
	case aNet:
		return "a network address"
	case aPort:
		return "a port"
	case aPortRange:
		return "a port range"
	case aProto:
		return "a protocol"
	}
	return "a host address, port or name"
}

func netFromLen(l uint32) uint32 {
	if l == 0 {
		return 0
	}
	if l >= 32 {
		return 0xffffffff
	}
	return 0xffffffff << (32 - l)
}

// keywords that cannot be ids.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "src": true, "dst": true, "host": true, "net": true,
	"mask": true, "port": true, "portrange": true, "proto": true, "less": true, "greater": true,
	"broadcast": true, "multicast": true, "vlan": true, "mpls": true, "len": true,
}

func init() {
	for k := range protoNames {
		keywords[k] = true
	}
	for k := range unsupported {
		keywords[k] = true
	}
}

func (p *parser) parseRTerm(q qual) (node, qual, error) {
	t := p.peek()
	if t.kind == tWord && !t.esc {
		if what, ok := unsupported[t.text]; ok {
			return nil, q, errAt(t, "%s is not supported by wirebom's filter compiler", what)
		}
	}
	switch {
	case t.is("("):
		// Either a parenthesised arithmetic operand of a relation or a
		// parenthesised boolean expression.
		s := p.save()
		if n, err := p.parseRelation(); err == nil {
			return n, qerr, nil
		} else {
			p.note(err)
		}
		p.restore(s)
		p.next()
		n, _, err := p.parseExpr(q)
		if err != nil {
			return nil, q, p.best(err)
		}
		if err := p.expect(")"); err != nil {
			return nil, q, p.best(err)
		}
		return n, q, nil
	case t.kind == tNum, t.is("-"), t.is("len"):
		n, err := p.parseRelation()
		return n, qerr, err
	case t.is("less"), t.is("greater"):
		p.next()
		v := p.next()
		if v.kind != tNum {
			return nil, q, expected(v, "a length")
		}
		ln := &testNode{pre: []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}}, k: v.num}
		if t.is("less") {
			ln.cond = bpf.JumpGreaterThan
			return not(ln), qerr, nil
		}
		ln.cond = bpf.JumpGreaterOrEqual
		return ln, qerr, nil
	case t.is("vlan"):
		p.next()
		n, err := p.genVLAN(t)
		return n, qerr, err
	case t.is("mpls"):
		p.next()
		n, err := p.genMPLS(t)
		return n, qerr, err
	case t.is("broadcast"), t.is("multicast"):
		p.next()
		n, err := p.genCast(t, pDefault, t)
		return n, qerr, err
	}
	// head id | pname | pname [..] relation | pqual broadcast/multicast
	pq := pDefault
	var ptok token
	if t.kind == tWord && !t.esc {
		if v, ok := protoNames[t.text]; ok {
			if p.peekAt(1).is("[") {
				n, err := p.parseRelation()
				return n, qerr, err
			}
			pq, ptok = v, t
			p.next()
		}
	}
	u := p.peek()
	if ptok.kind != tEOF && ptok.text != "" {
		if u.is("broadcast") || u.is("multicast") {
			p.next()
			n, err := p.genCast(u, pq, ptok)
			return n, qerr, err
		}
	}
	dq := dDefault
	hasDir := false
	if u.is("src") || u.is("dst") {
		hasDir = true
		p.next()
		dq = dSrc
		if u.is("dst") {
			dq = dDst
		}
		// src or dst / src and dst
		c, d := p.peek(), p.peekAt(1)
		if (isAnd(c) || isOr(c)) && (d.is("src") || d.is("dst")) && !d.is(u.text) {
			p.next()
			p.next()
			if isAnd(c) {
				dq = dAnd
			} else {
				dq = dOr
			}
		}
		u = p.peek()
	}
	aq := aDefault
	hasAddr := true
	switch {
	case u.is("host"):
		aq = aHost
	case u.is("net"):
		aq = aNet
	case u.is("port"):
		aq = aPort
	case u.is("portrange"):
		aq = aPortRange
	case u.is("proto"):
		aq = aProto
		if hasDir {
			return nil, q, errAt(u, "a direction cannot qualify proto")
		}
	case u.kind == tWord && !u.esc && (u.text == "gateway" || u.text == "protochain"):
		return nil, q, errAt(u, "%s is not supported by wirebom's filter compiler", u.text)
	default:
		hasAddr = false
	}
	if hasAddr {
		p.next()
	}
	if !hasAddr && !hasDir {
		if ptok.text != "" {
			n, err := p.protoAbbrev(pq, ptok)
			return n, qerr, err
		}
		return nil, q, expected(t, "a filter primitive")
	}
	nq := qual{proto: pq, dir: dq, addr: aq}
	n, err := p.parseID(nq)
	return n, nq, err
}

func (p *parser) best(err error) error {
	p.note(err)
	if p.furthest != nil {
		return p.furthest
	}
	return err
}

// ---- Primitive generators (Ethernet / Linux cooked framing). ----

const (
	etIP   = 0x0800
	etARP  = 0x0806
	etRARP = 0x8035
	etIP6  = 0x86dd
	etMPLS = 0x8847
)

func (p *parser) isSLL() bool { return p.opts.LinkType == LinkTypeLinuxSLL }

// noMAC names a framing without a link-layer header of its own (Raw IP,
// BSD loopback) as tcpdump does in its messages, or is "" for the others.
func (p *parser) noMAC() string {
	switch p.opts.LinkType {
	case LinkTypeRaw:
		return "Raw IP"
	case LinkTypeNull:
		return "BSD loopback"
	}
	return ""
}

// BSD address families of IPv4 and IPv6 as the first word of a NULL frame
// in little-endian host order, loaded big-endian by BPF (libpcap tests
// the three BSD values of AF_INET6).
const (
	nullAFInet      = 0x02000000
	nullAFInet6BSD  = 0x18000000 // 24: NetBSD, OpenBSD, BSD/OS; Windows
	nullAFInet6BSD2 = 0x1c000000 // 28: FreeBSD
	nullAFInet6BSD3 = 0x1e000000 // 30: macOS
)

// linktypeNoMAC is linktype for Raw IP and BSD loopback framing, which
// carry IPv4 and IPv6 only.
func (p *parser) linktypeNoMAC(et uint32) node {
	raw := p.opts.LinkType == LinkTypeRaw
	switch {
	case et == etIP && raw:
		return eqMask(0, 1, 0xf0, 0x40)
	case et == etIP6 && raw:
		return eqMask(0, 1, 0xf0, 0x60)
	case et == etIP:
		return eq(0, 4, nullAFInet)
	case et == etIP6:
		return or(or(eq(0, 4, nullAFInet6BSD3), eq(0, 4, nullAFInet6BSD)), eq(0, 4, nullAFInet6BSD2))
	}
	return constNode(false)
}

// linktype tests that the payload after the link header is protocol et.
func (p *parser) linktype(et uint32, at token) (node, error) {
	if p.mplsSeen > 0 {
		bos := eqMask(p.offNL-2, 1, 0x01, 0x01)
		switch et {
		case etIP:
			return and(bos, eqMask(p.offNL, 1, 0xf0, 0x40)), nil
		case etIP6:
			return and(bos, eqMask(p.offNL, 1, 0xf0, 0x60)), nil
		}
		return nil, errAt(at, "unsupported protocol over mpls")
	}
	if p.noMAC() != "" {
		return p.linktypeNoMAC(et), nil
	}
	if et <= 1500 {
		if p.isSLL() {
			return and(eq(p.offLinkType, 2, 4), eq(p.offNL, 1, et)), nil
		}
		// 802.3 length field followed by an LLC header with this SAP.
		notEther := not(cmp(p.offLinkType, 2, 0xffffffff, bpf.JumpGreaterThan, 1500))
		switch et {
		case 0xfe, 0x06, 0xf0: // ISO, IP and NetBEUI SAPs: DSAP and SSAP
			return and(notEther, eq(p.offNL, 2, et<<8|et)), nil
		}
		return and(notEther, eq(p.offNL, 1, et)), nil
	}
	return eq(p.offLinkType, 2, et), nil
}

func (p *parser) mustLink(et uint32, at token) node {
	n, err := p.linktype(et, at)
	if err != nil {
		return constNode(false) // not reached: ip and ip6 are valid everywhere
	}
	return n
}

// ipProto tests the IPv4 protocol field.
func (p *parser) ipProto(v uint32, at token) (node, error) {
	l, err := p.linktype(etIP, at)
	if err != nil {
		return nil, err
	}
	return and(l, eq(p.offNL+9, 1, v)), nil
}

// ip6Proto tests the IPv6 next header, directly or after one fragment header.
func (p *parser) ip6Proto(v uint32, at token) (node, error) {
	l, err := p.linktype(etIP6, at)
	if err != nil {
		return nil, err
	}
	return and(l, or(eq(p.offNL+6, 1, v), and(eq(p.offNL+6, 1, 44), eq(p.offNL+40, 1, v)))), nil
}

func (p *parser) anyProto(v uint32, at token) (node, error) {
	a, err := p.ipProto(v, at)
	if err != nil {
		return nil, err
	}
	b, err := p.ip6Proto(v, at)
	if err != nil {
		return nil, err
	}
	return or(a, b), nil
}

var protoNums = map[protoQ]uint32{
	pTCP: 6, pUDP: 17, pSCTP: 132, pICMP: 1, pICMP6: 58, pIGMP: 2, pIGRP: 9, pPIM: 103,
	pVRRP: 112, pCARP: 112, pAH: 51, pESP: 50,
}

// protoAbbrev compiles a protocol name used alone ("tcp", "ip6", "arp").
func (p *parser) protoAbbrev(pq protoQ, at token) (node, error) {
	switch pq {
	case pLink:
		return nil, errAt(at, "link layer applied in wrong context")
	case pIP:
		return p.linktype(etIP, at)
	case pIP6:
		return p.linktype(etIP6, at)
	case pARP:
		return p.linktype(etARP, at)
	case pRARP:
		return p.linktype(etRARP, at)
	case pICMP, pIGMP, pIGRP, pVRRP, pCARP:
		return p.ipProto(protoNums[pq], at)
	case pICMP6:
		return p.ip6Proto(58, at)
	}
	return p.anyProto(protoNums[pq], at)
}

// dirOp combines a source and a destination test by direction.
func dirOp(dq dirQ, src, dst func() node) node {
	switch dq {
	case dSrc:
		return src()
	case dDst:
		return dst()
	case dAnd:
		return and(src(), dst())
	default:
		return or(src(), dst())
	}
}

func (p *parser) host4(v, mask uint32, q qual, at token) (node, error) {
	one := func(et uint32, srcOff, dstOff uint32) (node, error) {
		l, err := p.linktype(et, at)
		if err != nil {
			return nil, err
		}
		return dirOp(q.dir,
			func() node { return and(l, eqMask(p.offNL+srcOff, 4, mask, v)) },
			func() node { return and(l, eqMask(p.offNL+dstOff, 4, mask, v)) }), nil
	}
	switch q.proto {
	case pDefault:
		a, err := one(etIP, 12, 16)
		if err != nil {
			return nil, err
		}
		if p.mplsSeen > 0 {
			return a, nil
		}
		b, _ := one(etARP, 14, 24)
		c, _ := one(etRARP, 14, 24)
		return or(or(a, b), c), nil
	case pIP:
		return one(etIP, 12, 16)
	case pARP:
		return one(etARP, 14, 24)
	case pRARP:
		return one(etRARP, 14, 24)
	case pLink:
		return nil, errAt(at, "illegal link layer address")
	}
	return nil, errAt(at, "'%s' modifier applied to host", q.proto)
}

func (p *parser) genNum(t token, q qual) (node, error) {
	var v uint32
	bits := 32
	if t.kind == tHID {
		var ok bool
		v, bits, ok = parseHID(t.text)
		if !ok {
			return nil, errAt(t, "invalid IPv4 address %s", t.text)
		}
	} else {
		v = t.num
	}
	switch q.addr {
	case aDefault, aHost, aNet:
		if q.proto == pLink {
			return nil, errAt(t, "illegal link layer address")
		}
		mask := uint32(0xffffffff)
		if t.kind == tNum && q.addr == aNet {
			// Promote a short network number: "net 10" is 10.0.0.0/8.
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		} else {
			v <<= 32 - uint(bits)
			mask <<= 32 - uint(bits)
		}
		return p.host4(v, mask, q, t)
	case aPort:
		if v > 65535 {
			return nil, errAt(t, "illegal port number %d > 65535", v)
		}
		return p.genPort(q, v, v, -1, t)
	case aPortRange:
		if v > 65535 {
			return nil, errAt(t, "illegal port number %d > 65535", v)
		}
		return p.genPort(q, v, v, -1, t)
	case aProto:
		return p.genProtoNum(q, v, t)
	}
	return nil, errAt(t, "unexpected %s", t)
}

func (p *parser) genNet4(t token, q qual, mask uint32, explicit bool, mt token) (node, error) {
	v, bits, ok := parseHID(t.text)
	if !ok {
		return nil, errAt(t, "invalid IPv4 address %s", t.text)
	}
	v <<= 32 - uint(bits)
	if q.addr != aNet {
		return nil, errAt(t, "mask syntax for networks only")
	}
	shown := t.text + " mask " + mt.text
	if mt.kind == tNum {
		if mt.num > 32 {
			return nil, errAt(mt, "mask length must be <= 32")
		}
		shown = t.text + "/" + mt.text
	}
	if v&^mask != 0 {
		return nil, errAt(t, "non-network bits set in %q", shown)
	}
	q.addr = aNet
	return p.host4(v, mask, q, t)
}

func (p *parser) genHost6(t token, q qual, plen uint32) (node, error) {
	a, err := netip.ParseAddr(t.text)
	if err != nil {
		return nil, errAt(t, "invalid IPv6 address %s", t.text)
	}
	if plen > 128 {
		return nil, errAt(t, "mask length must be <= 128")
	}
	switch q.addr {
	case aDefault, aNet:
	case aHost:
		if plen != 128 {
			return nil, errAt(t, "mask syntax for networks only")
		}
	default:
		return nil, errAt(t, "invalid qualifier against IPv6 address")
	}
	b := a.As16()
	var m [16]byte
	for i := 0; i < 16; i++ {
		switch {
		case plen >= uint32(8*(i+1)):
			m[i] = 0xff
		case plen > uint32(8*i):
			m[i] = byte(0xff << (8 - (plen - uint32(8*i))))
		}
		if b[i]&^m[i] != 0 {
			return nil, errAt(t, "non-network bits set in \"%s/%d\"", t.text, plen)
		}
	}
	switch q.proto {
	case pDefault, pIP6:
	default:
		what := "host"
		if q.addr == aNet || plen != 128 {
			what = "net"
		}
		return nil, errAt(t, "'%s' modifier applied to ip6 %s", q.proto, what)
	}
	side := func(off uint32) node {
		l := p.mustLink(etIP6, t)
		var n node = l
		for w := 0; w < 4; w++ {
			v := uint32(b[4*w])<<24 | uint32(b[4*w+1])<<16 | uint32(b[4*w+2])<<8 | uint32(b[4*w+3])
			mk := uint32(m[4*w])<<24 | uint32(m[4*w+1])<<16 | uint32(m[4*w+2])<<8 | uint32(m[4*w+3])
			n = and(n, eqMask(p.offNL+off+uint32(4*w), 4, mk, v))
		}
		return n
	}
	return dirOp(q.dir, func() node { return side(8) }, func() node { return side(24) }), nil
}

func (p *parser) macHost(mac [6]byte, dq dirQ, at token) (node, error) {
	if p.isSLL() {
		return nil, errAt(at, "ethernet addresses are not supported on Linux cooked captures")
	}
	if p.noMAC() != "" {
		return nil, errAt(at, "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel")
	}
	lo := uint32(mac[2])<<24 | uint32(mac[3])<<16 | uint32(mac[4])<<8 | uint32(mac[5])
	hi := uint32(mac[0])<<8 | uint32(mac[1])
	side := func(off uint32) node { return and(eq(off+2, 4, lo), eq(off, 2, hi)) }
	return dirOp(dq, func() node { return side(6) }, func() node { return side(0) }), nil
}

func (p *parser) genEther(t token, q qual) (node, error) {
	mac, ok := parseMAC(t.text)
	if !ok {
		return nil, errAt(t, "invalid MAC address %s", t.text)
	}
	if (q.addr == aDefault || q.addr == aHost) && q.proto == pLink {
		return p.macHost(mac, q.dir, t)
	}
	return nil, errAt(t, "ethernet address used in non-ether expression")
}

func (p *parser) genName(t token, q qual) (node, error) {
	switch q.addr {
	case aDefault, aHost:
		if q.proto == pLink {
			return nil, errAt(t, "ethernet host names are not resolved; use a MAC address")
		}
		return nil, errAt(t, "host names are not resolved; use an address (%s)", t.text)
	case aNet:
		return nil, errAt(t, "network names are not resolved; use an address (%s)", t.text)
	case aPort:
		port, pr, ok := lookupPort(t.text)
		if !ok {
			return nil, errAt(t, "unknown port '%s'", t.text)
		}
		return p.genPort(q, port, port, pr, t)
	case aPortRange:
		lo, hi, pr, err := parsePortRange(t.text)
		if err != nil {
			return nil, errAt(t, "%v", err)
		}
		return p.genPort(q, lo, hi, pr, t)
	case aProto:
		if q.proto == pLink {
			v, ok := etherProtoNames[t.text]
			if t.text == "atalk" || t.text == "aarp" || t.text == "ipx" {
				return nil, errAt(t, "ether proto %s is not supported by wirebom's filter compiler", t.text)
			}
			if !ok {
				return nil, errAt(t, "unknown ether proto '%s'", t.text)
			}
			return p.genProtoNum(q, v, t)
		}
		v, ok := ipProtoNames[t.text]
		if !ok {
			what := "ip"
			if q.proto == pIP6 {
				what = "ip6"
			}
			return nil, errAt(t, "unknown %s proto '%s'", what, t.text)
		}
		return p.genProtoNum(q, v, t)
	}
	return nil, errAt(t, "unexpected %s", t)
}

// genProtoNum compiles "[ether|ip|ip6] proto N".
func (p *parser) genProtoNum(q qual, v uint32, t token) (node, error) {
	switch q.proto {
	case pDefault:
		return p.anyProto(v, t)
	case pIP:
		return p.ipProto(v, t)
	case pIP6:
		return p.ip6Proto(v, t)
	case pLink:
		return p.linktype(v, t)
	}
	return nil, errAt(t, "'%s' does not take a proto qualifier", q.proto)
}

// genPort compiles port / portrange tests for the transport in q (any of
// tcp, udp, sctp when q.proto is the default). fromName is the protocol a
// port name is registered for (-1 for numbers and names known for all).
func (p *parser) genPort(q qual, lo, hi uint32, fromName int, t token) (node, error) {
	if lo > hi {
		lo, hi = hi, lo
	}
	var protos []uint32
	switch q.proto {
	case pTCP, pUDP, pSCTP:
		want := protoNums[q.proto]
		if fromName >= 0 && uint32(fromName) != want {
			return nil, errAt(t, "port '%s' is %s", t.text, ipProtoName(uint32(fromName)))
		}
		protos = []uint32{want}
	case pDefault:
		if fromName >= 0 {
			protos = []uint32{uint32(fromName)}
		} else {
			protos = []uint32{132, 6, 17}
		}
	default:
		return nil, errAt(t, "illegal qualifier of 'port'")
	}
	inRange := func(load func(off uint32) []bpf.Instruction, off uint32) node {
		if lo == hi {
			return &testNode{pre: load(off), cond: bpf.JumpEqual, k: lo}
		}
		return and(&testNode{pre: load(off), cond: bpf.JumpGreaterOrEqual, k: lo},
			not(&testNode{pre: load(off), cond: bpf.JumpGreaterThan, k: hi}))
	}
	load6 := func(off uint32) []bpf.Instruction {
		return []bpf.Instruction{bpf.LoadAbsolute{Off: p.offNL + 40 + off, Size: 2}}
	}
	load4 := func(off uint32) []bpf.Instruction {
		return []bpf.Instruction{bpf.LoadMemShift{Off: p.offNL}, bpf.LoadIndirect{Off: p.offNL + off, Size: 2}}
	}
	var six, four node
	l6, err := p.linktype(etIP6, t)
	if err != nil {
		return nil, err
	}
	l4, err := p.linktype(etIP, t)
	if err != nil {
		return nil, err
	}
	var alt6, alt4 node
	for _, pr := range protos {
		alt6 = or(alt6, and(eq(p.offNL+6, 1, pr),
			dirOp(q.dir, func() node { return inRange(load6, 0) }, func() node { return inRange(load6, 2) })))
		alt4 = or(alt4, and(and(eq(p.offNL+9, 1, pr), not(&testNode{
			pre: []bpf.Instruction{bpf.LoadAbsolute{Off: p.offNL + 6, Size: 2}}, cond: bpf.JumpBitsSet, k: 0x1fff})),
			dirOp(q.dir, func() node { return inRange(load4, 0) }, func() node { return inRange(load4, 2) })))
	}
	six = and(l6, alt6)
	four = and(l4, alt4)
	return or(six, four), nil
}

func (p *parser) genVLAN(t token) (node, error) {
	if p.isSLL() {
		return nil, errAt(t, "no VLAN support for Linux cooked captures")
	}
	if l := p.noMAC(); l != "" {
		return nil, errAt(t, "no VLAN support for %s", l)
	}
	if p.mplsSeen > 0 {
		return nil, errAt(t, "no VLAN match after MPLS")
	}
	var id *token
	if n := p.peek(); n.kind == tNum && !isRelop(p.peekAt(1)) && !isArithOp(p.peekAt(1)) {
		p.next()
		if n.num > 4095 {
			return nil, errAt(n, "VLAN tag %d greater than maximum 4095", n.num)
		}
		id = &n
	}
	var res node
	if p.opts.LiveVLANOffload && p.vlanSeen == 0 {
		// The kernel moved the outermost tag into the socket buffer's
		// metadata: test it there, and the frame keeps its plain offsets.
		res = &testNode{pre: []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtVLANTagPresent}}, cond: bpf.JumpEqual, k: 1}
		if id != nil {
			res = and(res, &testNode{pre: []bpf.Instruction{
				bpf.LoadExtension{Num: bpf.ExtVLANTag},
				bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0fff}}, cond: bpf.JumpEqual, k: id.num})
		}
		p.liveTagUsed = true
		p.vlanSeen++
		return res, nil
	}
	tpid := or(or(eq(p.offLinkType, 2, 0x8100), eq(p.offLinkType, 2, 0x88a8)), eq(p.offLinkType, 2, 0x9100))
	res = tpid
	if id != nil {
		res = and(res, eqMask(p.offLinkType+2, 2, 0x0fff, id.num))
	}
	p.offLinkType += 4
	p.offNL += 4
	p.vlanSeen++
	return res, nil
}

func (p *parser) genMPLS(t token) (node, error) {
	if p.isSLL() {
		return nil, errAt(t, "mpls is not supported on Linux cooked captures by wirebom's filter compiler")
	}
	if l := p.noMAC(); l != "" {
		return nil, errAt(t, "no MPLS support for %s", l)
	}
	var res node
	if p.mplsSeen == 0 {
		res = eq(p.offLinkType, 2, etMPLS)
	} else {
		// The previous label must not be the bottom of the stack.
		res = eqMask(p.offNL-2, 1, 0x01, 0)
	}
	if n := p.peek(); n.kind == tNum && !isRelop(p.peekAt(1)) && !isArithOp(p.peekAt(1)) {
		p.next()
		if n.num > 0xfffff {
			return nil, errAt(n, "MPLS label %d greater than maximum 1048575", n.num)
		}
		res = and(res, eqMask(p.offNL, 4, 0xfffff000, n.num<<12))
	}
	p.offNL += 4
	p.mplsSeen++
	return res, nil
}

// genCast compiles [ether|ip|ip6] broadcast|multicast.
func (p *parser) genCast(t token, pq protoQ, at token) (node, error) {
	bcast := t.is("broadcast")
	switch pq {
	case pDefault, pLink:
		if p.isSLL() {
			if bcast {
				return nil, errAt(t, "not a broadcast link")
			}
			return nil, errAt(t, "link-layer multicast filters are not supported on Linux cooked captures")
		}
		if p.noMAC() != "" {
			if bcast {
				return nil, errAt(t, "not a broadcast link")
			}
			return nil, errAt(t, "link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel")
		}
		if bcast {
			return and(eq(2, 4, 0xffffffff), eq(0, 2, 0xffff)), nil
		}
		return &testNode{pre: []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 1}}, cond: bpf.JumpBitsSet, k: 1}, nil
	case pIP:
		l, err := p.linktype(etIP, at)
		if err != nil {
			return nil, err
		}
		if bcast {
			hm := ^p.opts.Netmask
			return and(l, or(eqMask(p.offNL+16, 4, hm, 0), eqMask(p.offNL+16, 4, hm, hm))), nil
		}
		return and(l, cmp(p.offNL+16, 1, 0xff, bpf.JumpGreaterOrEqual, 224)), nil
	case pIP6:
		if bcast {
			return nil, errAt(t, "only link-layer/IP broadcast filters supported")
		}
		l, err := p.linktype(etIP6, at)
		if err != nil {
			return nil, err
		}
		return and(l, eq(p.offNL+24, 1, 0xff)), nil
	}
	if bcast {
		return nil, errAt(t, "only link-layer/IP broadcast filters supported")
	}
	return nil, errAt(t, "only link-layer/IP/IPv6 multicast filters supported")
}
