package filter

import (
	"fmt"
	"io"

	"golang.org/x/net/bpf"
)

// DumpStyle selects the text format of Program.Dump.
type DumpStyle int

// Dump styles, named after the tcpdump option that prints the same text.
const (
	// DumpReadable is `tcpdump -d`: one disassembled instruction a line.
	DumpReadable DumpStyle = iota
	// DumpC is `tcpdump -dd`: a C array initializer.
	DumpC
	// DumpDecimal is `tcpdump -ddd`: the count, then one instruction a line in decimal.
	DumpDecimal
)

// Dump writes the program in the text format tcpdump prints for -d, -dd or -ddd.
func (p Program) Dump(w io.Writer, style DumpStyle) error {
	raw, err := p.Assemble()
	if err != nil {
		return err
	}
	if style == DumpDecimal {
		if _, err := fmt.Fprintf(w, "%d\n", len(raw)); err != nil {
			return fmt.Errorf("filter: dump: %w", err)
		}
	}
	for i, r := range raw {
		var line string
		switch style {
		case DumpC:
			line = fmt.Sprintf("{ 0x%x, %d, %d, 0x%08x },", r.Op, r.Jt, r.Jf, r.K)
		case DumpDecimal:
			line = fmt.Sprintf("%d %d %d %d", r.Op, r.Jt, r.Jf, r.K)
		default:
			line = image(r, i)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return fmt.Errorf("filter: dump: %w", err)
		}
	}
	return nil
}

// Classic BPF opcode fields (linux/filter.h).
const (
	clsLD   = 0x00
	clsLDX  = 0x01
	clsST   = 0x02
	clsSTX  = 0x03
	clsALU  = 0x04
	clsJMP  = 0x05
	clsRET  = 0x06
	clsMISC = 0x07

	szW = 0x00
	szH = 0x08
	szB = 0x10

	mdIMM = 0x00
	mdABS = 0x20
	mdIND = 0x40
	mdMEM = 0x60
	mdLEN = 0x80
	mdMSH = 0xa0

	srcX = 0x08

	extOff = 0xfffff000 // SKF_AD_OFF as an unsigned offset
)

var ancillaryNames = map[uint32]string{
	uint32(bpf.ExtProto): "proto", uint32(bpf.ExtType): "type", uint32(bpf.ExtPayloadOffset): "poff",
	uint32(bpf.ExtInterfaceIndex): "ifidx", uint32(bpf.ExtNetlinkAttr): "nla",
	uint32(bpf.ExtNetlinkAttrNested): "nlan", uint32(bpf.ExtMark): "mark", uint32(bpf.ExtQueue): "queue",
	uint32(bpf.ExtLinkLayerType): "hatype", uint32(bpf.ExtRXHash): "rxhash", uint32(bpf.ExtCPUID): "cpu",
	uint32(bpf.ExtVLANTag): "vlan_tci", uint32(bpf.ExtVLANTagPresent): "vlanp",
	uint32(bpf.ExtVLANProto): "vlan_tpid", uint32(bpf.ExtRand): "random",
}

// image renders one instruction like libpcap's bpf_image.
func image(r bpf.RawInstruction, n int) string {
	op, operand := "unimp", fmt.Sprintf("0x%x", r.Op)
	size := map[uint16]string{szW: "", szH: "h", szB: "b"}[r.Op&0x18]
	switch r.Op & 0x07 {
	case clsLD:
		switch r.Op & 0xe0 {
		case mdABS:
			op, operand = "ld"+size, fmt.Sprintf("[%d]", r.K)
			if r.K >= extOff {
				if name, ok := ancillaryNames[r.K-extOff]; ok {
					operand = "[" + name + "]"
				}
			}
		case mdIND:
			op, operand = "ld"+size, fmt.Sprintf("[x + %d]", r.K)
		case mdIMM:
			op, operand = "ld", fmt.Sprintf("#0x%x", r.K)
		case mdMEM:
			op, operand = "ld", fmt.Sprintf("M[%d]", r.K)
		case mdLEN:
			op, operand = "ld", "#pktlen"
		}
	case clsLDX:
		switch r.Op & 0xe0 {
		case mdIMM:
			op, operand = "ldx", fmt.Sprintf("#0x%x", r.K)
		case mdMEM:
			op, operand = "ldx", fmt.Sprintf("M[%d]", r.K)
		case mdLEN:
			op, operand = "ldx", "#pktlen"
		case mdMSH:
			op, operand = "ldxb", fmt.Sprintf("4*([%d]&0xf)", r.K)
		}
	case clsST:
		op, operand = "st", fmt.Sprintf("M[%d]", r.K)
	case clsSTX:
		op, operand = "stx", fmt.Sprintf("M[%d]", r.K)
	case clsRET:
		op = "ret"
		switch r.Op & 0x18 {
		case 0x00:
			operand = fmt.Sprintf("#%d", r.K)
		case 0x10:
			operand = "a"
		case 0x08:
			operand = "x"
		}
	case clsMISC:
		if r.Op&0xf8 == 0 {
			op, operand = "tax", ""
		} else {
			op, operand = "txa", ""
		}
	case clsALU:
		names := map[uint16]string{0x00: "add", 0x10: "sub", 0x20: "mul", 0x30: "div", 0x40: "or",
			0x50: "and", 0x60: "lsh", 0x70: "rsh", 0x80: "neg", 0x90: "mod", 0xa0: "xor"}
		code := r.Op & 0xf0
		op = names[code]
		switch {
		case code == 0x80:
			operand = ""
		case r.Op&srcX != 0:
			operand = "x"
		case code == 0x40 || code == 0x50 || code == 0xa0:
			operand = fmt.Sprintf("#0x%x", r.K)
		default:
			operand = fmt.Sprintf("#%d", r.K)
		}
	case clsJMP:
		code := r.Op & 0xf0
		if code == 0x00 {
			return fmt.Sprintf("(%03d) %-8s %d", n, "ja", n+1+int(r.K))
		}
		op = map[uint16]string{0x10: "jeq", 0x20: "jgt", 0x30: "jge", 0x40: "jset"}[code]
		operand = fmt.Sprintf("#0x%x", r.K)
		if r.Op&srcX != 0 {
			operand = "x"
		}
		return fmt.Sprintf("(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand, n+1+int(r.Jt), n+1+int(r.Jf))
	}
	return fmt.Sprintf("(%03d) %-8s %s", n, op, operand)
}
