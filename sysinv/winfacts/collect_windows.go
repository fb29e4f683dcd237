//go:build windows

package winfacts

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

const (
	currentVersionKey = `SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	uninstallKey      = `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	cbsPackagesKey    = `SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages`
	hotfixKey         = `SOFTWARE\Microsoft\Windows NT\CurrentVersion\HotFix`
	servicesKey       = `SYSTEM\CurrentControlSet\Services`
	// rsmbSignature is the 'RSMB' firmware table provider.
	rsmbSignature = 'R'<<24 | 'S'<<16 | 'M'<<8 | 'B'
	// maxFirmwareTable caps the SMBIOS buffer.
	maxFirmwareTable = 16 << 20
)

var procGetSystemFirmwareTable = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetSystemFirmwareTable")

// Collect reads the facts of the running system. Missing facts become
// warnings; it never fails as a whole.
func Collect() *Facts {
	f := &Facts{}
	warn := func(format string, args ...any) { f.Warnings = append(f.Warnings, fmt.Sprintf(format, args...)) }

	if dump, err := SMBIOSDumpBin(); err != nil {
		warn("smbios: %v", err)
	} else {
		f.SMBIOSDumpBin = dump
	}

	if vs, err := readKey(registry.LOCAL_MACHINE, currentVersionKey, registry.WOW64_64KEY); err != nil {
		warn("os: HKLM\\%s: %v", currentVersionKey, err)
	} else {
		f.OS = OSFromValues(vs)
	}

	for _, src := range []struct {
		root  registry.Key
		path  string
		view  uint32
		scope string
	}{
		{registry.LOCAL_MACHINE, uninstallKey, registry.WOW64_64KEY, "machine"},
		{registry.LOCAL_MACHINE, `SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall`, registry.WOW64_64KEY, "machine-32bit"},
		{registry.CURRENT_USER, uninstallKey, 0, "user"},
	} {
		err := eachSubkey(src.root, src.path, src.view, func(name string, vs Values) {
			if p, ok := ProgramFromValues(name, src.scope, vs); ok {
				f.Programs = append(f.Programs, p)
			}
		})
		if err != nil && !errors.Is(err, registry.ErrNotExist) {
			warn("programs: %s: %v", src.path, err)
		}
	}
	f.Programs = SortPrograms(f.Programs)

	var cbs []CBSPackage
	if err := eachSubkey(registry.LOCAL_MACHINE, cbsPackagesKey, registry.WOW64_64KEY, func(name string, vs Values) {
		p := CBSPackage{Name: name}
		p.State, p.HasState = vs.Int("CurrentState")
		cbs = append(cbs, p)
	}); err != nil && !errors.Is(err, registry.ErrNotExist) {
		warn("hotfixes: %s: %v (run as Administrator for the full list)", cbsPackagesKey, err)
	}
	var legacy []string
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, hotfixKey, registry.READ|registry.WOW64_64KEY); err == nil {
		legacy, _ = k.ReadSubKeyNames(-1)
		k.Close()
	}
	f.Hotfixes = Hotfixes(cbs, legacy)

	sysRoot, err := windows.GetSystemWindowsDirectory()
	if err != nil {
		sysRoot = `C:\Windows`
	}
	if err := eachSubkey(registry.LOCAL_MACHINE, servicesKey, registry.WOW64_64KEY, func(name string, vs Values) {
		d, ok := DriverFromValues(name, sysRoot, vs)
		if !ok {
			return
		}
		if d.Path != "" {
			d.Version, _ = fileVersion(d.Path)
		}
		f.Drivers = append(f.Drivers, d)
	}); err != nil {
		warn("drivers: %s: %v", servicesKey, err)
	}
	return f
}

// SMBIOSDumpBin reads the running system's SMBIOS table through
// GetSystemFirmwareTable('RSMB') and returns it in `dmidecode --dump-bin`
// layout (see RSMBToDumpBin), ready for sysinv's decoder.
func SMBIOSDumpBin() ([]byte, error) {
	raw, err := firmwareTable(rsmbSignature)
	if err != nil {
		return nil, fmt.Errorf("GetSystemFirmwareTable('RSMB'): %w", err)
	}
	return RSMBToDumpBin(raw)
}

