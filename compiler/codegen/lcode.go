package codegen

import (
	"math"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// This file mirrors lcode.c: expression descriptors, jump lists, register
// allocation, constants, folding and instruction emission.

type expKind uint8

const (
	vVoid      expKind = iota // empty expression list / no value
	vNil                      // nil constant
	vTrue                     // true constant
	vFalse                    // false constant
	vK                        // constant in k; info = index
	vKFlt                     // float constant; nval
	vKInt                     // integer constant; ival
	vNonReloc                 // value in a fixed register; info = register
	vLocal                    // local variable; info = register
	vUpval                    // upvalue; info = index
	vIndexed                  // t[idx]; ind
	vJmp                      // test/comparison; info = pc of its jump
	vRelocable                // result can go to any register; info = pc
	vCall                     // function call; info = pc
	vVararg                   // vararg; info = pc
)

// noJump is the empty jump list (NO_JUMP).
const noJump = -1

// noReg is an invalid register (NO_REG), as lopcodes.h's MAXARG_A.
const noReg = code.MaxArgA

type expDesc struct {
	k    expKind
	info int
	ival int64
	nval float64
	ind  struct {
		t   int     // table: register or upvalue index
		idx int     // key: R/K
		vt  expKind // vLocal or vUpval
	}
	t, f int // patch lists: exit when true / false
}

func (e *expDesc) init(k expKind, info int) {
	*e = expDesc{k: k, info: info, t: noJump, f: noJump}
}

func (e *expDesc) hasJumps() bool { return e.t != e.f }

func hasMultRet(k expKind) bool { return k == vCall || k == vVararg }

// tonumeral returns e's numeric constant, if it is one without jumps.
func (e *expDesc) tonumeral() (num, bool) {
	if e.hasJumps() {
		return num{}, false
	}
	switch e.k {
	case vKInt:
		return num{isInt: true, i: e.ival}, true
	case vKFlt:
		return num{f: e.nval}, true
	}
	return num{}, false
}

func (fs *funcState) pc() int { return len(fs.f.Code) }

func (fs *funcState) getJump(pc int) int {
	off := fs.f.Code[pc].SBx()
	if off == noJump {
		return noJump
	}
	return pc + 1 + off
}

func (fs *funcState) fixJump(pc, dest int) {
	off := dest - (pc + 1)
	if off > code.MaxArgSBx || off < -code.MaxArgSBx {
		fs.g.syntaxError("control structure too long")
	}
	fs.f.Code[pc] = fs.f.Code[pc].SetSBx(off)
}

func (fs *funcState) concat(l1 *int, l2 int) {
	if l2 == noJump {
		return
	}
	if *l1 == noJump {
		*l1 = l2
		return
	}
	list := *l1
	for {
		next := fs.getJump(list)
		if next == noJump {
			break
		}
		list = next
	}
	fs.fixJump(list, l2)
}

func (fs *funcState) jump() int {
	jpc := fs.jpc
	fs.jpc = noJump
	j := fs.codeAsBx(code.OpJmp, 0, noJump)
	fs.concat(&j, jpc)
	return j
}

func (fs *funcState) ret(first, nret int) {
	fs.codeABC(code.OpReturn, first, nret+1, 0)
}

func (fs *funcState) condJump(op code.Opcode, a, b, c int) int {
	fs.codeABC(op, a, b, c)
	return fs.jump()
}

func (fs *funcState) getLabel() int {
	fs.lastTarget = fs.pc()
	return fs.pc()
}

func isTest(op code.Opcode) bool {
	switch op {
	case code.OpEq, code.OpLt, code.OpLe, code.OpTest, code.OpTestSet:
		return true
	}
	return false
}

// jumpControl returns the pc of the instruction controlling the jump at pc.
func (fs *funcState) jumpControl(pc int) int {
	if pc >= 1 && isTest(fs.f.Code[pc-1].Op()) {
		return pc - 1
	}
	return pc
}

func (fs *funcState) patchTestReg(node, reg int) bool {
	ipc := fs.jumpControl(node)
	i := fs.f.Code[ipc]
	if i.Op() != code.OpTestSet {
		return false
	}
	if reg != noReg && reg != i.B() {
		fs.f.Code[ipc] = i.SetA(reg)
	} else {
		fs.f.Code[ipc] = code.CreateABC(code.OpTest, i.B(), 0, i.C())
	}
	return true
}

func (fs *funcState) removeValues(list int) {
	for ; list != noJump; list = fs.getJump(list) {
		fs.patchTestReg(list, noReg)
	}
}

func (fs *funcState) patchListAux(list, vtarget, reg, dtarget int) {
	for list != noJump {
		next := fs.getJump(list)
		if fs.patchTestReg(list, reg) {
			fs.fixJump(list, vtarget)
		} else {
			fs.fixJump(list, dtarget)
		}
		list = next
	}
}

func (fs *funcState) dischargeJpc() {
	fs.patchListAux(fs.jpc, fs.pc(), noReg, fs.pc())
	fs.jpc = noJump
}

func (fs *funcState) patchToHere(list int) {
	fs.getLabel()
	fs.concat(&fs.jpc, list)
}

func (fs *funcState) patchList(list, target int) {
	if target == fs.pc() {
		fs.patchToHere(list)
	} else {
		fs.patchListAux(list, target, noReg, target)
	}
}

func (fs *funcState) patchClose(list, level int) {
	level++
	for ; list != noJump; list = fs.getJump(list) {
		fs.f.Code[list] = fs.f.Code[list].SetA(level)
	}
}

func (fs *funcState) code(i code.Instruction) int {
	fs.dischargeJpc()
	fs.f.Code = append(fs.f.Code, i)
	fs.f.LineInfo = append(fs.f.LineInfo, int32(fs.g.line))
	return len(fs.f.Code) - 1
}

func (fs *funcState) codeABC(op code.Opcode, a, b, c int) int {
	return fs.code(code.CreateABC(op, a, b, c))
}

func (fs *funcState) codeABx(op code.Opcode, a, bx int) int {
	return fs.code(code.CreateABx(op, a, bx))
}

func (fs *funcState) codeAsBx(op code.Opcode, a, sbx int) int {
	return fs.code(code.CreateAsBx(op, a, sbx))
}

func (fs *funcState) codeK(reg, k int) int {
	if k <= code.MaxArgBx {
		return fs.codeABx(code.OpLoadK, reg, k)
	}
	p := fs.codeABx(code.OpLoadKX, reg, 0)
	fs.code(code.CreateAx(code.OpExtraArg, k))
	return p
}

func (fs *funcState) fixLine(line int) {
	fs.f.LineInfo[len(fs.f.LineInfo)-1] = int32(line)
}

func (fs *funcState) checkStack(n int) {
	newStack := fs.freeReg + n
	if newStack > fs.f.MaxStackSize {
		if newStack >= code.MaxRegisters {
			fs.g.syntaxError("function or expression needs too many registers")
		}
		fs.f.MaxStackSize = newStack
	}
}

func (fs *funcState) reserveRegs(n int) {
	fs.checkStack(n)
	fs.freeReg += n
}

func (fs *funcState) freeRegister(reg int) {
	if reg >= 0 && !code.IsK(reg) && reg >= fs.nactvar {
		fs.freeReg--
	}
}

func (fs *funcState) freeExp(e *expDesc) {
	if e.k == vNonReloc {
		fs.freeRegister(e.info)
	}
}

func (fs *funcState) freeExps(e1, e2 *expDesc) {
	r1, r2 := -1, -1
	if e1.k == vNonReloc {
		r1 = e1.info
	}
	if e2.k == vNonReloc {
		r2 = e2.info
	}
	if r1 > r2 {
		fs.freeRegister(r1)
		fs.freeRegister(r2)
	} else {
		fs.freeRegister(r2)
		fs.freeRegister(r1)
	}
}

// Constant cache keys: lcode.c's scanner table is shared by all functions
// of a chunk and maps a constant to the index it last got in any of them.
type intKey int64
type nilKey struct{}

func (fs *funcState) addK(key any, v code.Constant) int {
	if k, ok := fs.g.kcache[key]; ok && k < len(fs.f.Constants) && sameConstant(fs.f.Constants[k], v) {
		return k
	}
	k := len(fs.f.Constants)
	fs.g.kcache[key] = k
	fs.f.Constants = append(fs.f.Constants, v)
	return k
}

func sameConstant(a, b code.Constant) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && a == b
	default:
		return a == b
	}
}

