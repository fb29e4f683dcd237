package enip_test

import (
	"fmt"

	"github.com/wirebom/wirebom/parse/enip"
)

// A SendRRData request carrying a CIP Get Attribute Single to the Identity
// object (class 1, instance 1, attribute 7: product name).
func Example() {
	payload := []byte{
		0x6f, 0x00, 0x18, 0x00, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, // SendRRData, length 24, session
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // sender context, options
		0, 0, 0, 0, 0x0a, 0x00, // interface handle, timeout
		0x02, 0x00, // two CPF items
		0x00, 0x00, 0x00, 0x00, // null address item
		0xb2, 0x00, 0x08, 0x00, // unconnected data item, 8 bytes
		0x0e, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07, // Get Attribute Single 1/1/7
	}
	var p enip.Packet
	if err := p.Decode(payload); err != nil {
		fmt.Println(err)
		return
	}
	_, items, err := p.Items()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v session %#x, %d items\n", p.Command, p.Session, items.Count())
	var it enip.Item
	for items.Next(&it) {
		var m enip.Message
		if _, err := it.CIP(&m); err == nil {
			fmt.Printf("CIP service %#02x class %d instance %d attribute %d\n", m.Service, m.Path.Class, m.Path.Instance, m.Path.Attribute)
		}
	}
	// Output:
	// SendRRData session 0x4030201, 2 items
	// CIP service 0x0e class 1 instance 1 attribute 7
}
