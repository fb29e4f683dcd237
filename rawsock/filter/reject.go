package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// rejectsAll reports whether no path through prog reaches a non-zero
// return, given what earlier comparisons on the path tell about later ones.
// The inference follows libpcap's optimizer: a comparison of the same
// value with the same operator and operand has the same outcome, and a
// value known to equal one constant does not equal another. It gives up
// (reports false) after a fixed amount of work.
func rejectsAll(prog []bpf.Instruction) bool {
	type fact struct {
		key   string
		cond  bpf.JumpTest
		k     uint32
		x     bool
		sense bool
	}
	// sym is a symbolic description of the registers and scratch memory
	// along a path: equal strings mean equal values.
	type sym struct {
		a, x string
		mem  [16]string
	}
	budget := 200000
	var walk func(pc int, s sym, facts []fact) bool // reports a reachable accept
	walk = func(pc int, s sym, facts []fact) bool {
		for pc < len(prog) {
			budget--
			if budget < 0 {
				return true
			}
			var cond bpf.JumpTest
			var k uint32
			var x bool
			var st, sf uint8
			switch in := prog[pc].(type) {
			case bpf.RetConstant:
				return in.Val != 0
			case bpf.RetA:
				return true
			case bpf.Jump:
				pc += int(in.Skip) + 1
				continue
			case bpf.JumpIf:
				cond, k, st, sf = in.Cond, in.Val, in.SkipTrue, in.SkipFalse
			case bpf.JumpIfX:
				cond, x, st, sf = in.Cond, true, in.SkipTrue, in.SkipFalse
			case bpf.LoadIndirect:
				s.a = fmt.Sprintf("ind%d/%d(%s)", in.Size, in.Off, s.x)
				pc++
				continue
			case bpf.LoadMemShift:
				s.x = fmt.Sprintf("msh%d", in.Off)
				pc++
				continue
			case bpf.LoadConstant:
				if in.Dst == bpf.RegX {
					s.x = fmt.Sprintf("#%d", in.Val)
				} else {
					s.a = fmt.Sprintf("#%d", in.Val)
				}
				pc++
				continue
			case bpf.LoadScratch:
				if in.Dst == bpf.RegX {
					s.x = s.mem[in.N&15]
				} else {
					s.a = s.mem[in.N&15]
				}
				pc++
				continue
			case bpf.StoreScratch:
				if in.Src == bpf.RegX {
					s.mem[in.N&15] = s.x
				} else {
					s.mem[in.N&15] = s.a
				}
				pc++
				continue
			case bpf.ALUOpConstant:
				s.a = fmt.Sprintf("(%s %d #%d)", s.a, in.Op, in.Val)
				pc++
				continue
			case bpf.ALUOpX:
				s.a = fmt.Sprintf("(%s %d %s)", s.a, in.Op, s.x)
				pc++
				continue
			case bpf.NegateA:
				s.a = "-(" + s.a + ")"
				pc++
				continue
			case bpf.TAX:
				s.x = s.a
				pc++
				continue
			case bpf.TXA:
				s.a = s.x
				pc++
				continue
			default:
				// LoadAbsolute, LoadExtension and anything else that only
				// depends on the packet.
				s.a = fmt.Sprintf("%#v", in)
				pc++
				continue
			}
			key := s.a
			if x {
				key += "?" + s.x
			}
			known, outcome := false, false
			for _, f := range facts {
				if f.key != key || f.x != x {
					continue
				}
				if f.cond == cond && (x || f.k == k) {
					known, outcome = true, f.sense
					break
				}
				if !x && f.cond == bpf.JumpEqual && f.sense && cond == bpf.JumpEqual && f.k != k {
					known, outcome = true, false
					break
				}
			}
			if known {
				if outcome {
					pc += int(st) + 1
				} else {
					pc += int(sf) + 1
				}
				continue
			}
			n := len(facts)
			if walk(pc+int(st)+1, s, append(facts[:n:n], fact{key, cond, k, x, true})) {
				return true
			}
			facts = append(facts[:n:n], fact{key, cond, k, x, false})
			pc += int(sf) + 1
		}
		return true
	}
	return !walk(0, sym{}, nil)
}
