package syntax

import (
	"fmt"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// Limits of lparser.c/llimits.h that the parser checks.
const (
	maxCCalls = 200 // LUAI_MAXCCALLS: "C levels"
	maxVars   = 200 // MAXVARS: local variables per function
)

// DefaultCLevel is the C-call depth lua5.3 is at when load() is called
// from a Lua function: the "too many C levels" limit counts from it.
const DefaultCLevel = 2

// Parse parses a chunk. chunkName is the name given to load ("@file.lua",
// "=stdin", or the source itself); errors show it as code.ChunkID does.
// The error, if any, is a *Error. Parse does not skip a first '#' line or
// a BOM: loaders of files call SkipPrefix first, as luaL_loadfilex does.
func Parse(src []byte, chunkName string) (*Chunk, error) {
	return ParseLevel(src, chunkName, DefaultCLevel)
}

// ParseLevel is Parse with the C-call depth at which the parse starts
// (lua5.3 starts at 1 for a script given to lua.c, 2 for load called from
// Lua, more for require); it shifts where "too many C levels" is reported.
func ParseLevel(src []byte, chunkName string, cLevel int) (chunk *Chunk, err error) {
	p := &parser{level: cLevel}
	defer func() {
		if r := recover(); r != nil {
			lp, ok := r.(lexPanic)
			if !ok {
				panic(r)
			}
			chunk, err = nil, lp.err
		}
	}()
	p.lx.init(src, code.ChunkID(chunkName))
	return p.mainFunc(chunkName), nil
}

// SkipPrefix returns src without what luaL_loadfilex skips at the start of
// a file: a UTF-8 byte-order mark, then a first line starting with '#'
// (which is replaced by an empty line, keeping line numbers). Strings
// given to load are parsed as they are.
func SkipPrefix(src []byte) []byte {
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		src = src[3:]
	}
	if len(src) > 0 && src[0] == '#' {
		for i, c := range src {
			if c == '\n' {
				return src[i:]
			}
		}
		return []byte("\n")
	}
	return src
}

type funcState struct {
	prev        *funcState
	lineDefined int
	isVararg    bool
	nvars       int // declared locals in scope (dyd->actvar.n - firstlocal)
	bl          *blockState
}

type blockState struct {
	prev   *blockState
	nvars  int // fs.nvars at entry
	labels []labelInfo
}

type labelInfo struct {
	name string
	line int
}

type parser struct {
	lx    lexer
	fs    *funcState
	level int
	// Scratch stacks: lists being built are pushed here and copied out
	// once complete, so that long lists do not leave garbage behind.
	stmts  []Stmt
	fields []Field
}

// --- helpers (lparser.c) ---

func (p *parser) tok() int { return p.lx.t.kind }

func (p *parser) errorExpected(tok int) {
	p.lx.syntaxError(token2str(tok) + " expected")
}

func (p *parser) errorLimit(limit int, what string) {
	where := "main function"
	if p.fs.lineDefined != 0 {
		where = "function at line " + itoa(p.fs.lineDefined)
	}
	p.lx.syntaxError(fmt.Sprintf("too many %s (limit is %d) in %s", what, limit, where))
}

func (p *parser) checkLimit(v, l int, what string) {
	if v > l {
		p.errorLimit(l, what)
	}
}

func (p *parser) testNext(c int) bool {
	if p.tok() == c {
		p.lx.advance()
		return true
	}
	return false
}

func (p *parser) check(c int) {
	if p.tok() != c {
		p.errorExpected(c)
	}
}

func (p *parser) checkNext(c int) {
	p.check(c)
	p.lx.advance()
}

func (p *parser) checkCondition(ok bool, msg string) {
	if !ok {
		p.lx.syntaxError(msg)
	}
}

func (p *parser) checkMatch(what, who, where int) {
	if !p.testNext(what) {
		if where == p.lx.line {
			p.errorExpected(what)
		}
		p.lx.syntaxError(fmt.Sprintf("%s expected (to close %s at line %d)",
			token2str(what), token2str(who), where))
	}
}

