package metrics_test

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/wirebom/wirebom/internal/metrics"
)

// The capture pipeline keeps plain atomic counters; the registry reads them
// only when scraped.
func ExampleRegistry_RegisterCapture() {
	var packets, drops atomic.Uint64
	var perProto [2]atomic.Uint64
	names := [2]string{"modbus", "s7comm"}

	reg := metrics.New()
	err := reg.RegisterCapture(metrics.Capture{
		PacketsReceived: packets.Load,
		KernelDrops:     drops.Load,
		ProtocolPackets: func(emit func(string, uint64)) {
			for i := range perProto {
				emit(names[i], perProto[i].Load())
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The hot path: atomic adds, no Prometheus objects.
	packets.Add(3)
	perProto[0].Add(2)
	perProto[1].Add(1)

	// What a scrape of /metrics returns (served by reg.Serve).
	if err := reg.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # HELP wirebom_kernel_drops_total Packets the kernel dropped because its capture ring was full.
	// # TYPE wirebom_kernel_drops_total counter
	// wirebom_kernel_drops_total 0
	// # HELP wirebom_packets_received_total Packets received from the capture source.
	// # TYPE wirebom_packets_received_total counter
	// wirebom_packets_received_total 3
	// # HELP wirebom_protocol_packets_total Packets decoded, by protocol.
	// # TYPE wirebom_protocol_packets_total counter
	// wirebom_protocol_packets_total{protocol="modbus"} 2
	// wirebom_protocol_packets_total{protocol="s7comm"} 1
}
