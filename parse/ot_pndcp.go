package parse

import (
	"strconv"

	"github.com/wirebom/wirebom/parse/pndcp"
)

func (d *Decoder) decodePNDCP(p *Packet) error {
	p.path.push(protoPNDCP)
	if err := p.OT.PNDCP.Decode(p.Payload); err != nil {
		return otError(p, "pn_dcp", err)
	}
	p.Proto = ProtoPNDCP
	return nil
}

// pndcpSuboptKey is the oracle key of a block's suboption, by option.
func pndcpSuboptKey(o pndcp.Option) string {
	switch o {
	case pndcp.OptionIP:
		return "suboption_ip"
	case pndcp.OptionDevice:
		return "suboption_device"
	case pndcp.OptionDHCP:
		return "suboption_dhcp"
	case pndcp.OptionControl:
		return "suboption_control"
	case pndcp.OptionDeviceInitiative:
		return "suboption_deviceinitiative"
	case pndcp.OptionAll:
		return "suboption_all"
	}
	if o.IsManufacturer() {
		return "suboption_manuf"
	}
	return "suboption_other"
}

// pndcpFields reports DCP fields as tshark lists them (corpus README
// quirks: DeviceOptions pairs share the option/suboption fields, the IP
// block's BlockInfo is ip_block_info, DeviceInstance is [high, low]).
func (p *Packet) pndcpFields(s FieldSink) {
	const g = "pn_dcp"
	f := &p.OT.PNDCP
	request := f.ServiceType == pndcp.TypeRequest
	selector := request && f.ServiceID == pndcp.ServiceGet
	qualifier := request && f.ServiceID == pndcp.ServiceSet
	s.Field(g, "service_id", Uint(f.ServiceID))
	s.Field(g, "service_type", Uint(f.ServiceType))
	s.Field(g, "xid", Uint(f.Xid))
	if request && f.ServiceID == pndcp.ServiceIdentify {
		s.Field(g, "response_delay", Uint(f.ResponseDelay))
	}
	s.Field(g, "data_length", Uint(f.DataLength))
	it := f.Blocks()
	var b pndcp.Block
	for it.Next(&b) {
		s.Field(g, "option", Uint(b.Option))
		s.Field(g, pndcpSuboptKey(b.Option), Uint(b.Suboption))
		if selector {
			continue
		}
		s.Field(g, "block_length", Uint(b.Length))
		if b.HasInfo {
			switch {
			case qualifier:
				s.Field(g, "block_qualifier", Uint(b.Info))
			case b.Option == pndcp.OptionIP:
				s.Field(g, "ip_block_info", Uint(b.Info))
			default:
				s.Field(g, "block_info", Uint(b.Info))
			}
		}
		switch {
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceNameOfStation:
			s.Field(g, "name_of_station", Str(b.Text()))
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceVendor:
			s.Field(g, "type_of_station", Str(b.Text()))
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceAliasName:
			s.Field(g, "alias_name", Str(b.Text()))
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceID:
			if v, d, err := b.DeviceID(); err == nil {
				s.Field(g, "vendor_id", Uint(v))
				s.Field(g, "device_id", Uint(d))
			}
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceOEMDeviceID:
			if v, d, err := b.OEMDeviceID(); err == nil {
				s.Field(g, "oem_vendor_id", Uint(v))
				s.Field(g, "oem_device_id", Uint(d))
			}
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceRole:
			if r, err := b.DeviceRole(); err == nil {
				s.Field(g, "device_role", Uint(r))
			}
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceInstance:
			if h, l, err := b.DeviceInstance(); err == nil {
				s.Field(g, "device_instance", Uint(h))
				s.Field(g, "device_instance", Uint(l))
			}
		case b.Option == pndcp.OptionDevice && b.Suboption == pndcp.SubDeviceOptions:
			if ps, err := b.DeviceOptions(); err == nil {
				for {
					pr, ok := ps.Next()
					if !ok {
						break
					}
					s.Field(g, "option", Uint(pr.Option))
					s.Field(g, pndcpSuboptKey(pr.Option), Uint(pr.Suboption))
				}
			}
		case b.Option == pndcp.OptionIP && (b.Suboption == pndcp.SubIPParameter || b.Suboption == pndcp.SubIPFullSuite):
			if len(b.Value) >= 12 {
				s.Field(g, "ip", IP(b.Value[0:4]))
				s.Field(g, "netmask", IP(b.Value[4:8]))
				s.Field(g, "gateway", IP(b.Value[8:12]))
			}
		case b.Option == pndcp.OptionControl && b.Suboption == pndcp.SubControlResponse:
			if o, sub, e, err := b.ControlResponse(); err == nil {
				s.Field(g, "control_option", Uint(o))
				s.Field(g, pndcpSuboptKey(o), Uint(sub))
				s.Field(g, "block_error", Uint(e))
			}
		case b.Option == pndcp.OptionDeviceInitiative && b.Suboption == pndcp.SubDeviceInitiative:
			if v, err := b.DeviceInitiative(); err == nil {
				s.Field(g, "device_initiative", Uint(v))
			}
		}
	}
}

// appendPNDCPSummary appends e.g. `PN-DCP Identify OK xid 0x01000001
// name="plc-1" type="S7-300EC" vendor=0x002a device=0x0101 ip 192.168.0.11`.
func appendPNDCPSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	f := &p.OT.PNDCP
	dst = append(dst, "PN-DCP "...)
	dst = append(dst, f.ServiceID.String()...)
	switch f.ServiceType {
	case pndcp.TypeRequest:
		dst = append(dst, " Request"...)
	case pndcp.TypeSuccess:
		dst = append(dst, " OK"...)
	case pndcp.TypeUnsupported:
		dst = append(dst, " Unsupported"...)
	default:
		dst = append(dst, " type "...)
		dst = strconv.AppendUint(dst, uint64(f.ServiceType), 10)
	}
	dst = append(dst, " xid 0x"...)
	dst = appendHexN(dst, uint64(f.Xid), 8)
	id := &p.dec.ot.dcpID
	_ = f.Identity(id)
	if id.NameOfStation != nil {
		dst = append(dst, " name="...)
		dst = AppendText(dst, id.NameOfStation, o.MaxText)
	}
	if id.TypeOfStation != nil {
		dst = append(dst, " type="...)
		dst = AppendText(dst, id.TypeOfStation, o.MaxText)
	}
	if id.AliasName != nil {
		dst = append(dst, " alias="...)
		dst = AppendText(dst, id.AliasName, o.MaxText)
	}
	if id.HasDeviceID {
		dst = append(dst, " vendor=0x"...)
		dst = appendHexN(dst, uint64(id.VendorID), 4)
		dst = append(dst, " device=0x"...)
		dst = appendHexN(dst, uint64(id.DeviceID), 4)
	}
	if id.HasRole {
		dst = append(dst, " role=0x"...)
		dst = appendHexN(dst, uint64(id.Role), 2)
	}
	if id.HasIP {
		dst = append(dst, " ip "...)
		dst = id.IP.IP.AppendTo(dst)
		dst = append(dst, " mask "...)
		dst = id.IP.Netmask.AppendTo(dst)
		dst = append(dst, " gw "...)
		dst = id.IP.Gateway.AppendTo(dst)
	}
	return dst
}
