package rawsock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
)

const ptrSize = unsafe.Sizeof(uintptr(0))

// The sizes and offsets below are those of the Windows SDK and pcap/pcap.h
// (LLP64: long is 4 bytes, pointers are the word size).
func TestNpcapLayouts(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"pcap_pkthdr", unsafe.Sizeof(pcapPkthdr{}), 16},
		{"pcap_pkthdr.caplen", unsafe.Offsetof(pcapPkthdr{}.Caplen), 8},
		{"pcap_pkthdr.len", unsafe.Offsetof(pcapPkthdr{}.Len), 12},
		{"pcap_stat (with _WIN32 fields)", unsafe.Sizeof(pcapStat{}), 24},
		{"bpf_insn", unsafe.Sizeof(bpf.RawInstruction{}), 8},
		{"bpf_program.bf_insns", unsafe.Offsetof(bpfProgram{}.Insns), ptrSize},
		{"bpf_program", unsafe.Sizeof(bpfProgram{}), 2 * ptrSize},
		{"pcap_if.name", unsafe.Offsetof(pcapIf{}.Name), ptrSize},
		{"pcap_if.description", unsafe.Offsetof(pcapIf{}.Description), 2 * ptrSize},
		{"pcap_if.addresses", unsafe.Offsetof(pcapIf{}.Addresses), 3 * ptrSize},
		{"pcap_if.flags", unsafe.Offsetof(pcapIf{}.Flags), 4 * ptrSize},
		{"pcap_addr", unsafe.Sizeof(pcapAddr{}), 5 * ptrSize},
		{"SOCKADDR_IN", unsafe.Sizeof(winSockaddrIn{}), 16},
		{"SOCKADDR_IN.sin_addr", unsafe.Offsetof(winSockaddrIn{}.Addr), 4},
		{"SOCKADDR_IN6", unsafe.Sizeof(winSockaddrIn6{}), 28},
		{"SOCKADDR_IN6.sin6_addr", unsafe.Offsetof(winSockaddrIn6{}.Addr), 8},
		{"SOCKADDR_IN6.sin6_scope_id", unsafe.Offsetof(winSockaddrIn6{}.ScopeID), 24},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, c.got, c.want)
		}
	}
	// bpf_insn field order: code (u_short), jt, jf, k, little endian.
	ins := bpf.RawInstruction{Op: 0x0015, Jt: 1, Jf: 2, K: 0x0800}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&ins)), 8)
	want := []byte{0x15, 0x00, 1, 2, 0x00, 0x08, 0, 0}
	if string(raw) != string(want) {
		t.Errorf("bpf_insn bytes % x, want % x", raw, want)
	}
}

func cstr(s string) *byte { b := append([]byte(s), 0); return &b[0] }

func TestNpcapWalkDevices(t *testing.T) {
	in4 := winSockaddrIn{Family: winAFInet, Addr: [4]byte{192, 168, 1, 20}}
	in6 := winSockaddrIn6{Family: winAFInet6, Addr: [16]byte{0: 0xfe, 1: 0x80, 15: 1}, ScopeID: 7}
	other := winSockaddr{Family: 6} // AF_IPX: skipped
	a3 := &pcapAddr{Addr: &other}
	a2 := &pcapAddr{Next: a3, Addr: (*winSockaddr)(unsafe.Pointer(&in6))}
	a1 := &pcapAddr{Next: a2, Addr: (*winSockaddr)(unsafe.Pointer(&in4))}
	lo := &pcapIf{Name: cstr(`\Device\NPF_Loopback`), Description: cstr("Adapter for loopback traffic capture"), Flags: 0x37}
	eth := &pcapIf{Next: lo, Name: cstr(`\Device\NPF_{A1B2}`), Description: cstr("Intel(R) Ethernet"), Addresses: a1, Flags: 0x16}
	devs := walkDevices(eth)
	if len(devs) != 2 {
		t.Fatalf("got %d devices, want 2", len(devs))
	}
	if devs[0].Name != `\Device\NPF_{A1B2}` || devs[0].Description != "Intel(R) Ethernet" || devs[0].Flags != 0x16 {
		t.Errorf("device 0 = %+v", devs[0])
	}
	wantAddrs := []netip.Addr{netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("fe80::1%7")}
	if len(devs[0].Addrs) != 2 || devs[0].Addrs[0] != wantAddrs[0] || devs[0].Addrs[1] != wantAddrs[1] {
		t.Errorf("addrs = %v, want %v", devs[0].Addrs, wantAddrs)
	}
	if devs[1].Name != `\Device\NPF_Loopback` || len(devs[1].Addrs) != 0 {
		t.Errorf("device 1 = %+v", devs[1])
	}
	if walkDevices(nil) != nil {
		t.Error("nil list gave devices")
	}
	// A corrupt, circular list stops at the bound.
	loop := &pcapIf{Name: cstr("x")}
	loop.Next = loop
	if n := len(walkDevices(loop)); n != maxPcapDevices {
		t.Errorf("circular list: %d devices, want the bound %d", n, maxPcapDevices)
	}
}