func (p *parser) strCheckName() string {
	p.check(tkName)
	s := p.lx.t.s
	p.lx.advance()
	return s
}

func (p *parser) enterLevel() {
	p.level++
	p.checkLimit(p.level, maxCCalls, "C levels")
}

func (p *parser) leaveLevel() { p.level-- }

func (p *parser) newLocalVar() {
	fs := p.fs
	p.checkLimit(fs.nvars+1, maxVars, "local variables")
	fs.nvars++
}

func (p *parser) enterBlock() {
	p.fs.bl = &blockState{prev: p.fs.bl, nvars: p.fs.nvars}
}

func (p *parser) leaveBlock() {
	bl := p.fs.bl
	p.fs.nvars = bl.nvars
	p.fs.bl = bl.prev
}

func blockFollow(tok int, withUntil bool) bool {
	switch tok {
	case tkElse, tkElseif, tkEnd, tkEOS:
		return true
	case tkUntil:
		return withUntil
	}
	return false
}

// --- functions and blocks ---

func (p *parser) mainFunc(source string) *Chunk {
	fs := &funcState{isVararg: true}
	p.fs = fs
	f := &Function{IsVararg: true}
	p.enterBlock()
	p.lx.advance()
	f.Body = p.statList()
	p.check(tkEOS)
	f.CloseLine = p.lx.line
	p.leaveBlock()
	return &Chunk{Source: source, Main: f}
}

// statList parses statements into a new Block (the caller manages scope).
func (p *parser) statList() *Block {
	b := &Block{StartLine: p.lx.lastLine}
	base := len(p.stmts)
	for !blockFollow(p.tok(), true) {
		if p.tok() == tkReturn {
			p.statement()
			break
		}
		p.statement()
	}
	if n := len(p.stmts) - base; n > 0 {
		b.Stmts = make([]Stmt, n)
		copy(b.Stmts, p.stmts[base:])
		clear(p.stmts[base:])
		p.stmts = p.stmts[:base]
	}
	b.EndLine = p.lx.lastLine
	b.FollowLine = p.lx.line
	return b
}

// block is lparser.c's block: a statement list in its own scope.
func (p *parser) block() *Block {
	p.enterBlock()
	b := p.statList()
	p.leaveBlock()
	return b
}

func (p *parser) add(s Stmt) { p.stmts = append(p.stmts, s) }

// body parses "(params) block end"; the 'function' keyword (and name) are
// already consumed.
func (p *parser) body(isMethod bool, line int) *Function {
	f := &Function{LineDefined: line, IsMethod: isMethod}
	fs := &funcState{prev: p.fs, lineDefined: line}
	p.fs = fs
	p.enterBlock()
	if isMethod {
		p.newLocalVar()
	}
	p.checkNext('(')
	if p.tok() != ')' {
		for {
			switch p.tok() {
			case tkName:
				f.Params = append(f.Params, p.strCheckName())
				p.newLocalVar()
			case tkDots:
				p.lx.advance()
				f.IsVararg = true
			default:
				p.lx.syntaxError("<name> or '...' expected")
			}
			if f.IsVararg || !p.testNext(',') {
				break
			}
		}
	}
	fs.isVararg = f.IsVararg
	p.checkNext(')')
	f.Body = p.statList()
	f.LastLineDefined = p.lx.line
	p.checkMatch(tkEnd, tkFunction, line)
	f.EndLine = p.lx.lastLine
	f.CloseLine = p.lx.line
	p.leaveBlock()
	p.fs = fs.prev
	return f
}

// --- statements ---

