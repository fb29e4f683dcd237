package observe

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/parse/asset"
	"github.com/wirebom/wirebom/parse/bacnet"
	"github.com/wirebom/wirebom/parse/enip"
	"github.com/wirebom/wirebom/parse/modbus"
	"github.com/wirebom/wirebom/parse/pndcp"
	"github.com/wirebom/wirebom/parse/s7comm"
)

func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// arp: the sender fields bind the sender's IP to its MAC (strong), unless
// the sender IP is 0.0.0.0 (an ARP probe).
func (k *pkt) arp() {
	a := k.p.ARP
	b := k.self
	b.o.Protocol = asset.ProtoARP
	ip := addrOf(a.SourceProtAddress)
	if !ip.IsValid() || ip.IsUnspecified() {
		return
	}
	sender, ok := asset.MACFrom(a.SourceHwAddress)
	if !ok || sender == b.o.MAC || sender.IsZero() || sender.IsMulticast() {
		b.ip(ip, asset.EvidenceStrong, asset.ProtoARP)
		return
	}
	// The ARP sender is not the frame's source (proxy ARP, or a forged
	// sender): the claim is the ARP sender's.
	o := k.about(sender)
	o.o.Protocol = asset.ProtoARP
	o.ip(ip, asset.EvidenceStrong, asset.ProtoARP)
}

// dns: each A/AAAA answer names whoever holds the address.
func (k *pkt) dns() {
	b := k.self
	b.o.Protocol = asset.ProtoDNS
	d, err := k.p.DNS()
	if err != nil || d == nil || !d.QR {
		return
	}
	b.o.Role = asset.RoleDNSServer
	for _, rr := range d.Answers {
		if rr.Type != layers.DNSTypeA && rr.Type != layers.DNSTypeAAAA {
			continue
		}
		ip := addrOf(rr.IP)
		if !ip.IsValid() || len(rr.Name) == 0 {
			continue
		}
		o := k.about(asset.MAC{})
		o.o.ByIP = true
		o.o.Protocol = asset.ProtoDNS
		o.ip(ip, asset.EvidenceWeak, asset.ProtoDNS)
		o.name(rr.Name, asset.ProtoDNS)
	}
}

// dhcp: client host names and vendor classes; a server's Ack binds yiaddr
// to the client's hardware address.
func (k *pkt) dhcp() {
	d := k.p.DHCPv4
	b := k.self
	b.o.Protocol = asset.ProtoDHCP
	var msg layers.DHCPMsgType
	var host, class []byte
	for _, opt := range d.Options {
		switch opt.Type {
		case layers.DHCPOptMessageType:
			if len(opt.Data) == 1 {
				msg = layers.DHCPMsgType(opt.Data[0])
			}
		case layers.DHCPOptHostname:
			host = opt.Data
		case layers.DHCPOptClassID:
			class = opt.Data
		}
	}
	switch msg {
	case layers.DHCPMsgTypeDiscover, layers.DHCPMsgTypeRequest, layers.DHCPMsgTypeInform:
		b.name(host, asset.ProtoDHCP)
		b.text(asset.KeyVendorClass, asset.ProtoDHCP, class)
		if msg == layers.DHCPMsgTypeInform {
			b.ip(addrOf(d.ClientIP), asset.EvidenceStrong, asset.ProtoDHCP)
		}
	case layers.DHCPMsgTypeOffer, layers.DHCPMsgTypeAck:
		b.o.Role = asset.RoleDHCPServer
		if msg != layers.DHCPMsgTypeAck {
			return
		}
		client, ok := asset.MACFrom(d.ClientHWAddr)
		if !ok || client.IsZero() || client == b.o.MAC {
			return
		}
		o := k.about(client)
		o.o.Protocol = asset.ProtoDHCP
		o.ip(addrOf(d.YourClientIP), asset.EvidenceStrong, asset.ProtoDHCP)
		o.name(host, asset.ProtoDHCP)
	}
}