func (fs *funcState) stringK(s string) int { return fs.addK(s, s) }
func (fs *funcState) intK(i int64) int     { return fs.addK(intKey(i), i) }
func (fs *funcState) boolK(b bool) int     { return fs.addK(b, b) }
func (fs *funcState) nilK() int            { return fs.addK(nilKey{}, nil) }

func (fs *funcState) numberK(r float64) int {
	// Lua's table converts a float key with an integral value to an
	// integer key; floats and integers still differ since integer
	// constants are keyed by light userdata.
	return fs.addK(r, r)
}

func (fs *funcState) setReturns(e *expDesc, nresults int) {
	switch e.k {
	case vCall:
		fs.f.Code[e.info] = fs.f.Code[e.info].SetC(nresults + 1)
	case vVararg:
		i := fs.f.Code[e.info].SetB(nresults + 1).SetA(fs.freeReg)
		fs.f.Code[e.info] = i
		fs.reserveRegs(1)
	}
}

func (fs *funcState) setMultRet(e *expDesc) { fs.setReturns(e, -1) }

func (fs *funcState) setOneRet(e *expDesc) {
	switch e.k {
	case vCall:
		e.k = vNonReloc
		e.info = fs.f.Code[e.info].A()
	case vVararg:
		fs.f.Code[e.info] = fs.f.Code[e.info].SetB(2)
		e.k = vRelocable
	}
}

