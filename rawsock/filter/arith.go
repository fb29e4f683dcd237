package filter

import (
	"golang.org/x/net/bpf"
)

// arth is an arithmetic expression of pcap-filter(7).
type arth struct {
	kind   arthKind
	k      uint32    // akConst
	op     bpf.ALUOp // akBin
	l, r   *arth     // akBin (l, r), akNeg (l), akLoad (l = index)
	base   uint32    // akLoad: fixed offset added to the index
	ipHdr  bool      // akLoad: the index is relative to the end of the IPv4 header
	size   int       // akLoad
	checks node      // protocol tests that must hold for the value to exist
	lit    bool      // akConst written as a literal number
}

type arthKind int

const (
	akConst arthKind = iota
	akLen
	akLoad
	akBin
	akNeg
)

// binary operator precedence, lowest first (libpcap's grammar).
var arithPrec = map[string]int{
	"|": 1, "^": 1, "&": 2, "<<": 3, ">>": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5,
}

var arithOps = map[string]bpf.ALUOp{
	"|": bpf.ALUOpOr, "^": bpf.ALUOpXor, "&": bpf.ALUOpAnd, "<<": bpf.ALUOpShiftLeft,
	">>": bpf.ALUOpShiftRight, "+": bpf.ALUOpAdd, "-": bpf.ALUOpSub, "*": bpf.ALUOpMul,
	"/": bpf.ALUOpDiv, "%": bpf.ALUOpMod,
}

// parseRelation parses "arth relop arth".
func (p *parser) parseRelation() (node, error) {
	l, err := p.parseArith(0)
	if err != nil {
		return nil, p.note(err)
	}
	op := p.peek()
	if !isRelop(op) {
		return nil, p.note(expected(op, "a comparison operator"))
	}
	p.next()
	r, err := p.parseArith(0)
	if err != nil {
		return nil, p.note(err)
	}
	return p.relation(op, l, r)
}

func (p *parser) parseArith(minPrec int) (*arth, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec, ok := arithPrec[t.text]
		if t.kind != tOp || !ok || prec < minPrec {
			return l, nil
		}
		p.next()
		r, err := p.parseArith(prec + 1)
		if err != nil {
			return nil, err
		}
		if r.kind == akConst {
			switch t.text {
			case "/":
				if r.k == 0 {
					return nil, errAt(t, "division by zero")
				}
			case "%":
				if r.k == 0 {
					return nil, errAt(t, "modulus by zero")
				}
			case "<<", ">>":
				if r.k > 31 {
					return nil, errAt(t, "shift by more than 31 bits")
				}
			}
		}
		// libpcap keeps only the left operand's protocol checks here.
		l = &arth{kind: akBin, op: arithOps[t.text], l: l, r: r, checks: l.checks}
		if v, ok := constValue(l); ok {
			l = &arth{kind: akConst, k: v}
		} else if (l.r.kind == akConst && l.r.k == 0 || l.l.kind == akConst && l.l.k == 0) &&
			(l.op == bpf.ALUOpAnd || l.op == bpf.ALUOpMul) {
			// x & 0, x * 0 (either way round) are 0: libpcap's optimizer
			// drops the loads of x (but keeps the protocol checks).
			l = &arth{kind: akConst, k: 0, checks: l.checks}
		}
	}
}