// lldp: system name, description, chassis and port IDs, capabilities and
// the management address.
func (k *pkt) lldp() {
	b := k.self
	b.o.Protocol = asset.ProtoLLDP
	l, info, _ := k.p.LLDP()
	if l != nil {
		b.str(asset.KeyChassisID, asset.ProtoLLDP, idText(byte(l.ChassisID.Subtype), l.ChassisID.ID, 4, 5))
		b.str(asset.KeyPortID, asset.ProtoLLDP, idText(byte(l.PortID.Subtype), l.PortID.ID, 3, 4))
	}
	if info == nil {
		return
	}
	b.name([]byte(info.SysName), asset.ProtoLLDP)
	b.str(asset.KeySysDesc, asset.ProtoLLDP, info.SysDescription)
	if c := capsLLDP(info.SysCapabilities.SystemCap); c != "" {
		b.str(asset.KeyCapabilities, asset.ProtoLLDP, c)
	}
	if info.SysCapabilities.EnabledCap.Bridge {
		b.o.Role = asset.RoleSwitch
	}
	switch m := info.MgmtAddress; m.Subtype {
	case layers.IANAAddressFamilyIPV4, layers.IANAAddressFamilyIPV6:
		b.ip(addrOf(m.Address), asset.EvidenceStrong, asset.ProtoLLDP)
	}
}

// idText renders an LLDP chassis or port ID: a MAC for the MAC subtype, an
// address for the network-address subtype, else the bytes as text.
func idText(subtype byte, id []byte, macSub, netSub byte) string {
	switch {
	case subtype == macSub && len(id) == 6:
		m, _ := asset.MACFrom(id)
		return m.String()
	case subtype == netSub && len(id) >= 5 && id[0] == 1:
		return addrOf(id[1:5]).String()
	case subtype == netSub && len(id) >= 17 && id[0] == 2:
		return addrOf(id[1:17]).String()
	}
	return strings.Trim(string(id), " \x00")
}

func capsLLDP(c layers.LLDPCapabilities) string {
	var s []string
	for _, x := range []struct {
		on   bool
		name string
	}{{c.Repeater, "repeater"}, {c.Bridge, "bridge"}, {c.WLANAP, "wlan-ap"}, {c.Router, "router"},
		{c.Phone, "phone"}, {c.DocSis, "docsis"}, {c.StationOnly, "station"}, {c.Other, "other"}} {
		if x.on {
			s = append(s, x.name)
		}
	}
	return strings.Join(s, ",")
}

// cdp: device ID, platform, software version, addresses, capabilities.
func (k *pkt) cdp() {
	b := k.self
	b.o.Protocol = asset.ProtoCDP
	c, _ := k.p.CDP()
	if c == nil {
		return
	}
	b.name([]byte(c.DeviceID), asset.ProtoCDP)
	b.str(asset.KeyPlatform, asset.ProtoCDP, c.Platform)
	sw := c.Version
	if i := strings.IndexAny(sw, "\r\n"); i >= 0 {
		sw = sw[:i] // first line: "Cisco IOS Software, ... Version 12.2(44)SE, ..."
	}
	b.str(asset.KeySoftware, asset.ProtoCDP, sw)
	b.str(asset.KeyPortID, asset.ProtoCDP, c.PortID)
	for _, ip := range c.Addresses {
		b.ip(addrOf(ip), asset.EvidenceStrong, asset.ProtoCDP)
	}
	for _, ip := range c.MgmtAddresses {
		b.ip(addrOf(ip), asset.EvidenceStrong, asset.ProtoCDP)
	}
	var caps []string
	for _, x := range []struct {
		on   bool
		name string
	}{{c.Capabilities.L3Router, "router"}, {c.Capabilities.TBBridge, "tb-bridge"}, {c.Capabilities.SPBridge, "sp-bridge"},
		{c.Capabilities.L2Switch, "switch"}, {c.Capabilities.IsHost, "host"}, {c.Capabilities.IsPhone, "phone"}} {
		if x.on {
			caps = append(caps, x.name)
		}
	}
	b.str(asset.KeyCapabilities, asset.ProtoCDP, strings.Join(caps, ","))
	if c.Capabilities.L2Switch || c.Capabilities.TBBridge || c.Capabilities.SPBridge {
		b.o.Role = asset.RoleSwitch
	}
}

