package parse

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// corpusDir is the corpus TestConformance checks: $WIREBOM_CORPUS, or the
// copy in testdata/corpus (laid out like /work/shared/corpus: pcaps/ and
// oracle/<pcap name without extension>.jsonl).
func corpusDir() string {
	if d := os.Getenv("WIREBOM_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "testdata", "corpus")
}

// claimed lists the oracle keys we decode, per group ("" = frame level).
// Every key listed here is compared on every frame; a key of the oracle
// that is not listed is reported as "not decoded".
var claimed = map[string][]string{
	"": {"cap_len", "len", "eth_src", "eth_dst", "eth_type", "eth_len", "ethertype", "vlan_ids",
		"ip_src", "ip_dst", "ip_proto", "ipv6_src", "ipv6_dst", "ipv6_nxt",
		"tcp_srcport", "tcp_dstport", "tcp_len", "udp_srcport", "udp_dstport"},
	"arp":    {"opcode", "src_mac", "src_ip", "dst_mac", "dst_ip"},
	"icmp":   {"type", "code"},
	"icmpv6": {"type", "code"},
	"dns":    {"id", "response", "qname", "qtype", "a", "aaaa"},
	"dhcp":   {"msg_type", "client_mac", "yiaddr", "hostname", "vendor_class", "requested_ip", "server_id"},
	"lldp": {"chassis_subtype", "chassis_id", "chassis_id_text", "chassis_id_mac", "chassis_id_ip4",
		"port_subtype", "port_id", "port_id_mac", "ttl", "system_name", "system_desc", "system_cap",
		"mgmt_ip4", "pn_subtype", "pn_chassis_mac"},
	"cdp":   {"device_id", "port_id", "platform", "software_version", "native_vlan", "capabilities", "address_ip4"},
	"pn_rt": {"frame_id", "cycle_counter", "transfer_status"},
	"pn_dcp": {"service_id", "service_type", "xid", "response_delay", "data_length", "option",
		"suboption_ip", "suboption_device", "suboption_dhcp", "suboption_control",
		"suboption_deviceinitiative", "suboption_all", "suboption_manuf", "block_length",
		"block_info", "block_qualifier", "block_error", "name_of_station", "alias_name",
		"type_of_station", "vendor_id", "device_id", "device_role", "device_instance",
		"oem_vendor_id", "oem_device_id", "ip", "netmask", "gateway", "ip_block_info",
		"device_initiative", "control_option"},
	"modbus": {"trans_id", "prot_id", "len", "unit_id", "func_code", "exception_code", "mei",
		"read_device_id", "object_id", "object_str_value"},
	"dnp3": {"start", "len", "ctl", "dir", "prm", "prifunc", "secfunc", "dst", "src",
		"tr_fin", "tr_fir", "tr_seq", "al_seq", "al_func", "al_iin", "al_obj"},
	"iec104": {"apdu_len", "type", "utype", "tx", "rx", "type_id", "sq", "num_ix", "cause_tx",
		"negative", "test", "originator", "common_addr", "ioa"},
	"bacnet": {"bvlc_type", "bvlc_function", "bvlc_length", "npdu_control", "dnet", "snet",
		"nl_message_type", "apdu_type", "confirmed_service", "unconfirmed_service", "invoke_id",
		"object_type", "instance_number", "property_identifier", "vendor_identifier", "object_name",
		"max_apdu", "error_class", "error_code"},
	"enip": {"command", "length", "session", "status", "cpf_typeid", "vendor_id", "device_type",
		"product_code", "revision", "device_status", "serial", "product_name", "state"},
	"cip":  {"service", "class", "general_status"},
	"cotp": {"pdu_type", "tpkt_length"},
	"s7comm": {"protocol_id", "rosctr", "pdu_ref", "error_class", "error_code", "function",
		"userdata_type", "userdata_funcgroup", "userdata_subfunc", "szl_id", "szl_index",
		"szl_0011_order_number", "szl_0011_module_type", "szl_0011_version", "szl_001c_plc_name",
		"szl_001c_module_name", "szl_001c_serial", "szl_001c_module_type_name"},
}

// notCompared are oracle keys that are about tshark itself, not fields.
var notCompared = map[string]bool{"frame": true, "protocols": true, "malformed": true}

// Reasons a difference is allowed. A quirk is Wireshark behaviour we do
// not reproduce on purpose (testdata/corpus/README.md lists them); a gap is
// something our decoders do not do (yet). Both are counted and listed in
// the table, never silently dropped; anything else is a test failure.
const (
	quirkSTag        = "quirk: 802.1ad S-tag is not in tshark's vlan.id"
	quirkICMPQuote   = "quirk: tshark decodes the datagram quoted in an ICMP error"
	quirkWithheld    = "quirk: tshark's TCP analysis passed the payload to no dissector (retransmission or out of window)"
	quirkDNP3Reasm   = "quirk: tshark shows DNP3 al_* only on the frame completing transport reassembly"
	quirkPDUMin      = "quirk: tshark (reassembly off) dissects no IEC 104 PDU from fewer than 6 octets"
	quirkDNP3Objs    = "quirk: tshark shows DNP3 objects (and IIN) only for the function codes it parses"
	quirkCIPClass    = "quirk: tshark shows cip.class on a reply by matching its request"
	gapDNP3Objects   = "gap: we decode the first DNP3 object header only"
	gapBACnetService = "gap: BACnet service parameters of services we do not decode"
	gapIEC104Stub    = "gap: we reject an IEC 104 ASDU shorter than its header; tshark shows the octets present"
)

// allowed returns why a difference between our value and tshark's for
// group.key on this frame is allowed, or "".
func allowed(group, key string, ours, theirs any, rec map[string]any, p *Packet) string {
	protocols, _ := rec["protocols"].(string)
	switch {
	case key == "vlan_ids" && group == "":
		var cTags []any
		for _, v := range p.VLANs {
			if v.TPID != 0x88a8 {
				cTags = append(cTags, float64(v.ID))
			}
		}
		if len(cTags) != len(p.VLANs) && reflect.DeepEqual(cTags, theirs) {
			return quirkSTag
		}
	case group == "" && (strings.HasPrefix(key, "tcp_") || strings.HasPrefix(key, "udp_")):
		if ours == nil && (rec["icmp"] != nil || rec["icmpv6"] != nil) {
			return quirkICMPQuote
		}
	case group != "" && theirs == nil && rec[group] == nil && strings.HasSuffix(protocols, ":tcp"):
		return quirkWithheld
	case group == "dnp3" && key == "al_obj" && isPrefix(ours, theirs):
		return gapDNP3Objects
	case group == "dnp3" && strings.HasPrefix(key, "al_") && ours == nil:
		if f := &p.OT.DNP3; !(f.HasTransport && f.Transport.FIR && f.Transport.FIN) || p.OT.Count > 1 {
			return quirkDNP3Reasm
		}
	case group == "dnp3" && key == "al_obj" && theirs == nil && !tsharkDNP3ObjFuncs[p.OT.DNP3.App.Func]:
		return quirkDNP3Objs
	case group == "dnp3" && key == "al_iin" && theirs == nil && p.OT.DNP3.App.Func == 131:
		return quirkDNP3Objs
	case group == "cip" && key == "class" && ours == nil && isReply(rec):
		return quirkCIPClass
	case group == "iec104" && theirs == nil && (len(p.Payload) < 6 || int(p.OT.IEC104.Length)+2 < 6):
		return quirkPDUMin
	case group == "iec104" && ours == nil && p.AppErr != nil:
		return gapIEC104Stub
	case group == "bacnet" && ours == nil && !p.OT.BACnet.HasIAm && !p.OT.BACnet.HasReadProperty:
		switch key {
		case "object_type", "instance_number", "property_identifier", "vendor_identifier", "object_name":
			return gapBACnetService
		}
	}
	return ""
}

// tsharkDNP3ObjFuncs are the DNP3 application function codes for which
// Wireshark 4.0's packet-dnp.c walks object headers.
var tsharkDNP3ObjFuncs = map[uint8]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true,
	8: true, 9: true, 10: true, 20: true, 21: true, 25: true, 26: true, 27: true, 129: true, 130: true}