func (p *parser) statement() {
	line := p.lx.line
	p.enterLevel()
	switch p.tok() {
	case ';':
		p.lx.advance()
	case tkIf:
		p.ifStat(line)
	case tkWhile:
		p.lx.advance()
		cond := p.expr()
		doLine := p.lx.line
		p.checkNext(tkDo)
		p.enterBlock() // the loop block
		body := p.block()
		p.checkMatch(tkEnd, tkWhile, line)
		p.leaveBlock()
		p.add(&While{Span: Span{line, p.lx.lastLine}, Cond: cond, DoLine: doLine, Body: body})
	case tkDo:
		p.lx.advance()
		body := p.block()
		p.checkMatch(tkEnd, tkDo, line)
		p.add(&Do{Span: Span{line, p.lx.lastLine}, Body: body})
	case tkFor:
		p.forStat(line)
	case tkRepeat:
		p.lx.advance()
		p.enterBlock() // loop block
		p.enterBlock() // scope block
		body := p.statList()
		untilLine := p.lx.line
		p.checkMatch(tkUntil, tkRepeat, line)
		cond := p.expr()
		p.leaveBlock()
		p.leaveBlock()
		p.add(&Repeat{Span: Span{line, p.lx.lastLine}, Body: body, UntilLine: untilLine, Cond: cond})
	case tkFunction:
		p.lx.advance()
		target, isMethod := p.funcName()
		f := p.body(isMethod, line)
		f.Line = line
		p.add(&FunctionStmt{Span: Span{line, p.lx.lastLine}, Target: target, Func: f})
	case tkLocal:
		p.lx.advance()
		if p.testNext(tkFunction) {
			name := p.strCheckName()
			p.newLocalVar()
			f := p.body(false, p.lx.line)
			f.Line = line
			p.add(&LocalFunction{Span: Span{line, p.lx.lastLine}, Name: name, Func: f})
		} else {
			p.localStat(line)
		}
	case tkDbColon:
		p.lx.advance()
		p.labelStat(p.strCheckName(), line)
	case tkReturn:
		p.lx.advance()
		r := &Return{Span: Span{Line: line}}
		if !blockFollow(p.tok(), true) && p.tok() != ';' {
			r.Exprs, r.Commas = p.exprList()
		}
		r.EndLine = p.lx.lastLine
		p.add(r)
		p.testNext(';')
	case tkBreak, tkGoto:
		p.add(p.gotoStat())
	default:
		p.exprStat(line)
	}
	p.leaveLevel()
}

func (p *parser) ifStat(line int) {
	s := &If{Span: Span{Line: line}}
	for {
		// test_then_block
		cl := IfClause{Line: p.lx.line}
		p.lx.advance()
		cl.Cond = p.expr()
		cl.ThenLine = p.lx.line
		p.checkNext(tkThen)
		p.enterBlock()
		if p.tok() == tkGoto || p.tok() == tkBreak {
			b := &Block{StartLine: p.lx.lastLine}
			g := p.gotoStat()
			for p.testNext(';') {
			}
			if blockFollow(p.tok(), false) {
				b.Stmts = []Stmt{g}
				b.EndLine = p.lx.lastLine
				b.FollowLine = p.lx.line
			} else {
				rest := p.statList()
				b.Stmts = append([]Stmt{g}, rest.Stmts...)
				b.EndLine = rest.EndLine
				b.FollowLine = rest.FollowLine
			}
			cl.Body = b
		} else {
			cl.Body = p.statList()
		}
		p.leaveBlock()
		s.Clauses = append(s.Clauses, cl)
		if p.tok() != tkElseif {
			break
		}
	}
	if p.tok() == tkElse {
		s.ElseLine = p.lx.line
		p.lx.advance()
		s.Else = p.block()
	}
	p.checkMatch(tkEnd, tkIf, line)
	s.EndLine = p.lx.lastLine
	p.add(s)
}

func (p *parser) gotoStat() Stmt {
	line := p.lx.line
	if p.testNext(tkGoto) {
		name := p.strCheckName()
		return &Goto{Span: Span{line, p.lx.lastLine}, Label: name}
	}
	p.lx.advance()
	return &Break{Span{line, line}}
}

