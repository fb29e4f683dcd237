package filter

import (
	"fmt"
	"strconv"
	"strings"
)

// lookupPort resolves a service name the way libpcap does: the TCP entry
// wins; a name registered for TCP and UDP on the same port means any
// transport (proto -1).
func lookupPort(name string) (port uint32, proto int, ok bool) {
	tp, tok := servicePorts[name+"/tcp"]
	up, uok := servicePorts[name+"/udp"]
	switch {
	case tok && uok && tp == up:
		return uint32(tp), -1, true
	case tok:
		return uint32(tp), 6, true
	case uok:
		return uint32(up), 17, true
	}
	return 0, 0, false
}

// parsePortRange parses "lo-hi" with numbers or service names.
func parsePortRange(s string) (lo, hi uint32, proto int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, 0, fmt.Errorf("illegal port range '%s'", s)
	}
	if x, err1 := strconv.ParseUint(a, 10, 32); err1 == nil {
		if y, err2 := strconv.ParseUint(b, 10, 32); err2 == nil {
			if x > 65535 {
				return 0, 0, 0, fmt.Errorf("illegal port number %d > 65535", x)
			}
			if y > 65535 {
				return 0, 0, 0, fmt.Errorf("illegal port number %d > 65535", y)
			}
			return uint32(x), uint32(y), -1, nil
		}
	}
	p1, pr1, ok1 := lookupPort(a)
	p2, pr2, ok2 := lookupPort(b)
	if !ok1 || !ok2 {
		return 0, 0, 0, fmt.Errorf("unknown port in range '%s'", s)
	}
	if pr1 != pr2 {
		pr2 = -1
	}
	return p1, p2, pr2, nil
}

// ipProtoName names an IP protocol number in messages.
func ipProtoName(v uint32) string {
	switch v {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 132:
		return "sctp"
	}
	return strconv.Itoa(int(v))
}

// etherProtoNames are the names "ether proto" accepts (libpcap's built-in
// EtherType and LLC SAP names; atalk, aarp and ipx, which libpcap also
// matches in their 802.2/SNAP encapsulations, are not supported).
var etherProtoNames = map[string]uint32{
	"ip": 0x0800, "ip6": 0x86dd, "arp": 0x0806, "rarp": 0x8035, "mopdl": 0x6001, "moprc": 0x6002,
	"decnet": 0x6003, "lat": 0x6004, "sca": 0x6007, "loopback": 0x9000,
	"iso": 0xfe, "stp": 0x42, "netbeui": 0xf0,
}
