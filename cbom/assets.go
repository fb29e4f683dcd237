package cbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AssetsSchema is the JSON layout of `wirebom assets --json` that ReadAssets
// understands (parse/asset.SchemaVersion).
const AssetsSchema = "wirebom.assets/v1"

// maxAssetsBytes caps how much of an assets file is read (a capture of a
// large plant has a few thousand devices, far below this).
const maxAssetsBytes = 256 << 20

// assetsReport mirrors the parts of parse/asset.Report that become
// components. It is declared here, not imported, so that cbom reads the file
// format (which is stable) rather than depending on the table's code.
type assetsReport struct {
	Schema string       `json:"schema"`
	Assets []assetEntry `json:"assets"`
}

type assetEntry struct {
	MAC                 string `json:"mac"`
	Vendor              string `json:"vendor"`
	LocallyAdministered bool   `json:"locally_administered"`
	IPs                 []struct {
		IP       string `json:"ip"`
		Evidence string `json:"evidence"`
		Routed   bool   `json:"routed"`
	} `json:"ips"`
	Names []struct {
		Name   string `json:"name"`
		Source string `json:"source"`
	} `json:"names"`
	Identity []struct {
		Key     string `json:"key"`
		Value   string `json:"value"`
		Source  string `json:"source"`
		Meaning string `json:"meaning"`
	} `json:"identity"`
	Protocols []string  `json:"protocols"`
	Roles     []string  `json:"roles"`
	VLANs     []int     `json:"vlans"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Packets   uint64    `json:"packets"`
}

// ErrAssetsFormat is returned (wrapped) when an assets file is not the JSON
// `wirebom assets --json` writes.
var ErrAssetsFormat = errors.New("not a wirebom assets JSON document")

// ReadAssets reads the output of `wirebom assets --json` and returns one
// device component per asset, plus a firmware component for each asset whose
// firmware or software version was seen on the wire.
func ReadAssets(r io.Reader) ([]*Component, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxAssetsBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read assets: %w", err)
	}
	if len(data) > maxAssetsBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrAssetsFormat, maxAssetsBytes)
	}
	var rep assetsReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAssetsFormat, err)
	}
	if rep.Schema != AssetsSchema {
		if rep.Schema == "" {
			return nil, fmt.Errorf("%w: no \"schema\" field (want %q)", ErrAssetsFormat, AssetsSchema)
		}
		return nil, fmt.Errorf("%w: schema %q, want %q", ErrAssetsFormat, cleanString(rep.Schema), AssetsSchema)
	}
	var out []*Component
	for i := range rep.Assets {
		out = append(out, assetComponents(&rep.Assets[i], i)...)
	}
	return out, nil
}

// identity keys that name the device model, in order of preference.
var modelKeys = []string{"product_name", "model", "module_type", "module_name", "platform", "type_of_station", "order_number"}

func assetComponents(a *assetEntry, i int) []*Component {
	mac := strings.ToLower(cleanString(a.MAC))
	id := map[string]string{}
	var idKeys []string
	for _, f := range a.Identity {
		k, v := propName(cleanString(f.Key)), cleanString(f.Value)
		if k == "" || v == "" {
			continue
		}
		if _, dup := id[k]; !dup {
			idKeys = append(idKeys, k)
			id[k] = v
		}
		if m := cleanString(f.Meaning); m != "" && id[k+"_meaning"] == "" {
			id[k+"_meaning"] = m
			idKeys = append(idKeys, k+"_meaning")
		}
	}
	ref := "asset:" + mac
	if mac == "" {
		ref = "asset:" + strconv.Itoa(i)
		if len(a.IPs) > 0 {
			ref = "asset:ip:" + cleanString(a.IPs[0].IP)
		}
	}
	var names []string
	for _, n := range a.Names {
		if v := cleanString(n.Name); v != "" {
			names = append(names, v)
		}
	}
	model := ""
	for _, k := range modelKeys {
		if v := id[k]; v != "" {
			model = v
			break
		}
	}
	name := firstNonEmpty(append(names, model, mac, ref)...)
	c := &Component{Ref: ref, Class: ClassDevice, Kind: KindAsset, Name: name,
		Vendor:      firstNonEmpty(id["vendor_name"], id["vendor_id_meaning"], cleanString(a.Vendor)),
		Description: model, Serial: cleanSerial(id["serial"]), MAC: mac, Version: id["hardware_version"],
		Source: "wirebom assets"}
	for _, ip := range a.IPs {
		s := cleanString(ip.IP)
		if _, err := netip.ParseAddr(s); err != nil || ip.Routed {
			continue // not an address, or most likely a host behind a router
		}
		c.AddProp("wirebom:asset:ip", s)
	}
	for _, n := range names {
		c.AddProp("wirebom:asset:name", n)
	}
	for _, p := range a.Protocols {
		c.AddProp("wirebom:asset:protocol", cleanString(p))
	}
	for _, r := range a.Roles {
		c.AddProp("wirebom:asset:role", cleanString(r))
	}
	for _, v := range a.VLANs {
		if v > 0 && v < 4095 {
			c.AddProp("wirebom:asset:vlan", strconv.Itoa(v))
		}
	}
	c.AddProp("wirebom:asset:ouiVendor", cleanString(a.Vendor))
	if !a.FirstSeen.IsZero() {
		c.AddProp("wirebom:asset:firstSeen", a.FirstSeen.UTC().Format(time.RFC3339))
	}
	if !a.LastSeen.IsZero() {
		c.AddProp("wirebom:asset:lastSeen", a.LastSeen.UTC().Format(time.RFC3339))
	}
	sort.Strings(idKeys)
	for _, k := range idKeys {
		c.AddProp("wirebom:asset:identity:"+k, id[k])
	}
	out := []*Component{c}
	if fw := firstNonEmpty(id["firmware"], id["software_version"], id["revision"]); fw != "" {
		f := &Component{Ref: "fw:" + ref, Class: ClassFirmware, Kind: KindAssetFW,
			Name: firstNonEmpty(model, name) + " firmware", Version: fw, Vendor: c.Vendor, Source: "wirebom assets"}
		c.DependsOn = append(c.DependsOn, f.Ref)
		out = append(out, f)
	}
	return out
}

// AddAssets adds network asset components to the document.
func (d *Document) AddAssets(cs []*Component) {
	d.Assets = append(d.Assets, cs...)
}
