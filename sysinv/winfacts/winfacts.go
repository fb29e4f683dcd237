// Package winfacts gathers the facts of a running Windows system that
// package sysinv cannot read from a filesystem: the SMBIOS table through
// GetSystemFirmwareTable('RSMB'), the OS version, installed programs,
// hotfixes, kernel drivers and the processor from the registry, memory,
// host name and machine GUID.
//
// Decoding is plain Go and tested on every OS; only the *_windows.go files
// make system calls.
package winfacts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Facts is what Collect learned.
type Facts struct {
	// SMBIOSDumpBin is the firmware's SMBIOS table in `dmidecode --dump-bin`
	// layout (entry point at 0, table at 0x20), nil when unreadable.
	SMBIOSDumpBin []byte `json:"-"`
	// OS is the Windows version.
	OS OS `json:"os"`
	// Programs are the entries of "Programs and Features" (machine-wide,
	// 32-bit on 64-bit, and the current user's).
	Programs []Program `json:"programs,omitempty"`
	// Hotfixes are the installed updates by KB number.
	Hotfixes []Hotfix `json:"hotfixes,omitempty"`
	// Drivers are kernel and file-system drivers registered as services.
	Drivers []Driver `json:"drivers,omitempty"`
	// CPU is the first processor as HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor describes it.
	CPU CPU `json:"cpu"`
	// MemoryBytes is the physical memory GlobalMemoryStatusEx reports, 0 when unknown.
	MemoryBytes uint64 `json:"memoryBytes,omitempty"`
	// MachineGUID is HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid.
	MachineGUID string `json:"machineGuid,omitempty"`
	// Hostname is the computer's host name.
	Hostname string `json:"hostname,omitempty"`
	// Firmware is the boot firmware type and Secure Boot state.
	Firmware Firmware `json:"firmware"`
	// Adapters are the network adapters (nil when they could not be listed).
	Adapters []Adapter `json:"adapters,omitempty"`
	// PCI and USB are the present Plug and Play devices SetupAPI lists under
	// the PCI and USB enumerators (nil when they could not be listed).
	PCI []PnPDevice `json:"pci,omitempty"`
	USB []PnPDevice `json:"usb,omitempty"`
	// Warnings lists what could not be read and why.
	Warnings []string `json:"warnings,omitempty"`
}

// ---------------------------------------------------------------- SMBIOS

// ErrShortRSMB is returned when a RawSMBIOSData buffer is shorter than its
// header or than the table length it announces.
var ErrShortRSMB = errors.New("winfacts: RawSMBIOSData truncated")

// rsmbHeaderLen is the size of RawSMBIOSData before SMBIOSTableData:
// Used20CallingMethod, SMBIOSMajorVersion, SMBIOSMinorVersion, DmiRevision
// (one byte each) and Length (uint32).
const rsmbHeaderLen = 8

// dumpBinTableOffset is where dmidecode --dump-bin puts the table.
const dumpBinTableOffset = 0x20

// RSMBToDumpBin turns what GetSystemFirmwareTable('RSMB', 0) returns into the
// layout of `dmidecode --dump-bin`: an SMBIOS entry point at offset 0 naming
// the table at 0x20, so that the parsers of dump files read it unchanged.
// SMBIOS 3 versions (or tables too long for a 32-bit entry point) get an
// "_SM3_" entry point, older ones "_SM_".
func RSMBToDumpBin(raw []byte) ([]byte, error) {
	if len(raw) < rsmbHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, header needs %d", ErrShortRSMB, len(raw), rsmbHeaderLen)
	}
	major, minor := raw[1], raw[2]
	n := binary.LittleEndian.Uint32(raw[4:8])
	if uint64(n) > uint64(len(raw)-rsmbHeaderLen) {
		return nil, fmt.Errorf("%w: table of %d bytes announced, %d present", ErrShortRSMB, n, len(raw)-rsmbHeaderLen)
	}
	if n == 0 {
		return nil, errors.New("winfacts: RawSMBIOSData holds an empty table")
	}
	table := raw[rsmbHeaderLen : rsmbHeaderLen+int(n)]
	le := binary.LittleEndian
	var entry []byte
	if major >= 3 || n > 0xffff {
		// SMBIOS 3 entry point (DSP0134 5.2.2).
		entry = make([]byte, 0x18)
		copy(entry, "_SM3_")
		entry[6], entry[7], entry[8] = 0x18, major, minor
		entry[10] = 1 // entry point revision 1
		le.PutUint32(entry[0x0c:], n)
		le.PutUint64(entry[0x10:], dumpBinTableOffset)
		entry[5] = checksum(entry)
	} else {
		// SMBIOS 2.1 entry point (DSP0134 5.2.1).
		count, maxSize := countStructures(table)
		entry = make([]byte, 0x1f)
		copy(entry, "_SM_")
		entry[5], entry[6], entry[7] = 0x1f, major, minor
		le.PutUint16(entry[8:], maxSize)
		copy(entry[0x10:], "_DMI_")
		le.PutUint16(entry[0x16:], uint16(n))
		le.PutUint32(entry[0x18:], dumpBinTableOffset)
		le.PutUint16(entry[0x1c:], count)
		entry[0x1e] = major<<4 | minor&0x0f
		entry[0x15] = checksum(entry[0x10:])
		entry[4] = checksum(entry)
	}
	out := make([]byte, dumpBinTableOffset+len(table))
	copy(out, entry)
	copy(out[dumpBinTableOffset:], table)
	return out, nil
}

