//go:build linux

package sysinv

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

// TestCollectLive runs Collect on this machine's own root. It must succeed
// without root-only sources being required: everything missing must come back
// as a warning or an unknown, never as an error, and every group must say
// how it was collected.
func TestCollectLive(t *testing.T) {
	inv, err := Collect(context.Background(), Options{})
	if err != nil {
		t.Fatalf("Collect(/): %v", err)
	}
	if !inv.Live || inv.Root != "/" {
		t.Errorf("Live=%v Root=%q, want true and /", inv.Live, inv.Root)
	}
	for i, f := range inv.facts() {
		switch f.Status {
		case StatusComplete, StatusPartial, StatusUnknown, StatusAbsent:
		default:
			t.Errorf("group %d: status %q", i, f.Status)
		}
		if f.Status != StatusComplete && f.Reason == "" {
			t.Errorf("group %d: status %s without a reason", i, f.Status)
		}
	}
	// Facts every Linux VM has.
	if inv.CPU.Threads == 0 {
		t.Errorf("CPU threads 0: %+v", inv.CPU.Facts)
	}
	if inv.Memory.TotalBytes == 0 {
		t.Errorf("memory total unknown: %+v", inv.Memory.Facts)
	}
	if inv.OS.Kernel.Release == "" {
		t.Errorf("kernel release unknown")
	}
	if len(inv.NICs.Interfaces) == 0 {
		t.Errorf("no interfaces (lo at least)")
	}
	// What this VM lacks (no DMI, no EFI) must be reported, not guessed.
	if _, err := os.Stat("/sys/firmware/dmi"); err != nil {
		if inv.SMBIOS.Status != StatusUnknown || len(inv.SMBIOS.Warnings) == 0 || inv.SMBIOS.System != nil {
			t.Errorf("no DMI here, yet smbios = %+v", inv.SMBIOS)
		}
	}
	if _, err := os.Stat("/sys/firmware/efi"); err != nil {
		if inv.Firmware.Boot.Mode != BootLegacy || inv.Firmware.SecureBoot.Status != StatusAbsent || inv.Firmware.SecureBoot.Enabled != nil {
			t.Errorf("no EFI here, yet boot = %+v secure boot = %+v", inv.Firmware.Boot, inv.Firmware.SecureBoot)
		}
	}
	if os.Getenv("WIREBOM_SYSINV_DUMP") != "" {
		b, _ := json.MarshalIndent(inv, "", "  ")
		os.WriteFile(os.Getenv("WIREBOM_SYSINV_DUMP"), b, 0o644)
	}
}
