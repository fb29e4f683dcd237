package pipeline

import (
	"sync/atomic"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/rawsock"
)

// Decoding is a Processor that decodes every frame with a parse.Decoder and
// counts packets per protocol and decode errors. Its counters may be read
// concurrently (metrics, progress) while it runs.
type Decoding struct {
	dec    *parse.Decoder
	lt     layers.LinkType
	counts [256]atomic.Uint64
	errors atomic.Uint64
	// OnPacket, when set, sees every decoded packet (asset discovery). It
	// runs on the processor's goroutine; p is valid only during the call.
	OnPacket func(p *parse.Packet)
}

// NewDecoding returns a Decoding with its own decoder, for Ethernet frames
// until SetLinkType says otherwise.
func NewDecoding() *Decoding {
	return &Decoding{dec: parse.NewDecoder(), lt: layers.LinkTypeEthernet}
}

// SetLinkType sets the link type of the frames to decode (the source's).
// Call it before the capture starts.
func (d *Decoding) SetLinkType(lt rawsock.LinkType) { d.lt = layers.LinkType(lt) }

// Process decodes one frame.
func (d *Decoding) Process(f *rawsock.Frame) {
	ci := gopacket.CaptureInfo{Timestamp: f.Timestamp, CaptureLength: len(f.Data), Length: f.Length, InterfaceIndex: f.InterfaceIndex}
	p, err := d.dec.DecodeCapture(ci, f.Data, d.lt)
	if err != nil {
		d.errors.Add(1)
	}
	if p == nil {
		return
	}
	d.counts[p.Proto].Add(1)
	if d.OnPacket != nil {
		d.OnPacket(p)
	}
}

// Errors returns how many frames failed to decode at some layer.
func (d *Decoding) Errors() uint64 { return d.errors.Load() }

// EachProtocol calls emit for every protocol seen, with its packet count
// (the deepest protocol of each packet).
func (d *Decoding) EachProtocol(emit func(protocol string, packets uint64)) {
	for i := range d.counts {
		if n := d.counts[i].Load(); n > 0 {
			name := parse.Proto(i).String()
			if name == "" {
				name = "other"
			}
			emit(name, n)
		}
	}
}