// checksum returns the byte that makes b sum to zero (the checksum byte
// itself must be zero when called).
func checksum(b []byte) byte {
	var sum byte
	for _, c := range b {
		sum += c
	}
	return -sum
}

// countStructures walks an SMBIOS table (formatted area, then strings ending
// in a double NUL) and returns the number of structures and the largest one.
func countStructures(t []byte) (count, maxSize uint16) {
	for off := 0; off+4 <= len(t) && count < 0xffff; {
		start := off
		l := int(t[off+1])
		if l < 4 || off+l > len(t) {
			break
		}
		off += l
		for off+1 < len(t) && (t[off] != 0 || t[off+1] != 0) {
			off++
		}
		off += 2
		if off > len(t) {
			off = len(t)
		}
		count++
		if sz := off - start; sz > int(maxSize) && sz <= 0xffff {
			maxSize = uint16(sz)
		}
		if t[start] == 127 { // end-of-table
			break
		}
	}
	return count, maxSize
}

// ---------------------------------------------------------------- registry values

// Registry value types (winnt.h).
const (
	RegNone             = 0
	RegSZ               = 1
	RegExpandSZ         = 2
	RegBinary           = 3
	RegDWORD            = 4
	RegDWORDBigEndian   = 5
	RegLink             = 6
	RegMultiSZ          = 7
	RegResourceList     = 8
	RegQWORD            = 11
	maxRegistryValueLen = 1 << 20
)

// Value is one decoded registry value.
type Value struct {
	Type uint32
	// Str is set for REG_SZ, REG_EXPAND_SZ (unexpanded) and REG_LINK.
	Str string
	// Strs is set for REG_MULTI_SZ.
	Strs []string
	// Int is set for REG_DWORD, REG_DWORD_BIG_ENDIAN and REG_QWORD.
	Int uint64
	// Bin is set for every other type.
	Bin []byte
}

// IsInt reports whether v holds a number.
func (v Value) IsInt() bool {
	return v.Type == RegDWORD || v.Type == RegDWORDBigEndian || v.Type == RegQWORD
}

// String renders v as text: strings as they are, numbers in decimal.
func (v Value) String() string {
	switch {
	case v.IsInt():
		return strconv.FormatUint(v.Int, 10)
	case v.Type == RegMultiSZ:
		return strings.Join(v.Strs, "\n")
	}
	return v.Str
}

// ErrBadValue is returned when a value's bytes do not fit its type.
var ErrBadValue = errors.New("winfacts: malformed registry value")

