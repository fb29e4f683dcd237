package sysinv

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"strings"
	"sync"
)

// Embedded copies of pci.ids and usb.ids (trimmed to vendor, device and class
// lines; see scripts/gen-pciids.sh and testdata/SOURCES.md). They are used only
// when the inspected system has no copy of its own.
var (
	//go:embed idsdata/pci.ids.gz
	embeddedPCIIDs []byte
	//go:embed idsdata/usb.ids.gz
	embeddedUSBIDs []byte
)

// IDs is a parsed pci.ids or usb.ids database.
type IDs struct {
	vendors    map[uint16]string
	devices    map[uint32]string // vendor<<16 | device
	subsystems map[uint64]string // vendor<<48 | device<<32 | subvendor<<16 | subdevice
	classes    map[uint32]string // class<<16 | 0xffff, class<<16|subclass<<8|0xff, class<<16|subclass<<8|progif
}

// ParseIDs parses the pci.ids / usb.ids format. Unknown sections and
// malformed lines are skipped; it never fails.
func ParseIDs(r io.Reader) *IDs { return parseIDs(r, nil) }

// idWant selects the vendor, device and subsystem IDs to keep while parsing
// (classes are always kept); nil keeps everything.
type idWant struct {
	vendors    map[uint16]bool
	devices    map[uint32]bool
	subsystems map[uint64]bool
}

// parseIDs is ParseIDs keeping only what want selects.
func parseIDs(r io.Reader, want *idWant) *IDs {
	ids := &IDs{
		vendors:    map[uint16]string{},
		devices:    map[uint32]string{},
		subsystems: map[uint64]string{},
		classes:    map[uint32]string{},
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	const (
		secVendor = iota
		secClass
		secOther
	)
	sec := secVendor
	var vendor, device, class, subclass uint32
	haveVendor, haveDevice, haveClass, haveSub := false, false, false, false
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		tabs := 0
		for tabs < len(line) && line[tabs] == '\t' {
			tabs++
		}
		body := line[tabs:]
		if len(body) == 0 {
			continue
		}
		if tabs == 0 {
			haveVendor, haveDevice, haveClass, haveSub = false, false, false, false
			if len(body) > 2 && body[0] == 'C' && body[1] == ' ' {
				sec = secClass
				if id, name, ok := idAndName(body[2:], 2); ok {
					class, haveClass = id, true
					ids.classes[class<<16|0xffff] = string(name)
				}
				continue
			}
			if c := body[0]; c >= 'A' && c <= 'Z' {
				sec = secOther
				continue
			}
			sec = secVendor
			if id, name, ok := idAndName(body, 4); ok {
				vendor, haveVendor = id, true
				if want == nil || want.vendors[uint16(id)] {
					ids.vendors[uint16(id)] = string(name)
				}
			}
			continue
		}
		switch sec {
		case secVendor:
			if tabs == 1 && haveVendor {
				id, name, ok := idAndName(body, 4)
				device, haveDevice = id, ok
				if ok && (want == nil || want.devices[vendor<<16|id]) {
					ids.devices[vendor<<16|id] = string(name)
				}
			} else if tabs == 2 && haveDevice {
				sv, rest, ok := idAndName(body, 4)
				if !ok {
					continue
				}
				sd, name, ok := idAndName(rest, 4)
				key := uint64(vendor)<<48 | uint64(device)<<32 | uint64(sv)<<16 | uint64(sd)
				if ok && (want == nil || want.subsystems[key]) {
					ids.subsystems[key] = string(name)
				}
			}
		case secClass:
			if tabs == 1 && haveClass {
				if id, name, ok := idAndName(body, 2); ok {
					subclass, haveSub = id, true
					ids.classes[class<<16|subclass<<8|0xff] = string(name)
				} else {
					haveSub = false
				}
			} else if tabs == 2 && haveSub {
				if id, name, ok := idAndName(body, 2); ok {
					ids.classes[class<<16|subclass<<8|id] = string(name)
				}
			}
		}
	}
	return ids
}

