package asset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzProtos = []Protocol{ProtoARP, ProtoIPv4, ProtoPNDCP, ProtoLLDP, ProtoDNS, ProtoENIP, ProtoS7comm, ""}
var fuzzKeys = []Key{KeyVendorID, KeyRevision, KeySerial, KeyDeviceRole, KeyDeviceType, KeyProductName, KeyStatus}

// FuzzObserve folds observations built from random bytes and strings into a
// small table and checks that nothing panics, that the counters add up and
// that all three writers produce valid, safe output.
func FuzzObserve(f *testing.F) {
	// Values from the corpus captures (pn_dcp_*, enip_listidentity_nmap,
	// s7comm_szl_ident_snap7) and hostile ones.
	f.Add([]byte{0x08, 0, 0x06, 0x93, 0xcf, 0x32, 192, 168, 0, 6, 1, 2, 42, 0, 0, 0}, "X208-BORD", "INC")
	f.Add([]byte{0x00, 0x02, 0xe3, 0x17, 0xc7, 0x50, 192, 168, 0, 11, 0x81, 2, 1, 1, 3, 4}, "%n%n%n ", "S7-300EC")
	f.Add([]byte{0x00, 0x19, 0x07, 0x24, 0x3c, 0xca, 10, 1, 1, 164, 0x41, 5, 0x03, 0x04, 0x8e, 0x4d}, "1756-ENBT/A", "")
	f.Add([]byte{0, 0, 0, 0, 0, 0, 172, 17, 0, 2, 0x06, 6, 0, 0, 0, 0}, "6ES7 315-2EH14-0AB0 ", "S C-C2UR28922012")
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "=cmd|' /C calc'!A0", "\x1b]0;x\x07\xff")
	f.Fuzz(checkFold)
}

// checkFold is FuzzObserve's body: observations from data, s1 and s2.
func checkFold(t *testing.T, data []byte, s1, s2 string) {
	tb := NewTableLimits(Limits{MaxAssets: 8, MaxIPsPerAsset: 8, MaxNames: 4, MaxFields: 8, MaxValueLen: 64, MaxIPClaims: 4, MaxDNSIPs: 8, RouterIPs: 2})
	var packets uint64
	for len(data) >= 16 {
		c := data[:16]
		data = data[16:]
		var m MAC
		copy(m[:], c[:6])
		m[5] &= 0x07 // collide often
		o := Observation{
			Time:     time.Unix(int64(c[12])*1000, int64(c[13])),
			MAC:      m,
			ByIP:     c[10]&0x20 != 0,
			VLAN:     uint16(c[11]) << 4,
			Packets:  uint64(c[10] & 1),
			Bytes:    uint64(c[14]),
			Protocol: fuzzProtos[int(c[11])%len(fuzzProtos)],
			Role:     Role(s2),
		}
		if c[10]&0x10 != 0 {
			o.Protocol = Protocol(s1)
		}
		a := netip.AddrFrom4([4]byte{c[6], c[7], c[8], c[9] & 0x0f})
		if c[10]&0x08 != 0 {
			a = netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: c[9]})
		}
		o.IPs = []IPClaim{{Addr: a, Evidence: Evidence(c[10] >> 7), Source: Protocol(s2)}}
		o.Names = []Name{{Value: s1, Source: fuzzProtos[int(c[12])%len(fuzzProtos)]}, {Value: s2, Source: ProtoPNDCP}}
		o.Identity = []Field{
			Text(fuzzKeys[int(c[13])%len(fuzzKeys)], ProtoENIP, s2),
			Number(fuzzKeys[int(c[14])%len(fuzzKeys)], fuzzProtos[int(c[15])%len(fuzzProtos)], uint64(c[15])<<24|uint64(c[14])),
		}
		if !o.ByIP {
			packets += o.Packets
		}
		tb.Observe(o)
	}
	r := tb.Report()
	var sum uint64
	for _, a := range r.Assets {
		sum += a.Packets
		if !a.FirstSeen.IsZero() && a.LastSeen.Before(a.FirstSeen) {
			t.Fatalf("last seen before first seen: %+v", a)
		}
	}
	if r.Dropped == 0 && sum != packets {
		t.Fatalf("packets %d, want %d", sum, packets)
	}
	for _, c := range r.Conflicts {
		if len(c.Claims) < 2 {
			t.Fatalf("conflict with %d claims", len(c.Claims))
		}
	}
	var js, cs, tx bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(js.Bytes()) || !utf8.Valid(js.Bytes()) {
		t.Fatalf("invalid JSON: %q", js.String())
	}
	if err := WriteCSV(&cs, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(cs.String())).ReadAll()
	if err != nil || len(rows) != len(r.Assets)+1 {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	for _, row := range rows {
		for _, c := range row {
			if ru, ok := safeText(c); !ok || strings.ContainsRune(c, '\n') {
				t.Fatalf("CSV cell %q has %U", c, ru)
			}
			if tc := strings.TrimLeft(c, " "); tc != "" && strings.ContainsRune("=+-@", rune(tc[0])) {
				t.Fatalf("CSV formula %q", c)
			}
		}
	}
	if err := WriteText(&tx, r); err != nil {
		t.Fatal(err)
	}
	if ru, ok := safeText(tx.String()); !ok {
		t.Fatalf("text has %U: %q", ru, tx.String())
	}
}
