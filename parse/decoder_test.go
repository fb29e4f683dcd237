package parse

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/wirebom/wirebom/parse/modbus"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestQinQ: the corpus 802.1ad frame (vlan_qinq_arp.pcap frame 1: S-tag
// 0x88a8 VLAN 200, C-tag 0x8100 VLAN 2001, ARP; tcpdump prints
// "ethertype 802.1Q-QinQ, vlan 200, ... vlan 2001").
func TestQinQ(t *testing.T) {
	var seen bool
	forEachFrame(t, "vlan_qinq_arp.pcap", func(n int, p *Packet, err error) {
		if n != 1 {
			return
		}
		seen = true
		if err != nil {
			t.Fatal(err)
		}
		want := []VLAN{{TPID: 0x88a8, ID: 200}, {TPID: 0x8100, ID: 2001}}
		if len(p.VLANs) != 2 || p.VLANs[0] != want[0] || p.VLANs[1] != want[1] {
			t.Errorf("VLANs %+v, want %+v", p.VLANs, want)
		}
		if p.ARP == nil || p.EtherType != 0x0806 {
			t.Errorf("ARP %v, EtherType %#x", p.ARP != nil, p.EtherType)
		}
		if got := p.Protocols(); got != "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:arp" {
			t.Errorf("protocols %s", got)
		}
	})
	if !seen {
		t.Fatal("no frame")
	}
}

// TestPNRTCyclic builds a PROFINET RT class 1 frame (FrameID 0x8000, 40
// bytes of IO data, then the APDU status: cycle counter 0x1234, data
// status 0x35, transfer status 0), per IEC 61158-6-10's frame layout.
func TestPNRTCyclic(t *testing.T) {
	frame := mustHex(t, "010ecf000000 000e8c010203 8892 8000")
	frame = append(frame, make([]byte, 40)...)
	frame = append(frame, 0x12, 0x34, 0x35, 0x00)
	p, err := NewDecoder().Decode(frame, LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	rt := p.OT.PNRT
	if p.Proto != ProtoPNRT || rt.FrameID != 0x8000 || !rt.Cyclic || rt.CycleCounter != 0x1234 || rt.DataStatus != 0x35 || rt.TransferStatus != 0 || len(rt.Data) != 40 {
		t.Errorf("%v %+v", p.Proto, rt)
	}
	if s := string(AppendSummary(nil, p, nil, SummaryOptions{UTC: true})); !strings.Contains(s, "PN-RT frame-id 0x8000 cycle 4660 data-status 0x35") {
		t.Errorf("summary %s", s)
	}
}

func TestDecodeErrors(t *testing.T) {
	d := NewDecoder()
	// Shorter than an Ethernet header.
	if _, err := d.Decode([]byte{1, 2, 3}, LinkTypeEthernet); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTruncated) {
		t.Errorf("short frame: %v", err)
	}
	if _, err := d.Decode(make([]byte, 64), 228); !errors.Is(err, ErrUnsupportedLinkType) {
		t.Errorf("link type 228: %v", err)
	}
	// IPv4 header cut after 10 bytes: Ethernet valid, IP truncated.
	frame := mustHex(t, "ffffffffffff 000e8c010203 0800 4500003c1c4640004006")
	p, err := d.Decode(frame, LinkTypeEthernet)
	var de *DecodeError
	if !errors.As(err, &de) || p.Ethernet == nil || p.IPv4 != nil {
		t.Errorf("cut IPv4: %v, eth %v ip %v", err, p.Ethernet != nil, p.IPv4 != nil)
	}
	// Modbus/TCP with a protocol id of 1: the TCP layer is valid, the
	// Modbus decoder's error is reachable with errors.As.
	mb := mustHex(t, "000e8c010203 000e8c040506 0800"+
		"45000034 0001 0000 4006 0000 0a000001 0a000002"+
		"c0000 1f6 00000001 00000000 5018ffff 0000 0000"+
		"0001 0001 0006 01 03 0000 0001")
	p, err = d.Decode(mb, LinkTypeEthernet)
	var me *modbus.Error
	if p.TCP == nil || !errors.As(err, &me) || !errors.Is(err, modbus.ErrBadProtocolID) || !errors.Is(err, ErrMalformed) || p.AppErr == nil {
		t.Errorf("bad Modbus: tcp %v err %v", p.TCP != nil, err)
	}
}
