//go:build linux

package sysinv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPCINamesAgainstLspci compares the names we give the fixture's PCI
// devices with lspci's (pciutils), fed the same IDs as an `lspci -x` dump
// through -F and pointed at the same pci.ids copy we embed (-i).
func TestPCINamesAgainstLspci(t *testing.T) {
	inv, err := Collect(context.Background(), Options{Root: filepath.Join("testdata", "roots", "live"), Live: true})
	if err != nil {
		t.Fatal(err)
	}
	ids := filepath.Join(t.TempDir(), "pci.ids")
	zipped := filepath.Join("idsdata", "pci.ids.gz")
	out, err := exec.Command("sh", "-c", "gzip -dc "+zipped+" > "+ids).CombinedOutput()
	if err != nil {
		t.Fatalf("gunzip: %v %s", err, out)
	}
	n := 0
	for _, d := range inv.PCI.Devices {
		if d.VendorID == "" || d.DeviceID == "" {
			continue
		}
		n++
		dump := filepath.Join(t.TempDir(), "dump")
		cfg := make([]byte, 64)
		put16 := func(off int, hex string) {
			var v uint16
			fmt.Sscanf(hex, "%x", &v)
			cfg[off], cfg[off+1] = byte(v), byte(v>>8)
		}
		put16(0, d.VendorID)
		put16(2, d.DeviceID)
		put16(0x2c, d.SubsystemVendorID)
		put16(0x2e, d.SubsystemDeviceID)
		var cls uint32
		fmt.Sscanf(d.Class, "%x", &cls)
		var rev uint8
		fmt.Sscanf(d.Revision, "%x", &rev)
		cfg[8], cfg[9], cfg[10], cfg[11] = rev, byte(cls), byte(cls>>8), byte(cls>>16)
		var b strings.Builder
		b.WriteString("00:00.0 x\n")
		for row := 0; row < 64; row += 16 {
			fmt.Fprintf(&b, "%02x:", row)
			for _, c := range cfg[row : row+16] {
				fmt.Fprintf(&b, " %02x", c)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
		must(t, os.WriteFile(dump, []byte(b.String()), 0o644))
		out, err := exec.Command("lspci", "-F", dump, "-i", ids, "-vmm").Output()
		if err != nil {
			t.Fatalf("lspci (package pciutils): %v", err)
		}
		kv := map[string]string{}
		for _, l := range strings.Split(string(out), "\n") {
			k, v, ok := strings.Cut(l, ":\t")
			if ok {
				kv[k] = v
			}
		}
		if kv["Vendor"] != d.VendorName || kv["Device"] != d.DeviceName {
			t.Errorf("%s: vendor/device %q/%q, lspci %q/%q", d.Address, d.VendorName, d.DeviceName, kv["Vendor"], kv["Device"])
		}
		if !strings.HasPrefix(d.ClassName, kv["Class"]) {
			t.Errorf("%s: class %q, lspci %q", d.Address, d.ClassName, kv["Class"])
		}
	}
	if n < 3 {
		t.Fatalf("only %d devices compared", n)
	}
}