func (p *parser) labelStat(name string, line int) {
	bl := p.fs.bl
	for _, l := range bl.labels {
		if l.name == name {
			p.semError(fmt.Sprintf("label '%s' already defined on line %d", name, l.line))
		}
	}
	p.checkNext(tkDbColon)
	bl.labels = append(bl.labels, labelInfo{name, line})
	p.add(&Label{Span: Span{line, p.lx.lastLine}, Name: name})
	for p.tok() == ';' || p.tok() == tkDbColon {
		p.statement()
	}
}

// semError is lparser.c's semerror: an error without "near".
func (p *parser) semError(msg string) {
	panic(lexPanic{&Error{Chunk: p.lx.chunk, Line: p.lx.line, Msg: msg}})
}

func (p *parser) forStat(line int) {
	p.enterBlock()
	p.lx.advance()
	varLine := p.lx.line
	name := p.strCheckName()
	switch p.tok() {
	case '=':
		s := &NumericFor{Span: Span{Line: line}, Var: name, VarLine: varLine}
		for i := 0; i < 4; i++ {
			p.newLocalVar()
		}
		p.checkNext('=')
		s.Start = p.expr()
		s.Commas = append(s.Commas, p.lx.line)
		p.checkNext(',')
		s.Limit = p.expr()
		if p.tok() == ',' {
			s.Commas = append(s.Commas, p.lx.line)
			p.lx.advance()
			s.Step = p.expr()
		}
		s.DoLine, s.Body = p.forBody()
		p.checkMatch(tkEnd, tkFor, line)
		s.EndLine = p.lx.lastLine
		p.add(s)
	case ',', tkIn:
		s := &GenericFor{Span: Span{Line: line}, Names: []string{name}}
		for i := 0; i < 4; i++ {
			p.newLocalVar()
		}
		for p.testNext(',') {
			s.Names = append(s.Names, p.strCheckName())
			p.newLocalVar()
		}
		p.checkNext(tkIn)
		s.ExprLine = p.lx.line
		s.Exprs, s.Commas = p.exprList()
		s.DoLine, s.Body = p.forBody()
		p.checkMatch(tkEnd, tkFor, line)
		s.EndLine = p.lx.lastLine
		p.add(s)
	default:
		p.lx.syntaxError("'=' or 'in' expected")
	}
	p.leaveBlock()
}

func (p *parser) forBody() (int, *Block) {
	doLine := p.lx.line
	p.checkNext(tkDo)
	p.enterBlock()
	b := p.block()
	p.leaveBlock()
	return doLine, b
}

func (p *parser) funcName() (Expr, bool) {
	line := p.lx.line
	var v Expr = &Name{Span: Span{line, line}, Name: p.strCheckName()}
	for p.tok() == '.' {
		v = p.fieldSel(v, line)
	}
	if p.tok() == ':' {
		return p.fieldSel(v, line), true
	}
	return v, false
}

func (p *parser) fieldSel(obj Expr, line int) Expr {
	p.lx.advance()
	kl := p.lx.line
	key := &String{Span: Span{kl, kl}, Value: p.strCheckName()}
	return &Index{Span: Span{line, p.lx.lastLine}, Obj: obj, Key: key}
}

func (p *parser) localStat(line int) {
	s := &Local{Span: Span{Line: line}}
	for {
		s.Names = append(s.Names, p.strCheckName())
		p.newLocalVar()
		if !p.testNext(',') {
			break
		}
	}
	if p.testNext('=') {
		s.Exprs, s.Commas = p.exprList()
	}
	s.EndLine = p.lx.lastLine
	p.add(s)
}

func isVar(e Expr) bool {
	switch e.(type) {
	case *Name, *Index:
		return true
	}
	return false
}

