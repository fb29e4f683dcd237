//go:build linux

// Command afpacketcap is the benchmark peer for `make bench-capture`: a
// capture to a pcap file with gopacket/gopacket's pure-Go afpacket reader at
// its default ring settings, the way a Go program would use it.
//
// Usage: afpacketcap -i IFACE -w FILE; stops on SIGINT or SIGTERM and prints
// "N packets captured" and "N packets dropped by kernel" on stderr.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	iface := flag.String("i", "", "interface")
	out := flag.String("w", "/dev/null", "pcap file")
	flag.Parse()
	tp, err := afpacket.NewTPacket(afpacket.OptInterface(*iface), afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		// Only so that SIGINT is noticed on an idle link; it does not affect a busy ring.
		afpacket.OptPollTimeout(200*time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, "afpacketcap:", err)
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "afpacketcap:", err)
		os.Exit(2)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriterNanos(bw)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		fmt.Fprintln(os.Stderr, "afpacketcap:", err)
		os.Exit(1)
	}
	var stop atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		stop.Store(true)
	}()
	fmt.Fprintf(os.Stderr, "afpacketcap: listening on %s\n", *iface)
	var n uint64
	for !stop.Load() {
		data, ci, err := tp.ZeroCopyReadPacketData()
		if err != nil {
			if err == afpacket.ErrTimeout || err == afpacket.ErrPoll {
				continue
			}
			fmt.Fprintln(os.Stderr, "afpacketcap:", err)
			break
		}
		if err := w.WritePacket(ci, data); err != nil {
			fmt.Fprintln(os.Stderr, "afpacketcap:", err)
			os.Exit(1)
		}
		n++
	}
	bw.Flush()
	_, v3, err := tp.SocketStats()
	if err != nil {
		fmt.Fprintln(os.Stderr, "afpacketcap:", err)
	}
	tp.Close()
	fmt.Fprintf(os.Stderr, "%d packets captured\n%d packets received by filter\n%d packets dropped by kernel\n", n, v3.Packets(), v3.Drops())
}
