package asset

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wirebom/wirebom/parse/oui"
)

// SchemaVersion identifies the JSON layout of Report. It changes only when
// a field is removed or changes meaning; fields may be added.
const SchemaVersion = "wirebom.assets/v1"

// Report is a snapshot of a Table: the JSON document `wirebom assets
// --json` writes (see the package documentation for the schema). Strings
// that came from the wire are kept as received (truncated to
// Limits.MaxValueLen); the writers escape them for their format.
type Report struct {
	Schema       string     `json:"schema"`
	OUIRegistry  string     `json:"oui_registry"`
	Observations uint64     `json:"observations"`
	Dropped      uint64     `json:"dropped"`
	Assets       []Asset    `json:"assets"`
	Conflicts    []Conflict `json:"conflicts"`
}

// Asset is one device: everything the table learned about one MAC address
// (or, for frames without a usable MAC, one IP address).
type Asset struct {
	// MAC is the device's MAC address ("" for an asset known only by IP,
	// from captures without link-layer addresses).
	MAC string `json:"mac"`
	// Vendor is the IEEE registry organisation of the MAC prefix; empty
	// when the address is locally administered or the prefix unassigned.
	Vendor string `json:"vendor,omitempty"`
	// LocallyAdministered: the U/L bit is set, the OUI means nothing.
	LocallyAdministered bool `json:"locally_administered"`
	// Multicast: the I/G bit is set (never a valid source address).
	Multicast bool        `json:"multicast"`
	IPs       []AssetIP   `json:"ips"`
	Names     []AssetName `json:"names"`
	Identity  []Fact      `json:"identity"`
	Protocols []string    `json:"protocols"`
	Roles     []string    `json:"roles"`
	VLANs     []int       `json:"vlans"`
	FirstSeen time.Time   `json:"first_seen,omitzero"`
	LastSeen  time.Time   `json:"last_seen,omitzero"`
	Packets   uint64      `json:"packets"`
	Bytes     uint64      `json:"bytes"`
}