// pndcp: Identify/Get responses and Hello describe the sender; Identify
// requests make the sender a controller (their NameOfStation is a filter
// naming the device sought); a Set request describes its target.
func (k *pkt) pndcp() {
	b := k.self
	b.o.Protocol = asset.ProtoPNDCP
	f := &k.p.OT.PNDCP
	id := &k.pr.dcp
	request := f.ServiceType == pndcp.TypeRequest
	switch {
	case request && f.ServiceID == pndcp.ServiceIdentify, request && f.ServiceID == pndcp.ServiceGet:
		b.o.Role = asset.RoleDCPController
		return
	case request && f.ServiceID == pndcp.ServiceSet:
		b.o.Role = asset.RoleDCPController
		dst := dstMAC(k.p)
		if dst.IsZero() || dst.IsMulticast() || f.Identity(id) != nil {
			return
		}
		t := k.about(dst)
		t.o.Protocol = asset.ProtoPNDCP
		if id.HasIP {
			t.ip(id.IP.IP, asset.EvidenceStrong, asset.ProtoPNDCP)
		}
		t.name(id.NameOfStation, asset.ProtoPNDCP)
		return
	case request && f.ServiceID != pndcp.ServiceHello:
		return
	case !request && f.ServiceType != pndcp.TypeSuccess:
		return // error response
	}
	if f.ServiceID == pndcp.ServiceIdentify || f.ServiceID == pndcp.ServiceHello {
		b.o.Role = asset.RoleDCPDevice
	}
	if f.Identity(id) != nil {
		return
	}
	const src = asset.ProtoPNDCP
	b.name(id.NameOfStation, src)
	b.text(asset.KeyTypeOfStation, src, id.TypeOfStation)
	if id.HasDeviceID {
		b.num(asset.KeyVendorID, src, uint64(id.VendorID))
		b.num(asset.KeyDeviceID, src, uint64(id.DeviceID))
	}
	if id.HasRole {
		b.num(asset.KeyDeviceRole, src, uint64(id.Role))
	}
	if id.HasInstance {
		b.num(asset.KeyDeviceInst, src, uint64(id.InstanceHigh)<<8|uint64(id.InstanceLow))
	}
	if id.HasOEMDeviceID {
		b.num(asset.KeyOEMVendorID, src, uint64(id.OEMVendorID))
		b.num(asset.KeyOEMDeviceID, src, uint64(id.OEMDeviceID))
	}
	if id.HasIP {
		b.ip(id.IP.IP, asset.EvidenceStrong, src)
		if id.IP.Netmask.IsValid() && !id.IP.Netmask.IsUnspecified() {
			b.str(asset.KeyNetmask, src, id.IP.Netmask.String())
		}
		if id.IP.Gateway.IsValid() && !id.IP.Gateway.IsUnspecified() {
			b.str(asset.KeyGateway, src, id.IP.Gateway.String())
		}
	}
}

// modbus: the side on port 502 is the server; Read Device Identification
// responses name vendor, product and revision.
func (k *pkt) modbus() {
	b := k.self
	b.o.Protocol = asset.ProtoModbus
	isReq, ok := modbus.IsRequest(k.sport, k.dport)
	if !ok {
		return
	}
	if isReq {
		b.o.Role = asset.RoleModbusClient
		return
	}
	b.o.Role = asset.RoleModbusServer
	a := &k.p.OT.Modbus
	did, err := a.ReadDeviceID(false)
	if err != nil {
		return
	}
	const src = asset.ProtoModbus
	it := did.Objects()
	var obj modbus.Object
	for it.Next(&obj) {
		switch obj.ID {
		case modbus.ObjectVendorName:
			b.text(asset.KeyVendorName, src, obj.Value)
		case modbus.ObjectProductCode:
			b.text(asset.KeyProductCode, src, obj.Value)
		case modbus.ObjectMajorMinorRevision:
			b.text(asset.KeyFirmware, src, obj.Value)
		case modbus.ObjectProductName:
			b.text(asset.KeyProductName, src, obj.Value)
		case modbus.ObjectModelName:
			b.text(asset.KeyModel, src, obj.Value)
		}
	}
}

// dnp3: DIR says who sent the frame; the link source address identifies
// the station.
func (k *pkt) dnp3() {
	b := k.self
	b.o.Protocol = asset.ProtoDNP3
	f := &k.p.OT.DNP3
	if f.Dir {
		b.o.Role = asset.RoleDNP3Master
	} else {
		b.o.Role = asset.RoleDNP3Outstation
	}
	b.num(asset.KeyStationAddr, asset.ProtoDNP3, uint64(f.Src))
}

