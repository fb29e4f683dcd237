package rawsock

import (
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
)

// ErrFilterNeedsLinkHeader is returned (wrapped) by Open on AnyInterface for
// a filter that reads the cooked header beyond its packet type and
// protocol (a link-layer address, say): the kernel runs filters on such a
// socket's packets from their network header, where there is no cooked
// header to read.
var ErrFilterNeedsLinkHeader = errors.New("the filter reads the link-layer header, which the kernel does not give filters on the any device")

// Classic BPF opcode fields (linux/filter.h) and the ancillary loads that
// stand in for the cooked header.
const (
	bpfClassMask = 0x07
	bpfLD        = 0x00
	bpfLDX       = 0x01
	bpfModeMask  = 0xe0
	bpfABS       = 0x20
	bpfIND       = 0x40
	bpfMSH       = 0xa0
	bpfSizeMask  = 0x18
	bpfH         = 0x08

	skfAdOff      = 0xfffff000 // SKF_AD_OFF, as the unsigned offset it is in k
	skfAdProtocol = 0
	skfAdPkttype  = 4
)

// cookedKernelFilter rewrites a program written for Linux cooked frames
// (the 16-byte header in front of the network header) into the program
// the kernel must run on a SOCK_DGRAM packet socket, whose packets start
// at the network header: loads past the cooked header move 16 bytes back,
// and loads of the packet type and protocol fields become the kernel's
// SKF_AD_PKTTYPE and SKF_AD_PROTOCOL ancillary loads. Indexed loads are
// moved back too: a program compiled for cooked frames indexes from the
// network header with X holding the length of a header inside it. Any
// other load of the cooked header fails with ErrFilterNeedsLinkHeader.
func cookedKernelFilter(prog []bpf.RawInstruction) ([]bpf.RawInstruction, error) {
	out := make([]bpf.RawInstruction, len(prog))
	copy(out, prog)
	for i := range out {
		ins := &out[i]
		class, mode := ins.Op&bpfClassMask, ins.Op&bpfModeMask
		if class != bpfLD && class != bpfLDX || mode != bpfABS && mode != bpfIND && mode != bpfMSH {
			continue
		}
		if class == bpfLDX && mode != bpfMSH {
			continue // LDX loads only MSH from the packet
		}
		switch {
		case ins.K >= skfAdOff:
			// Already an ancillary load.
		case ins.K >= cookedHdrLen:
			ins.K -= cookedHdrLen
		case mode == bpfABS && ins.Op&bpfSizeMask == bpfH && ins.K == 0:
			ins.K = skfAdOff + skfAdPkttype
		case mode == bpfABS && ins.Op&bpfSizeMask == bpfH && ins.K == cookedProto:
			ins.K = skfAdOff + skfAdProtocol
		default:
			return nil, fmt.Errorf("%w (instruction %d loads offset %d); filter afterwards with 'wirebom read -r FILE EXPR'",
				ErrFilterNeedsLinkHeader, i, ins.K)
		}
	}
	return out, nil
}

// packetOutgoing is PACKET_OUTGOING, the packet type of a frame the host
// sent.
const packetOutgoing = 4

// skipLoopbackOutgoing returns the instructions to put in front of a
// filter on the any device so that frames sent on the loopback interface
// (index lo) are dropped: the kernel hands each of them over twice, going
// out and coming in, and libpcap keeps only the second.
func skipLoopbackOutgoing(lo uint32) []bpf.Instruction {
	return []bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtInterfaceIndex},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: lo, SkipFalse: 3},
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipFalse: 1},
		bpf.RetConstant{Val: 0},
	}
}

// keepDirection returns the instructions to put in front of a filter so
// that only frames of direction d pass on to it (none for both).
func keepDirection(d Direction) []bpf.Instruction {
	var skip bpf.JumpIf
	switch d {
	case DirectionIn: // drop what goes out
		skip = bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipFalse: 1}
	case DirectionOut: // drop what does not
		skip = bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipTrue: 1}
	default:
		return nil
	}
	return []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtType}, skip, bpf.RetConstant{Val: 0}}
}