func (fs *funcState) dischargeVars(e *expDesc) {
	switch e.k {
	case vLocal:
		e.k = vNonReloc
	case vUpval:
		e.info = fs.codeABC(code.OpGetUpval, 0, e.info, 0)
		e.k = vRelocable
	case vIndexed:
		op := code.OpGetTabUp
		fs.freeRegister(e.ind.idx)
		if e.ind.vt == vLocal {
			fs.freeRegister(e.ind.t)
			op = code.OpGetTable
		}
		e.info = fs.codeABC(op, 0, e.ind.t, e.ind.idx)
		e.k = vRelocable
	case vVararg, vCall:
		fs.setOneRet(e)
	}
}

func (fs *funcState) discharge2Reg(e *expDesc, reg int) {
	fs.dischargeVars(e)
	switch e.k {
	case vNil:
		fs.loadNil(reg, 1)
	case vFalse, vTrue:
		b := 0
		if e.k == vTrue {
			b = 1
		}
		fs.codeABC(code.OpLoadBool, reg, b, 0)
	case vK:
		fs.codeK(reg, e.info)
	case vKFlt:
		fs.codeK(reg, fs.numberK(e.nval))
	case vKInt:
		fs.codeK(reg, fs.intK(e.ival))
	case vRelocable:
		fs.f.Code[e.info] = fs.f.Code[e.info].SetA(reg)
	case vNonReloc:
		if reg != e.info {
			fs.codeABC(code.OpMove, reg, e.info, 0)
		}
	default:
		return // vJmp: nothing to do
	}
	e.info = reg
	e.k = vNonReloc
}

func (fs *funcState) discharge2AnyReg(e *expDesc) {
	if e.k != vNonReloc {
		fs.reserveRegs(1)
		fs.discharge2Reg(e, fs.freeReg-1)
	}
}

func (fs *funcState) codeLoadBool(a, b, jump int) int {
	fs.getLabel()
	return fs.codeABC(code.OpLoadBool, a, b, jump)
}

func (fs *funcState) needValue(list int) bool {
	for ; list != noJump; list = fs.getJump(list) {
		if fs.f.Code[fs.jumpControl(list)].Op() != code.OpTestSet {
			return true
		}
	}
	return false
}

