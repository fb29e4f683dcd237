package iec104_test

import (
	"fmt"

	"github.com/wirebom/wirebom/parse/iec104"
)

// A TCP payload with STARTDT act followed by an interrogation command
// (iec104_javarmi_misc.pcap frames 6 and 10; tshark: utype 1, then type_id
// 100, cause_tx 6, common_addr 37133, ioa 0).
func ExampleIter() {
	seg := []byte{0x68, 0x04, 0x07, 0x00, 0x00, 0x00,
		0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x64, 0x01, 0x06, 0x01, 0x0d, 0x91, 0x00, 0x00, 0x00, 0x14}
	var it iec104.Iter // reuse for every segment
	it.Reset(seg)
	for it.Next() {
		a := it.APDU()
		switch {
		case a.Format == iec104.FormatU:
			fmt.Println("U", a.UFunc)
		case a.HasASDU:
			fmt.Printf("I(%d,%d) type %d cause %d CA %d IOA %d\n", a.SendSeq, a.RecvSeq,
				a.ASDU.TypeID, a.ASDU.Cause, a.ASDU.CommonAddr, a.ASDU.IOA)
		}
	}
	// Output:
	// U STARTDT act
	// I(0,0) type 100 cause 6 CA 37133 IOA 0
}
