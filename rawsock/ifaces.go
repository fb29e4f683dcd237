package rawsock

import (
	"net"
)

// Interface describes one network interface for `wirebom ifaces`.
type Interface struct {
	Name      string   `json:"name"`
	Index     int      `json:"index"`
	MAC       string   `json:"mac,omitempty"`
	MTU       int      `json:"mtu"`
	Up        bool     `json:"up"`
	Running   bool     `json:"running"`
	Promisc   bool     `json:"promisc"`
	Loopback  bool     `json:"loopback"`
	OperState string   `json:"operstate,omitempty"`
	Driver    string   `json:"driver,omitempty"`
	SpeedMbps int      `json:"speed_mbps,omitempty"` // 0 when unknown
	Addrs     []string `json:"addrs"`                // CIDR notation, IPv4 and IPv6
}

// Interfaces lists the system's interfaces. It needs no privileges.
func Interfaces() ([]Interface, error) {
	all, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]Interface, 0, len(all))
	for _, ifi := range all {
		it := Interface{
			Name: ifi.Name, Index: ifi.Index, MTU: ifi.MTU,
			Up:       ifi.Flags&net.FlagUp != 0,
			Running:  ifi.Flags&net.FlagRunning != 0,
			Loopback: ifi.Flags&net.FlagLoopback != 0,
			Addrs:    []string{},
		}
		if len(ifi.HardwareAddr) > 0 {
			it.MAC = ifi.HardwareAddr.String()
		}
		if addrs, err := ifi.Addrs(); err == nil {
			for _, a := range addrs {
				it.Addrs = append(it.Addrs, a.String())
			}
		}
		addPlatformDetails(&it)
		out = append(out, it)
	}
	return out, nil
}