func (fs *funcState) exp2Reg(e *expDesc, reg int) {
	fs.discharge2Reg(e, reg)
	if e.k == vJmp {
		fs.concat(&e.t, e.info)
	}
	if e.hasJumps() {
		pf, pt := noJump, noJump
		if fs.needValue(e.t) || fs.needValue(e.f) {
			fj := noJump
			if e.k != vJmp {
				fj = fs.jump()
			}
			pf = fs.codeLoadBool(reg, 0, 1)
			pt = fs.codeLoadBool(reg, 1, 0)
			fs.patchToHere(fj)
		}
		final := fs.getLabel()
		fs.patchListAux(e.f, final, reg, pf)
		fs.patchListAux(e.t, final, reg, pt)
	}
	e.f, e.t = noJump, noJump
	e.info = reg
	e.k = vNonReloc
}

func (fs *funcState) exp2NextReg(e *expDesc) {
	fs.dischargeVars(e)
	fs.freeExp(e)
	fs.reserveRegs(1)
	fs.exp2Reg(e, fs.freeReg-1)
}

func (fs *funcState) exp2AnyReg(e *expDesc) int {
	fs.dischargeVars(e)
	if e.k == vNonReloc {
		if !e.hasJumps() {
			return e.info
		}
		if e.info >= fs.nactvar {
			fs.exp2Reg(e, e.info)
			return e.info
		}
	}
	fs.exp2NextReg(e)
	return e.info
}

func (fs *funcState) exp2AnyRegUp(e *expDesc) {
	if e.k != vUpval || e.hasJumps() {
		fs.exp2AnyReg(e)
	}
}

func (fs *funcState) exp2Val(e *expDesc) {
	if e.hasJumps() {
		fs.exp2AnyReg(e)
	} else {
		fs.dischargeVars(e)
	}
}

func (fs *funcState) exp2RK(e *expDesc) int {
	fs.exp2Val(e)
	isK := true
	switch e.k {
	case vTrue:
		e.info = fs.boolK(true)
	case vFalse:
		e.info = fs.boolK(false)
	case vNil:
		e.info = fs.nilK()
	case vKInt:
		e.info = fs.intK(e.ival)
	case vKFlt:
		e.info = fs.numberK(e.nval)
	case vK:
	default:
		isK = false
	}
	if isK {
		e.k = vK
		if e.info <= code.MaxIndexRK {
			return code.RKAsK(e.info)
		}
	}
	return fs.exp2AnyReg(e)
}

func (fs *funcState) storeVar(v, ex *expDesc) {
	switch v.k {
	case vLocal:
		fs.freeExp(ex)
		fs.exp2Reg(ex, v.info)
		return
	case vUpval:
		e := fs.exp2AnyReg(ex)
		fs.codeABC(code.OpSetUpval, e, v.info, 0)
	case vIndexed:
		op := code.OpSetTabUp
		if v.ind.vt == vLocal {
			op = code.OpSetTable
		}
		e := fs.exp2RK(ex)
		fs.codeABC(op, v.ind.t, v.ind.idx, e)
	}
	fs.freeExp(ex)
}

func (fs *funcState) self(e, key *expDesc) {
	fs.exp2AnyReg(e)
	ereg := e.info
	fs.freeExp(e)
	e.info = fs.freeReg
	e.k = vNonReloc
	fs.reserveRegs(2)
	fs.codeABC(code.OpSelf, e.info, ereg, fs.exp2RK(key))
	fs.freeExp(key)
}

func (fs *funcState) negateCondition(e *expDesc) {
	pc := fs.jumpControl(e.info)
	i := fs.f.Code[pc]
	a := 0
	if i.A() == 0 {
		a = 1
	}
	fs.f.Code[pc] = i.SetA(a)
}

func (fs *funcState) jumpOnCond(e *expDesc, cond int) int {
	if e.k == vRelocable {
		ie := fs.f.Code[e.info]
		if ie.Op() == code.OpNot {
			// remove the previous OP_NOT
			fs.f.Code = fs.f.Code[:len(fs.f.Code)-1]
			fs.f.LineInfo = fs.f.LineInfo[:len(fs.f.LineInfo)-1]
			return fs.condJump(code.OpTest, ie.B(), 0, 1-cond)
		}
	}
	fs.discharge2AnyReg(e)
	fs.freeExp(e)
	return fs.condJump(code.OpTestSet, noReg, e.info, cond)
}

