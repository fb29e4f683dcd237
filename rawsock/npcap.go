package rawsock

// Portable half of the Windows Npcap shim: the layouts of the libpcap
// structures wpcap.dll hands over, their decoding, error mapping and adapter
// name matching. Everything here is plain Go so that it is tested on Linux;
// npcap_windows.go only loads the DLL and makes the calls.

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
)

// NpcapURL is where Windows users get the capture driver.
const NpcapURL = "https://npcap.com"

// ErrNpcapNotInstalled is returned on Windows when wpcap.dll cannot be loaded
// from the Npcap system folder.
var ErrNpcapNotInstalled = errors.New("rawsock: Npcap is not installed: install it from " + NpcapURL + " (WinPcap-compatible mode is not needed)")

// NpcapPermissionHint names the fix for ErrPermission on Windows.
const NpcapPermissionHint = "run wirebom as Administrator, or reinstall Npcap with \"Restrict Npcap driver's access to Administrators only\" unticked"

// libpcap return codes (pcap/pcap.h).
const (
	pcapError                 = -1
	pcapErrorBreak            = -2
	pcapErrorNotActivated     = -3
	pcapErrorActivated        = -4
	pcapErrorNoSuchDevice     = -5
	pcapErrorRFMonNotSup      = -6
	pcapErrorNotRFMon         = -7
	pcapErrorPermDenied       = -8
	pcapErrorIfaceNotUp       = -9
	pcapErrorCantSetTstamp    = -10
	pcapErrorPromiscPermDenie = -11
	pcapErrorTstampPrecision  = -12

	// Windows address families (ws2def.h).
	winAFInet  = 2
	winAFInet6 = 23

	// maxPcapDevices bounds the pcap_if walk (a corrupt list must not loop).
	maxPcapDevices = 4096
	// maxCString bounds reading a NUL-terminated string from DLL memory.
	maxCString = 4096
)

// pcapPkthdr is struct pcap_pkthdr on Windows: struct timeval holds two
// 32-bit longs on both 386 and amd64, so the header is 16 bytes.
type pcapPkthdr struct {
	Sec    int32
	Usec   int32 // nanoseconds when nanosecond precision was granted
	Caplen uint32
	Len    uint32
}

// pcapStat is struct pcap_stat with the _WIN32 extra fields, so that a
// driver filling all six never writes past it.
type pcapStat struct {
	Recv, Drop, IfDrop, Capt, Sent, NetDrop uint32
}

// bpfProgram is struct bpf_program: a count and a pointer to struct bpf_insn,
// whose layout bpf.RawInstruction matches (u_short, u_char, u_char, u_int32).
type bpfProgram struct {
	Len   uint32
	Insns *bpf.RawInstruction
}

// bpfMaxInsns is BPF_MAXINSNS, the longest program a driver accepts.
const bpfMaxInsns = 4096

// newBPFProgram wraps ins; the caller keeps ins alive while the program is
// in use.
func newBPFProgram(ins []bpf.RawInstruction) (bpfProgram, error) {
	if len(ins) == 0 {
		return bpfProgram{}, errors.New("rawsock: empty BPF program")
	}
	if len(ins) > bpfMaxInsns {
		return bpfProgram{}, fmt.Errorf("rawsock: BPF program of %d instructions exceeds %d", len(ins), bpfMaxInsns)
	}
	return bpfProgram{Len: uint32(len(ins)), Insns: &ins[0]}, nil
}

// pcapIf is struct pcap_if (pointer-sized fields, so the same Go layout fits
// 386 and amd64).
type pcapIf struct {
	Next        *pcapIf
	Name        *byte
	Description *byte
	Addresses   *pcapAddr
	Flags       uint32
}

// pcapAddr is struct pcap_addr.
type pcapAddr struct {
	Next      *pcapAddr
	Addr      *winSockaddr
	Netmask   *winSockaddr
	BroadAddr *winSockaddr
	DstAddr   *winSockaddr
}

