package lua

import (
	"fmt"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// operand says where an operand of a failing operation came from, so that
// the error can name the variable: a register of the running Lua
// function (>= 0), an upvalue (-2-index), or nothing known.
type operand int32

const opUnknown operand = -1

func regOperand(r int) operand   { return operand(r) }
func upvalOperand(u int) operand { return operand(-2 - u) }

// typeError raises "attempt to <op> a <type> value (<kind> '<name>')".
func (L *State) typeError(v Value, op string, where operand) {
	L.RuntimeError("attempt to %s a %s value%s", op, L.objTypeName(v), L.varInfo(where))
}

// objTypeName is the type name used in messages: __name for tables and
// userdata that have one.
func (L *State) objTypeName(v Value) string {
	if k := v.kind(); k == kTable || k == kUserdata {
		if mt := L.Metatable(v); mt != nil {
			if n, ok := mt.GetStr("__name").AsString(); ok {
				return n
			}
		}
	}
	return v.TypeName()
}

// orderError raises the error of a comparison without a metamethod.
func (L *State) orderError(a, b Value) {
	t1, t2 := L.objTypeName(a), L.objTypeName(b)
	if t1 == t2 {
		L.RuntimeError("attempt to compare two %s values", t1)
	}
	L.RuntimeError("attempt to compare %s with %s", t1, t2)
}

// varInfo describes an operand for an error message: " (local 'a')".
func (L *State) varInfo(where operand) string {
	ci := L.ci
	if ci.lf == nil || where == opUnknown {
		return ""
	}
	p := ci.lf.proto.Proto
	if where < -1 {
		u := int(-2 - where)
		return fmt.Sprintf(" (upvalue '%s')", upvalName(p, u))
	}
	kind, name := objName(p, ci.pc-1, int(where))
	if kind == "" {
		return ""
	}
	return fmt.Sprintf(" (%s '%s')", kind, name)
}

func upvalName(p *code.Proto, u int) string {
	if u < len(p.Upvalues) && p.Upvalues[u].Name != "" {
		return p.Upvalues[u].Name
	}
	return "?"
}

// objName finds a name for register reg at instruction lastpc by symbolic
// execution, as ldebug.c's getobjname does.
func objName(p *code.Proto, lastpc, reg int) (kind, name string) {
	if n := p.LocalName(reg+1, lastpc); n != "" {
		return "local", n
	}
	pc := findSetReg(p, lastpc, reg)
	if pc < 0 {
		return "", ""
	}
	i := p.Code[pc]
	switch i.Op() {
	case code.OpMove:
		if b := i.B(); b < i.A() {
			return objName(p, pc, b)
		}
	case code.OpGetTabUp, code.OpGetTable:
		k, t := i.C(), i.B()
		var vn string
		if i.Op() == code.OpGetTable {
			vn = p.LocalName(t+1, pc)
		} else {
			vn = upvalName(p, t)
		}
		name = constName(p, pc, k)
		if vn == "_ENV" {
			return "global", name
		}
		return "field", name
	case code.OpGetUpval:
		return "upvalue", upvalName(p, i.B())
	case code.OpLoadK, code.OpLoadKX:
		b := i.Bx()
		if i.Op() == code.OpLoadKX {
			b = p.Code[pc+1].Ax()
		}
		if s, ok := p.Constants[b].(string); ok {
			return "constant", s
		}
	case code.OpSelf:
		return "method", constName(p, pc, i.C())
	}
	return "", ""
}

// constName names an RK key operand (kname).
func constName(p *code.Proto, pc, c int) string {
	if code.IsK(c) {
		if s, ok := p.Constants[code.IndexK(c)].(string); ok {
			return s
		}
		return "?"
	}
	if kind, name := objName(p, pc, c); kind == "constant" {
		return name
	}
	return "?"
}

// setsA reports whether an instruction assigns register A (testAMode).
var setsA = [code.NumOpcodes]bool{
	code.OpMove: true, code.OpLoadK: true, code.OpLoadKX: true, code.OpLoadBool: true,
	code.OpLoadNil: true, code.OpGetUpval: true, code.OpGetTabUp: true, code.OpGetTable: true,
	code.OpNewTable: true, code.OpSelf: true, code.OpAdd: true, code.OpSub: true,
	code.OpMul: true, code.OpMod: true, code.OpPow: true, code.OpDiv: true, code.OpIDiv: true,
	code.OpBAnd: true, code.OpBOr: true, code.OpBXor: true, code.OpShl: true, code.OpShr: true,
	code.OpUnm: true, code.OpBNot: true, code.OpNot: true, code.OpLen: true, code.OpConcat: true,
	code.OpTestSet: true, code.OpCall: true, code.OpTailCall: true, code.OpForLoop: true,
	code.OpForPrep: true, code.OpTForLoop: true, code.OpClosure: true, code.OpVararg: true,
}

// findSetReg returns the last instruction before lastpc that certainly
// set register reg, or -1.
func findSetReg(p *code.Proto, lastpc, reg int) int {
	setreg, jmptarget := -1, 0
	filter := func(pc int) int {
		if pc < jmptarget {
			return -1
		}
		return pc
	}
	for pc := 0; pc < lastpc; pc++ {
		i := p.Code[pc]
		a := i.A()
		switch op := i.Op(); op {
		case code.OpLoadNil:
			if a <= reg && reg <= a+i.B() {
				setreg = filter(pc)
			}
		case code.OpTForCall:
			if reg >= a+2 {
				setreg = filter(pc)
			}
		case code.OpCall, code.OpTailCall:
			if reg >= a {
				setreg = filter(pc)
			}
		case code.OpJmp:
			dest := pc + 1 + i.SBx()
			if pc < dest && dest <= lastpc && dest > jmptarget {
				jmptarget = dest
			}
		default:
			if setsA[op] && reg == a {
				setreg = filter(pc)
			}
		}
	}
	return setreg
}

// funcNameAt names the function running in frame ci from its caller's
// calling instruction (getfuncname): name and "global", "local",
// "method", "field", "upvalue", "for iterator" or "metamethod".
func (L *State) funcNameAt(ci *callInfo) (name, namewhat string) {
	if ci == nil || ci == &L.base0 || ci.status&ciTail != 0 {
		return "", ""
	}
	prev := ci.prev
	if prev == nil || prev.lf == nil {
		return "", ""
	}
	if prev.status&ciHooked != 0 {
		return "?", "hook"
	}
	p := prev.lf.proto.Proto
	pc := prev.pc - 1
	i := p.Code[pc]
	var e tm
	switch i.Op() {
	case code.OpCall, code.OpTailCall:
		kind, n := objName(p, pc, i.A())
		return n, kind
	case code.OpTForCall:
		return "for iterator", "for iterator"
	case code.OpSelf, code.OpGetTabUp, code.OpGetTable:
		e = tmIndex
	case code.OpSetTabUp, code.OpSetTable:
		e = tmNewIndex
	case code.OpUnm:
		e = tmUnm
	case code.OpBNot:
		e = tmBNot
	case code.OpLen:
		e = tmLen
	case code.OpConcat:
		e = tmConcat
	case code.OpEq:
		e = tmEq
	case code.OpLt:
		e = tmLt
	case code.OpLe:
		e = tmLe
	default:
		if op := i.Op(); op >= code.OpAdd && op <= code.OpShr {
			e = tmAdd + tm(op-code.OpAdd)
		} else {
			return "", ""
		}
	}
	return tmNameStrings[e], "metamethod"
}

// globalFuncName searches package.loaded for the function running in ci
// and returns "mod.name" (without "_G.") or "" (pushglobalfuncname).
func (L *State) globalFuncName(ci *callInfo) string {
	if ci == nil || ci == &L.base0 {
		return ""
	}
	return L.globalName(L.stack[ci.fn])
}

func (L *State) globalName(fn Value) string {
	loaded := L.g.registry.GetStr("_LOADED").AsTable()
	if loaded == nil {
		return ""
	}
	// Two levels, as findfield(L, top, 2): loaded[mod][name].
	var found string
	k := Nil
	for {
		nk, mv, ok, _ := loaded.Next(k)
		if !ok {
			break
		}
		k = nk
		mod, isStr := nk.AsString()
		if !isStr {
			continue
		}
		if RawEqual(mv, fn) {
			found = mod
			break
		}
		mt := mv.AsTable()
		if mt == nil {
			continue
		}
		k2 := Nil
		for {
			fk, fv, ok2, _ := mt.Next(k2)
			if !ok2 {
				break
			}
			k2 = fk
			if fname, isStr := fk.AsString(); isStr && RawEqual(fv, fn) {
				found = mod + "." + fname
				break
			}
		}
		if found != "" {
			break
		}
	}
	return strings.TrimPrefix(found, "_G.")
}

// Debug is what GetInfo reports about an active function (lua_Debug).
type Debug struct {
	Name            string // a name for the function, if known
	NameWhat        string // "global", "local", "method", "field", "upvalue", "metamethod", "for iterator", "hook" or ""
	What            string // "Lua", "C" (Go), "main"
	Source          string
	ShortSrc        string
	CurrentLine     int // -1 when unknown
	LineDefined     int
	LastLineDefined int
	NumUpvalues     int
	NumParams       int
	IsVararg        bool
	IsTailCall      bool
	Func            Value

	ci *callInfo
}

// GetStack returns the frame at level (0: running function), false when
// there is no such level.
func (L *State) GetStack(level int) (*Debug, bool) {
	if level < 0 {
		return nil, false
	}
	ci := L.ciAt(level)
	if ci == nil {
		return nil, false
	}
	return L.describe(ci, L.stack[ci.fn]), true
}

// FuncInfo describes a function value that is not necessarily running.
func (L *State) FuncInfo(fn Value) *Debug { return L.describe(nil, fn) }

func (L *State) describe(ci *callInfo, fn Value) *Debug {
	d := &Debug{ci: ci, Func: fn, CurrentLine: -1}
	if lf := fn.AsLuaFunction(); lf != nil {
		p := lf.proto
		d.Source = p.Source
		d.ShortSrc = chunkID(p.Source)
		d.LineDefined = p.LineDefined
		d.LastLineDefined = p.LastLineDefined
		d.What = "Lua"
		if p.LineDefined == 0 {
			d.What = "main"
		}
		d.NumUpvalues = len(lf.upvals)
		d.NumParams = p.NumParams
		d.IsVararg = p.IsVararg
		if ci != nil {
			d.CurrentLine = p.LineAt(ci.pc - 1)
		}
	} else {
		d.Source = "=[C]"
		d.ShortSrc = "[C]"
		d.LineDefined, d.LastLineDefined = -1, -1
		d.What = "C"
		d.IsVararg = true
	}
	if ci != nil {
		d.IsTailCall = ci.status&ciTail != 0
		d.Name, d.NameWhat = L.funcNameAt(ci)
	}
	return d
}

// Traceback returns msg followed by lua5.3's "stack traceback:" of L's
// frames from level on (luaL_traceback).
func (L *State) Traceback(msg string, level int) string {
	var b strings.Builder
	if msg != "" {
		b.WriteString(msg)
		b.WriteByte('\n')
	}
	b.WriteString("stack traceback:")
	const levels1, levels2 = 10, 11
	last := level
	for L.ciAt(last) != nil {
		last++
	}
	n1 := levels1
	if last-level <= levels1+levels2 {
		n1 = -1
	}
	for lv := level; ; lv++ {
		d, ok := L.GetStack(lv)
		if !ok {
			break
		}
		if n1 == 0 {
			b.WriteString("\n\t...")
			lv = last - levels2 - 1
			n1 = -1
			continue
		}
		if n1 > 0 {
			n1--
		}
		b.WriteString("\n\t")
		b.WriteString(d.ShortSrc)
		b.WriteByte(':')
		if d.CurrentLine > 0 {
			fmt.Fprintf(&b, "%d:", d.CurrentLine)
		}
		b.WriteString(" in ")
		b.WriteString(L.frameName(d))
		if d.IsTailCall {
			b.WriteString("\n\t(...tail calls...)")
		}
	}
	return b.String()
}

func (L *State) frameName(d *Debug) string {
	if g := L.globalName(d.Func); g != "" {
		return "function '" + g + "'"
	}
	switch {
	case d.NameWhat != "":
		return d.NameWhat + " '" + d.Name + "'"
	case d.What == "main":
		return "main chunk"
	case d.What != "C":
		return fmt.Sprintf("function <%s:%d>", d.ShortSrc, d.LineDefined)
	}
	return "?"
}
