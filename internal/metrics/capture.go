package metrics

import (
	"errors"
)

// RingStats is what a handoff queue reports; *ring.SPSC and *ring.MPSC
// satisfy it.
type RingStats interface {
	Len() int
	Cap() int
	HighWater() int
	Refused() uint64
}

// Capture lists the functions a capture pipeline offers for its standard
// series. Each is called at scrape time only, from the HTTP server's
// goroutine, and must be cheap and safe to call concurrently with capture
// (an atomic load, typically). A nil field leaves its series out, so a file
// replay may omit the kernel's counters, for example.
//
// Series names, with the field that feeds each:
//
//	wirebom_packets_received_total          PacketsReceived
//	wirebom_bytes_received_total            BytesReceived
//	wirebom_kernel_drops_total              KernelDrops
//	wirebom_queue_freezes_total             QueueFreezes
//	wirebom_ring_fill_items                 Ring.Len
//	wirebom_ring_capacity_items             Ring.Cap
//	wirebom_ring_high_water_items           Ring.HighWater
//	wirebom_ring_refusals_total             Ring.Refused
//	wirebom_packets_written_total           PacketsWritten
//	wirebom_protocol_packets_total{protocol} ProtocolPackets
//	wirebom_parse_errors_total              ParseErrors
type Capture struct {
	// PacketsReceived counts packets handed to wirebom by the capture
	// source (for a live socket, the kernel's tp_packets less tp_drops).
	PacketsReceived func() uint64
	// BytesReceived counts the bytes of those packets, on the wire
	// (original length, not the snapshot length).
	BytesReceived func() uint64
	// KernelDrops counts packets the kernel dropped because its capture
	// ring was full (PACKET_STATISTICS tp_drops, accumulated).
	KernelDrops func() uint64
	// QueueFreezes counts how often the kernel froze the capture queue
	// (PACKET_STATISTICS tp_freeze_q_cnt, accumulated).
	QueueFreezes func() uint64
	// Ring is the queue between capture and processing: its fill,
	// capacity, high-water mark and refusals (packets wirebom dropped).
	Ring RingStats
	// PacketsWritten counts packets written to the output file.
	PacketsWritten func() uint64
	// ProtocolPackets calls emit once per protocol with the number of
	// packets decoded as that protocol (label values such as "modbus").
	ProtocolPackets func(emit func(protocol string, packets uint64))
	// ParseErrors counts packets that a decoder rejected as malformed.
	ParseErrors func() uint64
}

// RegisterCapture registers the standard capture series for every non-nil
// field of c. Register each capture once per registry; to serve several,
// give each its own labels with [Registry.With].
func (r *Registry) RegisterCapture(c Capture) error {
	var errs []error
	counter := func(name, help string, f func() uint64) {
		if f != nil {
			errs = append(errs, r.CounterFunc(name, help, f))
		}
	}
	counter("packets_received_total", "Packets received from the capture source.", c.PacketsReceived)
	counter("bytes_received_total", "Bytes of the packets received from the capture source, as on the wire.", c.BytesReceived)
	counter("kernel_drops_total", "Packets the kernel dropped because its capture ring was full.", c.KernelDrops)
	counter("queue_freezes_total", "Times the kernel froze the capture queue.", c.QueueFreezes)
	if q := c.Ring; q != nil {
		errs = append(errs,
			r.GaugeFunc("ring_fill_items", "Packets waiting in wirebom's queue between capture and processing.",
				func() float64 { return float64(q.Len()) }),
			r.GaugeFunc("ring_capacity_items", "Capacity of wirebom's queue between capture and processing.",
				func() float64 { return float64(q.Cap()) }),
			r.GaugeFunc("ring_high_water_items", "Largest number of packets seen waiting in wirebom's queue.",
				func() float64 { return float64(q.HighWater()) }))
		counter("ring_refusals_total", "Packets wirebom dropped because its queue between capture and processing was full.", q.Refused)
	}
	counter("packets_written_total", "Packets written to the output file.", c.PacketsWritten)
	if c.ProtocolPackets != nil {
		errs = append(errs, r.CounterVecFunc("protocol_packets_total", "Packets decoded, by protocol.", "protocol", c.ProtocolPackets))
	}
	counter("parse_errors_total", "Packets a decoder rejected as malformed.", c.ParseErrors)
	return errors.Join(errs...)
}
