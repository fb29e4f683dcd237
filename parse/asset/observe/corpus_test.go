package observe

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/parse/asset"
)

// fold reads a capture through the parse stack and this producer.
func fold(t *testing.T, path string) asset.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr, err := parse.OpenCapture(f)
	if err != nil {
		t.Fatal(err)
	}
	tb := asset.NewTable()
	dec := parse.NewDecoder()
	pr := New()
	for {
		data, ci, lt, err := cr.ReadPacket()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p, _ := dec.DecodeCapture(ci, data, lt)
		pr.Fold(tb, p)
	}
	return tb.Report()
}

// oracleFrame is the part of a tshark oracle record these tests use.
type oracleFrame struct {
	Frame  int              `json:"frame"`
	EthSrc string           `json:"eth_src"`
	EthDst string           `json:"eth_dst"`
	IPSrc  string           `json:"ip_src"`
	VLANs  []int            `json:"vlan_ids"`
	ARP    map[string][]any `json:"arp"`
	PNDCP  map[string][]any `json:"pn_dcp"`
	ENIP   map[string][]any `json:"enip"`
	S7     map[string][]any `json:"s7comm"`
	LLDP   map[string][]any `json:"lldp"`
	CDP    map[string][]any `json:"cdp"`
	DHCP   map[string][]any `json:"dhcp"`
}

func readOracle(t *testing.T, path string) []oracleFrame {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []oracleFrame
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var o oracleFrame
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, o)
	}
	return out
}