func (p *parser) parseUnary() (*arth, error) {
	t := p.peek()
	switch {
	case t.is("-"):
		p.next()
		a, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if a.kind == akConst {
			return &arth{kind: akConst, k: -a.k}, nil
		}
		return &arth{kind: akNeg, l: a, checks: a.checks}, nil
	case t.is("("):
		p.next()
		a, err := p.parseArith(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return a, nil
	case t.kind == tNum:
		p.next()
		if t.esc {
			return nil, errAt(t, "number %s overflows 32 bits", t.text)
		}
		return &arth{kind: akConst, k: t.num, lit: true}, nil
	case t.is("len"):
		p.next()
		return &arth{kind: akLen}, nil
	case t.kind == tWord && !t.esc:
		if pq, ok := protoNames[t.text]; ok && p.peekAt(1).is("[") {
			return p.parseAccess(pq)
		}
	}
	return nil, expected(t, "a number, len or a protocol[offset] accessor")
}

// parseAccess parses proto[expr] and proto[expr:size].
func (p *parser) parseAccess(pq protoQ) (*arth, error) {
	pt := p.next()
	p.next() // [
	idx, err := p.parseArith(0)
	if err != nil {
		return nil, err
	}
	size := 1
	if p.peek().is(":") {
		p.next()
		st := p.next()
		if st.kind != tNum {
			return nil, expected(st, "a size (1, 2 or 4)")
		}
		if st.num != 1 && st.num != 2 && st.num != 4 {
			return nil, errAt(st, "data size must be 1, 2, or 4")
		}
		size = int(st.num)
	}
	if err := p.expect("]"); err != nil {
		return nil, err
	}
	a := &arth{kind: akLoad, l: idx, size: size}
	var chk node
	switch pq {
	case pLink:
		if p.isSLL() {
			a.base = 0
		}
	case pIP, pARP, pRARP, pIP6:
		et := map[protoQ]uint32{pIP: etIP, pARP: etARP, pRARP: etRARP, pIP6: etIP6}[pq]
		chk, err = p.linktype(et, pt)
		a.base = p.offNL
	case pTCP, pUDP, pSCTP, pICMP, pIGMP, pIGRP, pPIM, pVRRP, pCARP:
		var ip, pr node
		ip, err = p.linktype(etIP, pt)
		if err == nil {
			pr, err = p.protoAbbrev(pq, pt)
		}
		frag := &testNode{pre: []bpf.Instruction{bpf.LoadAbsolute{Off: p.offNL + 6, Size: 2}}, cond: bpf.JumpBitsSet, k: 0x1fff}
		chk = and(and(ip, pr), not(frag))
		a.base = p.offNL
		a.ipHdr = true
	case pICMP6:
		var l node
		l, err = p.linktype(etIP6, pt)
		chk = and(l, eq(p.offNL+6, 1, 58))
		a.base = p.offNL + 40
	default:
		return nil, errAt(pt, "'%s' cannot be indexed", pt.text)
	}
	if err != nil {
		return nil, err
	}
	a.checks = and(idx.checks, chk)
	return a, nil
}

// relation compiles "l op r".
func (p *parser) relation(op token, l, r *arth) (node, error) {
	var cond bpf.JumpTest
	neg := false
	switch op.text {
	case ">":
		cond = bpf.JumpGreaterThan
	case ">=":
		cond = bpf.JumpGreaterOrEqual
	case "=", "==":
		cond = bpf.JumpEqual
	case "<":
		cond, neg = bpf.JumpGreaterOrEqual, true
	case "<=":
		cond, neg = bpf.JumpGreaterThan, true
	case "!=":
		cond, neg = bpf.JumpEqual, true
	}
	if l.kind == akConst && r.kind == akConst {
		checks := and(l.checks, r.checks)
		var res bool
		switch cond {
		case bpf.JumpGreaterThan:
			res = l.k > r.k
		case bpf.JumpGreaterOrEqual:
			res = l.k >= r.k
		default:
			res = l.k == r.k
		}
		return and(checks, constNode(res != neg)), nil
	}
	var pre []bpf.Instruction
	test := &testNode{cond: cond}
	if r.kind == akConst {
		ins, err := evalArith(l, 0, op)
		if err != nil {
			return nil, err
		}
		pre = ins
		test.k = r.k
	} else {
		li, err := evalArith(l, 1, op)
		if err != nil {
			return nil, err
		}
		ri, err := evalArith(r, 1, op)
		if err != nil {
			return nil, err
		}
		pre = append(li, bpf.StoreScratch{Src: bpf.RegA, N: 0})
		pre = append(pre, ri...)
		pre = append(pre, bpf.TAX{}, bpf.LoadScratch{Dst: bpf.RegA, N: 0})
		test.useX = true
	}
	test.pre = pre
	var n node = test
	if neg {
		n = not(test)
	}
	return and(and(l.checks, r.checks), n), nil
}

// evalArith returns instructions leaving the value of a in A, using
// scratch slots from slot upwards.
func evalArith(a *arth, slot int, at token) ([]bpf.Instruction, error) {
	if slot > 15 {
		return nil, errAt(at, "expression too complex: more than 16 scratch registers needed")
	}
	switch a.kind {
	case akConst:
		return []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegA, Val: a.k}}, nil
	case akLen:
		return []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}}, nil
	case akNeg:
		ins, err := evalArith(a.l, slot, at)
		if err != nil {
			return nil, err
		}
		return append(ins, bpf.NegateA{}), nil
	case akBin:
		li, err := evalArith(a.l, slot, at)
		if err != nil {
			return nil, err
		}
		if a.r.kind == akConst {
			return append(li, bpf.ALUOpConstant{Op: a.op, Val: a.r.k}), nil
		}
		if slot > 15 {
			return nil, errAt(at, "expression too complex: more than 16 scratch registers needed")
		}
		ri, err := evalArith(a.r, slot+1, at)
		if err != nil {
			return nil, err
		}
		ins := append(li, bpf.StoreScratch{Src: bpf.RegA, N: slot})
		ins = append(ins, ri...)
		return append(ins, bpf.TAX{}, bpf.LoadScratch{Dst: bpf.RegA, N: slot}, bpf.ALUOpX{Op: a.op}), nil
	case akLoad:
		if a.l.kind == akConst && !a.ipHdr {
			return []bpf.Instruction{bpf.LoadAbsolute{Off: a.base + a.l.k, Size: a.size}}, nil
		}
		if a.l.kind == akConst && a.ipHdr {
			return []bpf.Instruction{bpf.LoadMemShift{Off: a.base}, bpf.LoadIndirect{Off: a.base + a.l.k, Size: a.size}}, nil
		}
		ins, err := evalArith(a.l, slot, at)
		if err != nil {
			return nil, err
		}
		if a.ipHdr {
			ins = append(ins, bpf.StoreScratch{Src: bpf.RegA, N: slot}, bpf.LoadMemShift{Off: a.base},
				bpf.LoadScratch{Dst: bpf.RegA, N: slot}, bpf.ALUOpX{Op: bpf.ALUOpAdd})
		}
		return append(ins, bpf.TAX{}, bpf.LoadIndirect{Off: a.base, Size: a.size}), nil
	}
	return nil, errAt(at, "internal error: unknown arithmetic node")
}

// constValue folds a binary operation of two constants.
func constValue(a *arth) (uint32, bool) {
	if a.kind != akBin || a.l.kind != akConst || a.r.kind != akConst {
		return 0, false
	}
	x, y := a.l.k, a.r.k
	switch a.op {
	case bpf.ALUOpAdd:
		return x + y, true
	case bpf.ALUOpSub:
		return x - y, true
	case bpf.ALUOpMul:
		return x * y, true
	case bpf.ALUOpDiv:
		if y == 0 {
			return 0, false
		}
		return x / y, true
	case bpf.ALUOpMod:
		if y == 0 {
			return 0, false
		}
		return x % y, true
	case bpf.ALUOpAnd:
		return x & y, true
	case bpf.ALUOpOr:
		return x | y, true
	case bpf.ALUOpXor:
		return x ^ y, true
	case bpf.ALUOpShiftLeft:
		if y > 31 {
			return 0, true
		}
		return x << y, true
	case bpf.ALUOpShiftRight:
		if y > 31 {
			return 0, true
		}
		return x >> y, true
	}
	return 0, false
}
