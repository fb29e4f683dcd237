package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// node is a boolean expression over atomic tests.
type node interface{ isNode() }

type andNode struct{ a, b node }
type orNode struct{ a, b node }
type notNode struct{ a node }
type constNode bool

// testNode is one atomic test: run pre (which leaves a value in A, and
// possibly uses X and scratch memory), then compare A with k (or with X
// when useX) using cond.
type testNode struct {
	pre  []bpf.Instruction
	cond bpf.JumpTest // JumpEqual, JumpGreaterThan, JumpGreaterOrEqual or JumpBitsSet
	k    uint32
	useX bool
}

func (andNode) isNode()   {}
func (orNode) isNode()    {}
func (notNode) isNode()   {}
func (constNode) isNode() {}
func (*testNode) isNode() {}

func and(a, b node) node {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return andNode{a, b}
}

func or(a, b node) node {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return orNode{a, b}
}

func not(a node) node { return notNode{a} }

// cmp tests the size-byte value at absolute offset off (masked when mask is
// not all ones) against v with cond.
func cmp(off uint32, size int, mask uint32, cond bpf.JumpTest, v uint32) node {
	if mask == 0 {
		// The value is 0 whatever the packet holds; like libpcap's
		// optimizer, decide now and do not load (the load could fail on a
		// short packet and reject it).
		switch cond {
		case bpf.JumpEqual:
			return constNode(v == 0)
		case bpf.JumpGreaterThan:
			return constNode(false)
		case bpf.JumpGreaterOrEqual:
			return constNode(v == 0)
		case bpf.JumpBitsSet:
			return constNode(false)
		}
	}
	pre := []bpf.Instruction{bpf.LoadAbsolute{Off: off, Size: size}}
	full := uint32(1)<<(8*uint(size)) - 1
	if size == 4 {
		full = 0xffffffff
	}
	if mask&full != full {
		pre = append(pre, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask})
	}
	return &testNode{pre: pre, cond: cond, k: v}
}

func eq(off uint32, size int, v uint32) node { return cmp(off, size, 0xffffffff, bpf.JumpEqual, v) }

func eqMask(off uint32, size int, mask, v uint32) node {
	return cmp(off, size, mask, bpf.JumpEqual, v)
}

// label is a position in the generated program, resolved at layout.
type label int

// ainst is an instruction whose jump targets are still labels.
type ainst struct {
	ins    bpf.Instruction // non-jump instruction, or nil for a jump
	cond   bpf.JumpTest
	k      uint32
	useX   bool
	ja     bool
	jt, jf label
	key    string            // conditional jumps: identity of the value tested (its instructions)
	pre    []bpf.Instruction // conditional jumps: the instructions computing it
	// needsState marks an entry point inside a test, reached by jumps
	// whose own test already set the registers the skipped instructions set.
	needsState bool
	stateReq   string // what the registers must hold there (entries with equal ones may merge)
}

type codegen struct {
	code   []ainst
	labels []int // label -> instruction index (-1 unplaced)
}

func (g *codegen) newLabel() label {
	g.labels = append(g.labels, -1)
	return label(len(g.labels) - 1)
}

func (g *codegen) place(l label) { g.labels[l] = len(g.code) }

func (g *codegen) emit(n node, t, f label) {
	switch n := n.(type) {
	case andNode:
		mid := g.newLabel()
		g.emit(n.a, mid, f)
		g.place(mid)
		g.emit(n.b, t, f)
	case orNode:
		mid := g.newLabel()
		g.emit(n.a, t, mid)
		g.place(mid)
		g.emit(n.b, t, f)
	case notNode:
		g.emit(n.a, f, t)
	case constNode:
		if n {
			g.code = append(g.code, ainst{ja: true, jt: t})
		} else {
			g.code = append(g.code, ainst{ja: true, jt: f})
		}
	case *testNode:
		var key []byte
		for _, in := range n.pre {
			g.code = append(g.code, ainst{ins: in})
			if r, err := in.Assemble(); err == nil {
				key = fmt.Appendf(key, "%x/%x;", r.Op, r.K)
			} else {
				key = fmt.Appendf(key, "%#v;", in)
			}
		}
		g.code = append(g.code, ainst{cond: n.cond, k: n.k, useX: n.useX, jt: t, jf: f, key: string(key), pre: n.pre})
	}
}

// maxInsns is the kernel's (and libpcap's) limit on classic BPF programs.
const maxInsns = 4096

