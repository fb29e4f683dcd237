package bacnet_test

import (
	"fmt"

	"github.com/wirebom/wirebom/parse/bacnet"
)

// A ReadProperty-ACK for model-name from bacnet_nmap_info.pcap frame 16
// (UDP payload); tshark -V shows "model-name: ISO 10646 UCS-2 'MS-NAE4510-2'".
func ExamplePacket_Properties() {
	msg := []byte{0x81, 0x0a, 0x00, 0x2d, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c, 0x02, 0x3f, 0xff, 0xff,
		0x19, 0x46, 0x3e, 0x75, 0x19, 0x04, 0x00, 'M', 0x00, 'S', 0x00, '-', 0x00, 'N', 0x00, 'A',
		0x00, 'E', 0x00, '4', 0x00, '5', 0x00, '1', 0x00, '0', 0x00, '-', 0x00, '2', 0x3f}
	var p bacnet.Packet // reuse for every message
	if err := p.Decode(msg); err != nil {
		fmt.Println(err)
		return
	}
	buf := make([]byte, 0, 64)
	it := p.Properties()
	for it.Next() {
		r := it.Ref()
		if cs, s, ok := r.Value.CharString(); ok {
			buf = bacnet.AppendUTF8(buf[:0], cs, s)
			fmt.Printf("device %d property %d: %s\n", r.Object.Instance(), r.Property, buf)
		}
	}
	// Output: device 4194303 property 70: MS-NAE4510-2
}
