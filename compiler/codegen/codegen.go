// Package codegen turns the syntax tree of compiler/syntax into Lua 5.3
// function prototypes (runtime/lua/code), instruction for instruction as
// luac5.3 does: it mirrors lparser.c (scopes, registers, goto/labels,
// statement code) and lcode.c (expression descriptors, jump lists,
// constants, folding), replaying the order in which lparser.c emits code
// while it parses, and the lines it records (ls->lastline), from the
// lines the tree keeps.
//
// The listing of a compiled chunk (code.List) is meant to be identical to
// `luac5.3 -l -l -p` without addresses; listing_test.go checks that for
// every Lua file of the repository.
package codegen

import (
	"fmt"

	"github.com/moonbridge-go/moonbridge/compiler/syntax"
	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// Limits of lparser.c.
const (
	maxUpvalues = 255 // MAXUPVAL
)

type labelDesc struct {
	name    string
	pc      int
	line    int
	nactvar int
}

type blockCnt struct {
	previous   *blockCnt
	firstLabel int
	firstGoto  int
	nactvar    int
	upval      bool
	isLoop     bool
}

type funcState struct {
	f          *code.Proto
	prev       *funcState
	g          *gen
	bl         *blockCnt
	lastTarget int
	jpc        int
	freeReg    int
	nactvar    int
	firstLocal int
}

type gen struct {
	chunk  string // chunk name for messages
	source string
	line   int // ls->lastline: the line given to emitted instructions
	kcache map[any]int
	actvar []int // active (and pending) locals: indexes into their Proto's LocVars
	gt     []labelDesc
	label  []labelDesc
	fs     *funcState
}

type genPanic struct{ err *syntax.Error }

func (g *gen) errorAt(line int, msg string) {
	panic(genPanic{&syntax.Error{Chunk: g.chunk, Line: line, Msg: msg}})
}

// syntaxError reports an error lparser.c raises with luaX_syntaxerror
// from code generation. The tree does not keep the current token, so the
// message has no "near" part and the line is that of the last token.
func (g *gen) syntaxError(msg string) { g.errorAt(g.line, msg) }

// Generate compiles a parsed chunk. chunkName is the name given to load,
// used for Proto.Source (the chunk's own Source is used when chunkName is
// empty). Errors are *syntax.Error, worded as lua5.3's.
func Generate(chunk *syntax.Chunk, chunkName string) (p *code.Proto, err error) {
	if chunkName == "" {
		chunkName = chunk.Source
	}
	g := &gen{chunk: code.ChunkID(chunkName), source: chunkName, kcache: map[any]int{}}
	defer func() {
		if r := recover(); r != nil {
			gp, ok := r.(genPanic)
			if !ok {
				panic(r)
			}
			p, err = nil, gp.err
		}
	}()
	return g.mainFunc(chunk.Main), nil
}

// Compile parses and compiles Lua source text.
func Compile(src []byte, chunkName string) (*code.Proto, error) {
	chunk, err := syntax.Parse(src, chunkName)
	if err != nil {
		return nil, err
	}
	return Generate(chunk, chunkName)
}

func (g *gen) openFunc(fs *funcState, bl *blockCnt) {
	fs.prev = g.fs
	fs.g = g
	g.fs = fs
	fs.jpc = noJump
	fs.firstLocal = len(g.actvar)
	fs.f.Source = g.source
	fs.f.MaxStackSize = 2
	fs.enterBlock(bl, false)
}

func (g *gen) closeFunc(closeLine int) {
	fs := g.fs
	fs.ret(0, 0)
	fs.leaveBlock(closeLine)
	g.fs = fs.prev
}

func (g *gen) mainFunc(m *syntax.Function) *code.Proto {
	fs := &funcState{f: &code.Proto{}}
	var bl blockCnt
	g.line = 1
	g.openFunc(fs, &bl)
	fs.f.IsVararg = true
	fs.newUpvalue("_ENV", &expDesc{k: vLocal, info: 0})
	g.statList(m.Body, false)
	g.line = m.Body.EndLine
	g.closeFunc(m.CloseLine)
	return fs.f
}

// ---------------------------------------------------------------------------
// Variables and scopes (lparser.c)

func (fs *funcState) getLocVar(i int) *code.LocVar {
	return &fs.f.LocVars[fs.g.actvar[fs.firstLocal+i]]
}

func (fs *funcState) newLocalVar(name string) {
	fs.f.LocVars = append(fs.f.LocVars, code.LocVar{Name: name})
	fs.g.actvar = append(fs.g.actvar, len(fs.f.LocVars)-1)
}

func (fs *funcState) adjustLocalVars(n int) {
	fs.nactvar += n
	for ; n > 0; n-- {
		fs.getLocVar(fs.nactvar - n).StartPC = fs.pc()
	}
}

func (fs *funcState) removeVars(toLevel int) {
	n := fs.nactvar - toLevel
	for fs.nactvar > toLevel {
		fs.nactvar--
		fs.getLocVar(fs.nactvar).EndPC = fs.pc()
	}
	fs.g.actvar = fs.g.actvar[:len(fs.g.actvar)-n]
}

func (fs *funcState) searchUpvalue(name string) int {
	for i, u := range fs.f.Upvalues {
		if u.Name == name {
			return i
		}
	}
	return -1
}

func (fs *funcState) newUpvalue(name string, v *expDesc) int {
	if len(fs.f.Upvalues)+1 > maxUpvalues {
		fs.errorLimit(maxUpvalues, "upvalues")
	}
	fs.f.Upvalues = append(fs.f.Upvalues, code.UpvalueDesc{Name: name, InStack: v.k == vLocal, Index: v.info})
	return len(fs.f.Upvalues) - 1
}

func (fs *funcState) errorLimit(limit int, what string) {
	where := "main function"
	if fs.f.LineDefined != 0 {
		where = fmt.Sprintf("function at line %d", fs.f.LineDefined)
	}
	fs.g.syntaxError(fmt.Sprintf("too many %s (limit is %d) in %s", what, limit, where))
}

func (fs *funcState) searchVar(name string) int {
	for i := fs.nactvar - 1; i >= 0; i-- {
		if fs.getLocVar(i).Name == name {
			return i
		}
	}
	return -1
}

func (fs *funcState) markUpval(level int) {
	bl := fs.bl
	for bl.nactvar > level {
		bl = bl.previous
	}
	bl.upval = true
}

func singleVarAux(fs *funcState, name string, v *expDesc, base bool) {
	if fs == nil {
		v.init(vVoid, 0)
		return
	}
	if i := fs.searchVar(name); i >= 0 {
		v.init(vLocal, i)
		if !base {
			fs.markUpval(i)
		}
		return
	}
	idx := fs.searchUpvalue(name)
	if idx < 0 {
		singleVarAux(fs.prev, name, v, false)
		if v.k == vVoid {
			return
		}
		idx = fs.newUpvalue(name, v)
	}
	v.init(vUpval, idx)
}

func (g *gen) singleVar(name string, v *expDesc) {
	fs := g.fs
	singleVarAux(fs, name, v, true)
	if v.k == vVoid {
		singleVarAux(fs, "_ENV", v, true)
		var key expDesc
		key.init(vK, fs.stringK(name))
		fs.indexed(v, &key)
	}
}

func (fs *funcState) enterBlock(bl *blockCnt, isLoop bool) {
	*bl = blockCnt{
		previous:   fs.bl,
		firstLabel: len(fs.g.label),
		firstGoto:  len(fs.g.gt),
		nactvar:    fs.nactvar,
		isLoop:     isLoop,
	}
	fs.bl = bl
}

// leaveBlock is lparser.c's leaveblock; line is ls->linenumber then (for
// the message of an undefined goto at the end of a function).
func (fs *funcState) leaveBlock(line int) {
	g := fs.g
	bl := fs.bl
	if bl.previous != nil && bl.upval {
		j := fs.jump()
		fs.patchClose(j, bl.nactvar)
		fs.patchToHere(j)
	}
	if bl.isLoop {
		g.breakLabel(line)
	}
	fs.bl = bl.previous
	fs.removeVars(bl.nactvar)
	fs.freeReg = fs.nactvar
	g.label = g.label[:bl.firstLabel]
	if bl.previous != nil {
		fs.moveGotosOut(bl, line)
	} else if bl.firstGoto < len(g.gt) {
		g.undefGoto(&g.gt[bl.firstGoto], line)
	}
}

func (g *gen) undefGoto(gt *labelDesc, line int) {
	if gt.name == "break" {
		g.errorAt(line, fmt.Sprintf("<break> at line %d not inside a loop", gt.line))
	}
	g.errorAt(line, fmt.Sprintf("no visible label '%s' for <goto> at line %d", gt.name, gt.line))
}

func (fs *funcState) moveGotosOut(bl *blockCnt, line int) {
	g := fs.g
	for i := bl.firstGoto; i < len(g.gt); {
		gt := &g.gt[i]
		if gt.nactvar > bl.nactvar {
			if bl.upval {
				fs.patchClose(gt.pc, bl.nactvar)
			}
			gt.nactvar = bl.nactvar
		}
		if !g.findLabel(i, line) {
			i++
		}
	}
}

func (g *gen) closeGoto(gi int, lb labelDesc, line int) {
	fs := g.fs
	gt := g.gt[gi]
	if gt.nactvar < lb.nactvar {
		name := fs.getLocVar(gt.nactvar).Name
		g.errorAt(line, fmt.Sprintf("<goto %s> at line %d jumps into the scope of local '%s'", gt.name, gt.line, name))
	}
	fs.patchList(gt.pc, lb.pc)
	g.gt = append(g.gt[:gi], g.gt[gi+1:]...)
}

// findLabel tries to close pending goto gi with a label of the current
// block.
func (g *gen) findLabel(gi int, line int) bool {
	fs := g.fs
	bl := fs.bl
	gt := &g.gt[gi]
	for i := bl.firstLabel; i < len(g.label); i++ {
		lb := g.label[i]
		if lb.name == gt.name {
			if gt.nactvar > lb.nactvar && (bl.upval || len(g.label) > bl.firstLabel) {
				fs.patchClose(gt.pc, lb.nactvar)
			}
			g.closeGoto(gi, lb, line)
			return true
		}
	}
	return false
}

func newLabelEntry(l *[]labelDesc, name string, line, pc, nactvar int) int {
	*l = append(*l, labelDesc{name: name, line: line, pc: pc, nactvar: nactvar})
	return len(*l) - 1
}

// findGotos closes the pending gotos of the current block to label lb.
func (g *gen) findGotos(lb labelDesc, line int) {
	for i := g.fs.bl.firstGoto; i < len(g.gt); {
		if g.gt[i].name == lb.name {
			g.closeGoto(i, lb, line)
		} else {
			i++
		}
	}
}

func (g *gen) breakLabel(line int) {
	l := newLabelEntry(&g.label, "break", 0, g.fs.pc(), g.fs.nactvar)
	g.findGotos(g.label[l], line)
}

// ---------------------------------------------------------------------------
// Statements

// statList compiles the statements of b in the current block. inRepeat:
// b is a repeat body, after which 'until' does not count as the end of a
// block for labels.
func (g *gen) statList(b *syntax.Block, inRepeat bool) {
	prevEnd := b.StartLine
	for i, s := range b.Stmts {
		if lb, ok := s.(*syntax.Label); ok {
			g.labelStat(lb, b, i, inRepeat)
		} else {
			g.statement(s, prevEnd)
		}
		g.fs.freeReg = g.fs.nactvar
		prevEnd = s.Pos().EndLine
	}
}

func (g *gen) labelStat(lb *syntax.Label, b *syntax.Block, i int, inRepeat bool) {
	fs := g.fs
	l := newLabelEntry(&g.label, lb.Name, lb.Line, fs.getLabel(), fs.nactvar)
	last := true
	next := b.FollowLine
	for _, s := range b.Stmts[i+1:] {
		if _, ok := s.(*syntax.Label); !ok {
			last = false
			next = s.Pos().Line
			break
		}
	}
	if last && !inRepeat {
		g.label[l].nactvar = fs.bl.nactvar
	}
	g.findGotos(g.label[l], next)
}

func (g *gen) block(b *syntax.Block) {
	fs := g.fs
	var bl blockCnt
	fs.enterBlock(&bl, false)
	g.statList(b, false)
	g.line = b.EndLine
	fs.leaveBlock(b.FollowLine)
}

func (g *gen) statement(s syntax.Stmt, prevEnd int) {
	fs := g.fs
	switch s := s.(type) {
	case *syntax.Local:
		g.localStat(s)
	case *syntax.LocalFunction:
		fs.newLocalVar(s.Name)
		fs.adjustLocalVars(1)
		var b expDesc
		g.body(s.Func, &b, false)
		fs.getLocVar(b.info).StartPC = fs.pc()
	case *syntax.FunctionStmt:
		var v, b expDesc
		g.expr(s.Target, &v, s.Line)
		g.body(s.Func, &b, s.Func.IsMethod)
		fs.storeVar(&v, &b)
		fs.fixLine(s.Line)
	case *syntax.Assign:
		g.assignment(s)
	case *syntax.CallStmt:
		var v expDesc
		g.expr(s.Call, &v, prevEnd)
		fs.f.Code[v.info] = fs.f.Code[v.info].SetC(1)
	case *syntax.Do:
		g.block(s.Body)
	case *syntax.While:
		g.whileStat(s)
	case *syntax.Repeat:
		g.repeatStat(s)
	case *syntax.If:
		g.ifStat(s)
	case *syntax.NumericFor:
		g.forNum(s)
	case *syntax.GenericFor:
		g.forList(s)
	case *syntax.Return:
		g.retStat(s)
	case *syntax.Break:
		g.line = prevEnd
		g.gotoStat("break", s.Line, fs.jump())
	case *syntax.Goto:
		g.line = prevEnd
		g.gotoStat(s.Label, s.Line, fs.jump())
	default:
		panic(fmt.Sprintf("codegen: unexpected statement %T", s))
	}
}

func (g *gen) gotoStat(name string, line, pc int) {
	gi := newLabelEntry(&g.gt, name, line, pc, g.fs.nactvar)
	g.findLabel(gi, line)
}

// explist compiles a list of expressions, all but the last put in
// consecutive registers; prev is the line of the token before the first.
func (g *gen) explist(exprs []syntax.Expr, commas []int, prev int, e *expDesc) int {
	g.expr(exprs[0], e, prev)
	for i := 1; i < len(exprs); i++ {
		cl := commaLine(commas, i-1, exprs[i-1])
		g.line = cl
		g.fs.exp2NextReg(e)
		g.expr(exprs[i], e, cl)
	}
	return len(exprs)
}

func commaLine(commas []int, i int, before syntax.Expr) int {
	if i < len(commas) && commas[i] > 0 {
		return commas[i]
	}
	return before.Pos().EndLine
}

func (g *gen) adjustAssign(nvars, nexps int, e *expDesc) {
	fs := g.fs
	extra := nvars - nexps
	if hasMultRet(e.k) {
		extra++
		if extra < 0 {
			extra = 0
		}
		fs.setReturns(e, extra)
		if extra > 1 {
			fs.reserveRegs(extra - 1)
		}
	} else {
		if e.k != vVoid {
			fs.exp2NextReg(e)
		}
		if extra > 0 {
			reg := fs.freeReg
			fs.reserveRegs(extra)
			fs.loadNil(reg, extra)
		}
	}
	if nexps > nvars {
		fs.freeReg -= nexps - nvars
	}
}

func (g *gen) localStat(s *syntax.Local) {
	fs := g.fs
	for _, n := range s.Names {
		fs.newLocalVar(n)
	}
	var e expDesc
	nexps := 0
	if len(s.Exprs) > 0 {
		nexps = g.explist(s.Exprs, s.Commas, s.Line, &e)
	} else {
		e.init(vVoid, 0)
	}
	g.line = s.EndLine
	g.adjustAssign(len(s.Names), nexps, &e)
	fs.adjustLocalVars(len(s.Names))
}

func (g *gen) assignment(s *syntax.Assign) {
	fs := g.fs
	lh := make([]expDesc, len(s.Targets))
	prev := s.Line
	for i, t := range s.Targets {
		g.expr(t, &lh[i], prev)
		prev = t.Pos().EndLine
		if i > 0 && lh[i].k != vIndexed {
			g.line = t.Pos().EndLine
			g.checkConflict(lh[:i], &lh[i])
		}
	}
	var e expDesc
	nexps := g.explist(s.Exprs, s.Commas, prev, &e)
	g.line = s.EndLine
	nvars := len(lh)
	last := nvars - 1
	if nexps != nvars {
		g.adjustAssign(nvars, nexps, &e)
	} else {
		fs.setOneRet(&e)
		fs.storeVar(&lh[last], &e)
		last--
	}
	for i := last; i >= 0; i-- {
		e.init(vNonReloc, fs.freeReg-1)
		fs.storeVar(&lh[i], &e)
	}
}

func (g *gen) checkConflict(prev []expDesc, v *expDesc) {
	fs := g.fs
	extra := fs.freeReg
	conflict := false
	for i := len(prev) - 1; i >= 0; i-- {
		lh := &prev[i]
		if lh.k == vIndexed {
			if lh.ind.vt == v.k && lh.ind.t == v.info {
				conflict = true
				lh.ind.vt = vLocal
				lh.ind.t = extra
			}
			if v.k == vLocal && lh.ind.idx == v.info {
				conflict = true
				lh.ind.idx = extra
			}
		}
	}
	if conflict {
		op := code.OpGetUpval
		if v.k == vLocal {
			op = code.OpMove
		}
		fs.codeABC(op, extra, v.info, 0)
		fs.reserveRegs(1)
	}
}

// cond compiles a loop or if condition: it returns the false exit list.
func (g *gen) cond(x syntax.Expr, prev int) int {
	var v expDesc
	g.expr(x, &v, prev)
	if v.k == vNil {
		v.k = vFalse
	}
	g.line = x.Pos().EndLine
	g.fs.goIfTrue(&v)
	return v.f
}

func (g *gen) whileStat(s *syntax.While) {
	fs := g.fs
	whileInit := fs.getLabel()
	condExit := g.cond(s.Cond, s.Line)
	var bl blockCnt
	fs.enterBlock(&bl, true)
	g.block(s.Body)
	g.line = s.Body.EndLine
	fs.patchList(fs.jump(), whileInit)
	g.line = s.EndLine
	fs.leaveBlock(s.Body.FollowLine)
	fs.patchToHere(condExit)
}

func (g *gen) repeatStat(s *syntax.Repeat) {
	fs := g.fs
	repeatInit := fs.getLabel()
	var bl1, bl2 blockCnt
	fs.enterBlock(&bl1, true)
	fs.enterBlock(&bl2, false)
	g.statList(s.Body, true)
	g.line = s.UntilLine
	condExit := g.cond(s.Cond, s.UntilLine)
	if bl2.upval {
		fs.patchClose(condExit, bl2.nactvar)
	}
	fs.leaveBlock(s.EndLine)
	fs.patchList(condExit, repeatInit)
	fs.leaveBlock(s.EndLine)
}

func (g *gen) ifStat(s *syntax.If) {
	fs := g.fs
	escape := noJump
	for ci := range s.Clauses {
		c := &s.Clauses[ci]
		var v expDesc
		g.expr(c.Cond, &v, c.Line)
		g.line = c.ThenLine
		var bl blockCnt
		var jf int
		stmts := c.Body.Stmts
		var first syntax.Stmt
		if len(stmts) > 0 {
			first = stmts[0]
		}
		_, isGoto := first.(*syntax.Goto)
		_, isBreak := first.(*syntax.Break)
		if isGoto || isBreak {
			fs.goIfFalse(&v)
			fs.enterBlock(&bl, false)
			if isGoto {
				g.gotoStat(first.(*syntax.Goto).Label, first.Pos().Line, v.t)
			} else {
				g.gotoStat("break", first.Pos().Line, v.t)
			}
			g.line = first.Pos().EndLine
			if len(stmts) == 1 {
				fs.leaveBlock(c.Body.FollowLine)
				continue
			}
			jf = fs.jump()
			rest := *c.Body
			rest.Stmts = stmts[1:]
			rest.StartLine = first.Pos().EndLine
			g.statList(&rest, false)
		} else {
			fs.goIfTrue(&v)
			fs.enterBlock(&bl, false)
			jf = v.f
			g.statList(c.Body, false)
		}
		g.line = c.Body.EndLine
		fs.leaveBlock(c.Body.FollowLine)
		if ci+1 < len(s.Clauses) || s.Else != nil {
			fs.concat(&escape, fs.jump())
		}
		fs.patchToHere(jf)
	}
	if s.Else != nil {
		g.block(s.Else)
	}
	g.line = s.EndLine
	fs.patchToHere(escape)
}

func (g *gen) exp1(x syntax.Expr, prev int) {
	var e expDesc
	g.expr(x, &e, prev)
	g.line = x.Pos().EndLine
	g.fs.exp2NextReg(&e)
}

func (g *gen) forNum(s *syntax.NumericFor) {
	fs := g.fs
	var bl blockCnt
	fs.enterBlock(&bl, true)
	base := fs.freeReg
	fs.newLocalVar("(for index)")
	fs.newLocalVar("(for limit)")
	fs.newLocalVar("(for step)")
	fs.newLocalVar(s.Var)
	g.exp1(s.Start, s.VarLine)
	g.exp1(s.Limit, commaLine(s.Commas, 0, s.Start))
	if s.Step != nil {
		g.exp1(s.Step, commaLine(s.Commas, 1, s.Limit))
	} else {
		g.line = s.Limit.Pos().EndLine
		fs.codeK(fs.freeReg, fs.intK(1))
		fs.reserveRegs(1)
	}
	g.forBody(base, s.Line, 1, true, s.DoLine, s.Body)
	g.line = s.EndLine
	fs.leaveBlock(s.Body.FollowLine)
}

func (g *gen) forList(s *syntax.GenericFor) {
	fs := g.fs
	var bl blockCnt
	fs.enterBlock(&bl, true)
	base := fs.freeReg
	fs.newLocalVar("(for generator)")
	fs.newLocalVar("(for state)")
	fs.newLocalVar("(for control)")
	for _, n := range s.Names {
		fs.newLocalVar(n)
	}
	var e expDesc
	n := g.explist(s.Exprs, s.Commas, s.ExprLine, &e)
	g.line = s.Exprs[len(s.Exprs)-1].Pos().EndLine
	g.adjustAssign(3, n, &e)
	fs.checkStack(3)
	g.forBody(base, s.ExprLine, len(s.Names), false, s.DoLine, s.Body)
	g.line = s.EndLine
	fs.leaveBlock(s.Body.FollowLine)
}

func (g *gen) forBody(base, line, nvars int, isNum bool, doLine int, body *syntax.Block) {
	fs := g.fs
	fs.adjustLocalVars(3)
	g.line = doLine
	var prep int
	if isNum {
		prep = fs.codeAsBx(code.OpForPrep, base, noJump)
	} else {
		prep = fs.jump()
	}
	var bl blockCnt
	fs.enterBlock(&bl, false)
	fs.adjustLocalVars(nvars)
	fs.reserveRegs(nvars)
	g.block(body)
	g.line = body.EndLine
	fs.leaveBlock(body.FollowLine)
	fs.patchToHere(prep)
	var endFor int
	if isNum {
		endFor = fs.codeAsBx(code.OpForLoop, base, noJump)
	} else {
		fs.codeABC(code.OpTForCall, base, 0, nvars)
		fs.fixLine(line)
		endFor = fs.codeAsBx(code.OpTForLoop, base+2, noJump)
	}
	fs.patchList(endFor, prep+1)
	fs.fixLine(line)
}

func (g *gen) retStat(s *syntax.Return) {
	fs := g.fs
	first, nret := 0, 0
	if len(s.Exprs) > 0 {
		var e expDesc
		nret = g.explist(s.Exprs, s.Commas, s.Line, &e)
		g.line = s.EndLine
		if hasMultRet(e.k) {
			fs.setMultRet(&e)
			if e.k == vCall && nret == 1 {
				i := fs.f.Code[e.info]
				fs.f.Code[e.info] = i&^(1<<code.SizeOp-1) | code.Instruction(code.OpTailCall)
			}
			first = fs.nactvar
			nret = -1
		} else if nret == 1 {
			first = fs.exp2AnyReg(&e)
		} else {
			fs.exp2NextReg(&e)
			first = fs.nactvar
		}
	}
	g.line = s.EndLine
	fs.ret(first, nret)
}

// ---------------------------------------------------------------------------
// Functions

// body compiles a function body and leaves its closure in the next
// register of the enclosing function (lparser.c's body + codeclosure).
func (g *gen) body(f *syntax.Function, e *expDesc, isMethod bool) {
	parent := g.fs
	nf := &funcState{f: &code.Proto{LineDefined: f.LineDefined}}
	parent.f.Protos = append(parent.f.Protos, nf.f)
	var bl blockCnt
	g.openFunc(nf, &bl)
	if isMethod {
		nf.newLocalVar("self")
		nf.adjustLocalVars(1)
	}
	for _, p := range f.Params {
		nf.newLocalVar(p)
	}
	nf.adjustLocalVars(len(f.Params))
	nf.f.IsVararg = f.IsVararg
	nf.f.NumParams = nf.nactvar
	nf.reserveRegs(nf.nactvar)
	g.statList(f.Body, false)
	nf.f.LastLineDefined = f.LastLineDefined
	g.line = f.LastLineDefined
	e.init(vRelocable, parent.codeABx(code.OpClosure, 0, len(parent.f.Protos)-1))
	parent.exp2NextReg(e)
	g.closeFunc(f.CloseLine)
}

// ---------------------------------------------------------------------------
// Expressions

// expr compiles x into v. prev is the line of the token before x: the
// line of the instructions lparser.c emits before consuming x's first
// token (VARARG, NEWTABLE).
func (g *gen) expr(x syntax.Expr, v *expDesc, prev int) {
	fs := g.fs
	switch x := x.(type) {
	case *syntax.Nil:
		v.init(vNil, 0)
	case *syntax.True:
		v.init(vTrue, 0)
	case *syntax.False:
		v.init(vFalse, 0)
	case *syntax.Integer:
		v.init(vKInt, 0)
		v.ival = x.Value
	case *syntax.Float:
		v.init(vKFlt, 0)
		v.nval = x.Value
	case *syntax.String:
		v.init(vK, fs.stringK(x.Value))
	case *syntax.Vararg:
		g.line = prev
		v.init(vVararg, fs.codeABC(code.OpVararg, 0, 1, 0))
	case *syntax.Table:
		g.constructor(x, v, prev)
	case *syntax.Function:
		g.body(x, v, false)
	case *syntax.Name:
		g.line = x.EndLine
		g.singleVar(x.Name, v)
	case *syntax.Paren:
		g.expr(x.X, v, x.Line)
		g.line = x.EndLine
		fs.dischargeVars(v)
	case *syntax.Index:
		g.expr(x.Obj, v, prev)
		g.line = x.Obj.Pos().EndLine
		fs.exp2AnyRegUp(v)
		var key expDesc
		g.expr(x.Key, &key, x.Obj.Pos().EndLine)
		g.line = x.Key.Pos().EndLine
		fs.exp2Val(&key)
		g.line = x.EndLine
		fs.indexed(v, &key)
	case *syntax.Call:
		g.expr(x.Fn, v, prev)
		g.line = x.Fn.Pos().EndLine
		fs.exp2NextReg(v)
		g.funcArgs(v, x.Args, x.Commas, x.ArgKind, x.Fn.Pos().EndLine, x.Line, x.EndLine)
	case *syntax.MethodCall:
		g.expr(x.Obj, v, prev)
		var key expDesc
		key.init(vK, fs.stringK(x.Name))
		g.line = x.NameLine
		fs.self(v, &key)
		g.funcArgs(v, x.Args, x.Commas, x.ArgKind, x.NameLine, x.Line, x.EndLine)
	case *syntax.Unary:
		g.expr(x.X, v, x.Line)
		g.line = x.X.Pos().EndLine
		fs.prefix(int(x.Op), v, x.Line)
	case *syntax.Binary:
		g.expr(x.L, v, prev)
		g.line = x.OpLine
		op := int(x.Op)
		fs.infix(op, v)
		var v2 expDesc
		g.expr(x.R, &v2, x.OpLine)
		g.line = x.R.Pos().EndLine
		fs.posfix(op, v, &v2, x.OpLine)
	default:
		panic(fmt.Sprintf("codegen: unexpected expression %T", x))
	}
}

func (g *gen) funcArgs(f *expDesc, args []syntax.Expr, commas []int, kind syntax.ArgKind, prev, line, endLine int) {
	fs := g.fs
	var a expDesc
	switch {
	case len(args) == 0:
		a.init(vVoid, 0)
	case kind == syntax.ArgsParen:
		g.explist(args, commas, prev, &a)
		g.line = args[len(args)-1].Pos().EndLine
		fs.setMultRet(&a)
	default:
		g.expr(args[0], &a, prev)
	}
	g.line = endLine
	base := f.info
	var nparams int
	if hasMultRet(a.k) {
		nparams = -1
	} else {
		if a.k != vVoid {
			fs.exp2NextReg(&a)
		}
		nparams = fs.freeReg - (base + 1)
	}
	f.init(vCall, fs.codeABC(code.OpCall, base, nparams+1, 2))
	fs.fixLine(line)
	fs.freeReg = base + 1
}

func (g *gen) constructor(t *syntax.Table, v *expDesc, prev int) {
	fs := g.fs
	g.line = prev
	pc := fs.codeABC(code.OpNewTable, 0, 0, 0)
	v.init(vRelocable, pc)
	fs.exp2NextReg(v)
	na, nh, toStore := 0, 0, 0
	var cv expDesc
	cv.init(vVoid, 0)
	closeListField := func() {
		if cv.k == vVoid {
			return
		}
		fs.exp2NextReg(&cv)
		cv.k = vVoid
		if toStore == code.FieldsPerFlush {
			fs.setList(v.info, na, toStore)
			toStore = 0
		}
	}
	sep := t.Line
	for i := range t.Fields {
		fld := &t.Fields[i]
		if i > 0 {
			g.line = sep
			closeListField()
		}
		switch fld.Kind {
		case syntax.FieldList:
			g.expr(fld.Value, &cv, sep)
			na++
			toStore++
		default:
			reg := fs.freeReg
			var key, val expDesc
			if fld.Kind == syntax.FieldNamed {
				g.expr(fld.Key, &key, fld.Line)
			} else {
				g.expr(fld.Key, &key, fld.Line)
				g.line = fld.Key.Pos().EndLine
				fs.exp2Val(&key)
			}
			nh++
			g.line = fld.EqLine
			rkKey := fs.exp2RK(&key)
			g.expr(fld.Value, &val, fld.EqLine)
			g.line = fld.Value.Pos().EndLine
			fs.codeABC(code.OpSetTable, v.info, rkKey, fs.exp2RK(&val))
			fs.freeReg = reg
		}
		sep = fld.SepLine
		if sep == 0 {
			sep = fld.Value.Pos().EndLine
		}
	}
	g.line = t.EndLine
	if toStore > 0 {
		if hasMultRet(cv.k) {
			fs.setMultRet(&cv)
			fs.setList(v.info, na, -1)
			na--
		} else {
			if cv.k != vVoid {
				fs.exp2NextReg(&cv)
			}
			fs.setList(v.info, na, toStore)
		}
	}
	fs.f.Code[pc] = fs.f.Code[pc].SetB(int2fb(na)).SetC(int2fb(nh))
}

// int2fb encodes a table size hint as a "floating point byte"
// (luaO_int2fb): (eeeeexxx) is (1xxx) * 2^(eeeee-1), or xxx when eeeee is 0.
func int2fb(x int) int {
	e := 0
	if x < 8 {
		return x
	}
	for x >= 8<<4 {
		x = (x + 0xf) >> 4
		e += 4
	}
	for x >= 8<<1 {
		x = (x + 1) >> 1
		e++
	}
	return (e+1)<<3 | (x - 8)
}
