package rawsock

import (
	"errors"
	"slices"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/wirebom/wirebom/rawsock/filter"
)

func TestCookedKernelFilter(t *testing.T) {
	prog := []bpf.RawInstruction{
		{Op: 0x28, K: 14},                 // ldh [14]: protocol
		{Op: 0x28, K: 0},                  // ldh [0]: packet type
		{Op: 0x30, K: 25},                 // ldb [25]
		{Op: 0xb1, K: 16},                 // ldxb 4*([16]&0xf)
		{Op: 0x48, K: 18},                 // ldh [x + 18]
		{Op: 0x20, K: skfAdOff + 8},       // ld ifindex: ancillary, kept
		{Op: 0x80},                        // ld len: not from the packet
		{Op: 0x01, K: 3},                  // ldx #3: not from the packet
		{Op: 0x06, K: DefaultSnaplen},     // ret
		{Op: 0x15, Jt: 1, Jf: 2, K: 0x11}, // jeq, untouched
	}
	want := slices.Clone(prog)
	want[0].K = skfAdOff + skfAdProtocol
	want[1].K = skfAdOff + skfAdPkttype
	want[2].K, want[3].K, want[4].K = 9, 0, 2
	got, err := cookedKernelFilter(prog)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %v, %v\nwant %v", got, err, want)
	}
	if prog[0].K != 14 {
		t.Fatal("the caller's program changed")
	}
	for _, ins := range []bpf.RawInstruction{
		{Op: 0x30, K: 6},  // ldb [6]: address
		{Op: 0x20, K: 0},  // ld [0]: packet type and ARPHRD type at once
		{Op: 0x48, K: 14}, // ldh [x + 14]: indexed from the cooked header
	} {
		if _, err := cookedKernelFilter([]bpf.RawInstruction{ins, {Op: 0x06}}); !errors.Is(err, ErrFilterNeedsLinkHeader) {
			t.Errorf("%+v: %v, want ErrFilterNeedsLinkHeader", ins, err)
		}
	}
	// What the compiler makes of ordinary expressions for cooked frames
	// goes through.
	for _, expr := range []string{"udp port 53", "tcp[13]&2 != 0", "ip6 and icmp6", "arp or ip[2:2] > 100"} {
		p, err := filter.Compile(expr, filter.Options{LinkType: filter.LinkTypeLinuxSLL})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := p.Assemble()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cookedKernelFilter(raw); err != nil {
			t.Errorf("%q: %v", expr, err)
		}
	}
}