// DecodeValue decodes the raw bytes RegQueryValueEx returns for type typ.
// Strings are UTF-16LE and may or may not carry their terminating NUL (the
// registry does not enforce it).
func DecodeValue(typ uint32, data []byte) (Value, error) {
	v := Value{Type: typ}
	if len(data) > maxRegistryValueLen {
		return v, fmt.Errorf("%w: %d bytes", ErrBadValue, len(data))
	}
	switch typ {
	case RegSZ, RegExpandSZ, RegLink:
		v.Str = utf16String(data)
	case RegMultiSZ:
		s := utf16Units(data)
		for len(s) > 0 {
			i := 0
			for i < len(s) && s[i] != 0 {
				i++
			}
			if i == 0 {
				break // the empty string ends the list
			}
			v.Strs = append(v.Strs, string(utf16.Decode(s[:i])))
			if i == len(s) {
				break
			}
			s = s[i+1:]
		}
	case RegDWORD:
		if len(data) < 4 {
			return v, fmt.Errorf("%w: REG_DWORD of %d bytes", ErrBadValue, len(data))
		}
		v.Int = uint64(binary.LittleEndian.Uint32(data))
	case RegDWORDBigEndian:
		if len(data) < 4 {
			return v, fmt.Errorf("%w: REG_DWORD_BIG_ENDIAN of %d bytes", ErrBadValue, len(data))
		}
		v.Int = uint64(binary.BigEndian.Uint32(data))
	case RegQWORD:
		if len(data) < 8 {
			return v, fmt.Errorf("%w: REG_QWORD of %d bytes", ErrBadValue, len(data))
		}
		v.Int = binary.LittleEndian.Uint64(data)
	default:
		v.Bin = append([]byte(nil), data...)
	}
	return v, nil
}

func utf16Units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// utf16String decodes UTF-16LE up to the first NUL.
func utf16String(b []byte) string {
	u := utf16Units(b)
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	return string(utf16.Decode(u))
}

// Values are the values of one registry key by name (names compare
// case-insensitively in the registry: store them as read, look up with Get).
type Values map[string]Value

// Get returns the value named name, ignoring case.
func (vs Values) Get(name string) (Value, bool) {
	if v, ok := vs[name]; ok {
		return v, true
	}
	for k, v := range vs {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return Value{}, false
}

// Str returns the text of a string value, "" when absent or not a string.
func (vs Values) Str(name string) string {
	v, ok := vs.Get(name)
	if !ok || v.IsInt() || v.Type == RegMultiSZ || v.Bin != nil {
		return ""
	}
	return strings.TrimSpace(v.Str)
}

// Int returns a number stored as REG_DWORD/QWORD or as decimal text.
func (vs Values) Int(name string) (uint64, bool) {
	v, ok := vs.Get(name)
	if !ok {
		return 0, false
	}
	if v.IsInt() {
		return v.Int, true
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v.Str), 10, 64)
	return n, err == nil && v.Bin == nil
}

// ParseInstallDate reads an install date as Windows stores it: a Unix time
// in a REG_DWORD/REG_QWORD (the OS), or "YYYYMMDD" text (Uninstall keys).
// Other text forms some installers write are not guessed at.
func ParseInstallDate(v Value) (time.Time, bool) {
	if v.IsInt() {
		if v.Int == 0 || v.Int > 1<<40 {
			return time.Time{}, false
		}
		return time.Unix(int64(v.Int), 0).UTC(), true
	}
	s := strings.TrimSpace(v.Str)
	if len(s) != 8 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", s)
	if err != nil || t.Year() < 1980 {
		return time.Time{}, false
	}
	return t, true
}

// ---------------------------------------------------------------- OS

// OS is HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion, decoded.
type OS struct {
	// Name is the product name ("Windows 11 Pro"), corrected for Windows 11
	// whose registry still says "Windows 10" (build 22000 and later).
	Name string `json:"name,omitempty"`
	// ProductName is the registry's ProductName as written.
	ProductName    string `json:"productName,omitempty"`
	EditionID      string `json:"editionId,omitempty"`
	DisplayVersion string `json:"displayVersion,omitempty"` // "22H2"; ReleaseId on older builds
	CurrentBuild   string `json:"currentBuild,omitempty"`
	UBR            uint64 `json:"ubr,omitempty"`
	// Version is major.minor.build.UBR ("10.0.19045.3693").
	Version string `json:"version,omitempty"`
	// ServicePack is CSDVersion ("Service Pack 1"), empty on Windows 10+.
	ServicePack      string     `json:"servicePack,omitempty"`
	InstallationType string     `json:"installationType,omitempty"` // "Client", "Server", "Server Core"
	InstallDate      *time.Time `json:"installDate,omitempty"`
}