func (fs *funcState) goIfTrue(e *expDesc) {
	fs.dischargeVars(e)
	var pc int
	switch e.k {
	case vJmp:
		fs.negateCondition(e)
		pc = e.info
	case vK, vKFlt, vKInt, vTrue:
		pc = noJump
	default:
		pc = fs.jumpOnCond(e, 0)
	}
	fs.concat(&e.f, pc)
	fs.patchToHere(e.t)
	e.t = noJump
}

func (fs *funcState) goIfFalse(e *expDesc) {
	fs.dischargeVars(e)
	var pc int
	switch e.k {
	case vJmp:
		pc = e.info
	case vNil, vFalse:
		pc = noJump
	default:
		pc = fs.jumpOnCond(e, 1)
	}
	fs.concat(&e.t, pc)
	fs.patchToHere(e.f)
	e.f = noJump
}

func (fs *funcState) codeNot(e *expDesc) {
	fs.dischargeVars(e)
	switch e.k {
	case vNil, vFalse:
		e.k = vTrue
	case vK, vKFlt, vKInt, vTrue:
		e.k = vFalse
	case vJmp:
		fs.negateCondition(e)
	case vRelocable, vNonReloc:
		fs.discharge2AnyReg(e)
		fs.freeExp(e)
		e.info = fs.codeABC(code.OpNot, 0, e.info, 0)
		e.k = vRelocable
	}
	e.f, e.t = e.t, e.f
	fs.removeValues(e.f)
	fs.removeValues(e.t)
}

func (fs *funcState) indexed(t, k *expDesc) {
	t.ind.t = t.info
	t.ind.idx = fs.exp2RK(k)
	if t.k == vUpval {
		t.ind.vt = vUpval
	} else {
		t.ind.vt = vLocal
	}
	t.k = vIndexed
}

// Arithmetic operators in lcode.c's (and LUA_OP*'s) order.
const (
	arAdd = iota
	arSub
	arMul
	arMod
	arPow
	arDiv
	arIDiv
	arBAnd
	arBOr
	arBXor
	arShl
	arShr
	arUnm
	arBNot
)

func (fs *funcState) constFolding(op int, e1 *expDesc, e2 *expDesc) bool {
	v1, ok1 := e1.tonumeral()
	v2, ok2 := e2.tonumeral()
	if !ok1 || !ok2 || !validOp(op, v1, v2) {
		return false
	}
	res := arith(op, v1, v2)
	if res.isInt {
		e1.k = vKInt
		e1.ival = res.i
		return true
	}
	if math.IsNaN(res.f) || res.f == 0 {
		return false
	}
	e1.k = vKFlt
	e1.nval = res.f
	return true
}

func (fs *funcState) codeUnExpVal(op code.Opcode, e *expDesc, line int) {
	r := fs.exp2AnyReg(e)
	fs.freeExp(e)
	e.info = fs.codeABC(op, 0, r, 0)
	e.k = vRelocable
	fs.fixLine(line)
}

func (fs *funcState) codeBinExpVal(op code.Opcode, e1, e2 *expDesc, line int) {
	rk2 := fs.exp2RK(e2)
	rk1 := fs.exp2RK(e1)
	fs.freeExps(e1, e2)
	e1.info = fs.codeABC(op, 0, rk1, rk2)
	e1.k = vRelocable
	fs.fixLine(line)
}

// Binary operators, syntax.BinOp's order (lparser.c's BinOpr).
const (
	oprAdd = iota
	oprSub
	oprMul
	oprMod
	oprPow
	oprDiv
	oprIDiv
	oprBAnd
	oprBOr
	oprBXor
	oprShl
	oprShr
	oprConcat
	oprEq
	oprLt
	oprLe
	oprNe
	oprGt
	oprGe
	oprAnd
	oprOr
)

func (fs *funcState) codeComp(opr int, e1, e2 *expDesc) {
	var rk1 int
	if e1.k == vK {
		rk1 = code.RKAsK(e1.info)
	} else {
		rk1 = e1.info
	}
	rk2 := fs.exp2RK(e2)
	fs.freeExps(e1, e2)
	switch opr {
	case oprNe:
		e1.info = fs.condJump(code.OpEq, 0, rk1, rk2)
	case oprGt, oprGe:
		op := code.Opcode(opr-oprNe) + code.OpEq
		e1.info = fs.condJump(op, 1, rk2, rk1)
	default:
		op := code.Opcode(opr-oprEq) + code.OpEq
		e1.info = fs.condJump(op, 1, rk1, rk2)
	}
	e1.k = vJmp
}