// idAndName splits "xxxx  Name" where xxxx has n hex digits.
func idAndName(s []byte, n int) (uint32, []byte, bool) {
	if len(s) < n+1 || (s[n] != ' ' && s[n] != '\t') {
		return 0, nil, false
	}
	var v uint32
	for _, c := range s[:n] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint32(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint32(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint32(c-'A'+10)
		default:
			return 0, nil, false
		}
	}
	return v, bytes.TrimSpace(s[n:]), true
}

// Vendor returns the vendor name, or "".
func (ids *IDs) Vendor(v uint16) string { return ids.vendors[v] }

// Device returns the device (USB: product) name, or "".
func (ids *IDs) Device(v, d uint16) string { return ids.devices[uint32(v)<<16|uint32(d)] }

// Subsystem returns the PCI subsystem name, or "".
func (ids *IDs) Subsystem(v, d, sv, sd uint16) string {
	return ids.subsystems[uint64(v)<<48|uint64(d)<<32|uint64(sv)<<16|uint64(sd)]
}

// Class returns the most specific PCI class name for a 24-bit class code
// (class, subclass, prog-if), or "".
func (ids *IDs) Class(code uint32) string {
	c, s, p := code>>16&0xff, code>>8&0xff, code&0xff
	if n := ids.classes[c<<16|s<<8|p]; n != "" {
		if sn := ids.classes[c<<16|s<<8|0xff]; sn != "" {
			return sn + " (" + n + ")"
		}
		return n
	}
	if n := ids.classes[c<<16|s<<8|0xff]; n != "" {
		return n
	}
	return ids.classes[c<<16|0xffff]
}

var (
	embeddedPCIOnce, embeddedUSBOnce sync.Once
	embeddedPCI, embeddedUSB         *IDs
)

// gunzipIDs parses a gzip-compressed ids file; a broken blob yields an empty table.
func gunzipIDs(b []byte) *IDs {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return ParseIDs(strings.NewReader(""))
	}
	defer zr.Close()
	return ParseIDs(zr)
}

// EmbeddedPCIIDs returns the embedded pci.ids table.
func EmbeddedPCIIDs() *IDs {
	embeddedPCIOnce.Do(func() { embeddedPCI = gunzipIDs(embeddedPCIIDs) })
	return embeddedPCI
}

// EmbeddedUSBIDs returns the embedded usb.ids table.
func EmbeddedUSBIDs() *IDs {
	embeddedUSBOnce.Do(func() { embeddedUSB = gunzipIDs(embeddedUSBIDs) })
	return embeddedUSB
}

// loadIDs returns the ids database for file ("pci.ids"): Options.IDsDir,
// then the inspected system's copy, then the embedded one. The second result
// names the source.
func (c *collector) loadIDs(f *Facts, file string, want *idWant, embedded func() *IDs) (*IDs, string) {
	if c.opts.IDsDir != "" {
		p := c.opts.IDsDir + "/" + file
		if data, err := readHostFile(p, 32<<20); err == nil {
			return parseIDs(bytes.NewReader(data), want), p
		} else {
			f.warn("ids", "%s: %s; trying the system's copy", p, why(err))
		}
	}
	for _, dir := range []string{"/usr/share/hwdata", "/usr/share/misc", "/usr/share"} {
		p := dir + "/" + file
		data, err := c.fs.ReadFileLimit(p, 32<<20)
		if err != nil {
			if !isNotExist(err) {
				f.warn("ids", "%s: %s", p, why(err))
			}
			continue
		}
		if gz := bytes.HasPrefix(data, []byte{0x1f, 0x8b}); gz {
			return gunzipIDs(data), p
		}
		return parseIDs(bytes.NewReader(data), want), p
	}
	return embedded(), "embedded"
}