// bacnet: I-Am and answers make a device; Who-Is and confirmed requests a
// client; ReadProperty(Multiple) answers about the device object carry
// vendor, model, firmware and name.
func (k *pkt) bacnet() {
	b := k.self
	b.o.Protocol = asset.ProtoBACnet
	bp := &k.p.OT.BACnet
	const src = asset.ProtoBACnet
	switch {
	case bp.HasIAm:
		b.o.Role = asset.RoleBACnetDevice
		b.num(asset.KeyVendorID, src, uint64(bp.IAm.VendorID))
		b.num(asset.KeyDeviceInst, src, uint64(bp.IAm.Device.Instance()))
	case bp.HasWhoIs:
		b.o.Role = asset.RoleBACnetClient
	case bp.HasAPDU && bp.APDU.Type == bacnet.ConfirmedRequest:
		b.o.Role = asset.RoleBACnetClient
	case bp.HasAPDU && bp.APDU.Type == bacnet.ComplexACK:
		b.o.Role = asset.RoleBACnetDevice
		it := bp.Properties()
		var txt []byte
		for it.Next() {
			r := it.Ref()
			if !r.HasValue || r.Object.Type() != bacnet.ObjectTypeDevice {
				continue
			}
			if r.Property == bacnet.PropVendorIdentifier {
				if v, ok := r.Value.Unsigned(); ok {
					b.num(asset.KeyVendorID, src, uint64(v))
				}
				continue
			}
			cs, s, ok := r.Value.CharString()
			if !ok {
				continue
			}
			txt = bacnet.AppendUTF8(txt[:0], cs, s)
			switch r.Property {
			case bacnet.PropVendorName:
				b.text(asset.KeyVendorName, src, txt)
			case bacnet.PropModelName:
				b.text(asset.KeyModel, src, txt)
			case bacnet.PropFirmwareRevision:
				b.text(asset.KeyFirmware, src, txt)
			case bacnet.PropApplicationSoftwareVersion:
				b.text(asset.KeySoftware, src, txt)
			case bacnet.PropObjectName:
				b.name(txt, src)
			}
		}
	}
}

// enip: ListIdentity replies carry the CIP identity; the side on port
// 44818 is the adapter (target), the other the scanner (originator).
func (k *pkt) enip() {
	b := k.self
	b.o.Protocol = asset.ProtoENIP
	switch {
	case k.sport == portENIP && k.dport != portENIP:
		b.o.Role = asset.RoleENIPAdapter
	case k.dport == portENIP && k.sport != portENIP:
		b.o.Role = asset.RoleENIPScanner
	}
	var ep enip.Packet
	if err := ep.Decode(k.p.Payload); err != nil || ep.Command != enip.CmdListIdentity {
		return
	}
	if ep.Length == 0 {
		b.o.Role = asset.RoleENIPScanner // a ListIdentity request
		return
	}
	_, items, err := ep.Items()
	if err != nil {
		return
	}
	const src = asset.ProtoENIP
	var it enip.Item
	for items.Next(&it) {
		id, err := it.Identity()
		if err != nil {
			continue
		}
		b.o.Role = asset.RoleENIPAdapter
		b.num(asset.KeyVendorID, src, uint64(id.VendorID))
		b.num(asset.KeyDeviceType, src, uint64(id.DeviceType))
		b.num(asset.KeyProductCode, src, uint64(id.ProductCode))
		b.num(asset.KeyRevision, src, uint64(id.Revision()))
		b.num(asset.KeySerial, src, uint64(id.SerialNumber))
		b.text(asset.KeyProductName, src, id.ProductName)
		if id.SocketAddr.IsValid() && !id.SocketAddr.IsUnspecified() {
			b.ip(id.SocketAddr, asset.EvidenceStrong, src)
		}
		return
	}
}

// s7State reassembles SZL responses split over several PDUs, per
// connection direction.
type s7State struct {
	flows map[s7Flow]*s7comm.SZLReassembler
}

type s7Flow struct {
	src, dst         netip.Addr
	srcPort, dstPort uint16
}

// maxS7Flows bounds the reassembly state.
const maxS7Flows = 256