// generate lays out the program for n, returning ret #snaplen when n holds.
func generate(n node, snaplen uint32, optimize bool) ([]bpf.Instruction, error) {
	g := &codegen{}
	t, f := g.newLabel(), g.newLabel()
	// A leading jump to the real start, so that the optimizer can move the
	// start like any other jump target; dropped below when it skips nothing.
	first := g.newLabel()
	g.code = append(g.code, ainst{ja: true, jt: first})
	g.place(first)
	g.emit(n, t, f)
	g.place(t)
	g.code = append(g.code, ainst{ins: bpf.RetConstant{Val: snaplen}})
	g.place(f)
	g.code = append(g.code, ainst{ins: bpf.RetConstant{Val: 0}})
	if optimize {
		g.thread()
		g.mergeTails()
	}
	if g.code[0].ja && g.labels[g.code[0].jt] == 1 {
		g.code = g.code[1:]
		for l, p := range g.labels {
			if p > 0 {
				g.labels[l] = p - 1
			}
		}
	}
	code := g.code
	// Resolve labels, splitting conditional jumps whose targets are more
	// than 255 instructions ahead into a short jump over unconditional ones.
	for {
		if len(code) > maxInsns {
			return nil, fmt.Errorf("%w: %d instructions (the limit is %d)", ErrTooComplex, len(code), maxInsns)
		}
		pos := append([]int(nil), g.labels...)
		far := func(i int, l label) bool { return pos[l]-i-1 > 255 }
		var splits []int
		for i, a := range code {
			if a.ins == nil && !a.ja && (far(i, a.jt) || far(i, a.jf)) {
				splits = append(splits, i)
			}
		}
		if len(splits) == 0 {
			out := make([]bpf.Instruction, len(code))
			for i, a := range code {
				switch {
				case a.ins != nil:
					out[i] = a.ins
				case a.ja:
					out[i] = bpf.Jump{Skip: uint32(pos[a.jt] - i - 1)}
				default:
					st, sf := uint8(pos[a.jt]-i-1), uint8(pos[a.jf]-i-1)
					if a.useX {
						out[i] = bpf.JumpIfX{Cond: a.cond, SkipTrue: st, SkipFalse: sf}
					} else {
						out[i] = bpf.JumpIf{Cond: a.cond, Val: a.k, SkipTrue: st, SkipFalse: sf}
					}
				}
			}
			return out, nil
		}
		// Route each far target of a conditional jump through an
		// unconditional jump placed right after it (which may reach any
		// distance); then lay out again, as the program grew.
		var next []ainst
		shift := make([]int, len(code)+1) // old index -> new index
		for i, a := range code {
			shift[i] = len(next)
			if a.ins != nil || a.ja || !(far(i, a.jt) || far(i, a.jf)) {
				next = append(next, a)
				continue
			}
			j := a
			var extra []ainst
			if far(i, a.jt) {
				l := g.newLabel()
				g.labels[l] = -2 - len(extra) // placeholder, fixed below
				j.jt = l
				extra = append(extra, ainst{ja: true, jt: a.jt})
			}
			if far(i, a.jf) {
				l := g.newLabel()
				g.labels[l] = -2 - len(extra)
				j.jf = l
				extra = append(extra, ainst{ja: true, jt: a.jf})
			}
			base := len(next)
			next = append(next, j)
			for _, l := range []label{j.jt, j.jf} {
				if p := g.labels[l]; p <= -2 {
					g.labels[l] = base + 1 + (-2 - p)
				}
			}
			next = append(next, extra...)
		}
		shift[len(code)] = len(next)
		for l, p := range pos {
			if p >= 0 {
				g.labels[l] = shift[p]
			}
		}
		code = next
	}
}

// outcome reports whether a test (key, cond, k, useX) is decided on an
// edge where the test described by the fact f had the result sense. The
// rules are libpcap's: the same comparison of the same value gives the same
// result, and a value equal to one constant differs from any other.
func outcome(f, t *ainst, sense bool) (known, result bool) {
	if f.key != t.key || f.useX != t.useX {
		return false, false
	}
	if f.cond == t.cond && (t.useX || f.k == t.k) {
		return true, sense
	}
	if sense && !t.useX && f.cond == bpf.JumpEqual && t.cond == bpf.JumpEqual {
		return true, false
	}
	return false, false
}

