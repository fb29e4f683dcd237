// Package filter compiles pcap-filter(7) expressions (the filter language
// of tcpdump and libpcap) to classic BPF, in pure Go.
//
// The same Program runs in the kernel on a live socket (SO_ATTACH_FILTER,
// see Program.Assemble) and in golang.org/x/net/bpf's virtual machine on
// frames read from files (see NewMatcher), so that a filter keeps exactly
// the packets tcpdump would keep.
package filter

import (
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/net/bpf"
)

// LinkType is a pcap link-layer header type (a DLT_/LINKTYPE_ value).
type LinkType uint32

// Link types the compiler supports.
const (
	// LinkTypeEthernet is DLT_EN10MB: Ethernet II / 802.3 frames.
	LinkTypeEthernet LinkType = 1
	// LinkTypeLinuxSLL is LINKTYPE_LINUX_SLL (113): Linux "cooked" captures.
	LinkTypeLinuxSLL LinkType = 113
	// LinkTypeRaw is LINKTYPE_RAW (101): bare IPv4 or IPv6 packets (Linux
	// tun and WireGuard interfaces).
	LinkTypeRaw LinkType = 101
	// LinkTypeNull stands for LINKTYPE_NULL (0, BSD loopback: a 4-byte
	// address family in little-endian host order, then the IP packet;
	// Npcap's loopback adapter). Its pcap value 0 cannot be used here,
	// since a zero Options.LinkType means Ethernet: convert pcap values
	// with FromPcap.
	LinkTypeNull LinkType = 1 << 31
)

// FromPcap returns the LinkType for a pcap LINKTYPE_ value (as found in a
// capture file header): LinkTypeNull for 0, the value itself otherwise.
func FromPcap(linktype uint32) LinkType {
	if linktype == 0 {
		return LinkTypeNull
	}
	return LinkType(linktype)
}

// DefaultSnaplen is the value a matching packet's program returns when
// Options.Snaplen is zero; it is tcpdump's default snapshot length.
const DefaultSnaplen = 262144

// Options selects the framing and the return value of a compiled program.
type Options struct {
	// LinkType is the link-layer header type of the frames; zero means Ethernet.
	LinkType LinkType
	// Snaplen is the value the program returns for a packet it keeps (the
	// kernel truncates kept packets to it); zero means DefaultSnaplen.
	Snaplen uint32
	// Netmask is the IPv4 netmask of the capture interface, used only by
	// "ip broadcast"; zero (like tcpdump reading a file) means unknown.
	Netmask uint32
	// LiveVLANOffload compiles the outermost "vlan" for a Linux live socket,
	// where the kernel has moved the outermost VLAN tag out of the frame into
	// packet metadata: it is then tested through the SKF_AD_VLAN_TAG_PRESENT
	// and SKF_AD_VLAN_TAG ancillary loads, and the following offsets are not
	// moved. Inner tags ("vlan and vlan") are still read from the frame.
	// Such programs do not run in golang.org/x/net/bpf's VM (NewMatcher
	// refuses them).
	LiveVLANOffload bool
	// NoOptimize keeps the program as generated, without removing the
	// comparisons whose result is already known (like tcpdump -O).
	NoOptimize bool
}

// SyntaxError reports an expression that cannot be compiled, with the
// 1-based column of the offending token.
type SyntaxError struct {
	Column int
	Msg    string
}

// Error returns a message such as
// `syntax error at column 12: expected a host address, found "and"`.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at column %d: %s", e.Column, e.Msg)
}

// Program is a compiled filter.
type Program struct {
	// Expr is the source expression.
	Expr string
	// Instructions is the classic BPF program; it returns the snapshot
	// length for packets it keeps and 0 for the others.
	Instructions []bpf.Instruction
	// Options are the options the program was compiled with.
	Options Options
}

// ErrRejectsAll is returned (wrapped) by Compile for an expression that
// can never match, such as "tcp and udp"; tcpdump refuses these too.
var ErrRejectsAll = errors.New("expression rejects all packets")

// ErrTooComplex is returned (wrapped) by Compile when the program would
// exceed the kernel's limit of 4096 instructions.
var ErrTooComplex = errors.New("expression too complex")

// ErrUnsupportedLinkType is returned by Compile for a link type other than
// Ethernet, Linux cooked (SLL), Raw IP or BSD loopback (NULL).
var ErrUnsupportedLinkType = errors.New("filter: unsupported link type")

// Compile compiles a pcap-filter(7) expression. An empty expression keeps
// every packet. Errors in the expression are *SyntaxError values.
func Compile(expr string, opts Options) (Program, error) {
	if opts.LinkType == 0 {
		opts.LinkType = LinkTypeEthernet
	}
	if opts.Snaplen == 0 {
		opts.Snaplen = DefaultSnaplen
	}
	p := &parser{opts: opts}
	switch opts.LinkType {
	case LinkTypeEthernet:
		p.offLinkType, p.offNL = 12, 14
	case LinkTypeLinuxSLL:
		p.offLinkType, p.offNL = 14, 16
		if opts.LiveVLANOffload {
			return Program{}, fmt.Errorf("filter: LiveVLANOffload needs Ethernet framing: %w", ErrUnsupportedLinkType)
		}
	case LinkTypeRaw, LinkTypeNull:
		p.offNL = 0
		if opts.LinkType == LinkTypeNull {
			p.offNL = 4
		}
		if opts.LiveVLANOffload {
			return Program{}, fmt.Errorf("filter: LiveVLANOffload needs Ethernet framing: %w", ErrUnsupportedLinkType)
		}
	default:
		return Program{}, fmt.Errorf("filter: link type %d: %w", opts.LinkType, ErrUnsupportedLinkType)
	}
	toks, err := lex(expr)
	if err != nil {
		return Program{}, err
	}
	p.toks = toks
	n, err := p.parseProgram()
	if err != nil {
		return Program{}, err
	}
	ins, err := generate(n, opts.Snaplen, !opts.NoOptimize)
	if err != nil {
		return Program{}, fmt.Errorf("filter: %s: %w", shorten(expr), err)
	}
	if rejectsAll(ins) {
		return Program{}, fmt.Errorf("filter: %s: %w", shorten(expr), ErrRejectsAll)
	}
	return Program{Expr: expr, Instructions: ins, Options: opts}, nil
}

// Assemble converts the program to raw instructions for SO_ATTACH_FILTER.
func (p Program) Assemble() ([]bpf.RawInstruction, error) {
	raw, err := bpf.Assemble(p.Instructions)
	if err != nil {
		return nil, fmt.Errorf("filter: assembling %s: %w", shorten(p.Expr), err)
	}
	return raw, nil
}

// shorten quotes an expression for an error message, eliding the middle of
// long ones.
func shorten(expr string) string {
	if len(expr) > 64 {
		expr = expr[:40] + " ... " + expr[len(expr)-20:]
	}
	return strconv.Quote(expr)
}