// OSFromValues decodes the CurrentVersion key.
func OSFromValues(vs Values) OS {
	o := OS{
		ProductName: vs.Str("ProductName"), EditionID: vs.Str("EditionID"),
		DisplayVersion: vs.Str("DisplayVersion"), CurrentBuild: vs.Str("CurrentBuild"),
		ServicePack: vs.Str("CSDVersion"), InstallationType: vs.Str("InstallationType"),
	}
	if o.CurrentBuild == "" {
		o.CurrentBuild = vs.Str("CurrentBuildNumber")
	}
	if o.DisplayVersion == "" {
		o.DisplayVersion = vs.Str("ReleaseId")
	}
	o.UBR, _ = vs.Int("UBR")
	o.Name = o.ProductName
	build, errB := strconv.Atoi(o.CurrentBuild)
	if errB == nil && build >= 22000 && strings.HasPrefix(o.Name, "Windows 10") {
		o.Name = "Windows 11" + strings.TrimPrefix(o.Name, "Windows 10")
	}
	major, okMaj := vs.Int("CurrentMajorVersionNumber")
	minor, okMin := vs.Int("CurrentMinorVersionNumber")
	switch {
	case okMaj && okMin && o.CurrentBuild != "":
		o.Version = fmt.Sprintf("%d.%d.%s", major, minor, o.CurrentBuild)
	case vs.Str("CurrentVersion") != "" && o.CurrentBuild != "":
		o.Version = vs.Str("CurrentVersion") + "." + o.CurrentBuild // "6.1.7601" before Windows 10
	}
	if o.Version != "" && o.UBR > 0 {
		o.Version += "." + strconv.FormatUint(o.UBR, 10)
	}
	if v, ok := vs.Get("InstallDate"); ok {
		if t, ok := ParseInstallDate(v); ok {
			o.InstallDate = &t
		}
	}
	return o
}

// ---------------------------------------------------------------- programs

// Program is one entry of "Programs and Features".
type Program struct {
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	// InstallDate is YYYY-MM-DD when the installer recorded it.
	InstallDate     string `json:"installDate,omitempty"`
	InstallLocation string `json:"installLocation,omitempty"`
	// Scope is "machine", "machine-32bit" (WOW6432Node) or "user".
	Scope string `json:"scope"`
	// Key is the Uninstall subkey name (a product code for MSI packages).
	Key string `json:"key"`
	// MSI is true for Windows Installer packages.
	MSI bool `json:"msi,omitempty"`
}

// ProgramFromValues decodes one Uninstall subkey. ok is false for entries
// "Programs and Features" hides: no DisplayName, SystemComponent = 1, a
// ParentKeyName (updates and sub-components listed under their parent), or
// an update ReleaseType.
func ProgramFromValues(key, scope string, vs Values) (p Program, ok bool) {
	name := vs.Str("DisplayName")
	if name == "" {
		return p, false
	}
	if n, _ := vs.Int("SystemComponent"); n == 1 {
		return p, false
	}
	if vs.Str("ParentKeyName") != "" {
		return p, false
	}
	switch vs.Str("ReleaseType") {
	case "Security Update", "Update Rollup", "Hotfix", "Update":
		return p, false
	}
	p = Program{
		Name: name, Version: vs.Str("DisplayVersion"), Publisher: vs.Str("Publisher"),
		InstallLocation: vs.Str("InstallLocation"), Scope: scope, Key: key,
	}
	if n, _ := vs.Int("WindowsInstaller"); n == 1 {
		p.MSI = true
	}
	if v, ok := vs.Get("InstallDate"); ok {
		if t, ok := ParseInstallDate(v); ok {
			p.InstallDate = t.Format("2006-01-02")
		}
	}
	return p, true
}

