package cbom

import (
	"io"
	"testing"
)

// benchDoc is testDoc with n packages, the size of a desktop Debian install.
func benchDoc(n int) *Document {
	d := testDoc()
	for i := 0; i < n; i++ {
		s := itoa(i)
		c := &Component{Ref: "pkg:deb/debian/p" + s, Class: ClassLibrary, Kind: KindPackage, Name: "libexample" + s,
			Version: "1.0-" + s, PURL: "pkg:deb/debian/libexample" + s + "@1.0-" + s + "?arch=amd64&distro=debian-12",
			Publisher: "Debian Example Maintainers <example@lists.debian.org>", Description: "example library number " + s}
		c.AddProp("wirebom:package:arch", "amd64")
		c.AddProp("wirebom:package:installedSizeBytes", "123456")
		d.Packages = append(d.Packages, c)
		d.OS.DependsOn = append(d.OS.DependsOn, c.Ref)
	}
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		panic(err)
	}
	return d
}

func BenchmarkEncode(b *testing.B) {
	d := benchDoc(2000)
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := d.Encode(io.Discard, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
