package asset

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Limits bound the memory a Table may use, so that a hostile or corrupt
// capture (random source MACs, endless distinct names) cannot exhaust it.
// Observations beyond a limit are counted in Report.Dropped, never an error.
type Limits struct {
	MaxAssets      int // distinct MACs (default 65536)
	MaxIPsPerAsset int // distinct IPs per MAC (default 256)
	MaxNames       int // distinct (name, source) pairs per MAC (default 32)
	MaxFields      int // distinct (key, source, value) identity facts per MAC (default 64)
	MaxValueLen    int // bytes kept of any string from the wire (default 512)
	MaxIPClaims    int // MACs remembered per strongly-claimed IP or NameOfStation (default 16)
	MaxDNSIPs      int // IPs remembered with DNS names but no MAC (default 65536)
	// MaxStringBytes bounds the bytes of all names and identity values
	// kept (default 64 MiB).
	MaxStringBytes int
	// RouterIPs: a MAC that sourced more than this many IPv4 addresses
	// (or four times as many IPv6 addresses outside fe80::/10) that it
	// never claimed strongly is labelled a router, and those IPs are shown
	// as routed rather than as its own (default 4).
	RouterIPs int
}

// DefaultLimits are the limits NewTable uses.
var DefaultLimits = Limits{
	MaxAssets:      65536,
	MaxIPsPerAsset: 256,
	MaxNames:       32,
	MaxFields:      64,
	MaxValueLen:    512,
	MaxIPClaims:    16,
	MaxDNSIPs:      65536,
	MaxStringBytes: 64 << 20,
	RouterIPs:      4,
}

// Table folds observations into one record per device, keyed by MAC.
// It is safe for concurrent use.
type Table struct {
	mu      sync.Mutex
	lim     Limits
	assets  map[MAC]*entry         // devices with a MAC
	byIP    map[netip.Addr]*entry  // devices seen only with a zero MAC
	ipClaim map[netip.Addr][]claim // strong IP claims
	nosClam map[string][]claim     // NameOfStation claims
	dnsName map[netip.Addr][]nameRec
	dropped uint64
	obs     uint64
	strMem  int // bytes of names and values kept, against MaxStringBytes
}

// maxDNSNames bounds the names remembered per IP from DNS answers.
const maxDNSNames = 4

type claim struct {
	mac  MAC
	src  Protocol
	seen seen
}

type entry struct {
	mac            MAC
	key            netip.Addr // zero-MAC devices: the IP they are keyed by
	seen           seen
	packets, bytes uint64
	protocols      []Protocol
	roles          []Role
	vlans          []uint16
	ips            []ipRec
	names          []nameRec
	fields         []fieldRec
}

type ipRec struct {
	addr netip.Addr
	ev   Evidence
	srcs []Protocol
	seen seen
}

type nameRec struct {
	value string
	src   Protocol
	seen  seen
}

type fieldRec struct {
	key     Key
	src     Protocol
	value   string
	num     uint64
	numeric bool
	seen    seen
}

// NewTable returns an empty table with DefaultLimits.
func NewTable() *Table { return NewTableLimits(DefaultLimits) }

// NewTableLimits returns an empty table with the given limits; zero fields
// take their default.
func NewTableLimits(l Limits) *Table {
	d := DefaultLimits
	def := func(v *int, dv int) {
		if *v <= 0 {
			*v = dv
		}
	}
	def(&l.MaxAssets, d.MaxAssets)
	def(&l.MaxIPsPerAsset, d.MaxIPsPerAsset)
	def(&l.MaxNames, d.MaxNames)
	def(&l.MaxFields, d.MaxFields)
	def(&l.MaxValueLen, d.MaxValueLen)
	def(&l.MaxIPClaims, d.MaxIPClaims)
	def(&l.MaxDNSIPs, d.MaxDNSIPs)
	def(&l.MaxStringBytes, d.MaxStringBytes)
	def(&l.RouterIPs, d.RouterIPs)
	return &Table{
		lim:     l,
		assets:  make(map[MAC]*entry),
		byIP:    make(map[netip.Addr]*entry),
		ipClaim: make(map[netip.Addr][]claim),
		nosClam: make(map[string][]claim),
		dnsName: make(map[netip.Addr][]nameRec),
	}
}

// Len returns the number of assets (distinct MACs) in the table.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.assets) + len(t.byIP)
}

