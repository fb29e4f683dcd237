package modbus_test

import (
	"fmt"

	"github.com/wirebom/wirebom/parse/modbus"
)

// Two ADUs in one TCP segment from a client to port 502: a Read Holding
// Registers request and a Read Device Identification request.
func Example() {
	payload := []byte{
		0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0a,
		0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x01, 0x2b, 0x0e, 0x01, 0x00,
	}
	isRequest, _ := modbus.IsRequest(49152, 502)
	it := modbus.Split(payload)
	var a modbus.ADU
	for it.Next(&a) {
		fmt.Printf("trans %d unit %d func %d", a.TransactionID, a.UnitID, a.Function())
		if r, ok := a.Range(isRequest); ok {
			fmt.Printf(" address %d quantity %d", r.Address, r.Quantity)
		}
		if d, err := a.ReadDeviceID(isRequest); err == nil {
			fmt.Printf(" read device id code %d from object %d", d.ReadDeviceIDCode, d.ObjectID)
		}
		fmt.Println()
	}
	if err := it.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// trans 1 unit 1 func 3 address 0 quantity 10
	// trans 2 unit 1 func 43 read device id code 1 from object 0
}