// labelAt returns a label placed at instruction index p, inside a test:
// entering there needs the registers its first instructions would set.
func (g *codegen) labelAt(p int, state string, cache map[int]label) label {
	c := &g.code[p]
	if c.needsState && c.stateReq != state {
		c.stateReq = fmt.Sprintf("mixed@%p", c)
	} else {
		c.stateReq = state
	}
	c.needsState = true
	if l, ok := cache[p]; ok {
		return l
	}
	l := g.newLabel()
	g.labels[l] = p
	cache[p] = l
	return l
}

// fact is what an edge of a conditional jump tells: the test at jump had
// result sense.
type fact struct {
	a     *ainst
	sense bool
}

// decide reports whether any of facts decides the test t.
func decide(facts []fact, t *ainst) (known, result bool) {
	for _, f := range facts {
		if known, result = outcome(f.a, t, f.sense); known {
			return known, result
		}
	}
	return false, false
}

// maxFacts bounds the facts kept per program point (the most recent ones):
// forgetting facts only forgoes some simplifications, and keeps compiling
// long expressions fast.
const maxFacts = 48

// withFact returns fs plus f, without modifying fs.
func withFact(fs []fact, f fact) []fact {
	if len(fs) >= maxFacts {
		fs = fs[len(fs)-maxFacts+1:]
	}
	out := make([]fact, len(fs), len(fs)+1)
	copy(out, fs)
	return append(out, f)
}

// entryFacts computes, for each instruction index, the facts that hold on
// every path from the start to it (the code is a forward-only DAG).
func (g *codegen) entryFacts() [][]fact {
	in := make([][]fact, len(g.code))
	seen := make([]bool, len(g.code))
	seen[0] = true
	merge := func(p int, fs []fact) {
		if !seen[p] {
			seen[p] = true
			in[p] = append([]fact(nil), fs...)
			return
		}
		var keep []fact
		for _, f := range in[p] {
			for _, h := range fs {
				if f == h {
					keep = append(keep, f)
					break
				}
			}
		}
		in[p] = keep
	}
	for p := range g.code {
		if !seen[p] {
			continue
		}
		a := &g.code[p]
		switch {
		case a.ja:
			merge(g.labels[a.jt], in[p])
		case a.ins == nil:
			merge(g.labels[a.jt], withFact(in[p], fact{a, true}))
			merge(g.labels[a.jf], withFact(in[p], fact{a, false}))
		default:
			if _, ok := a.ins.(bpf.RetConstant); !ok && p+1 < len(g.code) {
				merge(p+1, in[p])
			}
		}
	}
	return in
}

// thread retargets each edge of each conditional jump past the tests whose
// result is decided on that edge (by the comparisons made on every path to
// it), and past the instructions of a test that recomputes the value just
// tested (A and X then already hold it), then drops what became
// unreachable, until nothing changes. Neither change skips a load that has
// not already succeeded on the path, so packets too short for a load are
// treated as before.
func (g *codegen) thread() {
	for round := 0; round < 16; round++ {
		changed := false
		in := g.entryFacts()
		cache := map[int]label{}
		for i := range g.code {
			a := &g.code[i]
			if a.ins != nil || a.ja {
				continue
			}
			for _, sense := range []bool{true, false} {
				target := a.jf
				if sense {
					target = a.jt
				}
				facts := withFact(in[i], fact{a, sense})
				orig := target
				best := target
				for step := 0; step < 256; step++ {
					p := g.labels[target]
					if p != g.labels[orig] && g.code[p].needsState {
						// Entering here needs registers set by instructions
						// that this path does not run.
						break
					}
					best = target
					if g.code[p].ja {
						target = g.code[p].jt
						continue
					}
					j := p
					for j < len(g.code) && g.code[j].ins != nil {
						if _, ok := g.code[j].ins.(bpf.RetConstant); ok {
							break
						}
						j++
					}
					if j == len(g.code) || g.code[j].ins != nil || g.code[j].ja {
						break
					}
					t := &g.code[j]
					if known, res := decide(facts, t); known {
						if res {
							target = t.jt
						} else {
							target = t.jf
						}
						continue
					}
					if j > p && t.key == a.key {
						best = g.labelAt(j, "AX:"+a.key, cache)
					} else if j > p+1 && sameX(a.pre, g.code[p].ins) {
						best = g.labelAt(p+1, fmt.Sprintf("X:%#v", g.code[p].ins), cache)
					}
					break
				}
				target = best
				if g.labels[target] != g.labels[orig] {
					changed = true
				}
				if sense {
					a.jt = target
				} else {
					a.jf = target
				}
			}
		}
		if g.skipUndecided() {
			changed = true
		}
		g.dropUnreachable()
		if !changed {
			return
		}
	}
}

