package s7comm_test

import (
	"fmt"

	"github.com/wirebom/wirebom/parse/s7comm"
)

// A read-SZL request for SZL 0x0011 (module identification), as a client
// sends it to port 102 (s7comm_szl_ident_snap7.pcap frame 10).
func Example() {
	payload := []byte{
		0x03, 0x00, 0x00, 0x21, 0x02, 0xf0, 0x80, // TPKT, COTP DT
		0x32, 0x07, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x08, // S7 header: userdata
		0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, 0x00, // parameter: request, CPU functions, read SZL
		0xff, 0x09, 0x00, 0x04, 0x00, 0x11, 0x00, 0x00, // data: SZL 0x0011 index 0
	}
	var p s7comm.Packet
	if err := p.Decode(payload); err != nil {
		fmt.Println(err)
		return
	}
	u, err := p.UserData()
	if err != nil {
		fmt.Println(err)
		return
	}
	szl, err := u.SZL()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("ROSCTR %d, pdu ref %d, type %d group %d subfunction %d: SZL %#04x index %d\n",
		p.Header.ROSCTR, p.Header.PDURef, u.Type, u.FunctionGroup, u.SubFunction, szl.ID, szl.Index)
	// Output:
	// ROSCTR 7, pdu ref 256, type 4 group 4 subfunction 1: SZL 0x0011 index 0
}