func (s *s7State) reassembler(f s7Flow, create bool) *s7comm.SZLReassembler {
	r := s.flows[f]
	if r == nil && create {
		if s.flows == nil {
			s.flows = make(map[s7Flow]*s7comm.SZLReassembler)
		}
		if len(s.flows) >= maxS7Flows {
			clear(s.flows)
		}
		r = new(s7comm.SZLReassembler)
		s.flows[f] = r
	}
	return r
}

// s7: jobs and userdata requests come from engineering stations and HMIs,
// Ack-Data and userdata responses from the PLC; SZL 0x0011 and 0x001C
// responses carry order number, versions, names and serial number.
func (k *pkt) s7() {
	b := k.self
	b.o.Protocol = asset.ProtoS7comm
	// ISO-on-TCP: the side on port 102 is the PLC (or CP); S7 messages
	// below refine this.
	if k.sport == portS7 {
		b.o.Role = asset.RoleS7PLC
	} else if k.dport == portS7 {
		b.o.Role = asset.RoleS7Client
	}
	it := s7comm.Split(k.p.Payload)
	var sp s7comm.Packet
	for it.Next(&sp) {
		switch sp.Protocol {
		case s7comm.ProtoS7Plus:
			b.o.Protocol = asset.ProtoS7commPlus
			if k.sport == portS7 {
				b.o.Role = asset.RoleS7PLC
			} else if k.dport == portS7 {
				b.o.Role = asset.RoleS7Client
			}
			continue
		case s7comm.ProtoS7:
		default:
			continue
		}
		switch sp.Header.ROSCTR {
		case s7comm.Job:
			b.o.Role = asset.RoleS7Client
		case s7comm.Ack, s7comm.AckData:
			b.o.Role = asset.RoleS7PLC
		case s7comm.UserData:
			u, err := sp.UserData()
			if err != nil {
				continue
			}
			switch u.Type {
			case s7comm.UDRequest:
				b.o.Role = asset.RoleS7Client
			case s7comm.UDResponse:
				b.o.Role = asset.RoleS7PLC
				k.szl(&u)
			}
		}
	}
}

func (k *pkt) szl(u *s7comm.UserDataPDU) {
	if u.FunctionGroup != s7comm.FGCPU || u.SubFunction != s7comm.SubReadSZL {
		return
	}
	f := s7Flow{k.srcIP, k.dstIP, k.sport, k.dport}
	var payload []byte
	if _, err := u.SZL(); errors.Is(err, s7comm.ErrFragment) || k.pr.s7.reassembler(f, false) != nil {
		r := k.pr.s7.reassembler(f, true)
		p, complete, err := r.Add(u)
		if err != nil || !complete {
			return
		}
		payload = p
	} else if err != nil {
		return
	} else {
		payload = u.Payload
	}
	s, err := s7comm.ParseSZL(payload, true)
	if err != nil {
		return
	}
	b := k.self
	const src = asset.ProtoS7comm
	recs := s.Records()
	for {
		rec, ok := recs.Next()
		if !ok {
			break
		}
		switch {
		case s7comm.IsModuleIdentification(s.ID):
			m, err := s7comm.ParseModuleID(rec)
			if err != nil {
				continue
			}
			switch m.Index {
			case 1: // the module (CPU) itself
				b.text(asset.KeyOrderNumber, src, trimmed(m.OrderNumber))
			case 6: // basic hardware
				b.str(asset.KeyHardware, src, fmt.Sprint(m.Version))
			case 7: // basic firmware: 'V' major, then minor.patch
				if m.Version>>8 == 'V' {
					b.str(asset.KeyFirmware, src, fmt.Sprintf("V%d.%d.%d", m.Version&0xff, m.Ausbe>>8, m.Ausbe&0xff))
				}
			}
		case s7comm.IsComponentIdentification(s.ID):
			c, err := s7comm.ParseComponentID(rec)
			if err != nil {
				continue
			}
			switch c.Index {
			case s7comm.CompPLCName:
				b.name(trimmed(c.Text), src)
			case s7comm.CompModuleName:
				b.text(asset.KeyModuleName, src, trimmed(c.Text))
			case s7comm.CompSerialNumber:
				b.text(asset.KeySerial, src, trimmed(c.Text))
			case s7comm.CompModuleTypeName:
				b.text(asset.KeyModuleType, src, trimmed(c.Text))
			}
		}
	}
}