// dropUnreachable removes instructions no path from the start reaches.
func (g *codegen) dropUnreachable() {
	reach := make([]bool, len(g.code))
	stack := []int{0}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for ; p < len(g.code) && !reach[p]; p++ {
			reach[p] = true
			a := g.code[p]
			if a.ins == nil {
				stack = append(stack, g.labels[a.jt])
				if !a.ja {
					stack = append(stack, g.labels[a.jf])
				}
				break
			}
			if _, ok := a.ins.(bpf.RetConstant); ok {
				break
			}
		}
	}
	newIdx := make([]int, len(g.code)+1)
	var out []ainst
	for p, a := range g.code {
		newIdx[p] = len(out)
		if reach[p] {
			out = append(out, a)
		}
	}
	newIdx[len(g.code)] = len(out)
	for l, p := range g.labels {
		if p >= 0 {
			g.labels[l] = newIdx[p]
		}
	}
	g.code = out
}

// sameX reports whether in is a load of X with a value that X still holds
// after pre ran: pre's last write to X is the same instruction.
func sameX(pre []bpf.Instruction, in bpf.Instruction) bool {
	if _, ok := in.(bpf.LoadMemShift); !ok {
		return false
	}
	for i := len(pre) - 1; i >= 0; i-- {
		switch x := pre[i].(type) {
		case bpf.LoadMemShift:
			return x == in
		case bpf.TAX:
			return false
		case bpf.LoadConstant:
			if x.Dst == bpf.RegX {
				return false
			}
		case bpf.LoadScratch:
			if x.Dst == bpf.RegX {
				return false
			}
		}
	}
	return false
}

// mergeTails makes jumps to identical code (the same instructions with the
// same targets, like the ARP and RARP halves of "host") share one copy.
func (g *codegen) mergeTails() {
	entry := map[int]bool{0: true}
	for _, p := range g.labels {
		if p >= 0 {
			entry[p] = true
		}
	}
	canon := make([]int, len(g.code)+1)
	for i := range canon {
		canon[i] = i
	}
	seen := map[string]int{}
	var sig []byte
	for p := len(g.code) - 1; p >= 0; p-- {
		if !entry[p] {
			continue
		}
		sig = sig[:0]
		if g.code[p].needsState {
			// Entries inside tests depend on how they were reached.
			sig = fmt.Appendf(sig, "state %s;", g.code[p].stateReq)
		}
		for q := p; q < len(g.code); q++ {
			a := g.code[q]
			if a.ins != nil {
				sig = fmt.Appendf(sig, "%#v;", a.ins)
				if _, ok := a.ins.(bpf.RetConstant); ok {
					break
				}
				continue
			}
			if a.ja {
				sig = fmt.Appendf(sig, "ja %d", canon[g.labels[a.jt]])
			} else {
				sig = fmt.Appendf(sig, "j %d %d %t %d %d", a.cond, a.k, a.useX, canon[g.labels[a.jt]], canon[g.labels[a.jf]])
			}
			break
		}
		if q, ok := seen[string(sig)]; ok {
			canon[p] = q
		} else {
			seen[string(sig)] = p
		}
	}
	for l, p := range g.labels {
		if p >= 0 {
			g.labels[l] = canon[p]
		}
	}
	g.dropUnreachable()
}

// cleanEntry reports whether a jump from anywhere may enter at position p.
func (g *codegen) cleanEntry(p int) bool { return !g.code[p].needsState }

// skipUndecided sends every entry into a test whose two edges lead to the
// same place straight to that place, as libpcap's optimizer does: the test
// (and its loads) then no longer runs, which also decides what happens to
// packets too short for those loads. It reports whether anything moved.
func (g *codegen) skipUndecided() bool {
	changed := false
	for l, p := range g.labels {
		if p < 0 || p >= len(g.code) {
			continue
		}
		j := p
		for j < len(g.code) && g.code[j].ins != nil {
			if _, ok := g.code[j].ins.(bpf.RetConstant); ok {
				break
			}
			j++
		}
		if j == len(g.code) || g.code[j].ins != nil || g.code[j].ja {
			continue
		}
		a := g.code[j]
		target := g.labels[a.jt]
		if target != g.labels[a.jf] || !g.cleanEntry(target) {
			continue
		}
		g.labels[l] = target
		changed = true
	}
	return changed
}