// SortPrograms orders programs by name, version and scope, and drops exact
// duplicates (the same program registered twice in one scope).
func SortPrograms(ps []Program) []Program {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Scope < b.Scope
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 {
			q := out[len(out)-1]
			if q.Name == p.Name && q.Version == p.Version && q.Publisher == p.Publisher && q.Scope == p.Scope {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// ---------------------------------------------------------------- hotfixes

// Hotfix is one installed update.
type Hotfix struct {
	// ID is "KB5005565".
	ID string `json:"id"`
	// Source is "cbs" (Component Based Servicing packages) or "hotfix-key"
	// (the legacy HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\HotFix).
	Source string `json:"source"`
}

// CBSPackage is one subkey of ...\Component Based Servicing\Packages.
type CBSPackage struct {
	Name string
	// State is CurrentState; HasState is false when it could not be read.
	State    uint64
	HasState bool
}

// cbsInstalled is CurrentState "Installed" (0x70).
const cbsInstalled = 0x70

var kbRE = regexp.MustCompile(`(?i)(?:^|[_~\-])KB(\d{6,8})(?:$|[~_\-.])`)

// KBFromName extracts the KB number of a CBS package name such as
// "Package_for_KB5005565~31bf3856ad364e35~amd64~~19041.1237.1.1" or a
// legacy HotFix subkey ("KB2533623").
func KBFromName(name string) (string, bool) {
	m := kbRE.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return "KB" + m[1], true
}

// Hotfixes lists installed KB numbers, once each, sorted: CBS packages in
// the Installed state (or of unknown state) and legacy HotFix subkeys.
func Hotfixes(cbs []CBSPackage, legacy []string) []Hotfix {
	seen := map[string]bool{}
	var out []Hotfix
	add := func(id, src string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, Hotfix{ID: id, Source: src})
		}
	}
	for _, p := range cbs {
		if p.HasState && p.State != cbsInstalled {
			continue
		}
		if kb, ok := KBFromName(p.Name); ok {
			add(kb, "cbs")
		}
	}
	for _, n := range legacy {
		if kb, ok := KBFromName(n); ok {
			add(kb, "hotfix-key")
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].ID[2:])
		b, _ := strconv.Atoi(out[j].ID[2:])
		return a < b
	})
	return out
}

// ---------------------------------------------------------------- drivers

// Driver is a kernel or file-system driver service.
type Driver struct {
	// Name is the service key name ("Tcpip").
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	// Kind is "kernel" (Type 1) or "filesystem" (Type 2).
	Kind string `json:"kind"`
	// Start is "boot", "system", "auto", "demand" or "disabled".
	Start string `json:"start,omitempty"`
	// ImagePath is the registry's ImagePath; Path the file it names.
	ImagePath string `json:"imagePath,omitempty"`
	Path      string `json:"path,omitempty"`
	// Version is the file's fixed version ("10.0.19041.3636"), when read.
	Version string `json:"version,omitempty"`
}

// DriverFromValues decodes one HKLM\SYSTEM\CurrentControlSet\Services
// subkey; ok is false for services that are not drivers.
func DriverFromValues(name, systemRoot string, vs Values) (d Driver, ok bool) {
	typ, okT := vs.Int("Type")
	if !okT {
		return d, false
	}
	switch typ {
	case 1:
		d.Kind = "kernel"
	case 2:
		d.Kind = "filesystem"
	default:
		return d, false
	}
	d.Name, d.DisplayName = name, vs.Str("DisplayName")
	if strings.HasPrefix(d.DisplayName, "@") {
		d.DisplayName = "" // an indirect MUI string, not a name
	}
	if s, ok := vs.Int("Start"); ok && s <= 4 {
		d.Start = [...]string{"boot", "system", "auto", "demand", "disabled"}[s]
	}
	d.ImagePath = vs.Str("ImagePath")
	d.Path = ResolveImagePath(d.ImagePath, name, systemRoot)
	return d, true
}

