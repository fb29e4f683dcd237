//go:build !linux

package sysinv

import "errors"

// ErrNoEntryPoint is returned by SplitDumpBin when the data does not start
// with an SMBIOS entry point ("_SM_" or "_SM3_").
var ErrNoEntryPoint = errors.New("no SMBIOS entry point")

// errSMBIOSLinuxOnly: u-root's smbios package builds on Linux only.
var errSMBIOSLinuxOnly = errors.New("SMBIOS decoding is available on Linux builds only")

// SplitDumpBin splits a `dmidecode --dump-bin` file; Linux builds only.
func SplitDumpBin([]byte) (entry, table []byte, err error) {
	return nil, nil, errSMBIOSLinuxOnly
}

// smbios reports SMBIOS as unknown on builds without u-root's parser.
func (c *collector) smbios() SMBIOS {
	var s SMBIOS
	s.fail("smbios", errSMBIOSLinuxOnly.Error())
	return s
}
