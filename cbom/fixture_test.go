package cbom

import "time"

// hostile is a string of the kind firmware tables and package databases may
// carry: markup, quotes, non-Latin-1 text and control characters.
const hostile = "<script>alert(\"x\")</script> & 'q' Ω 控制器\x01"

// testDoc builds a document by hand, independent of sysinv, covering every
// component class and a gap.
func testDoc() *Document {
	d := &Document{
		ToolName: "wirebom", ToolVersion: "test",
		Root: "/", Live: true,
		Machine: &Component{Ref: "machine", Class: ClassDevice, Kind: KindMachine, Name: "plc-gw-01",
			Vendor: "ACME Industrial", Serial: "SN-1234", Description: "Example " + hostile},
		Warnings: []Warning{{Source: "smbios", Message: "run as root to read the DMI table: serial numbers"}},
	}
	d.Machine.AddProp("wirebom:hostname", "plc-gw-01")
	d.Machine.DependsOn = []string{"hw:cpu:0", "hw:nic:eth0", "os", "fw:bios"}
	d.Hardware = []*Component{
		{Ref: "hw:cpu:0", Class: ClassDevice, Kind: KindCPU, Name: "Intel(R) Xeon(R) CPU E5-2680 v4",
			Vendor: "GenuineIntel", DependsOn: []string{"fw:microcode"}},
		{Ref: "hw:nic:eth0", Class: ClassDevice, Kind: KindNIC, Name: "eth0", MAC: "52:54:00:12:34:56",
			Vendor: hostile, DependsOn: []string{"fw:nic:eth0", "drv:e1000e"}},
	}
	d.Firmware = []*Component{
		{Ref: "fw:bios", Class: ClassFirmware, Kind: KindBIOS, Name: "BIOS", Version: "1.16.3-debian-1.16.3-2",
			Vendor: "SeaBIOS", Date: "04/01/2014"},
		{Ref: "fw:microcode", Class: ClassFirmware, Kind: KindMicrocode, Name: "CPU microcode", Version: "0xb000040"},
		{Ref: "fw:nic:eth0", Class: ClassFirmware, Kind: KindNICFirmware, Name: "eth0 firmware", Version: "0.13-4"},
	}
	d.Drivers = []*Component{
		{Ref: "drv:e1000e", Class: ClassDriver, Kind: KindModule, Name: "e1000e", Version: "3.2.6-k"},
	}
	d.OS = &Component{Ref: "os", Class: ClassOS, Kind: KindOS, Name: "debian", Version: "12",
		Description: "Debian GNU/Linux 12 (bookworm)", CPE: "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*",
		DependsOn: []string{"pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12",
			"pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12"}}
	d.Packages = []*Component{
		{Ref: "pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12", Class: ClassApplication, Kind: KindPackage,
			Name: "bash", Version: "5.2.15-2+b2", PURL: "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12",
			CPE: "cpe:2.3:a:bash:bash:5.2.15-2\\+b2:*:*:*:*:*:*:*", Vendor: "Matthias Klose <doko@debian.org>"},
		{Ref: "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12", Class: ClassLibrary, Kind: KindPackage,
			Name: "libc6", Version: "2.36-9+deb12u4", PURL: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
			License: "LGPL-2.1", Hashes: []Hash{{Alg: "MD5", Value: "d41d8cd98f00b204e9800998ecf8427e"}}},
	}
	d.Assets = []*Component{
		{Ref: "asset:00:0e:8c:01:02:03", Class: ClassDevice, Kind: KindAsset, Name: "S7-1500 " + hostile,
			MAC: "00:0e:8c:01:02:03", Vendor: "Siemens AG", Serial: "S C-X4U12345",
			DependsOn: []string{"fw:asset:00:0e:8c:01:02:03"}},
		{Ref: "fw:asset:00:0e:8c:01:02:03", Class: ClassFirmware, Kind: KindAssetFW, Name: "S7-1500 firmware", Version: "V2.9.4"},
	}
	d.Assets[0].AddProp("wirebom:ip", "192.168.0.10")
	d.Gaps = []Gap{{Area: "memory-modules", Aggregate: AggregateUnknown, Reason: "no SMBIOS table", Hardware: true}}
	return d
}

// stamped returns testDoc stamped reproducibly at a fixed epoch.
func stamped() *Document {
	d := testDoc()
	if err := d.Stamp(StampOptions{Reproducible: true, Epoch: time.Unix(1700000000, 0)}); err != nil {
		panic(err)
	}
	return d
}
