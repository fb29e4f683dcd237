package asset

import (
	"io"
	"net/netip"
	"testing"
	"time"
)

// BenchmarkObserve folds the steady-state case: a known device sending
// another packet with facts the table already holds (the common case on a
// live network). It must not allocate.
func BenchmarkObserve(b *testing.B) {
	tb := NewTable()
	o := Observation{
		Time: t0, MAC: MAC{0x08, 0x00, 0x06, 0x93, 0xcf, 0x32}, Packets: 1, Bytes: 60,
		Protocol: ProtoPNDCP, Role: RoleDCPDevice, VLAN: 10,
		IPs:      []IPClaim{{Addr: netip.MustParseAddr("192.168.0.6"), Evidence: EvidenceStrong, Source: ProtoPNDCP}},
		Names:    []Name{{Value: "X208-BORD", Source: ProtoPNDCP}},
		Identity: []Field{Number(KeyVendorID, ProtoPNDCP, 0x2a), Number(KeyDeviceID, ProtoPNDCP, 0x0a01), Text(KeyTypeOfStation, ProtoPNDCP, "INC")},
	}
	tb.Observe(o)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.Time = t0.Add(time.Duration(i))
		tb.Observe(o)
	}
}

// BenchmarkObserveIPOnly is the cheapest common case: an IP packet whose
// only news is its source address (Modbus/TCP polling).
func BenchmarkObserveIPOnly(b *testing.B) {
	tb := NewTable()
	o := Observation{
		Time: t0, MAC: MAC{0x00, 0x1d, 0x9c, 0, 0, 1}, Packets: 1, Bytes: 66, Protocol: ProtoModbus, Role: RoleModbusServer,
		IPs: []IPClaim{{Addr: netip.MustParseAddr("10.0.0.5"), Source: ProtoIPv4}},
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tb.Observe(o)
	}
}

// BenchmarkObserveNewDevices measures growth: every observation is a new
// MAC (a scan, or a flood of spoofed sources), up to the table limit.
func BenchmarkObserveNewDevices(b *testing.B) {
	tb := NewTable()
	o := Observation{Time: t0, Packets: 1, Bytes: 60, Protocol: ProtoARP,
		IPs: []IPClaim{{Evidence: EvidenceStrong, Source: ProtoARP}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		o.MAC = MAC{0x00, 0x1b, 0x1b, byte(i >> 16), byte(i >> 8), byte(i)}
		o.IPs[0].Addr = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		tb.Observe(o)
	}
}

// BenchmarkReport snapshots and writes a 1,000-asset table as text.
func BenchmarkReport(b *testing.B) {
	tb := NewTable()
	for i := 0; i < 1000; i++ {
		tb.Observe(Observation{Time: t0, MAC: MAC{0x00, 0x1b, 0x1b, 0, byte(i >> 8), byte(i)}, Packets: 1, Protocol: ProtoPNDCP,
			IPs:      []IPClaim{{Addr: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), Evidence: EvidenceStrong, Source: ProtoPNDCP}},
			Names:    []Name{{Value: "station", Source: ProtoPNDCP}},
			Identity: []Field{Number(KeyVendorID, ProtoPNDCP, 0x2a)}})
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := WriteText(io.Discard, tb.Report()); err != nil {
			b.Fatal(err)
		}
	}
}