// ResolveImagePath turns a driver's ImagePath into a file path the way the
// kernel does: \SystemRoot\ and %SystemRoot% prefixes, \??\ NT paths,
// System32-relative paths, and an empty ImagePath meaning
// System32\drivers\<service>.sys.
func ResolveImagePath(img, service, systemRoot string) string {
	sr := strings.TrimRight(systemRoot, `\`)
	p := strings.Trim(strings.TrimSpace(img), `"`)
	low := strings.ToLower(p)
	switch {
	case p == "":
		return sr + `\System32\drivers\` + service + ".sys"
	case strings.HasPrefix(low, `\systemroot\`):
		return sr + p[len(`\systemroot`):]
	case strings.HasPrefix(low, `%systemroot%\`):
		return sr + p[len(`%systemroot%`):]
	case strings.HasPrefix(low, `%windir%\`):
		return sr + p[len(`%windir%`):]
	case strings.HasPrefix(p, `\??\`):
		return p[4:]
	case len(p) > 2 && p[1] == ':':
		return p
	case strings.HasPrefix(low, `system32\`):
		return sr + `\` + p
	}
	return p
}

// vsFixedFileInfoSignature starts VS_FIXEDFILEINFO.
const vsFixedFileInfoSignature = 0xFEEF04BD

// ParseFixedFileInfo reads the file version from a VS_FIXEDFILEINFO
// structure (what VerQueryValue returns for `\`).
func ParseFixedFileInfo(b []byte) (string, error) {
	if len(b) < 16 {
		return "", fmt.Errorf("winfacts: VS_FIXEDFILEINFO of %d bytes", len(b))
	}
	le := binary.LittleEndian
	if le.Uint32(b) != vsFixedFileInfoSignature {
		return "", fmt.Errorf("winfacts: VS_FIXEDFILEINFO signature 0x%08x", le.Uint32(b))
	}
	ms, ls := le.Uint32(b[8:]), le.Uint32(b[12:])
	return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff), nil
}

// ---------------------------------------------------------------- processor

// CPU is one subkey of HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor,
// decoded, plus the number of logical processors (subkeys) listed there.
type CPU struct {
	// Name is ProcessorNameString ("Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz").
	Name string `json:"name,omitempty"`
	// Vendor is VendorIdentifier ("GenuineIntel", "AuthenticAMD").
	Vendor string `json:"vendor,omitempty"`
	// Identifier is the registry's text ("Intel64 Family 6 Model 158 Stepping 13").
	Identifier string `json:"identifier,omitempty"`
	// Family, Model and Stepping are the decimal numbers of Identifier, as
	// Linux's /proc/cpuinfo prints them.
	Family   string `json:"family,omitempty"`
	Model    string `json:"model,omitempty"`
	Stepping string `json:"stepping,omitempty"`
	// MHz is "~MHz", the nominal clock.
	MHz uint64 `json:"mhz,omitempty"`
	// Microcode is the loaded microcode revision from "Update Revision"
	// ("0xf8"), empty when the registry does not hold it.
	Microcode string `json:"microcode,omitempty"`
	// Logical is the number of logical processors, 0 when unknown.
	Logical int `json:"logical,omitempty"`
}

// CPUFromValues decodes one CentralProcessor subkey.
func CPUFromValues(vs Values) CPU {
	c := CPU{Name: vs.Str("ProcessorNameString"), Vendor: vs.Str("VendorIdentifier"), Identifier: vs.Str("Identifier")}
	c.Family, c.Model, c.Stepping, _ = ParseCPUIdentifier(c.Identifier)
	c.MHz, _ = vs.Int("~MHz")
	if v, ok := vs.Get("Update Revision"); ok && v.Type == RegBinary {
		c.Microcode = MicrocodeFromUpdateRevision(v.Bin)
	}
	return c
}

// ParseCPUIdentifier reads "<arch> Family F Model M Stepping S" (the
// registry's Identifier, also what WMI's Win32_Processor.Description says).
func ParseCPUIdentifier(id string) (family, model, stepping string, ok bool) {
	f := strings.Fields(id)
	found := 0
	for i := 0; i+1 < len(f); i++ {
		n := f[i+1]
		if _, err := strconv.ParseUint(n, 10, 32); err != nil {
			continue
		}
		switch strings.ToLower(f[i]) {
		case "family":
			family, found = n, found|1
		case "model":
			model, found = n, found|2
		case "stepping":
			stepping, found = n, found|4
		}
	}
	if found != 7 {
		return "", "", "", false
	}
	return family, model, stepping, true
}

// MicrocodeFromUpdateRevision decodes the REG_BINARY "Update Revision": the
// 64-bit microcode signature MSR (0x8B) as the processor reports it, little
// endian. Intel keeps the revision in the high 32 bits (IA32_BIOS_SIGN_ID),
// AMD in the low 32 bits (PATCH_LEVEL). An all-zero or short value gives "".
func MicrocodeFromUpdateRevision(b []byte) string {
	if len(b) < 8 {
		return ""
	}
	v := binary.LittleEndian.Uint64(b)
	switch {
	case v>>32 != 0:
		return fmt.Sprintf("0x%x", v>>32)
	case v != 0:
		return fmt.Sprintf("0x%x", v&0xffffffff)
	}
	return ""
}

// ---------------------------------------------------------------- firmware

// Firmware is how the running Windows booted.
type Firmware struct {
	// Type is "uefi" or "bios" (HKLM\SYSTEM\CurrentControlSet\Control
	// PEFirmwareType 2 or 1), "" when unknown.
	Type string `json:"type,omitempty"`
	// SecureBoot is UEFISecureBootEnabled of ...\Control\SecureBoot\State,
	// nil when the value is absent (BIOS machines, Windows before 8).
	SecureBoot *bool `json:"secureBoot,omitempty"`
}

// FirmwareType decodes PEFirmwareType: 1 BIOS, 2 UEFI, anything else "".
func FirmwareType(v uint64) string {
	switch v {
	case 1:
		return "bios"
	case 2:
		return "uefi"
	}
	return ""
}

// ---------------------------------------------------------------- network adapters

// Adapter is one network adapter as GetAdaptersAddresses describes it.
type Adapter struct {
	// Index is the interface index.
	Index uint32 `json:"index"`
	// Name is the friendly name ("Ethernet 2").
	Name string `json:"name"`
	// Description names the adapter model as its driver does
	// ("Intel(R) Ethernet Connection (7) I219-LM").
	Description string `json:"description,omitempty"`
	// MAC is the hardware address, lower case, colon separated; empty when
	// the adapter has none.
	MAC string `json:"mac,omitempty"`
	MTU uint32 `json:"mtu,omitempty"`
	// IfType is the IANA ifType (6 Ethernet, 71 IEEE 802.11, 24 loopback,
	// 131 tunnel).
	IfType uint32 `json:"ifType"`
	// Up is OperStatus IfOperStatusUp.
	Up bool `json:"up"`
	// SpeedBps is the transmit link speed in bit/s, 0 when unknown.
	SpeedBps uint64 `json:"speedBps,omitempty"`
}

// IANA ifType values GetAdaptersAddresses reports for adapters with no
// hardware of their own.
const (
	IfTypeSoftwareLoopback = 24
	IfTypeTunnel           = 131
)

// Virtual reports whether the adapter is the loopback or a tunnel (no
// hardware behind it).
func (a Adapter) Virtual() bool {
	return a.IfType == IfTypeSoftwareLoopback || a.IfType == IfTypeTunnel
}

// FormatMAC renders the first n bytes of a PhysicalAddress as
// "aa:bb:cc:dd:ee:ff"; n is capped at len(b), 0 gives "".
func FormatMAC(b []byte, n uint32) string {
	if uint64(n) > uint64(len(b)) {
		n = uint32(len(b))
	}
	var sb strings.Builder
	for i := uint32(0); i < n; i++ {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", b[i])
	}
	return sb.String()
}

// ---------------------------------------------------------------- Plug and Play devices

// PnPDevice is one present Plug and Play device as SetupAPI describes it.
type PnPDevice struct {
	// InstanceID is the device instance ID
	// ("PCI\VEN_8086&DEV_15BC&SUBSYS_08B91028&REV_10\3&11583659&0&FE").
	InstanceID string `json:"instanceId"`
	// Description is DeviceDesc, Manufacturer Mfg, both from the driver's INF.
	Description  string `json:"description,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	FriendlyName string `json:"friendlyName,omitempty"`
	// Service is the driver service that runs the device ("e1dexpress").
	Service string `json:"service,omitempty"`
	// Location is LocationInformation ("PCI bus 0, device 31, function 6").
	Location      string   `json:"location,omitempty"`
	HardwareIDs   []string `json:"hardwareIds,omitempty"`
	CompatibleIDs []string `json:"compatibleIds,omitempty"`
}

// PCIIDs are the numbers of a PCI function, as lower-case hex digits the
// way `lspci -n` prints them ("8086", "15bc", class "020000").
type PCIIDs struct {
	Vendor, Device       string
	SubVendor, SubDevice string
	Revision             string
	Class                string
}

// pnpFields splits the first segment of an instance or hardware ID
// ("VEN_8086&DEV_15BC&SUBSYS_08B91028&REV_10") into its KEY_VALUE parts.
func pnpFields(s string) map[string]string {
	out := map[string]string{}
	for _, p := range strings.Split(s, "&") {
		if k, v, ok := strings.Cut(p, "_"); ok {
			out[strings.ToUpper(k)] = v
		}
	}
	return out
}

// isHex reports whether s is exactly n hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := strconv.ParseUint(s, 16, 64)
	return err == nil
}

// ParsePCIInstance reads the vendor, device, subsystem and revision of a
// "PCI\VEN_vvvv&DEV_dddd&SUBSYS_ssssvvvv&REV_rr\..." instance ID (the
// subsystem is device then vendor), and the class from a compatible ID
// "PCI\CC_ccssii". ok is false when the ID is not a PCI one.
func ParsePCIInstance(instanceID string, compatibleIDs []string) (ids PCIIDs, ok bool) {
	parts := strings.Split(instanceID, `\`)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "PCI") {
		return ids, false
	}
	f := pnpFields(parts[1])
	ven, dev := f["VEN"], f["DEV"]
	if !isHex(ven, 4) || !isHex(dev, 4) {
		return ids, false
	}
	ids.Vendor, ids.Device = strings.ToLower(ven), strings.ToLower(dev)
	if s := f["SUBSYS"]; isHex(s, 8) {
		ids.SubDevice, ids.SubVendor = strings.ToLower(s[:4]), strings.ToLower(s[4:])
	}
	if r := f["REV"]; isHex(r, 2) {
		ids.Revision = strings.ToLower(r)
	}
	for _, c := range compatibleIDs {
		if cc, found := strings.CutPrefix(strings.ToUpper(c), `PCI\CC_`); found && isHex(cc, 6) {
			ids.Class = strings.ToLower(cc)
			break
		}
	}
	return ids, true
}

// ParsePCILocation turns LocationInformation "PCI bus B, device D, function
// F" into the bus address "bb:dd.f" (lspci's form without the domain, which
// Windows does not state).
func ParsePCILocation(loc string) (string, bool) {
	var b, d, f int
	if n, err := fmt.Sscanf(strings.TrimSpace(loc), "PCI bus %d, device %d, function %d", &b, &d, &f); err != nil || n != 3 ||
		b < 0 || b > 255 || d < 0 || d > 31 || f < 0 || f > 7 {
		return "", false
	}
	return fmt.Sprintf("%02x:%02x.%x", b, d, f), true
}

// USBIDs are the numbers of a USB device ("0403", "6001"), its bcdDevice
// ("6.00") and the serial number when the instance ID carries it.
type USBIDs struct {
	Vendor, Product string
	DeviceVersion   string
	Serial          string
}

// ParseUSBInstance reads "USB\VID_vvvv&PID_pppp\SERIAL" and the REV_bbbb of
// a hardware ID. The last segment is the device's serial number unless it
// contains '&' (then Windows made it up from the port). ok is false for
// non-USB IDs, root hubs and the interfaces of composite devices (&MI_).
func ParseUSBInstance(instanceID string, hardwareIDs []string) (ids USBIDs, ok bool) {
	parts := strings.Split(instanceID, `\`)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "USB") {
		return ids, false
	}
	f := pnpFields(parts[1])
	vid, pid := f["VID"], f["PID"]
	if !isHex(vid, 4) || !isHex(pid, 4) {
		return ids, false
	}
	if _, iface := f["MI"]; iface {
		return ids, false
	}
	ids.Vendor, ids.Product = strings.ToLower(vid), strings.ToLower(pid)
	if len(parts) >= 3 && parts[2] != "" && !strings.Contains(parts[2], "&") {
		ids.Serial = parts[2]
	}
	for _, h := range hardwareIDs {
		hp := strings.Split(h, `\`)
		if len(hp) != 2 || !strings.EqualFold(hp[0], "USB") {
			continue
		}
		if r := pnpFields(hp[1])["REV"]; isHex(r, 4) {
			ids.DeviceVersion = strings.TrimLeft(r[:2], "0")
			if ids.DeviceVersion == "" {
				ids.DeviceVersion = "0"
			}
			ids.DeviceVersion += "." + r[2:]
			break
		}
	}
	return ids, true
}
