package asset

import (
	"net/netip"
	"time"
)

// MAC is a 48-bit IEEE 802 MAC address. It is a value type so that
// observations and table keys need no allocation.
type MAC [6]byte

// MACFrom returns the MAC address held in b, which must be 6 bytes long.
func MACFrom(b []byte) (MAC, bool) {
	var m MAC
	if len(b) != len(m) {
		return m, false
	}
	copy(m[:], b)
	return m, true
}

// IsZero reports whether m is 00:00:00:00:00:00, which in an Observation
// means "device not known by MAC" (for example a DNS answer about an IP).
func (m MAC) IsZero() bool { return m == MAC{} }

// IsMulticast reports whether the I/G bit is set (group address, including
// broadcast). Such an address is never a device's own source address.
func (m MAC) IsMulticast() bool { return m[0]&0x01 != 0 }

// IsLocal reports whether the U/L bit is set: the address was assigned
// locally (virtual machines, containers, randomised phone MACs), so the OUI
// says nothing about the vendor.
func (m MAC) IsLocal() bool { return m[0]&0x02 != 0 }

// String formats m as lowercase colon-separated hex, as tcpdump and
// Wireshark do.
func (m MAC) String() string {
	const hexdig = "0123456789abcdef"
	var b [17]byte
	for i, v := range m {
		if i > 0 {
			b[i*3-1] = ':'
		}
		b[i*3] = hexdig[v>>4]
		b[i*3+1] = hexdig[v&0x0f]
	}
	return string(b[:])
}

// Protocol names a protocol a device was seen speaking. It is also the
// source recorded with every name, IP and identity field. The constants are
// the stable spellings used in the JSON output; other non-empty values are
// accepted and kept as given.
type Protocol string

// Protocols known to the asset table.
const (
	ProtoARP        Protocol = "arp"
	ProtoIPv4       Protocol = "ipv4" // IP header source address only
	ProtoIPv6       Protocol = "ipv6" // IP header source address only
	ProtoLLDP       Protocol = "lldp"
	ProtoCDP        Protocol = "cdp"
	ProtoDHCP       Protocol = "dhcp"
	ProtoDNS        Protocol = "dns"
	ProtoPNDCP      Protocol = "pn-dcp" // Profinet Discovery and Configuration Protocol
	ProtoPNRT       Protocol = "pn-rt"  // Profinet real-time cyclic data
	ProtoModbus     Protocol = "modbus"
	ProtoENIP       Protocol = "enip" // EtherNet/IP encapsulation (and CIP inside)
	ProtoS7comm     Protocol = "s7comm"
	ProtoS7commPlus Protocol = "s7comm-plus"
	ProtoBACnet     Protocol = "bacnet"
	ProtoDNP3       Protocol = "dnp3"
	ProtoIEC104     Protocol = "iec104"
	ProtoGOOSE      Protocol = "goose"
)

// Role is what a device does in a protocol, inferred from the direction of
// its messages. The constants are the stable spellings used in the output.
type Role string

// Roles inferred from traffic. An observation's Role describes the device
// the observation is about (normally the frame's sender).
const (
	RoleNone              Role = ""
	RoleModbusServer      Role = "modbus-server"      // answers Modbus requests (source port 502)
	RoleModbusClient      Role = "modbus-client"      // sends Modbus requests
	RoleS7PLC             Role = "s7-plc"             // answers S7 jobs (Ack-Data, userdata responses)
	RoleS7Client          Role = "s7-engineering"     // sends S7 jobs: engineering station or HMI
	RoleDCPController     Role = "dcp-controller"     // sends DCP Identify/Set requests
	RoleDCPDevice         Role = "dcp-device"         // answers DCP Identify (IO device or controller)
	RoleENIPAdapter       Role = "enip-adapter"       // answers ListIdentity / is a CIP target
	RoleENIPScanner       Role = "enip-scanner"       // sends ListIdentity / originates CIP connections
	RoleBACnetDevice      Role = "bacnet-device"      // sends I-Am or answers confirmed requests
	RoleBACnetClient      Role = "bacnet-client"      // sends Who-Is or confirmed requests
	RoleDNP3Outstation    Role = "dnp3-outstation"    // DNP3 frames with DIR=0
	RoleDNP3Master        Role = "dnp3-master"        // DNP3 frames with DIR=1
	RoleIEC104Controlled  Role = "iec104-controlled"  // IEC 104 server side (source port 2404)
	RoleIEC104Controlling Role = "iec104-controlling" // IEC 104 client side
	RoleDHCPServer        Role = "dhcp-server"        // sends DHCP Offer/Ack
	RoleDNSServer         Role = "dns-server"         // sends DNS responses
	RoleRouter            Role = "router"             // inferred by the table: many IPs behind one MAC
	RoleSwitch            Role = "lldp-bridge"        // LLDP/CDP capabilities say bridge/switch
)

// Evidence says how strongly an observation ties an IP address to a MAC.
type Evidence uint8

// Evidence levels. Only strong evidence can raise an IP conflict; see the
// package documentation for the rule.
const (
	// EvidenceWeak: the IP was the source address of an IP packet sent
	// from this MAC. A router forwards many sources with its own MAC, so
	// this says little.
	EvidenceWeak Evidence = iota
	// EvidenceStrong: the device itself announced or was assigned the
	// address at layer 2: ARP sender fields, a DCP IP block in an Identify
	// response or Set request, a DHCP Ack's yiaddr for its chaddr, an LLDP
	// or CDP management address, the socket address inside an ENIP
	// ListIdentity response.
	EvidenceStrong
)

// String returns "weak" or "strong".
func (e Evidence) String() string {
	if e == EvidenceStrong {
		return "strong"
	}
	return "weak"
}