func (p *parser) exprStat(line int) {
	v := p.suffixedExp()
	if p.tok() == '=' || p.tok() == ',' {
		s := &Assign{Span: Span{Line: line}, Targets: []Expr{v}}
		for {
			p.checkCondition(isVar(v), "syntax error")
			if !p.testNext(',') {
				break
			}
			v = p.suffixedExp()
			s.Targets = append(s.Targets, v)
			p.checkLimit(len(s.Targets)-1+p.level, maxCCalls, "C levels")
		}
		p.checkNext('=')
		s.Exprs, s.Commas = p.exprList()
		s.EndLine = p.lx.lastLine
		p.add(s)
		return
	}
	switch v.(type) {
	case *Call, *MethodCall:
	default:
		p.lx.syntaxError("syntax error")
	}
	p.add(&CallStmt{Span: Span{line, p.lx.lastLine}, Call: v})
}

// --- expressions ---

func (p *parser) exprList() ([]Expr, []int) {
	list := []Expr{p.expr()}
	var commas []int
	for p.tok() == ',' {
		commas = append(commas, p.lx.line)
		p.lx.advance()
		list = append(list, p.expr())
	}
	return list, commas
}

func (p *parser) expr() Expr {
	e, _ := p.subExpr(0)
	return e
}

func unOp(tok int) (UnOp, bool) {
	switch tok {
	case tkNot:
		return OpNot, true
	case '-':
		return OpNeg, true
	case '~':
		return OpBNot, true
	case '#':
		return OpLen, true
	}
	return 0, false
}

func binOp(tok int) (BinOp, bool) {
	switch tok {
	case '+':
		return OpAdd, true
	case '-':
		return OpSub, true
	case '*':
		return OpMul, true
	case '%':
		return OpMod, true
	case '^':
		return OpPow, true
	case '/':
		return OpDiv, true
	case tkIDiv:
		return OpIDiv, true
	case '&':
		return OpBAnd, true
	case '|':
		return OpBOr, true
	case '~':
		return OpBXor, true
	case tkShl:
		return OpShl, true
	case tkShr:
		return OpShr, true
	case tkConcat:
		return OpConcat, true
	case tkNe:
		return OpNe, true
	case tkEq:
		return OpEq, true
	case '<':
		return OpLt, true
	case tkLe:
		return OpLe, true
	case '>':
		return OpGt, true
	case tkGe:
		return OpGe, true
	case tkAnd:
		return OpAnd, true
	case tkOr:
		return OpOr, true
	}
	return 0, false
}

// subExpr is lparser.c's subexpr: it returns the expression and the first
// binary operator not consumed (ok false if none).
func (p *parser) subExpr(limit int) (Expr, binOpResult) {
	p.enterLevel()
	var v Expr
	if op, ok := unOp(p.tok()); ok {
		line := p.lx.line
		p.lx.advance()
		x, _ := p.subExpr(UnaryPrecedence)
		v = &Unary{Span: Span{line, p.lx.lastLine}, Op: op, X: x}
	} else {
		v = p.simpleExp()
	}
	op, ok := binOp(p.tok())
	for ok && int(binPriority[op][0]) > limit {
		line := p.lx.line
		p.lx.advance()
		r, next := p.subExpr(int(binPriority[op][1]))
		v = &Binary{Span: Span{v.Pos().Line, p.lx.lastLine}, Op: op, L: v, R: r, OpLine: line}
		op, ok = next.op, next.ok
	}
	p.leaveLevel()
	return v, binOpResult{op, ok}
}

type binOpResult struct {
	op BinOp
	ok bool
}

func (p *parser) simpleExp() Expr {
	line := p.lx.line
	sp := Span{line, line}
	var v Expr
	switch p.tok() {
	case tkFlt:
		v = &Float{Span: sp, Value: p.lx.t.f}
	case tkInt:
		v = &Integer{Span: sp, Value: p.lx.t.i}
	case tkString:
		v = &String{Span: sp, Value: p.lx.t.s}
	case tkNil:
		v = &Nil{sp}
	case tkTrue:
		v = &True{sp}
	case tkFalse:
		v = &False{sp}
	case tkDots:
		p.checkCondition(p.fs.isVararg, "cannot use '...' outside a vararg function")
		v = &Vararg{sp}
	case '{':
		return p.constructor()
	case tkFunction:
		p.lx.advance()
		f := p.body(false, p.lx.line)
		f.Line = line
		return f
	default:
		return p.suffixedExp()
	}
	p.lx.advance()
	return v
}