func TestNpcapCString(t *testing.T) {
	if got := cString(cstr("abc")); got != "abc" {
		t.Errorf("cString = %q", got)
	}
	if cString(nil) != "" {
		t.Error("nil pointer gave a string")
	}
	long := make([]byte, maxCString+100)
	for i := range long {
		long[i] = 'a'
	}
	if got := cString(&long[0]); len(got) != maxCString {
		t.Errorf("unterminated string read %d bytes, want the bound %d", len(got), maxCString)
	}
}

func TestNpcapPktFrame(t *testing.T) {
	// 2021-01-01T00:00:00.123456Z in microseconds.
	ts, caplen, length, err := pktFrame(pcapPkthdr{Sec: 1609459200, Usec: 123456, Caplen: 60, Len: 1514}, false, 65535)
	if err != nil || caplen != 60 || length != 1514 || !ts.Equal(time.Date(2021, 1, 1, 0, 0, 0, 123456000, time.UTC)) {
		t.Errorf("micro: %v %d %d %v", ts, caplen, length, err)
	}
	ts, _, _, err = pktFrame(pcapPkthdr{Sec: 1609459200, Usec: 123456789, Caplen: 60, Len: 60}, true, 65535)
	if err != nil || ts.Nanosecond() != 123456789 {
		t.Errorf("nano: %v %v", ts, err)
	}
	// tv_sec is 32-bit: 2040 is negative as int32 and must not go back to 1902.
	sec2040 := uint32(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	ts, _, _, err = pktFrame(pcapPkthdr{Sec: int32(sec2040), Caplen: 60, Len: 60}, false, 65535)
	if err != nil || ts.Year() != 2040 {
		t.Errorf("after 2038: %v %v", ts, err)
	}
	// A driver reporting len < caplen: length is at least caplen.
	if _, c, l, err := pktFrame(pcapPkthdr{Caplen: 100, Len: 50}, false, 65535); err != nil || c != 100 || l != 100 {
		t.Errorf("len < caplen: %d %d %v", c, l, err)
	}
	for name, h := range map[string]pcapPkthdr{
		"caplen beyond snaplen": {Caplen: 70000, Len: 70000},
		"zero caplen":           {Caplen: 0, Len: 60},
		"usec too large":        {Usec: 1000000, Caplen: 60, Len: 60},
		"negative usec":         {Usec: -1, Caplen: 60, Len: 60},
	} {
		if _, _, _, err := pktFrame(h, false, 65535); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNpcapStatsWrap(t *testing.T) {
	var a npcapStats
	steps := []struct {
		in        pcapStat
		recv, drp uint64
	}{
		{pcapStat{Recv: 10, Drop: 1}, 10, 1},
		{pcapStat{Recv: 4294967290, Drop: 3, IfDrop: 2}, 4294967290, 5},
		{pcapStat{Recv: 5, Drop: 3, IfDrop: 2}, 4294967290 + 11, 5}, // recv wrapped past 2^32
		{pcapStat{Recv: 5, Drop: 3, IfDrop: 2}, 4294967290 + 11, 5}, // no change
	}
	for i, s := range steps {
		r, d := a.add(s.in)
		if r != s.recv || d != s.drp {
			t.Errorf("step %d: received %d dropped %d, want %d %d", i, r, d, s.recv, s.drp)
		}
	}
}

func TestNpcapErrors(t *testing.T) {
	for _, c := range []struct {
		op   string
		code int
		msg  string
		want error
	}{
		{"open", pcapErrorNoSuchDevice, "", ErrNoSuchInterface},
		{"open", pcapErrorPermDenied, "", ErrPermission},
		{"open", pcapError, "Error opening adapter: Access is denied.  (5)", ErrPermission},
		{"open", pcapErrorPromiscPermDenie, "", ErrPermission},
		{"open", pcapErrorIfaceNotUp, "", ErrInterfaceDown},
		{"read", pcapErrorIfaceNotUp, "", ErrInterfaceGone},
		{"read", pcapError, "The interface disappeared (error code 0x1f)", ErrInterfaceGone},
	} {
		err := pcapErr(c.op, `\Device\NPF_{X}`, c.code, c.msg)
		if !errors.Is(err, c.want) {
			t.Errorf("%s %d %q: %v is not %v", c.op, c.code, c.msg, err, c.want)
		}
	}
	err := pcapErr("open", "dev", pcapErrorPermDenied, "")
	if !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("permission error lacks the reason: %v", err)
	}
	if !strings.Contains(NpcapPermissionHint, "Administrator") {
		t.Errorf("NpcapPermissionHint does not name the fix: %s", NpcapPermissionHint)
	}
	err = pcapErr("open", "dev", pcapError, "some driver problem")
	for _, sentinel := range []error{ErrPermission, ErrNoSuchInterface, ErrInterfaceDown, ErrInterfaceGone} {
		if errors.Is(err, sentinel) {
			t.Errorf("generic error %v matches %v", err, sentinel)
		}
	}
	if !strings.Contains(err.Error(), "some driver problem") {
		t.Errorf("message lost: %v", err)
	}
	if !strings.Contains(ErrNpcapNotInstalled.Error(), "https://npcap.com") {
		t.Error("ErrNpcapNotInstalled does not say where to get Npcap")
	}
}

func TestNpcapLinkType(t *testing.T) {
	// pcap/dlt.h: DLT_NULL 0 (Npcap's loopback adapter), DLT_EN10MB 1.
	for dlt, want := range map[int]LinkType{0: LinkTypeNull, 1: LinkTypeEthernet} {
		if lt, err := npcapLinkType(`\Device\NPF_x`, dlt); err != nil || lt != want {
			t.Errorf("DLT %d: got %v, %v; want %v", dlt, lt, err, want)
		}
	}
	// DLT_IEEE802_11_RADIO (127), a monitor-mode adapter: refused.
	_, err := npcapLinkType(`\Device\NPF_{W}`, 127)
	if !errors.Is(err, ErrNotSupported) {
		t.Errorf("%v is not ErrNotSupported", err)
	}
	var lt *LinkTypeError
	if !errors.As(fmt.Errorf("open: %w", err), &lt) || lt.LinkType != 127 {
		t.Fatalf("errors.As lost the link type: %v", err)
	}
	msg := err.Error()
	for _, s := range []string{`\Device\NPF_{W}`, "127", "Ethernet"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q: %s", s, msg)
		}
	}
	// ErrNotSupported's own text says the OS cannot capture at all, which
	// is wrong for one adapter on Windows.
	if strings.Contains(msg, ErrNotSupported.Error()) {
		t.Errorf("message claims the OS is unsupported: %s", msg)
	}
	if errors.Is(err, ErrNoSuchInterface) {
		t.Errorf("%v matches ErrNoSuchInterface", err)
	}
}

func TestNpcapResolveAdapter(t *testing.T) {
	devs := []pcapDevice{
		{Name: `\Device\NPF_{1111-AAAA}`, Description: "Intel(R) Ethernet Connection I219-LM",
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("fe80::1%7")}},
		{Name: `\Device\NPF_{2222-BBBB}`, Description: "Realtek USB GbE Family Controller"},
		{Name: `\Device\NPF_Loopback`, Description: "Adapter for loopback traffic capture"},
	}
	ads := []winAdapter{
		{GUID: "{1111-AAAA}", FriendlyName: "Ethernet", Index: 12},
		{GUID: "{2222-BBBB}", FriendlyName: "Ethernet 2", Index: 17},
		{GUID: "{3333-CCCC}", FriendlyName: "Wi-Fi", Index: 5}, // Npcap not bound
	}
	for in, want := range map[string]string{
		"Ethernet":                             `\Device\NPF_{1111-AAAA}`,
		"ethernet 2":                           `\Device\NPF_{2222-BBBB}`,
		`\Device\NPF_{1111-AAAA}`:              `\Device\NPF_{1111-AAAA}`,
		`\device\npf_{2222-bbbb}`:              `\Device\NPF_{2222-BBBB}`,
		"{2222-BBBB}":                          `\Device\NPF_{2222-BBBB}`,
		"NPF_{1111-AAAA}":                      `\Device\NPF_{1111-AAAA}`,
		"17":                                   `\Device\NPF_{2222-BBBB}`,
		"Realtek USB GbE Family Controller":    `\Device\NPF_{2222-BBBB}`,
		"Adapter for loopback traffic capture": `\Device\NPF_Loopback`,
	} {
		got, err := resolveAdapter(in, devs, ads)
		if err != nil || got != want {
			t.Errorf("resolveAdapter(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := resolveAdapter("eth0", devs, ads)
	if !errors.Is(err, ErrNoSuchInterface) {
		t.Fatalf("unknown name: %v", err)
	}
	for _, s := range []string{"Ethernet 2", `\Device\NPF_{2222-BBBB}`, "Realtek USB GbE Family Controller",
		"Intel(R) Ethernet Connection I219-LM  [192.0.2.10 fe80::1%7]"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("adapter list lacks %q:\n%v", s, err)
		}
	}
	if strings.Contains(err.Error(), "Realtek USB GbE Family Controller  [") {
		t.Errorf("adapter without addresses listed with some:\n%v", err)
	}
	_, err = resolveAdapter("Wi-Fi", devs, ads)
	if !errors.Is(err, ErrNoSuchInterface) || !strings.Contains(err.Error(), "not bound to Npcap") {
		t.Errorf("unbound adapter: %v", err)
	}
	_, err = resolveAdapter("Ethernet", nil, ads)
	if err == nil || !strings.Contains(err.Error(), "no adapters") {
		t.Errorf("no Npcap devices: %v", err)
	}
}

func TestNpcapBPFProgram(t *testing.T) {
	ins := []bpf.RawInstruction{{Op: 0x06, K: 262144}}
	p, err := newBPFProgram(ins)
	if err != nil || p.Len != 1 || p.Insns != &ins[0] {
		t.Errorf("program = %+v, %v", p, err)
	}
	if _, err := newBPFProgram(nil); err == nil {
		t.Error("empty program accepted")
	}
	if _, err := newBPFProgram(make([]bpf.RawInstruction, bpfMaxInsns+1)); err == nil {
		t.Error("over-long program accepted")
	}
}

func TestNpcapOperStatus(t *testing.T) {
	// IF_OPER_STATUS values from ifdef.h (RFC 2863 ifOperStatus).
	for v, want := range map[uint32]string{1: "up", 2: "down", 5: "dormant", 6: "notpresent", 7: "lowerlayerdown", 0: "", 99: ""} {
		if got := operStatusName(v); got != want {
			t.Errorf("operStatusName(%d) = %q, want %q", v, got, want)
		}
	}
}

// FuzzNpcapPkthdr feeds arbitrary 16-byte headers: pktFrame must never
// return a frame longer than the snaplen or shorter than its caplen.
func FuzzNpcapPkthdr(f *testing.F) {
	f.Add([]byte{0x00, 0x5a, 0xee, 0x5f, 0x40, 0xe2, 0x01, 0x00, 0x3c, 0, 0, 0, 0xea, 0x05, 0, 0}, false)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x9a, 0x3b, 0xff, 0xff, 0, 0, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, b []byte, nano bool) {
		if len(b) < 16 {
			return
		}
		le := binary.LittleEndian
		h := pcapPkthdr{Sec: int32(le.Uint32(b)), Usec: int32(le.Uint32(b[4:])), Caplen: le.Uint32(b[8:]), Len: le.Uint32(b[12:])}
		_, c, l, err := pktFrame(h, nano, 65535)
		if err != nil {
			return
		}
		if c < 1 || c > 65535 || l < c {
			t.Fatalf("header %+v gave caplen %d length %d", h, c, l)
		}
	})
}