// isReply reports whether tshark's cip group has a reply (general_status).
func isReply(rec map[string]any) bool {
	g, _ := rec["cip"].(map[string]any)
	return g != nil && g["general_status"] != nil
}

// isPrefix reports whether array a is a non-empty proper prefix of b.
func isPrefix(a, b any) bool {
	x, _ := a.([]any)
	y, _ := b.([]any)
	return len(x) > 0 && len(x) < len(y) && reflect.DeepEqual(x, y[:len(x)])
}

// collector is a FieldSink building an oracle-shaped record.
type collector struct{ rec map[string]any }

func (c *collector) Field(group, key string, v Value) {
	var x any
	switch v.Kind {
	case KindUint:
		x = float64(v.Num)
	case KindBool:
		x = v.Num != 0
	case KindString:
		x = string(v.Bytes)
	default:
		x = string(appendValue(nil, v, false, 0))
	}
	if group == "" {
		if key == "vlan_ids" {
			l, _ := c.rec[key].([]any)
			c.rec[key] = append(l, x)
			return
		}
		c.rec[key] = x
		return
	}
	g, _ := c.rec[group].(map[string]any)
	if g == nil {
		g = map[string]any{}
		c.rec[group] = g
	}
	l, _ := g[key].([]any)
	g[key] = append(l, x)
}