// AssetIP is one IP address seen with an asset.
type AssetIP struct {
	IP string `json:"ip"`
	// Evidence is "strong" (announced or assigned at layer 2: ARP, DCP,
	// DHCP, LLDP/CDP management address, ENIP identity) or "weak" (only
	// seen as the source of IP packets from this MAC).
	Evidence string `json:"evidence"`
	// Routed is true for a weak IP on an asset labelled "router", or a
	// weak IP that another MAC claims strongly: the address most likely
	// belongs to a host behind this MAC, not to it.
	Routed    bool      `json:"routed"`
	Sources   []string  `json:"sources"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// AssetName is one name an asset was given, with the protocol that said so.
type AssetName struct {
	Name string `json:"name"`
	// Hex holds the raw bytes when Name is not valid UTF-8 (Name then
	// has U+FFFD in their place).
	Hex       string    `json:"hex,omitempty"`
	Source    string    `json:"source"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// Fact is one identity fact (see the Key constants).
type Fact struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Hex holds the raw bytes when Value is not valid UTF-8.
	Hex    string `json:"hex,omitempty"`
	Source string `json:"source"`
	// Meaning is what a numeric code stands for, from wirebom's embedded
	// tables (vendor names for Profinet and ODVA vendor IDs, CIP device
	// types, DCP device roles); empty when unknown.
	Meaning   string    `json:"meaning,omitempty"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// Conflict is a value that two or more devices claim: the same IP address
// claimed with strong evidence, or the same Profinet NameOfStation. On a
// healthy network neither happens; ARP or DCP spoofing looks like this.
type Conflict struct {
	// Kind is "ip" or "name_of_station".
	Kind   string  `json:"kind"`
	Value  string  `json:"value"`
	Hex    string  `json:"hex,omitempty"`
	Claims []Claim `json:"claims"`
}

// Claim is one device's claim in a Conflict.
type Claim struct {
	MAC       string    `json:"mac"`
	Source    string    `json:"source"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// Report returns a snapshot of the table: assets sorted by MAC (IP-only
// assets last, by IP), conflicts sorted by kind and value.
func (t *Table) Report() Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := Report{
		Schema:       SchemaVersion,
		OUIRegistry:  oui.Version(),
		Observations: t.obs,
		Dropped:      t.dropped,
		Assets:       make([]Asset, 0, len(t.assets)+len(t.byIP)),
		Conflicts:    []Conflict{},
	}
	macs := make([]MAC, 0, len(t.assets))
	for m := range t.assets {
		macs = append(macs, m)
	}
	sort.Slice(macs, func(i, j int) bool { return bytes.Compare(macs[i][:], macs[j][:]) < 0 })
	for _, m := range macs {
		r.Assets = append(r.Assets, t.asset(t.assets[m]))
	}
	ips := make([]netip.Addr, 0, len(t.byIP))
	for a := range t.byIP {
		ips = append(ips, a)
	}
	sort.Slice(ips, func(i, j int) bool { return ips[i].Less(ips[j]) })
	for _, a := range ips {
		r.Assets = append(r.Assets, t.asset(t.byIP[a]))
	}
	for a, list := range t.ipClaim {
		if len(list) > 1 {
			r.Conflicts = append(r.Conflicts, conflict("ip", a.String(), list))
		}
	}
	for n, list := range t.nosClam {
		if len(list) > 1 {
			r.Conflicts = append(r.Conflicts, conflict("name_of_station", n, list))
		}
	}
	sort.Slice(r.Conflicts, func(i, j int) bool {
		a, b := r.Conflicts[i], r.Conflicts[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Kind == "ip" {
			pa, _ := netip.ParseAddr(a.Value)
			pb, _ := netip.ParseAddr(b.Value)
			return pa.Less(pb)
		}
		return a.Value < b.Value
	})
	return r
}

func conflict(kind, value string, list []claim) Conflict {
	c := Conflict{Kind: kind, Value: validUTF8(value), Hex: rawHex(value)}
	for _, cl := range list {
		c.Claims = append(c.Claims, Claim{
			MAC: cl.mac.String(), Source: string(cl.src),
			FirstSeen: cl.seen.firstTime(), LastSeen: cl.seen.lastTime(),
		})
	}
	sort.Slice(c.Claims, func(i, j int) bool { return c.Claims[i].MAC < c.Claims[j].MAC })
	return c
}

// validUTF8 returns s with invalid bytes replaced by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// rawHex returns the hex of s when s is not valid UTF-8, else "".
func rawHex(s string) string {
	if utf8.ValidString(s) {
		return ""
	}
	return hex.EncodeToString([]byte(s))
}

// isRouter reports whether e sourced more IPs it never claimed strongly
// than the router threshold allows: more than RouterIPs IPv4 addresses,
// or more than 4*RouterIPs IPv6 addresses outside fe80::/10 (an IPv6 host
// legitimately uses several: stable, temporary, per-prefix).
func (t *Table) isRouter(e *entry) bool {
	n4, n6 := 0, 0
	for i := range e.ips {
		ip := &e.ips[i]
		switch {
		case ip.ev != EvidenceWeak:
		case ip.addr.Is4():
			n4++
		case !ip.addr.IsLinkLocalUnicast():
			n6++
		}
	}
	return n4 > t.lim.RouterIPs || n6 > 4*t.lim.RouterIPs
}

func (t *Table) asset(e *entry) Asset {
	a := Asset{
		Protocols: []string{},
		Roles:     []string{},
		VLANs:     []int{},
		IPs:       []AssetIP{},
		Names:     []AssetName{},
		Identity:  []Fact{},
		FirstSeen: e.seen.firstTime(),
		LastSeen:  e.seen.lastTime(),
		Packets:   e.packets,
		Bytes:     e.bytes,
	}
	if !e.mac.IsZero() {
		a.MAC = e.mac.String()
		a.LocallyAdministered = e.mac.IsLocal()
		a.Multicast = e.mac.IsMulticast()
		if !a.LocallyAdministered && !a.Multicast {
			if org, _, ok := oui.Lookup(e.mac); ok {
				a.Vendor = org
			}
		}
	}
	router := t.isRouter(e)
	for _, p := range e.protocols {
		a.Protocols = append(a.Protocols, string(p))
	}
	sort.Strings(a.Protocols)
	for _, r := range e.roles {
		a.Roles = append(a.Roles, string(r))
	}
	if router && !containsRole(e.roles, RoleRouter) {
		a.Roles = append(a.Roles, string(RoleRouter))
	}
	sort.Strings(a.Roles)
	for _, v := range e.vlans {
		a.VLANs = append(a.VLANs, int(v))
	}
	sort.Ints(a.VLANs)

	ips := slices.Clone(e.ips)
	sort.Slice(ips, func(i, j int) bool {
		x, y := &ips[i], &ips[j]
		if x.ev != y.ev {
			return x.ev > y.ev
		}
		return x.addr.Less(y.addr)
	})
	names := slices.Clone(e.names)
	for _, ip := range ips {
		routed := false
		if ip.ev == EvidenceWeak {
			routed = router || t.heldByOther(ip.addr, e.mac)
		}
		srcs := make([]string, 0, len(ip.srcs))
		for _, s := range ip.srcs {
			srcs = append(srcs, string(s))
		}
		sort.Strings(srcs)
		a.IPs = append(a.IPs, AssetIP{
			IP: ip.addr.String(), Evidence: ip.ev.String(), Routed: routed,
			Sources: srcs, FirstSeen: ip.seen.firstTime(), LastSeen: ip.seen.lastTime(),
		})
		if !routed {
			for _, n := range t.dnsName[ip.addr] {
				if !containsName(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool {
		pi, pj := namePriority(names[i].src), namePriority(names[j].src)
		if pi != pj {
			return pi < pj
		}
		return names[i].seen.first < names[j].seen.first
	})
	for _, n := range names {
		a.Names = append(a.Names, AssetName{
			Name: validUTF8(n.value), Hex: rawHex(n.value), Source: string(n.src),
			FirstSeen: n.seen.firstTime(), LastSeen: n.seen.lastTime(),
		})
	}
	for _, f := range e.fields {
		v := f.value
		if f.numeric {
			v = formatNum(f.key, f.src, f.num)
		}
		a.Identity = append(a.Identity, Fact{
			Key: string(f.key), Value: validUTF8(v), Hex: rawHex(v), Source: string(f.src),
			Meaning: meaning(f), FirstSeen: f.seen.firstTime(), LastSeen: f.seen.lastTime(),
		})
	}
	sort.SliceStable(a.Identity, func(i, j int) bool {
		x, y := &a.Identity[i], &a.Identity[j]
		if x.Source != y.Source {
			return x.Source < y.Source
		}
		return keyPriority(x.Key) < keyPriority(y.Key)
	})
	return a
}

func (t *Table) heldByOther(a netip.Addr, mac MAC) bool {
	for _, c := range t.ipClaim[a] {
		if c.mac != mac {
			return true
		}
	}
	return false
}

func containsName(list []nameRec, n nameRec) bool {
	for _, v := range list {
		if v.src == n.src && v.value == n.value {
			return true
		}
	}
	return false
}

// namePriority orders names by how authoritative their source is for the
// device's own identity.
func namePriority(p Protocol) int {
	switch p {
	case ProtoPNDCP:
		return 0
	case ProtoLLDP:
		return 1
	case ProtoCDP:
		return 2
	case ProtoS7comm:
		return 3
	case ProtoBACnet:
		return 4
	case ProtoDHCP:
		return 5
	case ProtoDNS:
		return 7
	}
	return 6
}

var keyOrder = []Key{
	KeyVendorID, KeyVendorName, KeyDeviceID, KeyDeviceType, KeyProductCode, KeyProductName,
	KeyModel, KeyTypeOfStation, KeyModuleType, KeyModuleName, KeyOrderNumber, KeyRevision,
	KeyFirmware, KeyHardware, KeySoftware, KeyPlatform, KeySysDesc, KeySerial,
}

func keyPriority(k string) int {
	for i, v := range keyOrder {
		if string(v) == k {
			return i
		}
	}
	return len(keyOrder)
}

// formatNum renders a numeric identity field the way the protocol's own
// tools show it.
func formatNum(k Key, src Protocol, n uint64) string {
	switch k {
	case KeyRevision:
		return fmt.Sprintf("%d.%02d", n>>8, n&0xff) // as Wireshark shows it: 4.03
	case KeySerial, KeyStatus:
		if src == ProtoENIP {
			if k == KeyStatus {
				return fmt.Sprintf("0x%04x", n)
			}
			return fmt.Sprintf("0x%08x", n)
		}
	case KeyDeviceRole:
		return fmt.Sprintf("0x%02x", n)
	}
	if src == ProtoPNDCP {
		return fmt.Sprintf("0x%04x", n)
	}
	return fmt.Sprintf("%d", n)
}
