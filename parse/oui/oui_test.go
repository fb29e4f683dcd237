package oui

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
)

// macFor builds a MAC inside an assignment given as hex digits, with the
// remaining bits set to suffix so that the test probes inside the block,
// not only its first address.
func macFor(t *testing.T, assignment string, suffix uint64) [6]byte {
	t.Helper()
	p, err := strconv.ParseUint(assignment, 16, 64)
	if err != nil {
		t.Fatalf("bad assignment %q: %v", assignment, err)
	}
	rest := uint(48 - 4*len(assignment))
	v := p<<rest | suffix&(1<<rest-1)
	var m [6]byte
	for i := 5; i >= 0; i-- {
		m[i] = byte(v)
		v >>= 8
	}
	return m
}

// TestLookupAgainstIEEECSV checks Lookup against lines copied verbatim from
// Debian ieee-data's oui.csv, mam.csv, oui36.csv and iab.csv
// (testdata/ieee-sample.csv): the organisation (whitespace collapsed) and
// the registry kind must match, at the first, last and a middle address of
// each block.
func TestLookupAgainstIEEECSV(t *testing.T) {
	f, err := os.Open("testdata/ieee-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 50 {
		t.Fatalf("sample has %d rows", len(rows))
	}
	kinds := map[string]string{"MA-L": MAL, "MA-M": MAM, "MA-S": MAS, "IAB": MAS}
	for _, row := range rows[1:] {
		reg, asg := row[0], row[1]
		want := strings.Join(strings.Fields(row[2]), " ")
		if reg == "MA-L" && want == "IEEE Registration Authority" {
			// Parent of MA-M/MA-S blocks: sub-blocks win, as they must.
			continue
		}
		for _, suffix := range []uint64{0, 0x5a5a5a, ^uint64(0)} {
			mac := macFor(t, asg, suffix)
			org, kind, ok := Lookup(mac)
			if !ok || org != want || kind != kinds[reg] {
				t.Errorf("%s %s: Lookup(% x) = %q, %q, %v; want %q, %q", reg, asg, mac, org, kind, ok, want, kinds[reg])
			}
		}
	}
}

func TestLookupMostSpecific(t *testing.T) {
	// 70:B3:D5 is an IEEE RA MA-L holding MA-S blocks; 70B3D5F2F is
	// TELEPLATFORMS in oui36.csv.
	org, kind, ok := Lookup([6]byte{0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23})
	if !ok || org != "TELEPLATFORMS" || kind != MAS {
		t.Errorf("got %q %q %v", org, kind, ok)
	}
}

func TestLookupUnassigned(t *testing.T) {
	// Locally administered prefixes are never assigned by the IEEE MA-L
	// registry (ieee-data has no MA-L with bit 0x02 of the first octet).
	for _, m := range [][6]byte{{0x02, 0, 0, 0, 0, 1}, {0xfe, 0xff, 0xff, 0, 0, 1}} {
		if org, _, ok := Lookup(m); ok {
			t.Errorf("Lookup(% x) = %q, want none", m, org)
		}
	}
}

func TestLen(t *testing.T) {
	mal, mam, mas := Len()
	// ieee-data 20220827: 32542 MA-L, 4412 MA-M, 5050 MA-S + 4575 IAB rows.
	if mal < 30000 || mam < 4000 || mas < 9000 {
		t.Errorf("Len = %d %d %d", mal, mam, mas)
	}
	if !strings.HasPrefix(Version(), "ieee-data ") {
		t.Errorf("Version = %q", Version())
	}
}

func BenchmarkLookup(b *testing.B) {
	Lookup([6]byte{})
	m := [6]byte{0x00, 0x0e, 0x8c, 1, 2, 3}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m[3] = byte(i)
		if _, _, ok := Lookup(m); !ok {
			b.Fatal("miss")
		}
	}
}