// Observe folds one observation into the table. It never fails: values
// beyond the table's Limits are dropped and counted. See Observation for
// what Observe retains.
func (t *Table) Observe(o Observation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.obs++
	if o.ByIP {
		t.observeIPOnly(&o)
		return
	}
	e := t.assets[o.MAC]
	if o.MAC.IsZero() {
		e = t.zeroMACEntry(&o)
	}
	if e == nil {
		if o.MAC.IsZero() || len(t.assets)+len(t.byIP) >= t.lim.MaxAssets {
			t.dropped++
			return
		}
		e = &entry{mac: o.MAC}
		t.assets[o.MAC] = e
	}
	ts := stampOf(o.Time)
	e.seen.add(ts)
	e.packets += o.Packets
	e.bytes += o.Bytes
	if o.Protocol != "" && !containsProto(e.protocols, o.Protocol) && len(e.protocols) < 64 {
		e.protocols = append(e.protocols, Protocol(t.clip(string(o.Protocol))))
	}
	if o.Role != RoleNone && !containsRole(e.roles, o.Role) && len(e.roles) < 32 {
		e.roles = append(e.roles, Role(t.clip(string(o.Role))))
	}
	if o.VLAN != 0 && !containsU16(e.vlans, o.VLAN&0x0fff) && len(e.vlans) < 64 {
		e.vlans = append(e.vlans, o.VLAN&0x0fff)
	}
	for i := range o.IPs {
		t.addIP(e, &o.IPs[i], ts)
	}
	for i := range o.Names {
		t.addName(e, &o.Names[i], ts)
	}
	for i := range o.Identity {
		t.addField(e, &o.Identity[i], ts)
	}
}

// zeroMACEntry returns (creating it) the entry of a device without a MAC,
// keyed by the observation's first usable IP, or nil.
func (t *Table) zeroMACEntry(o *Observation) *entry {
	for i := range o.IPs {
		a := o.IPs[i].Addr
		if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
			continue
		}
		a = a.Unmap()
		e := t.byIP[a]
		if e == nil {
			if len(t.assets)+len(t.byIP) >= t.lim.MaxAssets {
				return nil
			}
			e = &entry{key: a}
			t.byIP[a] = e
		}
		return e
	}
	return nil
}

// observeIPOnly keeps names of observations that know only an IP (DNS).
func (t *Table) observeIPOnly(o *Observation) {
	if len(o.Names) == 0 || len(o.IPs) == 0 {
		t.dropped++
		return
	}
	for i := range o.IPs {
		a := o.IPs[i].Addr
		if !a.IsValid() {
			continue
		}
		list, ok := t.dnsName[a]
		if !ok && len(t.dnsName) >= t.lim.MaxDNSIPs {
			t.dropped++
			continue
		}
		for j := range o.Names {
			n := &o.Names[j]
			if n.Value == "" {
				continue
			}
			list = t.mergeName(list, n, stampOf(o.Time), maxDNSNames)
		}
		t.dnsName[a] = list
	}
}

func (t *Table) clip(s string) string {
	if len(s) > t.lim.MaxValueLen {
		s = s[:t.lim.MaxValueLen]
	}
	return strings.Clone(s)
}

// stamp is a capture time in Unix nanoseconds; ok is false when the
// observation had no time.
type stamp struct {
	ns int64
	ok bool
}

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return stamp{}
	}
	return stamp{ns: t.UnixNano(), ok: true}
}

// seen is the first and last time something was observed. The zero value
// means never (or only without timestamps).
type seen struct {
	first, last int64
	ok          bool
}

func (s *seen) add(ts stamp) {
	switch {
	case !ts.ok:
	case !s.ok:
		s.first, s.last, s.ok = ts.ns, ts.ns, true
	case ts.ns < s.first:
		s.first = ts.ns
	case ts.ns > s.last:
		s.last = ts.ns
	}
}

// firstTime returns the first time as UTC, zero when unknown.
func (s seen) firstTime() time.Time {
	if !s.ok {
		return time.Time{}
	}
	return time.Unix(0, s.first).UTC()
}

// lastTime returns the last time as UTC, zero when unknown.
func (s seen) lastTime() time.Time {
	if !s.ok {
		return time.Time{}
	}
	return time.Unix(0, s.last).UTC()
}

