package asset

// Tables that give numeric identity codes a meaning. They hold facts (an
// identifier and the organisation or profile it was assigned to), collected
// from the sources named above each table. They are deliberately partial:
// an unknown code is shown as a number, never guessed.

// pnVendors maps PROFINET vendor IDs (assigned by PROFIBUS & PROFINET
// International; the same number appears as VendorID in a device's GSDML
// file and in the DCP DeviceID block) to the vendor. Only IDs confirmed by
// the VendorID/VendorName pair of a public GSDML file, or seen in our test
// captures, are listed; PI's full list has well over a thousand members.
var pnVendors = map[uint64]string{
	0x002a: "Siemens AG",      // GSDML of ET 200SP, SINAMICS; corpus pn_dcp_*
	0x00b0: "Phoenix Contact", // GSDML DeviceIdentity of Phoenix Contact devices
	0x011e: "Baumer Group",    // GSDML of the Baumer IO-Link master
	0x0493: "RT-Labs",         // GSDML of the p-net sample device
}

// enipVendors maps ODVA vendor IDs (CIP Identity object attribute 1, also in
// the EtherNet/IP ListIdentity reply) to the vendor, for well-known
// automation vendors. Source: ODVA's published vendor ID list as carried in
// Wireshark's CIP dissector (epan/dissectors/packet-cip.c, cip_vendor_vals);
// the full list has about 1,800 entries, these are 50 of them.
var enipVendors = map[uint64]string{
	1:   "Rockwell Automation/Allen-Bradley",
	2:   "Namco Controls Corp.",
	3:   "Honeywell International Inc.",
	4:   "Parker Hannifin Corporation",
	5:   "Rockwell Automation/Reliance Elec.",
	7:   "SMC Corporation",
	8:   "Molex Incorporated",
	12:  "Banner Engineering Corporation",
	26:  "Festo",
	40:  "WAGO Corporation",
	43:  "BALLUFF",
	44:  "Yaskawa America, Inc.",
	46:  "ABB, Inc.",
	47:  "Omron Corporation",
	48:  "TURCK",
	50:  "Real Time Automation",
	56:  "Softing",
	57:  "Pepperl+Fuchs",
	68:  "Eaton Electrical",
	71:  "Toshiba Corporation",
	74:  "Hitachi, Ltd.",
	75:  "ABB Robotics",
	77:  "Rockwell Software, Inc.",
	81:  "IXXAT Automation GmbH",
	82:  "Mitsubishi Electric Automation, Inc.",
	83:  "OPTO 22",
	90:  "HMS Networks",
	94:  "Advantech Corporation",
	95:  "Square D Company",
	97:  "Danfoss Drives A/S",
	108: "Beckhoff Automation",
	109: "National Instruments",
	121: "KUKA Deutschland GmbH",
	145: "Siemens Energy & Automation/Drives",
	161: "Mitsubishi Electric Corporation",
	176: "Red Lion",
	181: "Pilz GmbH & Co KG",
	243: "Schneider Electric",
	250: "Yokogawa Electric Corporation",
	255: "Bosch Rexroth",
	283: "Hilscher GmbH",
	287: "Bosch Rexroth AG",
	309: "ProSoft Technology",
	315: "SEW Eurodrive GmbH",
	322: "ifm electronic gmbh",
	345: "Endress + Hauser",
	356: "FANUC Robotics America",
	367: "Keyence Corporation",
	562: "Phoenix Contact",
}

// cipDeviceTypes maps CIP device profile numbers (Identity object attribute
// 2) to their names in the CIP specification (Volume 1, chapter 6), for the
// profiles common on plant floors.
var cipDeviceTypes = map[uint64]string{
	0x00: "Generic Device (deprecated)",
	0x02: "AC Drive",
	0x03: "Motor Overload",
	0x04: "Limit Switch",
	0x05: "Inductive Proximity Switch",
	0x06: "Photoelectric Sensor",
	0x07: "General Purpose Discrete I/O",
	0x09: "Resolver",
	0x0c: "Communications Adapter",
	0x0e: "Programmable Logic Controller",
	0x10: "Position Controller",
	0x13: "DC Drive",
	0x15: "Contactor",
	0x16: "Motor Starter",
	0x17: "Soft Start",
	0x18: "Human-Machine Interface",
	0x22: "Encoder",
	0x23: "Safety Discrete I/O Device",
	0x25: "CIP Motion Drive",
	0x2b: "Generic Device (keyable)",
	0x2c: "Managed Switch",
}

// bacnetVendors maps BACnet vendor identifiers (assigned by ASHRAE) to the
// vendor, for the first entries of ASHRAE's list.
var bacnetVendors = map[uint64]string{
	0: "ASHRAE",
	1: "NIST",
	2: "The Trane Company",
	3: "McQuay International",
	4: "PolarSoft",
	5: "Johnson Controls, Inc.",
}

// dcpRoles names the bits of the PROFINET DCP DeviceRole (IEC 61158-6-10).
var dcpRoles = []struct {
	bit  uint64
	name string
}{
	{0x01, "IO-Device"},
	{0x02, "IO-Controller"},
	{0x04, "IO-Multidevice"},
	{0x08, "PN-Supervisor"},
}

// VendorName returns the vendor registered for a numeric vendor ID in the
// given protocol's registry (pn-dcp: PI, enip: ODVA, bacnet: ASHRAE), or ""
// if the ID is not in wirebom's partial tables.
func VendorName(src Protocol, id uint64) string {
	switch src {
	case ProtoPNDCP:
		return pnVendors[id]
	case ProtoENIP:
		return enipVendors[id]
	case ProtoBACnet:
		return bacnetVendors[id]
	}
	return ""
}

// meaning explains a numeric identity field, or returns "".
func meaning(f fieldRec) string {
	if !f.numeric {
		return ""
	}
	switch f.key {
	case KeyVendorID, KeyOEMVendorID:
		return VendorName(f.src, f.num)
	case KeyDeviceType:
		if f.src == ProtoENIP {
			return cipDeviceTypes[f.num]
		}
	case KeyDeviceRole:
		if f.src == ProtoPNDCP {
			s := ""
			for _, r := range dcpRoles {
				if f.num&r.bit != 0 {
					if s != "" {
						s += ", "
					}
					s += r.name
				}
			}
			return s
		}
	}
	return ""
}
