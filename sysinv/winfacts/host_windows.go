//go:build windows

package winfacts

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

const (
	centralProcessorKey = `HARDWARE\DESCRIPTION\System\CentralProcessor`
	cryptographyKey     = `SOFTWARE\Microsoft\Cryptography`
	controlKey          = `SYSTEM\CurrentControlSet\Control`
	secureBootStateKey  = `SYSTEM\CurrentControlSet\Control\SecureBoot\State`
)

var procGlobalMemoryStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalMemoryStatusEx")

// memoryStatusEx is MEMORYSTATUSEX (sysinfoapi.h).
type memoryStatusEx struct {
	Length               uint32
	MemoryLoad           uint32
	TotalPhys            uint64
	AvailPhys            uint64
	TotalPageFile        uint64
	AvailPageFile        uint64
	TotalVirtual         uint64
	AvailVirtual         uint64
	AvailExtendedVirtual uint64
}

// CollectHost adds the processor, physical memory, machine GUID and host
// name of the running system to f. What cannot be read becomes a warning.
func CollectHost(f *Facts) {
	warn := func(format string, args ...any) { f.Warnings = append(f.Warnings, fmt.Sprintf(format, args...)) }

	if h, err := os.Hostname(); err != nil {
		warn("host: hostname: %v", err)
	} else {
		f.Hostname = h
	}

	if vs, err := readKey(registry.LOCAL_MACHINE, cryptographyKey, registry.WOW64_64KEY); err != nil {
		warn("host: HKLM\\%s: %v", cryptographyKey, err)
	} else if g := vs.Str("MachineGuid"); g != "" {
		f.MachineGUID = g
	} else {
		warn("host: HKLM\\%s has no MachineGuid", cryptographyKey)
	}

	k, err := registry.OpenKey(registry.LOCAL_MACHINE, centralProcessorKey, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if err != nil {
		warn("cpu: HKLM\\%s: %v", centralProcessorKey, err)
	} else {
		subs, err := k.ReadSubKeyNames(-1)
		k.Close()
		switch {
		case err != nil:
			warn("cpu: HKLM\\%s: %v", centralProcessorKey, err)
		case len(subs) == 0:
			warn("cpu: HKLM\\%s lists no processor", centralProcessorKey)
		default:
			vs, err := readKey(registry.LOCAL_MACHINE, centralProcessorKey+`\`+subs[0], registry.WOW64_64KEY)
			if err != nil {
				warn("cpu: HKLM\\%s\\%s: %v", centralProcessorKey, subs[0], err)
			} else {
				f.CPU = CPUFromValues(vs)
			}
			f.CPU.Logical = len(subs)
		}
	}

	if vs, err := readKey(registry.LOCAL_MACHINE, controlKey, registry.WOW64_64KEY); err != nil {
		warn("firmware: HKLM\\%s: %v", controlKey, err)
	} else if n, ok := vs.Int("PEFirmwareType"); ok {
		f.Firmware.Type = FirmwareType(n)
	}
	if vs, err := readKey(registry.LOCAL_MACHINE, secureBootStateKey, registry.WOW64_64KEY); err == nil {
		if n, ok := vs.Int("UEFISecureBootEnabled"); ok {
			on := n == 1
			f.Firmware.SecureBoot = &on
		}
	}

	if as, err := adapters(); err != nil {
		warn("nics: GetAdaptersAddresses: %v", err)
	} else {
		f.Adapters = as
	}

	for _, e := range []struct {
		name string
		dst  *[]PnPDevice
	}{{"PCI", &f.PCI}, {"USB", &f.USB}} {
		if ds, err := pnpDevices(e.name); err != nil {
			warn("%s: SetupDiGetClassDevs(%s): %v", strings.ToLower(e.name), e.name, err)
		} else {
			*e.dst = ds
		}
	}

	if n, err := totalPhysicalMemory(); err != nil {
		warn("memory: GlobalMemoryStatusEx: %v", err)
	} else {
		f.MemoryBytes = n
	}
}

// totalPhysicalMemory calls GlobalMemoryStatusEx.
func totalPhysicalMemory() (uint64, error) {
	if err := procGlobalMemoryStatusEx.Find(); err != nil {
		return 0, err
	}
	var m memoryStatusEx
	m.Length = uint32(unsafe.Sizeof(m))
	r, _, e := procGlobalMemoryStatusEx.Call(uintptr(unsafe.Pointer(&m)))
	if r == 0 {
		return 0, e
	}
	if m.TotalPhys == 0 {
		return 0, errors.New("reports 0 bytes")
	}
	return m.TotalPhys, nil
}

// adapters lists every network adapter through GetAdaptersAddresses.
func adapters() ([]Adapter, error) {
	const flags = windows.GAA_FLAG_SKIP_UNICAST | windows.GAA_FLAG_SKIP_ANYCAST | windows.GAA_FLAG_SKIP_MULTICAST |
		windows.GAA_FLAG_SKIP_DNS_SERVER | windows.GAA_FLAG_INCLUDE_ALL_INTERFACES
	size := uint32(16 << 10)
	for range 4 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, flags, 0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue // size now holds what is needed
		}
		if err != nil {
			return nil, err
		}
		var out []Adapter
		for a := first; a != nil; a = a.Next {
			out = append(out, Adapter{
				Index: a.IfIndex, Name: windows.UTF16PtrToString(a.FriendlyName),
				Description: windows.UTF16PtrToString(a.Description),
				MAC:         FormatMAC(a.PhysicalAddress[:], a.PhysicalAddressLength),
				MTU:         a.Mtu, IfType: a.IfType, Up: a.OperStatus == windows.IfOperStatusUp,
				SpeedBps: linkSpeed(a.TransmitLinkSpeed),
			})
		}
		runtime.KeepAlive(buf)
		return out, nil
	}
	return nil, errors.New("adapter list keeps growing")
}

// linkSpeed drops the "unknown" value (all ones).
func linkSpeed(v uint64) uint64 {
	if v == ^uint64(0) {
		return 0
	}
	return v
}

// maxPnPDevices caps one enumerator's list.
const maxPnPDevices = 10000

// pnpDevices lists the present devices of one enumerator ("PCI", "USB").
// An enumerator with no device gives an empty, non-nil list.
func pnpDevices(enumerator string) ([]PnPDevice, error) {
	set, err := windows.SetupDiGetClassDevsEx(nil, enumerator, 0, windows.DIGCF_PRESENT|windows.DIGCF_ALLCLASSES, 0, "")
	if err != nil {
		return nil, err
	}
	defer set.Close()
	out := []PnPDevice{}
	for i := 0; i < maxPnPDevices; i++ {
		data, err := set.EnumDeviceInfo(i)
		if errors.Is(err, windows.ERROR_NO_MORE_ITEMS) {
			break
		}
		if err != nil {
			return out, err
		}
		id, err := windows.SetupDiGetDeviceInstanceId(set, data)
		if err != nil {
			continue
		}
		str := func(p windows.SPDRP) string {
			v, err := set.DeviceRegistryProperty(data, p)
			if s, ok := v.(string); ok && err == nil {
				return strings.TrimSpace(s)
			}
			return ""
		}
		strs := func(p windows.SPDRP) []string {
			v, err := set.DeviceRegistryProperty(data, p)
			if s, ok := v.([]string); ok && err == nil {
				return s
			}
			return nil
		}
		out = append(out, PnPDevice{InstanceID: id, Description: str(windows.SPDRP_DEVICEDESC), Manufacturer: str(windows.SPDRP_MFG),
			FriendlyName: str(windows.SPDRP_FRIENDLYNAME), Service: str(windows.SPDRP_SERVICE),
			Location: str(windows.SPDRP_LOCATION_INFORMATION), HardwareIDs: strs(windows.SPDRP_HARDWAREID),
			CompatibleIDs: strs(windows.SPDRP_COMPATIBLEIDS)})
	}
	return out, nil
}