// winSockaddr is the family field every Windows sockaddr starts with.
type winSockaddr struct{ Family uint16 }

// winSockaddrIn is SOCKADDR_IN.
type winSockaddrIn struct {
	Family uint16
	Port   [2]byte
	Addr   [4]byte
	Zero   [8]byte
}

// winSockaddrIn6 is SOCKADDR_IN6.
type winSockaddrIn6 struct {
	Family   uint16
	Port     [2]byte
	FlowInfo uint32
	Addr     [16]byte
	ScopeID  uint32
}

// pcapDevice is one entry of pcap_findalldevs, decoded.
type pcapDevice struct {
	Name        string // \Device\NPF_{GUID}
	Description string
	Flags       uint32
	Addrs       []netip.Addr
}

// cString reads a NUL-terminated string of at most maxCString bytes.
func cString(p *byte) string {
	if p == nil {
		return ""
	}
	var b []byte
	for i := 0; i < maxCString; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(p), i))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

// sockaddrAddr decodes an IPv4 or IPv6 Windows sockaddr (ok false otherwise).
func sockaddrAddr(sa *winSockaddr) (netip.Addr, bool) {
	if sa == nil {
		return netip.Addr{}, false
	}
	switch sa.Family {
	case winAFInet:
		in := (*winSockaddrIn)(unsafe.Pointer(sa))
		return netip.AddrFrom4(in.Addr), true
	case winAFInet6:
		in6 := (*winSockaddrIn6)(unsafe.Pointer(sa))
		a := netip.AddrFrom16(in6.Addr)
		if in6.ScopeID != 0 && a.IsLinkLocalUnicast() {
			a = a.WithZone(strconv.FormatUint(uint64(in6.ScopeID), 10))
		}
		return a, true
	}
	return netip.Addr{}, false
}

// walkDevices decodes the list pcap_findalldevs returned.
func walkDevices(first *pcapIf) []pcapDevice {
	var out []pcapDevice
	for d, n := first, 0; d != nil && n < maxPcapDevices; d, n = d.Next, n+1 {
		dev := pcapDevice{Name: cString(d.Name), Description: cString(d.Description), Flags: d.Flags}
		for a, m := d.Addresses, 0; a != nil && m < maxPcapDevices; a, m = a.Next, m+1 {
			if ip, ok := sockaddrAddr(a.Addr); ok {
				dev.Addrs = append(dev.Addrs, ip)
			}
		}
		out = append(out, dev)
	}
	return out
}

// pktFrame turns a pcap_pkthdr into a frame's timestamp and lengths,
// refusing headers no driver would produce.
func pktFrame(h pcapPkthdr, nano bool, snaplen int) (ts time.Time, caplen, length int, err error) {
	if int64(h.Caplen) > int64(snaplen) || h.Caplen == 0 {
		return time.Time{}, 0, 0, fmt.Errorf("rawsock: Npcap header caplen %d outside 1..%d", h.Caplen, snaplen)
	}
	frac := int64(h.Usec)
	if frac < 0 || (nano && frac >= 1e9) || (!nano && frac >= 1e6) {
		return time.Time{}, 0, 0, fmt.Errorf("rawsock: Npcap header sub-second field %d out of range", h.Usec)
	}
	if !nano {
		frac *= 1000
	}
	// tv_sec is a 32-bit long on Windows: read it as unsigned so that
	// timestamps after 2038 stay right.
	ts = time.Unix(int64(uint32(h.Sec)), frac)
	length = int(h.Len)
	if length < int(h.Caplen) {
		length = int(h.Caplen)
	}
	return ts, int(h.Caplen), length, nil
}

// npcapStats accumulates pcap_stats: Npcap's counters are cumulative since
// open but only 32 bits wide, so deltas are added modulo 2^32.
type npcapStats struct {
	seen                         bool
	lastRecv, lastDrop, lastIfDr uint32
	recv, dropped, ifDropped     uint64
}

