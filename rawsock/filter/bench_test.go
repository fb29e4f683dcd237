package filter

import (
	"fmt"
	"testing"

	gopcapfilter "github.com/packetcap/go-pcap/filter"
	"golang.org/x/net/bpf"
)

var benchExprs = []string{
	"tcp port 502",
	"tcp port 502 and host 10.0.0.5",
	"vlan and udp port 47808",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"not (port 22 or port 53) and (ip or ip6)",
}

func benchPackets(b *testing.B) [][]byte {
	b.Helper()
	var pkts [][]byte
	for _, path := range []string{"testdata/gen_mixed.pcap", "testdata/corpus/modbus_test_data_part2.pcap", "testdata/corpus/bacnet_nmap_info.pcap"} {
		c, err := readCapture(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range c.packets {
			pkts = append(pkts, p.data)
		}
	}
	return pkts
}

// BenchmarkMatch measures one packet through the compiled program in
// golang.org/x/net/bpf's VM, cycling through a mix of real and synthetic
// frames. "ours" is Matcher.Match; "go-pcap" runs the program that
// github.com/packetcap/go-pcap/filter compiles for the same expression in
// the same VM, where it compiles to a valid program.
func BenchmarkMatch(b *testing.B) {
	pkts := benchPackets(b)
	for i, e := range benchExprs {
		p, err := Compile(e, Options{})
		if err != nil {
			b.Fatal(err)
		}
		m, err := NewMatcher(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("ours/%d", i), func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; b.Loop(); n++ {
				m.Match(pkts[n%len(pkts)])
			}
		})
		if vm := gopcapVM(e); vm != nil {
			b.Run(fmt.Sprintf("go-pcap/%d", i), func(b *testing.B) {
				b.ReportAllocs()
				for n := 0; b.Loop(); n++ {
					_, _ = vm.Run(pkts[n%len(pkts)])
				}
			})
		}
	}
}

func gopcapVM(e string) (vm *bpf.VM) {
	defer func() {
		if recover() != nil {
			vm = nil
		}
	}()
	ins, err := gopcapfilter.NewExpression(e).Compile().Compile()
	if err != nil {
		return nil
	}
	vm, err = bpf.NewVM(ins)
	if err != nil {
		return nil
	}
	return vm
}

// BenchmarkCompile measures compiling an expression (lexing, parsing, code
// generation, jump layout and the rejects-all analysis), with go-pcap's
// compiler alongside where it accepts the expression.
func BenchmarkCompile(b *testing.B) {
	for i, e := range benchExprs {
		b.Run(fmt.Sprintf("ours/%d", i), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(e, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		if gopcapVM(e) != nil {
			b.Run(fmt.Sprintf("go-pcap/%d", i), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _ = gopcapfilter.NewExpression(e).Compile().Compile()
				}
			})
		}
	}
}