type confStats struct {
	agreed     map[string]int // "group.key" -> frames where both agree (present or absent)
	present    map[string]int // "group.key" -> frames where both agree on a value
	quirks     map[string]map[string]int
	notDecoded map[string]int // "group.key" -> frames where only tshark has it
	mismatches []string
}

func TestConformance(t *testing.T) {
	dir := corpusDir()
	pcaps, err := filepath.Glob(filepath.Join(dir, "pcaps", "*"))
	if err != nil || len(pcaps) == 0 {
		t.Fatalf("no captures in %s/pcaps (WIREBOM_CORPUS=%q)", dir, os.Getenv("WIREBOM_CORPUS"))
	}
	st := &confStats{agreed: map[string]int{}, present: map[string]int{}, quirks: map[string]map[string]int{}, notDecoded: map[string]int{}}
	frames := 0
	for _, pc := range pcaps {
		name := strings.TrimSuffix(filepath.Base(pc), filepath.Ext(pc))
		oracle := filepath.Join(dir, "oracle", name+".jsonl")
		if _, err := os.Stat(oracle); err != nil {
			t.Errorf("%s: no oracle %s", pc, oracle)
			continue
		}
		frames += checkCapture(t, pc, oracle, st)
	}
	for _, m := range st.mismatches {
		t.Error(m)
	}
	table := conformanceTable(st, frames, len(pcaps))
	t.Log("\n" + table)
	if os.Getenv("WIREBOM_CORPUS") == "" {
		if err := os.WriteFile(filepath.Join("testdata", "conformance.md"), []byte(table), 0o644); err != nil {
			t.Errorf("writing the table: %v", err)
		}
	}
}

func checkCapture(t *testing.T, pcapPath, oraclePath string, st *confStats) int {
	t.Helper()
	f, err := os.Open(pcapPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	of, err := os.Open(oraclePath)
	if err != nil {
		t.Fatal(err)
	}
	defer of.Close()
	cr, err := OpenCapture(f)
	if err != nil {
		t.Errorf("%s: %v", pcapPath, err)
		return 0
	}
	sc := bufio.NewScanner(of)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	d := NewDecoder()
	base := filepath.Base(pcapPath)
	n := 0
	for {
		data, ci, lt, err := cr.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s: %v", base, err)
			break
		}
		n++
		if !sc.Scan() {
			t.Errorf("%s: oracle has fewer frames than the capture (%d)", base, n)
			break
		}
		var want map[string]any
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatalf("%s: oracle line %d: %v", oraclePath, n, err)
		}
		p, _ := d.DecodeCapture(ci, data, lt)
		c := &collector{rec: map[string]any{}}
		p.Fields(c)
		compareFrame(fmt.Sprintf("%s frame %d", base, n), want, c.rec, p, st)
	}
	if sc.Scan() {
		t.Errorf("%s: oracle has more frames than the capture (%d)", base, n)
	}
	return n
}