func (p *parser) primaryExp() Expr {
	switch p.tok() {
	case '(':
		line := p.lx.line
		p.lx.advance()
		x := p.expr()
		p.checkMatch(')', '(', line)
		return &Paren{Span: Span{line, p.lx.lastLine}, X: x}
	case tkName:
		line := p.lx.line
		name := p.strCheckName()
		return &Name{Span: Span{line, p.lx.lastLine}, Name: name}
	}
	p.lx.syntaxError("unexpected symbol")
	return nil
}

func (p *parser) suffixedExp() Expr {
	line := p.lx.line
	v := p.primaryExp()
	for {
		switch p.tok() {
		case '.':
			v = p.fieldSel(v, line)
		case '[':
			p.lx.advance()
			k := p.expr()
			p.checkNext(']')
			v = &Index{Span: Span{line, p.lx.lastLine}, Obj: v, Key: k}
		case ':':
			p.lx.advance()
			nameLine := p.lx.line
			name := p.strCheckName()
			m := &MethodCall{Obj: v, Name: name, NameLine: nameLine}
			m.Args, m.Commas, m.ArgKind = p.funcArgs(line)
			m.Span = Span{line, p.lx.lastLine}
			v = m
		case '(', tkString, '{':
			c := &Call{Fn: v}
			c.Args, c.Commas, c.ArgKind = p.funcArgs(line)
			c.Span = Span{line, p.lx.lastLine}
			v = c
		default:
			return v
		}
	}
}

func (p *parser) funcArgs(line int) ([]Expr, []int, ArgKind) {
	switch p.tok() {
	case '(':
		p.lx.advance()
		var args []Expr
		var commas []int
		if p.tok() != ')' {
			args, commas = p.exprList()
		}
		p.checkMatch(')', '(', line)
		return args, commas, ArgsParen
	case '{':
		return []Expr{p.constructor()}, nil, ArgsTable
	case tkString:
		l := p.lx.line
		s := &String{Span: Span{l, l}, Value: p.lx.t.s}
		p.lx.advance()
		return []Expr{s}, nil, ArgsString
	}
	p.lx.syntaxError("function arguments expected")
	return nil, nil, 0
}

func (p *parser) constructor() *Table {
	line := p.lx.line
	t := &Table{}
	base := len(p.fields)
	p.checkNext('{')
	for p.tok() != '}' {
		var f Field
		f.Line = p.lx.line
		switch p.tok() {
		case tkName:
			if p.lx.lookahead() != '=' {
				f.Kind = FieldList
				f.Value = p.expr()
			} else {
				f.Kind = FieldNamed
				kl := p.lx.line
				f.Key = &String{Span: Span{kl, kl}, Value: p.strCheckName()}
				f.EqLine = p.lx.line
				p.checkNext('=')
				f.Value = p.expr()
			}
		case '[':
			f.Kind = FieldExpr
			p.lx.advance()
			f.Key = p.expr()
			p.checkNext(']')
			f.EqLine = p.lx.line
			p.checkNext('=')
			f.Value = p.expr()
		default:
			f.Kind = FieldList
			f.Value = p.expr()
		}
		if p.tok() == ',' || p.tok() == ';' {
			f.SepLine = p.lx.line
			p.lx.advance()
			p.fields = append(p.fields, f)
			continue
		}
		p.fields = append(p.fields, f)
		break
	}
	if n := len(p.fields) - base; n > 0 {
		t.Fields = make([]Field, n)
		copy(t.Fields, p.fields[base:])
		clear(p.fields[base:])
		p.fields = p.fields[:base]
	}
	p.checkMatch('}', '{', line)
	t.Span = Span{line, p.lx.lastLine}
	return t
}
