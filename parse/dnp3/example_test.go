package dnp3_test

import (
	"fmt"

	"github.com/wirebom/wirebom/parse/dnp3"
)

// A class 0-3 READ from dnp3_read_and_response.pcap frame 4 (TCP payload);
// tshark reports dst 10, src 1, al_func 1, al_obj 15362 15363 15364 15361.
func ExampleIter() {
	seg := []byte{0x05, 0x64, 0x14, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0x8f, 0xed,
		0xc0, 0xc0, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06, 0x8a, 0x51}
	var it dnp3.Iter // reuse for every segment
	it.Reset(seg)
	for it.Next() {
		f := it.Frame()
		if it.Err() != nil {
			fmt.Println(it.Err())
		}
		fmt.Printf("%d -> %d func %d:", f.Src, f.Dst, f.App.Func)
		objs := f.App.ObjectIter()
		for objs.Next() {
			h := objs.Object().Header
			fmt.Printf(" g%dv%d", h.Group, h.Variation)
		}
		fmt.Println()
	}
	// Output: 1 -> 10 func 1: g60v2 g60v3 g60v4 g60v1
}