func str(v []any, i int) string {
	if i >= len(v) {
		return ""
	}
	switch x := v[i].(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(v[i])
}

func num(v []any, i int) (uint64, bool) {
	if i >= len(v) {
		return 0, false
	}
	x, ok := v[i].(float64)
	return uint64(x), ok
}

// index maps MAC (or, for MAC-less assets, the first IP) to the asset.
func index(r asset.Report) map[string]asset.Asset {
	m := map[string]asset.Asset{}
	for _, a := range r.Assets {
		if a.MAC != "" {
			m[a.MAC] = a
		} else if len(a.IPs) > 0 {
			m[a.IPs[0].IP] = a
		}
	}
	return m
}

func hasName(a asset.Asset, name, src string) bool {
	for _, n := range a.Names {
		if n.Name == name && n.Source == src {
			return true
		}
	}
	return false
}

func fact(a asset.Asset, key, src string) []string {
	var v []string
	for _, f := range a.Identity {
		if f.Key == key && f.Source == src {
			v = append(v, f.Value)
		}
	}
	return v
}

func hasIP(a asset.Asset, ip, evidence string) bool {
	for _, x := range a.IPs {
		if x.IP == ip && x.Evidence == evidence {
			return true
		}
	}
	return false
}

func wantFact(t *testing.T, a asset.Asset, key, src, want string, frame int) {
	t.Helper()
	if got := fact(a, key, src); !slices.Contains(got, want) {
		t.Errorf("frame %d: %s: %s (%s) = %q, oracle says %q", frame, a.MAC, key, src, got, want)
	}
}

// TestConformanceAssets folds corpus captures and checks, for every frame
// where Wireshark's oracle shows an identity value, that the asset of the
// sending device holds it.
func TestConformanceAssets(t *testing.T) {
	dir := filepath.Join("..", "testdata")
	captures := map[string]string{
		"pn_dcp_change_ip_x208":     filepath.Join(dir, "pn_dcp_change_ip_x208.pcap"),
		"pn_dcp_vlan_odd_name":      filepath.Join(dir, "pn_dcp_vlan_odd_name.pcap"),
		"enip_listidentity_nmap":    filepath.Join(dir, "enip_listidentity_nmap.pcap"),
		"s7comm_szl_ident_snap7":    filepath.Join(dir, "s7comm_szl_ident_snap7.pcap"),
		"s7comm_reading_plc_status": filepath.Join(dir, "s7comm_reading_plc_status.pcap"),
		// The `make demo` capture (a merge of eight corpus files).
		"ot-sample": filepath.Join("..", "..", "..", "testdata", "demo", "ot-sample.pcap"),
	}
	for name, pcap := range captures {
		t.Run(name, func(t *testing.T) {
			r := fold(t, pcap)
			assets := index(r)
			checked := 0
			for _, fr := range readOracle(t, filepath.Join(dir, name+".jsonl")) {
				key := fr.EthSrc
				if key == "00:00:00:00:00:00" {
					key = fr.IPSrc
				}
				a, ok := assets[key]
				if !ok && (fr.PNDCP != nil || fr.ENIP != nil || fr.S7 != nil || fr.ARP != nil) {
					t.Errorf("frame %d: no asset for sender %s", fr.Frame, key)
					continue
				}
				if d := fr.PNDCP; d != nil && str(d["service_type"], 0) == "1" && str(d["service_id"], 0) == "5" {
					checked++
					if nos := str(d["name_of_station"], 0); nos != "" && !hasName(a, nos, "pn-dcp") {
						t.Errorf("frame %d: %s lacks NameOfStation %q: %+v", fr.Frame, key, nos, a.Names)
					}
					if v, ok := num(d["vendor_id"], 0); ok {
						wantFact(t, a, "vendor_id", "pn-dcp", fmt.Sprintf("0x%04x", v), fr.Frame)
					}
					if v, ok := num(d["device_id"], 0); ok {
						wantFact(t, a, "device_id", "pn-dcp", fmt.Sprintf("0x%04x", v), fr.Frame)
					}
					if tos := str(d["type_of_station"], 0); tos != "" {
						wantFact(t, a, "type_of_station", "pn-dcp", tos, fr.Frame)
					}
					if ip := str(d["ip"], 0); ip != "" && !hasIP(a, ip, "strong") {
						t.Errorf("frame %d: %s lacks strong IP %s: %+v", fr.Frame, key, ip, a.IPs)
					}
					if len(fr.VLANs) > 0 && fr.VLANs[len(fr.VLANs)-1] != 0 && !slices.Contains(a.VLANs, fr.VLANs[len(fr.VLANs)-1]) {
						t.Errorf("frame %d: VLAN %v not in %v", fr.Frame, fr.VLANs, a.VLANs)
					}
				}
				if d := fr.PNDCP; d != nil && str(d["service_type"], 0) == "0" && str(d["service_id"], 0) == "4" {
					// Set request: the target (destination) gets the IP.
					checked++
					if ip := str(d["ip"], 0); ip != "" && !hasIP(assets[fr.EthDst], ip, "strong") {
						t.Errorf("frame %d: Set target %s lacks strong IP %s", fr.Frame, fr.EthDst, ip)
					}
				}
				if d := fr.ARP; d != nil && str(d["src_mac"], 0) == fr.EthSrc && str(d["src_ip"], 0) != "0.0.0.0" {
					checked++
					if !hasIP(a, str(d["src_ip"], 0), "strong") {
						t.Errorf("frame %d: ARP sender %s lacks strong IP %s", fr.Frame, key, str(d["src_ip"], 0))
					}
				}
				if d := fr.ENIP; d != nil && d["product_name"] != nil {
					checked++
					wantFact(t, a, "product_name", "enip", str(d["product_name"], 0), fr.Frame)
					v, _ := num(d["vendor_id"], 0)
					wantFact(t, a, "vendor_id", "enip", fmt.Sprint(v), fr.Frame)
					v, _ = num(d["product_code"], 0)
					wantFact(t, a, "product_code", "enip", fmt.Sprint(v), fr.Frame)
					v, _ = num(d["device_type"], 0)
					wantFact(t, a, "device_type", "enip", fmt.Sprint(v), fr.Frame)
					v, _ = num(d["serial"], 0)
					wantFact(t, a, "serial", "enip", fmt.Sprintf("0x%08x", v), fr.Frame)
					// tshark's enip.lir.revision is major<<8 | minor and
					// displays as "4.03".
					v, _ = num(d["revision"], 0)
					wantFact(t, a, "revision", "enip", fmt.Sprintf("%d.%02d", v>>8, v&0xff), fr.Frame)
					if !slices.Contains(a.Roles, "enip-adapter") {
						t.Errorf("frame %d: roles %v", fr.Frame, a.Roles)
					}
				}
				if d := fr.S7; d != nil && d["szl_0011_order_number"] != nil {
					checked++
					wantFact(t, a, "order_number", "s7comm", strings.TrimSpace(str(d["szl_0011_order_number"], 0)), fr.Frame)
					if !slices.Contains(a.Roles, "s7-plc") {
						t.Errorf("frame %d: roles %v", fr.Frame, a.Roles)
					}
				}
				if d := fr.S7; d != nil && d["szl_001c_plc_name"] != nil {
					checked++
					if n := strings.TrimSpace(str(d["szl_001c_plc_name"], 0)); !hasName(a, n, "s7comm") {
						t.Errorf("frame %d: %s lacks PLC name %q: %+v", fr.Frame, key, n, a.Names)
					}
					wantFact(t, a, "module_name", "s7comm", strings.TrimSpace(str(d["szl_001c_module_name"], 0)), fr.Frame)
					wantFact(t, a, "serial", "s7comm", strings.TrimSpace(str(d["szl_001c_serial"], 0)), fr.Frame)
					wantFact(t, a, "module_type", "s7comm", strings.TrimSpace(str(d["szl_001c_module_type_name"], 0)), fr.Frame)
				}
				if d := fr.LLDP; d != nil {
					checked++
					if n := str(d["system_name"], 0); n != "" && !hasName(a, n, "lldp") {
						t.Errorf("frame %d: %s lacks LLDP name %q: %+v", fr.Frame, key, n, a.Names)
					}
					if sd := strings.TrimSpace(str(d["system_desc"], 0)); sd != "" {
						wantFact(t, a, "system_description", "lldp", sd, fr.Frame)
					}
					if ip := str(d["mgmt_ip4"], 0); ip != "" && ip != "0.0.0.0" && !hasIP(a, ip, "strong") {
						t.Errorf("frame %d: %s lacks LLDP management IP %s", fr.Frame, key, ip)
					}
				}
				if d := fr.CDP; d != nil {
					checked++
					if n := str(d["device_id"], 0); !hasName(a, n, "cdp") {
						t.Errorf("frame %d: %s lacks CDP device ID %q: %+v", fr.Frame, key, n, a.Names)
					}
					wantFact(t, a, "platform", "cdp", str(d["platform"], 0), fr.Frame)
					// tshark splits the version TLV into lines; we keep
					// the first.
					wantFact(t, a, "software_version", "cdp", str(d["software_version"], 0), fr.Frame)
				}
				if d := fr.DHCP; d != nil && str(d["msg_type"], 0) == "5" {
					checked++
					if c, ip := str(d["client_mac"], 0), str(d["yiaddr"], 0); !hasIP(assets[c], ip, "strong") {
						t.Errorf("frame %d: DHCP Ack: client %s lacks strong IP %s", fr.Frame, c, ip)
					}
					if !slices.Contains(a.Roles, "dhcp-server") {
						t.Errorf("frame %d: DHCP server roles %v", fr.Frame, a.Roles)
					}
				}
			}
			if checked == 0 {
				t.Fatal("the oracle had no identity frame to check")
			}
			t.Logf("%d oracle frames checked, %d assets", checked, len(r.Assets))
		})
	}
}