// firmwareTable calls GetSystemFirmwareTable, sizing the buffer first.
func firmwareTable(provider uint32) ([]byte, error) {
	if err := procGetSystemFirmwareTable.Find(); err != nil {
		return nil, err
	}
	n, _, e := procGetSystemFirmwareTable.Call(uintptr(provider), 0, 0, 0)
	if n == 0 {
		return nil, e
	}
	for range 3 {
		if n > maxFirmwareTable {
			return nil, fmt.Errorf("firmware table of %d bytes exceeds %d", n, maxFirmwareTable)
		}
		buf := make([]byte, n)
		got, _, e := procGetSystemFirmwareTable.Call(uintptr(provider), 0, uintptr(unsafe.Pointer(&buf[0])), n)
		switch {
		case got == 0:
			return nil, e
		case got <= n:
			return buf[:got], nil
		}
		n = got // the table grew between the calls
	}
	return nil, errors.New("firmware table size keeps changing")
}

// readKey reads every value of one key.
func readKey(root registry.Key, path string, view uint32) (Values, error) {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|view)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	return readValues(k)
}

func readValues(k registry.Key) (Values, error) {
	names, err := k.ReadValueNames(-1)
	if err != nil {
		return nil, err
	}
	vs := make(Values, len(names))
	for _, name := range names {
		n, _, err := k.GetValue(name, nil)
		if err != nil || n > maxRegistryValueLen {
			continue
		}
		buf := make([]byte, n)
		n, typ, err := k.GetValue(name, buf)
		if err != nil || n > len(buf) {
			continue
		}
		if v, err := DecodeValue(typ, buf[:n]); err == nil {
			vs[name] = v
		}
	}
	return vs, nil
}

// eachSubkey calls fn with the values of every subkey of path.
func eachSubkey(root registry.Key, path string, view uint32, fn func(name string, vs Values)) error {
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS|view)
	if err != nil {
		return err
	}
	defer k.Close()
	subs, err := k.ReadSubKeyNames(-1)
	if err != nil {
		return err
	}
	for _, s := range subs {
		sk, err := registry.OpenKey(k, s, registry.QUERY_VALUE|view)
		if err != nil {
			continue
		}
		vs, err := readValues(sk)
		sk.Close()
		if err == nil {
			fn(s, vs)
		}
	}
	return nil
}

// fileVersion reads a file's VS_FIXEDFILEINFO version. A 32-bit process
// reads System32 through Sysnative, which WOW64 would otherwise redirect.
func fileVersion(path string) (string, error) {
	if runtime.GOARCH == "386" || runtime.GOARCH == "arm" {
		if i := strings.Index(strings.ToLower(path), `\system32\`); i >= 0 {
			if v, err := fileVersion1(path[:i] + `\Sysnative\` + path[i+len(`\system32\`):]); err == nil {
				return v, nil
			}
		}
	}
	return fileVersion1(path)
}

func fileVersion1(path string) (string, error) {
	size, err := windows.GetFileVersionInfoSize(path, nil)
	if err != nil {
		return "", err
	}
	if size == 0 || size > 1<<20 {
		return "", fmt.Errorf("version resource of %d bytes", size)
	}
	buf := make([]byte, size)
	if err := windows.GetFileVersionInfo(path, 0, size, unsafe.Pointer(&buf[0])); err != nil {
		return "", err
	}
	var p *byte
	var n uint32
	if err := windows.VerQueryValue(unsafe.Pointer(&buf[0]), `\`, unsafe.Pointer(&p), &n); err != nil {
		return "", err
	}
	if p == nil || n == 0 || n > size {
		return "", errors.New("no fixed version information")
	}
	info := append([]byte(nil), unsafe.Slice(p, n)...)
	runtime.KeepAlive(buf)
	return ParseFixedFileInfo(info)
}