func compareFrame(where string, want, got map[string]any, p *Packet, st *confStats) {
	cmpKey := func(group, label, key string, theirs, ours any) {
		if reflect.DeepEqual(theirs, ours) {
			st.agreed[label]++
			if theirs != nil {
				st.present[label]++
			}
			return
		}
		if why := allowed(group, key, ours, theirs, want, p); why != "" {
			if st.quirks[label] == nil {
				st.quirks[label] = map[string]int{}
			}
			st.quirks[label][why]++
			return
		}
		st.mismatches = append(st.mismatches, fmt.Sprintf("%s: %s: tshark %s, wirebom %s", where, label, js(theirs), js(ours)))
	}
	for group, keys := range claimed {
		if group == "" {
			for _, k := range keys {
				cmpKey("", k, k, want[k], got[k])
			}
			continue
		}
		wg, _ := want[group].(map[string]any)
		gg, _ := got[group].(map[string]any)
		for _, k := range keys {
			var wv, gv any
			if wg != nil {
				wv = wg[k]
			}
			if gg != nil {
				gv = gg[k]
			}
			cmpKey(group, group+"."+k, k, wv, gv)
		}
	}
	// Everything tshark has that we do not claim.
	for k, v := range want {
		if notCompared[k] {
			continue
		}
		if g, ok := v.(map[string]any); ok {
			for gk := range g {
				if !isClaimed(k, gk) {
					st.notDecoded[k+"."+gk]++
				}
			}
			continue
		}
		if !isClaimed("", k) {
			st.notDecoded[k]++
		}
	}
}

func isClaimed(group, key string) bool {
	for _, k := range claimed[group] {
		if k == key {
			return true
		}
	}
	return false
}

func js(v any) string {
	if v == nil {
		return "(absent)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// conformanceTable renders the per-field results as Markdown.
func conformanceTable(st *confStats, frames, files int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Conformance with tshark 4.0.17 (generated by TestConformance)\n\n")
	fmt.Fprintf(&b, "%d captures, %d frames. A field agrees on a frame when both tools emit the same value(s) or both omit it.\n\n", files, frames)
	fmt.Fprintf(&b, "## Fields we decode\n\n| field | frames agreeing | of which with a value | quirk frames | mismatches |\n|---|---:|---:|---:|---:|\n")
	mism := map[string]int{}
	for _, m := range st.mismatches {
		parts := strings.SplitN(m, ": ", 3)
		if len(parts) == 3 {
			mism[parts[1]]++
		}
	}
	var labels []string
	for g, keys := range claimed {
		for _, k := range keys {
			if g == "" {
				labels = append(labels, k)
			} else {
				labels = append(labels, g+"."+k)
			}
		}
	}
	sort.Strings(labels)
	for _, l := range labels {
		q := 0
		for _, n := range st.quirks[l] {
			q += n
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", l, st.agreed[l], st.present[l], q, mism[l])
	}
	fmt.Fprintf(&b, "\n## Allowed differences: Wireshark quirks and our known gaps\n\n| field | reason | frames |\n|---|---|---:|\n")
	var ql []string
	for l, m := range st.quirks {
		for why, n := range m {
			ql = append(ql, fmt.Sprintf("| %s | %s | %d |", l, why, n))
		}
	}
	sort.Strings(ql)
	for _, l := range ql {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "\n## Oracle fields we do not decode yet\n\n| field | frames where tshark has it |\n|---|---:|\n")
	var nd []string
	for k := range st.notDecoded {
		nd = append(nd, k)
	}
	sort.Strings(nd)
	if len(nd) == 0 {
		b.WriteString("| (none: every field of the oracle is compared) | |\n")
	}
	for _, k := range nd {
		fmt.Fprintf(&b, "| %s | %d |\n", k, st.notDecoded[k])
	}
	return b.String()
}
