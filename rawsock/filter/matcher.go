package filter

import (
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
)

// Matcher runs a compiled program on frames read from files, with the
// semantics of libpcap's filter on a savefile: "len", "less" and
// "greater" see the original (wire) length of the packet, and loads past
// the captured bytes reject the packet.
//
// A Matcher is not safe for concurrent use; create one per goroutine.
type Matcher struct {
	vm      *bpf.VM
	lenVM   *bpf.VM // program reading the wire length from a 4-byte prefix
	buf     []byte
	usesLen bool
}

// ErrLiveOnly is returned by NewMatcher for programs compiled with
// Options.LiveVLANOffload: only the kernel can run them.
var ErrLiveOnly = errors.New("filter: program uses Linux ancillary VLAN loads and can only run on a live socket")

// NewMatcher prepares p to run in golang.org/x/net/bpf's virtual machine.
func NewMatcher(p Program) (*Matcher, error) {
	m := &Matcher{}
	prefixed := make([]bpf.Instruction, len(p.Instructions))
	for i, in := range p.Instructions {
		switch in := in.(type) {
		case bpf.LoadExtension:
			if in.Num != bpf.ExtLen {
				return nil, ErrLiveOnly
			}
			m.usesLen = true
			prefixed[i] = bpf.LoadAbsolute{Off: 0, Size: 4}
		case bpf.LoadAbsolute:
			in.Off += 4
			prefixed[i] = in
		case bpf.LoadIndirect:
			in.Off += 4
			prefixed[i] = in
		case bpf.LoadMemShift:
			in.Off += 4
			prefixed[i] = in
		default:
			prefixed[i] = in
		}
	}
	vm, err := bpf.NewVM(p.Instructions)
	if err != nil {
		return nil, fmt.Errorf("filter: loading %s into the BPF VM: %w", shorten(p.Expr), err)
	}
	lvm, err := bpf.NewVM(prefixed)
	if err != nil {
		return nil, fmt.Errorf("filter: loading %s into the BPF VM: %w", shorten(p.Expr), err)
	}
	m.vm, m.lenVM = vm, lvm
	return m, nil
}

// Match reports whether the program keeps frame, a complete (untruncated)
// packet starting at the link-layer header.
func (m *Matcher) Match(frame []byte) bool {
	return m.MatchLen(frame, len(frame))
}

// MatchLen reports whether the program keeps frame, the captured bytes of
// a packet whose original length on the wire was wireLen.
func (m *Matcher) MatchLen(frame []byte, wireLen int) bool {
	if len(frame) > 0 && (!m.usesLen || wireLen == len(frame)) {
		n, err := m.vm.Run(frame)
		return err == nil && n > 0
	}
	// Prefix the frame with its wire length so that the program sees it
	// (and so that an empty frame still gets a non-zero verdict).
	need := 4 + len(frame)
	if cap(m.buf) < need {
		m.buf = make([]byte, need)
	}
	b := m.buf[:need]
	wl := uint32(wireLen)
	b[0], b[1], b[2], b[3] = byte(wl>>24), byte(wl>>16), byte(wl>>8), byte(wl)
	copy(b[4:], frame)
	n, err := m.lenVM.Run(b)
	return err == nil && n > 0
}
