//go:build linux

// Command gen is the traffic generator of `make bench-capture`: it sends
// UDP frames (RFC 2544 benchmarking addresses) out of one interface at the
// highest rate it can, with sendmmsg and PACKET_QDISC_BYPASS. It replaces
// trafgen, whose TX ring gives up with EAGAIN when the receiver's backlog is
// full (as it is when the receive softirq is steered to a busy CPU).
//
// Usage: gen -i IFACE -n COUNT [-profile 64|imix] [-rate PPS]
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
	_   [4]byte
}

func main() {
	iface := flag.String("i", "", "interface to send on")
	count := flag.Int("n", 1000000, "frames to send")
	profile := flag.String("profile", "64", "64 (64-byte frames) or imix (64:7, 570:4, 1514:1)")
	rate := flag.Float64("rate", 0, "frames per second (0: as fast as possible)")
	flag.Parse()
	ifi, err := net.InterfaceByName(*iface)
	if err != nil {
		fatal(err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, 0)
	if err != nil {
		fatal(err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_QDISC_BYPASS, 1); err != nil {
		fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifi.Index}); err != nil {
		fatal(err)
	}
	sizes := []int{64}
	if *profile == "imix" {
		sizes = []int{64, 64, 64, 64, 64, 64, 64, 570, 570, 570, 570, 1514}
	}
	const batch = 60 // a multiple of the 12-frame IMIX pattern
	frames := make([][]byte, batch)
	iov := make([]unix.Iovec, batch)
	msgs := make([]mmsghdr, batch)
	for i := range frames {
		frames[i] = udpFrame(sizes[i%len(sizes)])
		iov[i].Base = &frames[i][0]
		iov[i].SetLen(len(frames[i]))
		msgs[i].hdr.Iov = &iov[i]
		msgs[i].hdr.SetIovlen(1)
	}
	sent, retries := 0, 0
	start := time.Now()
	for sent < *count {
		if *rate > 0 {
			// Pace by deadline: frame i is due at start + i/rate.
			if due := start.Add(time.Duration(float64(sent) / *rate * float64(time.Second))); time.Until(due) > 0 {
				time.Sleep(time.Until(due))
			}
		}
		n := min(batch, *count-sent)
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&msgs[0])), uintptr(n), 0, 0, 0)
		if errno != 0 {
			if errors.Is(errno, unix.EAGAIN) || errors.Is(errno, unix.ENOBUFS) || errors.Is(errno, unix.EINTR) {
				retries++
				continue
			}
			fatal(errno)
		}
		sent += int(r)
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "gen: %d frames sent in %v (%.0f frames/s), %d retries\n", sent, el, float64(sent)/el.Seconds(), retries)
}

func udpFrame(size int) []byte {
	f := make([]byte, size)
	copy(f[0:6], []byte{0x02, 0, 0, 0, 0, 0xaa})
	copy(f[6:12], []byte{0x02, 0, 0, 0, 0, 0xbb})
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(size-14))
	ip[8], ip[9] = 64, 17
	copy(ip[12:16], []byte{198, 18, 0, 2})
	copy(ip[16:20], []byte{198, 18, 0, 1})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	udp := f[34:42]
	binary.BigEndian.PutUint16(udp[0:], 1024)
	binary.BigEndian.PutUint16(udp[2:], 9)
	binary.BigEndian.PutUint16(udp[4:], uint16(size-34))
	return f
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