// add folds one pcap_stats reading in and returns the totals.
func (a *npcapStats) add(s pcapStat) (received, dropped uint64) {
	if !a.seen {
		a.recv, a.dropped, a.ifDropped = uint64(s.Recv), uint64(s.Drop), uint64(s.IfDrop)
		a.seen = true
	} else {
		a.recv += uint64(s.Recv - a.lastRecv)
		a.dropped += uint64(s.Drop - a.lastDrop)
		a.ifDropped += uint64(s.IfDrop - a.lastIfDr)
	}
	a.lastRecv, a.lastDrop, a.lastIfDr = s.Recv, s.Drop, s.IfDrop
	return a.recv, a.dropped + a.ifDropped
}

// Link types (pcap/dlt.h) an Npcap adapter may report.
const (
	dltNull   = 0 // BSD loopback: a 4-byte address family, then the packet
	dltEN10MB = 1 // Ethernet
)

// LinkTypeError is returned by Open for an adapter whose framing wirebom
// does not capture (neither Ethernet nor Npcap's loopback framing);
// errors.Is(err, ErrNotSupported) holds for it.
type LinkTypeError struct {
	Device   string // the Npcap device name
	LinkType int    // its pcap link type (DLT_*)
}

func (e *LinkTypeError) Error() string {
	return fmt.Sprintf("rawsock: %s has link type %d: wirebom captures Ethernet (1) and loopback (NULL, 0) adapters only; use an Ethernet adapter", e.Device, e.LinkType)
}

// npcapLinkType maps the DLT an adapter reports to the link type of its
// frames.
func npcapLinkType(dev string, dlt int) (LinkType, error) {
	switch dlt {
	case dltEN10MB:
		return LinkTypeEthernet, nil
	case dltNull:
		return LinkTypeNull, nil
	}
	return 0, &LinkTypeError{Device: dev, LinkType: dlt}
}

// Is makes errors.Is(err, ErrNotSupported) true.
func (e *LinkTypeError) Is(target error) bool { return target == ErrNotSupported }

// pcapErr turns a libpcap status code and message into an error callers
// can branch on with errors.Is.
func pcapErr(op, dev string, code int, msg string) error {
	msg = strings.TrimSpace(msg)
	low := strings.ToLower(msg)
	var base error
	switch {
	case code == pcapErrorNoSuchDevice:
		base = ErrNoSuchInterface
	case code == pcapErrorPermDenied || code == pcapErrorPromiscPermDenie ||
		strings.Contains(low, "access is denied") || strings.Contains(low, "permission denied"):
		base = ErrPermission
	case code == pcapErrorIfaceNotUp && op == "read":
		base = ErrInterfaceGone
	case code == pcapErrorIfaceNotUp:
		base = ErrInterfaceDown
	case strings.Contains(low, "interface disappeared") || strings.Contains(low, "device was removed") ||
		strings.Contains(low, "device is not connected"):
		base = ErrInterfaceGone
	}
	if msg == "" {
		msg = pcapCodeString(code)
	}
	// The fix for ErrPermission (NpcapPermissionHint) is the caller's to
	// print, as on Linux: the CLI prints it once, on its own line.
	if base != nil {
		return fmt.Errorf("%w: %s %s: %s", base, op, dev, msg)
	}
	return fmt.Errorf("rawsock: %s %s: %s", op, dev, msg)
}

// pcapCodeString names a libpcap status code.
func pcapCodeString(code int) string {
	switch code {
	case pcapError:
		return "generic error"
	case pcapErrorBreak:
		return "loop terminated by pcap_breakloop"
	case pcapErrorNotActivated:
		return "the capture needs to be activated"
	case pcapErrorActivated:
		return "the capture is already activated"
	case pcapErrorNoSuchDevice:
		return "no such device exists"
	case pcapErrorRFMonNotSup:
		return "monitor mode is not supported"
	case pcapErrorNotRFMon:
		return "the operation needs monitor mode"
	case pcapErrorPermDenied:
		return "permission denied"
	case pcapErrorIfaceNotUp:
		return "the interface is not up"
	case pcapErrorCantSetTstamp:
		return "the timestamp type is not supported"
	case pcapErrorPromiscPermDenie:
		return "permission denied for promiscuous mode"
	case pcapErrorTstampPrecision:
		return "the timestamp precision is not supported"
	}
	return fmt.Sprintf("libpcap status %d", code)
}