func (t *Table) addIP(e *entry, c *IPClaim, ts stamp) {
	a := c.Addr
	if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
		return
	}
	a = a.Unmap()
	var r *ipRec
	for i := range e.ips {
		if e.ips[i].addr == a {
			r = &e.ips[i]
			break
		}
	}
	if r == nil {
		if len(e.ips) >= t.lim.MaxIPsPerAsset {
			t.dropped++
			return
		}
		e.ips = append(e.ips, ipRec{addr: a})
		r = &e.ips[len(e.ips)-1]
	}
	r.seen.add(ts)
	if c.Evidence > r.ev {
		r.ev = c.Evidence
	}
	src := c.Source
	if src != "" && !containsProto(r.srcs, src) && len(r.srcs) < 16 {
		r.srcs = append(r.srcs, Protocol(t.clip(string(src))))
	}
	if c.Evidence == EvidenceStrong && !e.mac.IsZero() {
		list := t.ipClaim[a]
		if nl := t.addClaim(list, e.mac, src, ts); len(nl) != len(list) {
			t.ipClaim[a] = nl
		}
	}
}

func (t *Table) addClaim(list []claim, mac MAC, src Protocol, ts stamp) []claim {
	for i := range list {
		if list[i].mac == mac {
			list[i].seen.add(ts)
			return list
		}
	}
	if len(list) >= t.lim.MaxIPClaims {
		t.dropped++
		return list
	}
	c := claim{mac: mac, src: Protocol(t.clip(string(src)))}
	c.seen.add(ts)
	return append(list, c)
}

// spend reserves n bytes of the string budget; false (and a drop) when it
// is exhausted.
func (t *Table) spend(n int) bool {
	if t.strMem+n > t.lim.MaxStringBytes {
		t.dropped++
		return false
	}
	t.strMem += n
	return true
}

func (t *Table) mergeName(list []nameRec, n *Name, ts stamp, max int) []nameRec {
	v := n.Value
	if len(v) > t.lim.MaxValueLen {
		v = v[:t.lim.MaxValueLen]
	}
	for i := range list {
		if list[i].src == n.Source && list[i].value == v {
			list[i].seen.add(ts)
			return list
		}
	}
	if len(list) >= max {
		t.dropped++
		return list
	}
	if !t.spend(len(v)) {
		return list
	}
	r := nameRec{value: strings.Clone(v), src: Protocol(t.clip(string(n.Source)))}
	r.seen.add(ts)
	return append(list, r)
}

func (t *Table) addName(e *entry, n *Name, ts stamp) {
	if n.Value == "" {
		return
	}
	e.names = t.mergeName(e.names, n, ts, t.lim.MaxNames)
	if n.Source == ProtoPNDCP && !e.mac.IsZero() {
		v := n.Value
		if len(v) > t.lim.MaxValueLen {
			v = v[:t.lim.MaxValueLen]
		}
		list, ok := t.nosClam[v]
		if !ok {
			if len(t.nosClam) >= t.lim.MaxAssets*2 || !t.spend(len(v)) {
				if len(t.nosClam) >= t.lim.MaxAssets*2 {
					t.dropped++
				}
				return
			}
			v = strings.Clone(v)
		}
		if nl := t.addClaim(list, e.mac, n.Source, ts); !ok || len(nl) != len(list) {
			t.nosClam[v] = nl
		}
	}
}

func (t *Table) addField(e *entry, f *Field, ts stamp) {
	if f.Key == "" || (!f.Numeric && f.Value == "") {
		return
	}
	v := f.Value
	if len(v) > t.lim.MaxValueLen {
		v = v[:t.lim.MaxValueLen]
	}
	for i := range e.fields {
		r := &e.fields[i]
		if r.key != f.Key || r.src != f.Source || r.numeric != f.Numeric {
			continue
		}
		if (f.Numeric && r.num == f.Num) || (!f.Numeric && r.value == v) {
			r.seen.add(ts)
			return
		}
	}
	if len(e.fields) >= t.lim.MaxFields {
		t.dropped++
		return
	}
	if !f.Numeric && !t.spend(len(v)) {
		return
	}
	r := fieldRec{
		key:     Key(t.clip(string(f.Key))),
		src:     Protocol(t.clip(string(f.Source))),
		num:     f.Num,
		numeric: f.Numeric,
	}
	if !f.Numeric {
		r.value = strings.Clone(v)
	}
	r.seen.add(ts)
	e.fields = append(e.fields, r)
}

func containsProto(s []Protocol, p Protocol) bool {
	for _, v := range s {
		if v == p {
			return true
		}
	}
	return false
}

func containsRole(s []Role, p Role) bool {
	for _, v := range s {
		if v == p {
			return true
		}
	}
	return false
}

func containsU16(s []uint16, p uint16) bool {
	for _, v := range s {
		if v == p {
			return true
		}
	}
	return false
}