// IPClaim is one IP address an observation associates with its device.
type IPClaim struct {
	Addr     netip.Addr
	Evidence Evidence
	Source   Protocol
}

// Name is one name a device was given on the wire, with the protocol that
// carried it: pn-dcp (NameOfStation), lldp (system name), dhcp (option 12
// host name), cdp (device ID), dns (A/AAAA answer for one of its IPs),
// s7comm (PLC name from SZL 0x001C), bacnet (device object name).
type Name struct {
	Value  string
	Source Protocol
}

// Key names one identity fact. The constants are the stable spellings used
// in the JSON output; other non-empty values are accepted and kept.
type Key string

// Identity keys.
const (
	KeyVendorID      Key = "vendor_id"          // pn-dcp, enip, bacnet: numeric vendor identifier
	KeyVendorName    Key = "vendor_name"        // textual vendor from the device (bacnet, modbus)
	KeyDeviceID      Key = "device_id"          // pn-dcp device ID
	KeyDeviceType    Key = "device_type"        // enip device type (CIP profile)
	KeyProductCode   Key = "product_code"       // enip product code
	KeyProductName   Key = "product_name"       // enip product name, modbus ProductName
	KeyModel         Key = "model"              // bacnet model-name, modbus model name
	KeyRevision      Key = "revision"           // enip major.minor revision
	KeySerial        Key = "serial"             // enip, s7comm serial number
	KeyOrderNumber   Key = "order_number"       // s7comm order number (MLFB), e.g. 6ES7 315-2EH14-0AB0
	KeyFirmware      Key = "firmware"           // s7comm, bacnet firmware revision
	KeyHardware      Key = "hardware_version"   // s7comm hardware version
	KeyModuleName    Key = "module_name"        // s7comm module name
	KeyModuleType    Key = "module_type"        // s7comm module type name
	KeyTypeOfStation Key = "type_of_station"    // pn-dcp DeviceVendorValue
	KeyDeviceRole    Key = "device_role"        // pn-dcp device role bits
	KeyDeviceInst    Key = "device_instance"    // pn-dcp device instance, bacnet device instance
	KeyOEMVendorID   Key = "oem_vendor_id"      // pn-dcp OEM vendor ID
	KeyOEMDeviceID   Key = "oem_device_id"      // pn-dcp OEM device ID
	KeySysDesc       Key = "system_description" // lldp system description
	KeyPlatform      Key = "platform"           // cdp platform
	KeySoftware      Key = "software_version"   // cdp software version
	KeyChassisID     Key = "chassis_id"         // lldp chassis ID
	KeyPortID        Key = "port_id"            // lldp/cdp port ID
	KeyCapabilities  Key = "capabilities"       // lldp/cdp system capabilities
	KeyNetmask       Key = "netmask"            // pn-dcp IP block
	KeyGateway       Key = "gateway"            // pn-dcp IP block
	KeyVendorClass   Key = "dhcp_vendor_class"  // dhcp option 60
	KeyStationAddr   Key = "station_address"    // dnp3 link address, iec104 common address, modbus unit id
	KeyStatus        Key = "status"             // enip device status word
)

// Field is one identity fact. Either Value is set, or Numeric is true and
// Num holds the value; the table formats numbers per key and protocol
// (Profinet IDs as 0x%04x, ENIP/BACnet vendor IDs in decimal, revision as
// major.minor from Num = major<<8 | minor, ENIP serial as 0x%08x), so a
// producer need not allocate to build a string.
type Field struct {
	Key     Key
	Source  Protocol
	Value   string
	Num     uint64
	Numeric bool
}

// Text returns a textual identity field.
func Text(k Key, src Protocol, v string) Field { return Field{Key: k, Source: src, Value: v} }

// Number returns a numeric identity field.
func Number(k Key, src Protocol, n uint64) Field {
	return Field{Key: k, Source: src, Num: n, Numeric: true}
}

// Observation is what one packet tells about one device. The parse stack
// produces it (normally about the frame's sender) and Table.Observe folds it
// in. A packet may yield several observations: a DHCP Ack says something
// about the client (chaddr/yiaddr/host name) as well as about the server.
//
// Observe never keeps a reference to the slices of an Observation and copies
// every string it keeps, so a producer may reuse the slices from packet to
// packet and pass strings that alias a packet buffer (unsafe.String) which
// is valid only during the call.
type Observation struct {
	// Time is the capture timestamp of the packet.
	Time time.Time
	// MAC is the device's MAC address. A zero MAC (loopback and some
	// container captures, cooked captures without an address) makes the
	// table key the device by its first IP instead.
	MAC MAC
	// ByIP marks an observation about whoever holds IPs, not about a
	// device seen on the wire: a DNS answer mapping a name to an IP. Only
	// its Names are used; MAC is ignored. The names are attached, in
	// Report, to the asset that holds the IP (not to routers).
	ByIP bool
	// VLAN is the 802.1Q VLAN ID the frame carried (innermost tag), 0 if
	// untagged or priority-tagged.
	VLAN uint16
	// Packets and Bytes count frames this device sent (frame length on
	// the wire). An observation about a third party (a DHCP Ack about its
	// client) carries zero.
	Packets uint64
	Bytes   uint64
	// Protocol is the highest-layer protocol recognised in the packet, or
	// "" if none beyond Ethernet.
	Protocol Protocol
	// Role is the role the packet shows the device in, or RoleNone.
	Role Role
	// IPs are addresses tied to the device, with their evidence.
	IPs []IPClaim
	// Names are names the packet gives the device.
	Names []Name
	// Identity are facts about the device's make, model and firmware.
	Identity []Field
}