// Unary operators, syntax.UnOp's order.
const (
	uopMinus = iota
	uopBNot
	uopNot
	uopLen
)

func (fs *funcState) prefix(op int, e *expDesc, line int) {
	ef := expDesc{k: vKInt, t: noJump, f: noJump}
	switch op {
	case uopMinus, uopBNot:
		if fs.constFolding(op+arUnm, e, &ef) {
			return
		}
		fs.codeUnExpVal(code.Opcode(op)+code.OpUnm, e, line)
	case uopLen:
		fs.codeUnExpVal(code.OpLen, e, line)
	case uopNot:
		fs.codeNot(e)
	}
}

func (fs *funcState) infix(op int, v *expDesc) {
	switch op {
	case oprAnd:
		fs.goIfTrue(v)
	case oprOr:
		fs.goIfFalse(v)
	case oprConcat:
		fs.exp2NextReg(v)
	case oprAdd, oprSub, oprMul, oprDiv, oprIDiv, oprMod, oprPow,
		oprBAnd, oprBOr, oprBXor, oprShl, oprShr:
		if _, ok := v.tonumeral(); !ok {
			fs.exp2RK(v)
		}
	default:
		fs.exp2RK(v)
	}
}

func (fs *funcState) posfix(op int, e1, e2 *expDesc, line int) {
	switch op {
	case oprAnd:
		fs.dischargeVars(e2)
		fs.concat(&e2.f, e1.f)
		*e1 = *e2
	case oprOr:
		fs.dischargeVars(e2)
		fs.concat(&e2.t, e1.t)
		*e1 = *e2
	case oprConcat:
		fs.exp2Val(e2)
		if e2.k == vRelocable && fs.f.Code[e2.info].Op() == code.OpConcat {
			fs.freeExp(e1)
			fs.f.Code[e2.info] = fs.f.Code[e2.info].SetB(e1.info)
			e1.k = vRelocable
			e1.info = e2.info
		} else {
			fs.exp2NextReg(e2)
			fs.codeBinExpVal(code.OpConcat, e1, e2, line)
		}
	case oprAdd, oprSub, oprMul, oprDiv, oprIDiv, oprMod, oprPow,
		oprBAnd, oprBOr, oprBXor, oprShl, oprShr:
		if !fs.constFolding(op+arAdd, e1, e2) {
			fs.codeBinExpVal(code.Opcode(op)+code.OpAdd, e1, e2, line)
		}
	case oprEq, oprLt, oprLe, oprNe, oprGt, oprGe:
		fs.codeComp(op, e1, e2)
	}
}

func (fs *funcState) setList(base, nelems, tostore int) {
	c := (nelems-1)/code.FieldsPerFlush + 1
	b := tostore
	if tostore == -1 {
		b = 0
	}
	if c <= code.MaxArgC {
		fs.codeABC(code.OpSetList, base, b, c)
	} else if c <= code.MaxArgAx {
		fs.codeABC(code.OpSetList, base, b, 0)
		fs.code(code.CreateAx(code.OpExtraArg, c))
	} else {
		fs.g.syntaxError("constructor too long")
	}
	fs.freeReg = base + 1
}

// loadNil is luaK_nil: it merges with a preceding LOADNIL when no jump
// targets the current position.
func (fs *funcState) loadNil(from, n int) {
	l := from + n - 1
	if fs.pc() > fs.lastTarget && fs.pc() > 0 {
		prev := &fs.f.Code[fs.pc()-1]
		if prev.Op() == code.OpLoadNil {
			pfrom := prev.A()
			pl := pfrom + prev.B()
			if (pfrom <= from && from <= pl+1) || (from <= pfrom && pfrom <= l+1) {
				if pfrom < from {
					from = pfrom
				}
				if pl > l {
					l = pl
				}
				*prev = prev.SetA(from).SetB(l - from)
				return
			}
		}
	}
	fs.codeABC(code.OpLoadNil, from, n-1, 0)
}