// winAdapter is what GetAdaptersAddresses says about one adapter.
type winAdapter struct {
	GUID         string // AdapterName: "{...}"
	FriendlyName string // "Ethernet", "Wi-Fi"
	Description  string // "Intel(R) Ethernet Connection I219-LM"
	Index        int
}

// npfPrefix starts every Npcap device name.
const npfPrefix = `\Device\NPF_`

// resolveAdapter maps what a user typed (a friendly name such as "Ethernet",
// the \Device\NPF_{GUID} name, the bare {GUID}, the adapter description or
// its interface index) to the Npcap device name. The error lists every
// adapter Npcap can capture on.
func resolveAdapter(name string, devs []pcapDevice, ads []winAdapter) (string, error) {
	want := strings.TrimSpace(name)
	byName := func(n string) (string, bool) {
		for _, d := range devs {
			if strings.EqualFold(d.Name, n) {
				return d.Name, true
			}
		}
		return "", false
	}
	if d, ok := byName(want); ok {
		return d, nil
	}
	guid := strings.TrimPrefix(want, "NPF_")
	if strings.HasPrefix(guid, "{") {
		if d, ok := byName(npfPrefix + guid); ok {
			return d, nil
		}
	}
	idx, errIdx := strconv.Atoi(want)
	for _, a := range ads {
		if strings.EqualFold(a.FriendlyName, want) || strings.EqualFold(a.GUID, want) ||
			(errIdx == nil && a.Index == idx) {
			if d, ok := byName(npfPrefix + a.GUID); ok {
				return d, nil
			}
			return "", fmt.Errorf("%w: %q (%s) is not bound to Npcap: repair the Npcap installation or enable \"Npcap Packet Driver\" in the adapter's properties\n%s",
				ErrNoSuchInterface, name, npfPrefix+a.GUID, adapterList(devs, ads))
		}
	}
	var hits []string
	for _, d := range devs {
		if d.Description != "" && strings.EqualFold(d.Description, want) {
			hits = append(hits, d.Name)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	return "", fmt.Errorf("%w: %q\n%s", ErrNoSuchInterface, name, adapterList(devs, ads))
}

// adapterList prints the adapters Npcap can capture on, friendly name first,
// then the device name, the description and the addresses Npcap reports.
func adapterList(devs []pcapDevice, ads []winAdapter) string {
	if len(devs) == 0 {
		return "Npcap reports no adapters: is the Npcap service running (sc query npcap)?"
	}
	friendly := map[string]string{}
	for _, a := range ads {
		friendly[strings.ToUpper(npfPrefix+a.GUID)] = a.FriendlyName
	}
	lines := make([]string, 0, len(devs))
	for _, d := range devs {
		f := friendly[strings.ToUpper(d.Name)]
		if f == "" {
			f = "-"
		}
		line := fmt.Sprintf("  %-24s %s  %s", f, d.Name, d.Description)
		if len(d.Addrs) > 0 {
			addrs := make([]string, len(d.Addrs))
			for i, a := range d.Addrs {
				addrs[i] = a.String()
			}
			line += "  [" + strings.Join(addrs, " ") + "]"
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return "adapters (use the first column or the device name with -i):\n" + strings.Join(lines, "\n")
}

// operStatusName is IF_OPER_STATUS as the operstate strings Linux uses.
func operStatusName(s uint32) string {
	switch s {
	case 1:
		return "up"
	case 2:
		return "down"
	case 3:
		return "testing"
	case 4:
		return "unknown"
	case 5:
		return "dormant"
	case 6:
		return "notpresent"
	case 7:
		return "lowerlayerdown"
	}
	return ""
}
