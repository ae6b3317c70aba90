package lua53

import (
	"fmt"
	"math"
	"strconv"

	"github.com/yuin/gopher-lua/ast"
)

// SyntaxError is a Lua 5.3 syntax error with its position.
type SyntaxError struct {
	Chunk  string // chunk name as shown to users (no leading '@' or '=')
	Line   int
	Column int
	Msg    string // e.g. "unexpected symbol near '='"
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Chunk, e.Line, e.Column, e.Msg)
}

// DisplayName returns the chunk name as Lua shows it in messages: a
// leading '@' or '=' is dropped.
func DisplayName(chunkname string) string {
	if len(chunkname) > 0 && (chunkname[0] == '@' || chunkname[0] == '=') {
		return chunkname[1:]
	}
	return chunkname
}

// Parse parses a Lua 5.3 chunk into gopher-lua's syntax tree, lowering
// the constructs the gopher-lua VM lacks (see the package comment).
func Parse(src []byte, chunkname string) (stmts []ast.Stmt, err error) {
	p := &parser{}
	stmts, err = p.run(src, chunkname, false)
	if err == nil && p.freeEnv {
		// The chunk reads or assigns its implicit _ENV: parse again with
		// a chunk-level _ENV local so every free name goes through it.
		p = &parser{}
		stmts, err = p.run(src, chunkname, true)
	}
	return stmts, err
}

type blockScope struct {
	locals []string
}

type funcState struct {
	parent *funcState
	blocks []*blockScope
	vararg bool
}

type parser struct {
	lx      *lexer
	tok     token
	ahead   token
	hasPeek bool
	fs      *funcState
	envMode bool
	freeEnv bool
	helpers map[string]bool
	depth   int
}

func (p *parser) run(src []byte, chunkname string, envMode bool) (stmts []ast.Stmt, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			stmts, err = nil, se
		}
	}()
	p.lx = newLexer(src, DisplayName(chunkname))
	p.envMode = envMode
	p.helpers = map[string]bool{}
	p.fs = &funcState{vararg: true}
	p.openBlock()
	if envMode {
		p.declare("_ENV")
	}
	p.nextToken()
	body := p.block()
	if p.tok.kind != tokEOF {
		p.errorNear("<eof> expected")
	}
	return p.prologue(body), nil
}

// prologue binds the hidden locals the lowered code refers to.
func (p *parser) prologue(body []ast.Stmt) []ast.Stmt {
	var pre []ast.Stmt
	if len(p.helpers) > 0 || p.envMode {
		tbl := &ast.AttrGetExpr{Object: &ast.StringExpr{Value: ""}, Key: &ast.StringExpr{Value: HelperTableKey}}
		pre = append(pre, &ast.LocalAssignStmt{Names: []string{helperTableLocal}, Exprs: []ast.Expr{tbl}})
	}
	if p.envMode {
		call := &ast.FuncCallExpr{Func: &ast.AttrGetExpr{Object: &ast.IdentExpr{Value: helperTableLocal}, Key: &ast.StringExpr{Value: HelperEnv}}, Args: []ast.Expr{}, AdjustRet: true}
		pre = append(pre, &ast.LocalAssignStmt{Names: []string{"_ENV"}, Exprs: []ast.Expr{call}})
	}
	if len(p.helpers) > 0 {
		st := &ast.LocalAssignStmt{}
		for _, name := range helperNames {
			if p.helpers[name] {
				st.Names = append(st.Names, helperLocal(name))
				st.Exprs = append(st.Exprs, &ast.AttrGetExpr{Object: &ast.IdentExpr{Value: helperTableLocal}, Key: &ast.StringExpr{Value: name}})
			}
		}
		pre = append(pre, st)
	}
	for _, s := range pre {
		s.SetLine(1)
		s.SetLastLine(1)
	}
	return append(pre, body...)
}

// ---- tokens ----

func (p *parser) nextToken() {
	if p.hasPeek {
		p.tok, p.hasPeek = p.ahead, false
		return
	}
	p.tok = p.lx.next()
}

func (p *parser) peek() token {
	if !p.hasPeek {
		p.ahead, p.hasPeek = p.lx.next(), true
	}
	return p.ahead
}

func (p *parser) is(sym string) bool { return p.tok.kind == tokSymbol && p.tok.text == sym }

func (p *parser) nearText() string {
	switch p.tok.kind {
	case tokEOF:
		return "<eof>"
	default:
		return "'" + p.tok.raw + "'"
	}
}

func (p *parser) errorNear(msg string) {
	p.lx.errorAt(p.tok.line, p.tok.col, p.nearText(), "%s", msg)
}

func (p *parser) check(sym string) {
	if !p.is(sym) {
		p.errorNear("'" + sym + "' expected")
	}
}

func (p *parser) expect(sym string) {
	p.check(sym)
	p.nextToken()
}

// expectMatch consumes sym closing what that was opened on line.
func (p *parser) expectMatch(sym, what string, line int) {
	if p.is(sym) {
		p.nextToken()
		return
	}
	if line == p.tok.line {
		p.errorNear("'" + sym + "' expected")
	}
	p.errorNear(fmt.Sprintf("'%s' expected (to close '%s' at line %d)", sym, what, line))
}

func (p *parser) name() string {
	if p.tok.kind != tokName {
		p.errorNear("<name> expected")
	}
	s := p.tok.text
	p.nextToken()
	return s
}

// ---- scopes ----

func (p *parser) openBlock()  { p.fs.blocks = append(p.fs.blocks, &blockScope{}) }
func (p *parser) closeBlock() { p.fs.blocks = p.fs.blocks[:len(p.fs.blocks)-1] }

func (p *parser) declare(names ...string) {
	b := p.fs.blocks[len(p.fs.blocks)-1]
	b.locals = append(b.locals, names...)
}

func (p *parser) isLocal(name string) bool {
	for fs := p.fs; fs != nil; fs = fs.parent {
		for i := len(fs.blocks) - 1; i >= 0; i-- {
			ls := fs.blocks[i].locals
			for j := len(ls) - 1; j >= 0; j-- {
				if ls[j] == name {
					return true
				}
			}
		}
	}
	return false
}

// nameExpr resolves a name: a local or upvalue stays an IdentExpr; a free
// name is a global (fast path) unless an _ENV is in scope, in which case
// it becomes _ENV.name.
func (p *parser) nameExpr(name string, line int) ast.Expr {
	var e ast.Expr
	switch {
	case p.isLocal(name):
		e = &ast.IdentExpr{Value: name}
	case name == "_ENV":
		p.freeEnv = true
		e = &ast.IdentExpr{Value: name}
	case p.isLocal("_ENV"):
		key := &ast.StringExpr{Value: name}
		key.SetLine(line)
		env := &ast.IdentExpr{Value: "_ENV"}
		env.SetLine(line)
		e = &ast.AttrGetExpr{Object: env, Key: key}
	default:
		e = &ast.IdentExpr{Value: name}
	}
	e.SetLine(line)
	return e
}

// ---- statements ----

func (p *parser) blockFollow(withUntil bool) bool {
	if p.tok.kind == tokEOF {
		return true
	}
	if p.tok.kind != tokSymbol {
		return false
	}
	switch p.tok.text {
	case "else", "elseif", "end":
		return true
	case "until":
		return withUntil
	}
	return false
}

// block parses a statement list in a new scope.
func (p *parser) block() []ast.Stmt {
	p.openBlock()
	stmts := p.statList()
	p.closeBlock()
	return stmts
}

func (p *parser) statList() []ast.Stmt {
	stmts := []ast.Stmt{}
	for !p.blockFollow(true) {
		if p.is("return") {
			stmts = append(stmts, p.retStat())
			break
		}
		if s := p.statement(); s != nil {
			stmts = append(stmts, s)
		}
	}
	return stmts
}

func (p *parser) enterLevel() {
	p.depth++
	if p.depth > 200 {
		p.errorNear("chunk has too many syntax levels")
	}
}

func (p *parser) statement() ast.Stmt {
	p.enterLevel()
	defer func() { p.depth-- }()
	line := p.tok.line
	var st ast.Stmt
	if p.tok.kind == tokSymbol {
		switch p.tok.text {
		case ";":
			p.nextToken()
			return nil
		case "if":
			st = p.ifStat(line)
		case "while":
			p.nextToken()
			cond := p.expr()
			p.expect("do")
			body := p.block()
			end := p.tok.line
			p.expectMatch("end", "while", line)
			st = &ast.WhileStmt{Condition: cond, Stmts: body}
			st.SetLastLine(end)
		case "do":
			p.nextToken()
			body := p.block()
			end := p.tok.line
			p.expectMatch("end", "do", line)
			st = &ast.DoBlockStmt{Stmts: body}
			st.SetLastLine(end)
		case "for":
			st = p.forStat(line)
		case "repeat":
			p.nextToken()
			p.openBlock()
			body := p.statList()
			p.expectMatch("until", "repeat", line)
			cond := p.expr() // sees the body's locals
			p.closeBlock()
			st = &ast.RepeatStmt{Condition: cond, Stmts: body}
			st.SetLastLine(p.tok.line)
		case "function":
			st = p.funcStat(line)
		case "local":
			p.nextToken()
			if p.is("function") {
				p.nextToken()
				name := p.name()
				p.declare(name)
				f := p.funcBody(false, line)
				st = &ast.LocalAssignStmt{Names: []string{name}, Exprs: []ast.Expr{f}}
				st.SetLastLine(f.LastLine())
			} else {
				st = p.localStat()
			}
		case "::":
			p.nextToken()
			name := p.name()
			p.expect("::")
			st = &ast.LabelStmt{Name: name}
		case "return":
			return p.retStat()
		case "break":
			p.nextToken()
			st = &ast.BreakStmt{}
		case "goto":
			p.nextToken()
			st = &ast.GotoStmt{Label: p.name()}
		}
	}
	if st == nil {
		st = p.exprStat()
	}
	st.SetLine(line)
	if st.LastLine() == 0 {
		st.SetLastLine(line)
	}
	return st
}

func (p *parser) ifStat(line int) ast.Stmt {
	p.nextToken()
	cond := p.expr()
	p.expect("then")
	top := &ast.IfStmt{Condition: cond, Then: p.block(), Else: []ast.Stmt{}}
	cur := top
	for p.is("elseif") {
		l := p.tok.line
		p.nextToken()
		c := p.expr()
		p.expect("then")
		next := &ast.IfStmt{Condition: c, Then: p.block(), Else: []ast.Stmt{}}
		next.SetLine(l)
		next.SetLastLine(p.tok.line)
		cur.Else = []ast.Stmt{next}
		cur = next
	}
	if p.is("else") {
		p.nextToken()
		cur.Else = p.block()
	}
	top.SetLastLine(p.tok.line)
	p.expectMatch("end", "if", line)
	return top
}

func (p *parser) forStat(line int) ast.Stmt {
	p.nextToken()
	first := p.name()
	var st ast.Stmt
	if p.is("=") {
		p.nextToken()
		init := p.expr()
		p.expect(",")
		limit := p.expr()
		var step ast.Expr
		if p.is(",") {
			p.nextToken()
			step = p.expr()
		}
		p.expect("do")
		p.openBlock()
		p.declare(first)
		body := p.block()
		p.closeBlock()
		st = &ast.NumberForStmt{Name: first, Init: init, Limit: limit, Step: step, Stmts: body}
	} else if p.is(",") || p.is("in") {
		names := []string{first}
		for p.is(",") {
			p.nextToken()
			names = append(names, p.name())
		}
		p.expect("in")
		exprs := p.exprList()
		p.expect("do")
		p.openBlock()
		p.declare(names...)
		body := p.block()
		p.closeBlock()
		st = &ast.GenericForStmt{Names: names, Exprs: exprs, Stmts: body}
	} else {
		p.errorNear("'=' or 'in' expected")
	}
	st.SetLastLine(p.tok.line)
	p.expectMatch("end", "for", line)
	return st
}

func (p *parser) funcStat(line int) ast.Stmt {
	p.nextToken()
	nline := p.tok.line
	var target ast.Expr = p.nameExpr(p.name(), nline)
	for p.is(".") {
		p.nextToken()
		kline := p.tok.line
		key := &ast.StringExpr{Value: p.name()}
		key.SetLine(kline)
		g := &ast.AttrGetExpr{Object: target, Key: key}
		g.SetLine(kline)
		target = g
	}
	fname := &ast.FuncName{Func: target}
	method := false
	if p.is(":") {
		p.nextToken()
		fname = &ast.FuncName{Receiver: target, Method: p.name()}
		method = true
	}
	f := p.funcBody(method, line)
	st := &ast.FuncDefStmt{Name: fname, Func: f}
	st.SetLastLine(f.LastLine())
	return st
}

func (p *parser) localStat() ast.Stmt {
	var names []string
	for {
		names = append(names, p.name())
		if p.is("<") {
			p.errorNear("'=' expected") // attributes are Lua 5.4
		}
		if !p.is(",") {
			break
		}
		p.nextToken()
	}
	exprs := []ast.Expr{}
	if p.is("=") {
		p.nextToken()
		exprs = p.exprList()
	}
	// gopher-lua declares the name before compiling "local f = function"
	// (so the body would see the new local); Lua does not. An extra nil
	// expression keeps gopher-lua on its ordinary path.
	if len(names) == 1 && len(exprs) == 1 {
		if _, ok := exprs[0].(*ast.FunctionExpr); ok {
			exprs = append(exprs, &ast.NilExpr{})
		}
	}
	p.declare(names...)
	return &ast.LocalAssignStmt{Names: names, Exprs: exprs}
}

func (p *parser) retStat() ast.Stmt {
	line := p.tok.line
	p.nextToken()
	exprs := []ast.Expr{}
	if !p.blockFollow(true) && !p.is(";") {
		exprs = p.exprList()
	}
	if p.is(";") {
		p.nextToken()
	}
	if !p.blockFollow(true) {
		p.errorNear("<eof> expected")
	}
	st := &ast.ReturnStmt{Exprs: exprs}
	st.SetLine(line)
	st.SetLastLine(line)
	return st
}

func (p *parser) exprStat() ast.Stmt {
	e, kind := p.suffixedExpr()
	if p.is("=") || p.is(",") {
		lhs := []ast.Expr{e}
		if kind != exprVar {
			p.errorNear("syntax error")
		}
		for p.is(",") {
			p.nextToken()
			e2, k2 := p.suffixedExpr()
			if k2 != exprVar {
				p.errorNear("syntax error")
			}
			lhs = append(lhs, e2)
		}
		p.expect("=")
		rhs := p.exprList()
		return &ast.AssignStmt{Lhs: lhs, Rhs: rhs}
	}
	if kind != exprCall {
		p.errorNear("syntax error")
	}
	return &ast.FuncCallStmt{Expr: e}
}

// ---- expressions ----

type exprKind int

const (
	exprOther exprKind = iota
	exprVar
	exprCall
)

func (p *parser) exprList() []ast.Expr {
	list := []ast.Expr{p.expr()}
	for p.is(",") {
		p.nextToken()
		list = append(list, p.expr())
	}
	return list
}

func (p *parser) expr() ast.Expr { return p.subExpr(0) }

type binPrio struct{ left, right int }

var binaryPriority = map[string]binPrio{
	"or": {1, 1}, "and": {2, 2},
	"<": {3, 3}, ">": {3, 3}, "<=": {3, 3}, ">=": {3, 3}, "~=": {3, 3}, "==": {3, 3},
	"|": {4, 4}, "~": {5, 5}, "&": {6, 6}, "<<": {7, 7}, ">>": {7, 7},
	"..": {9, 8}, "+": {10, 10}, "-": {10, 10},
	"*": {11, 11}, "/": {11, 11}, "//": {11, 11}, "%": {11, 11},
	"^": {14, 13},
}

const unaryPriority = 12

func (p *parser) subExpr(limit int) ast.Expr {
	p.enterLevel()
	defer func() { p.depth-- }()
	var e ast.Expr
	line := p.tok.line
	if p.tok.kind == tokSymbol && (p.is("not") || p.is("-") || p.is("#") || p.is("~")) {
		op := p.tok.text
		p.nextToken()
		operand := p.subExpr(unaryPriority)
		e = p.unary(op, operand, line)
	} else {
		e = p.simpleExpr()
	}
	for p.tok.kind == tokSymbol {
		op := p.tok.text
		prio, ok := binaryPriority[op]
		if !ok || prio.left <= limit {
			break
		}
		opLine := p.tok.line
		p.nextToken()
		rhs := p.subExpr(prio.right)
		e = p.binary(op, e, rhs, opLine)
	}
	return e
}

func (p *parser) simpleExpr() ast.Expr {
	line := p.tok.line
	var e ast.Expr
	switch p.tok.kind {
	case tokNumber:
		e = numberExpr(p.tok.num)
	case tokString:
		e = &ast.StringExpr{Value: p.tok.text}
	case tokSymbol:
		switch p.tok.text {
		case "nil":
			e = &ast.NilExpr{}
		case "true":
			e = &ast.TrueExpr{}
		case "false":
			e = &ast.FalseExpr{}
		case "...":
			if !p.fs.vararg {
				p.errorNear("cannot use '...' outside a vararg function")
			}
			e = &ast.Comma3Expr{}
		case "{":
			return p.tableCons()
		case "function":
			p.nextToken()
			return p.funcBody(false, line)
		}
	}
	if e == nil {
		e, _ = p.suffixedExpr()
		return e
	}
	e.SetLine(line)
	p.nextToken()
	return e
}

func (p *parser) primaryExpr() (ast.Expr, exprKind) {
	line := p.tok.line
	switch {
	case p.tok.kind == tokName:
		name := p.tok.text
		p.nextToken()
		return p.nameExpr(name, line), exprVar
	case p.is("("):
		p.nextToken()
		e := p.expr()
		p.expectMatch(")", "(", line)
		switch x := e.(type) {
		case *ast.FuncCallExpr:
			x.AdjustRet = true
		case *ast.Comma3Expr:
			x.AdjustRet = true
		}
		return e, exprOther
	}
	p.errorNear("unexpected symbol")
	return nil, exprOther
}

func (p *parser) suffixedExpr() (ast.Expr, exprKind) {
	e, kind := p.primaryExpr()
	for {
		line := p.tok.line
		switch {
		case p.is("."):
			p.nextToken()
			key := &ast.StringExpr{Value: p.name()}
			key.SetLine(line)
			g := &ast.AttrGetExpr{Object: e, Key: key}
			g.SetLine(line)
			e, kind = g, exprVar
		case p.is("["):
			p.nextToken()
			key := p.expr()
			p.expect("]")
			g := &ast.AttrGetExpr{Object: e, Key: key}
			g.SetLine(line)
			e, kind = g, exprVar
		case p.is(":"):
			p.nextToken()
			method := p.name()
			args := p.callArgs()
			c := &ast.FuncCallExpr{Receiver: e, Method: method, Args: args}
			c.SetLine(line)
			e, kind = c, exprCall
		case p.is("(") || p.is("{") || p.tok.kind == tokString:
			args := p.callArgs()
			c := &ast.FuncCallExpr{Func: e, Args: args}
			c.SetLine(line)
			e, kind = c, exprCall
		default:
			return e, kind
		}
	}
}

func (p *parser) callArgs() []ast.Expr {
	line := p.tok.line
	switch {
	case p.tok.kind == tokString:
		s := &ast.StringExpr{Value: p.tok.text}
		s.SetLine(line)
		p.nextToken()
		return []ast.Expr{s}
	case p.is("{"):
		return []ast.Expr{p.tableCons()}
	case p.is("("):
		p.nextToken()
		args := []ast.Expr{}
		if !p.is(")") {
			args = p.exprList()
		}
		p.expectMatch(")", "(", line)
		return args
	}
	p.errorNear("function arguments expected")
	return nil
}

func (p *parser) tableCons() ast.Expr {
	line := p.tok.line
	p.expect("{")
	fields := []*ast.Field{}
	for !p.is("}") {
		switch {
		case p.tok.kind == tokName && p.peek().kind == tokSymbol && p.peek().text == "=":
			key := &ast.StringExpr{Value: p.tok.text}
			key.SetLine(p.tok.line)
			p.nextToken()
			p.nextToken()
			fields = append(fields, &ast.Field{Key: key, Value: p.expr()})
		case p.is("["):
			p.nextToken()
			key := p.expr()
			p.expect("]")
			p.expect("=")
			fields = append(fields, &ast.Field{Key: key, Value: p.expr()})
		default:
			fields = append(fields, &ast.Field{Value: p.expr()})
		}
		if p.is(",") || p.is(";") {
			p.nextToken()
			continue
		}
		break
	}
	p.expectMatch("}", "{", line)
	// gopher-lua's compiler treats a call in a keyed last field like a
	// multi-value last list item and stores its results in the array part
	// ({ {1}, k = f() } would get t[2]). A keyed field uses one value only,
	// so truncating it is exact.
	if n := len(fields); n > 0 && fields[n-1].Key != nil {
		switch v := fields[n-1].Value.(type) {
		case *ast.FuncCallExpr:
			v.AdjustRet = true
		case *ast.Comma3Expr:
			v.AdjustRet = true
		}
	}
	t := &ast.TableExpr{Fields: fields}
	t.SetLine(line)
	return t
}

// funcBody parses "(params) block end" into a new function scope.
func (p *parser) funcBody(method bool, line int) *ast.FunctionExpr {
	fs := &funcState{parent: p.fs}
	p.fs = fs
	p.openBlock()
	if method {
		p.declare("self")
	}
	pl := &ast.ParList{Names: []string{}}
	p.expect("(")
	if !p.is(")") {
		for {
			if p.is("...") {
				p.nextToken()
				pl.HasVargs = true
				break
			}
			pl.Names = append(pl.Names, p.name())
			if !p.is(",") {
				break
			}
			p.nextToken()
		}
	}
	fs.vararg = pl.HasVargs
	p.declare(pl.Names...)
	p.expect(")")
	body := p.block()
	end := p.tok.line
	p.expectMatch("end", "function", line)
	p.closeBlock()
	p.fs = fs.parent
	f := &ast.FunctionExpr{ParList: pl, Stmts: body}
	f.SetLine(line)
	f.SetLastLine(end)
	return f
}

// ---- operators and lowering ----

func numberExpr(v float64) *ast.NumberExpr {
	return &ast.NumberExpr{Value: strconv.FormatFloat(v, 'g', -1, 64)}
}

func constNumber(e ast.Expr) (float64, bool) {
	if n, ok := e.(*ast.NumberExpr); ok {
		v, err := strconv.ParseFloat(n.Value, 64)
		return v, err == nil
	}
	return 0, false
}

func (p *parser) helperCall(name string, line int, args ...ast.Expr) ast.Expr {
	p.helpers[name] = true
	fn := &ast.IdentExpr{Value: helperLocal(name)}
	fn.SetLine(line)
	c := &ast.FuncCallExpr{Func: fn, Args: args, AdjustRet: true}
	c.SetLine(line)
	return c
}

func (p *parser) unary(op string, e ast.Expr, line int) ast.Expr {
	var r ast.Expr
	switch op {
	case "not":
		r = &ast.UnaryNotOpExpr{Expr: e}
	case "#":
		r = &ast.UnaryLenOpExpr{Expr: e}
	case "-":
		if v, ok := constNumber(e); ok && v != 0 {
			r = numberExpr(-v)
		} else {
			r = &ast.UnaryMinusOpExpr{Expr: e}
		}
	case "~":
		if v, ok := constNumber(e); ok {
			if res, err := Arith(OpBnot, v, 0); err == nil {
				r = numberExpr(res)
				break
			}
		}
		r = p.helperCall(HelperBnot, line, e)
	}
	r.SetLine(line)
	return r
}

var bitwiseHelper = map[string]string{
	"//": HelperIDiv, "&": HelperBand, "|": HelperBor, "~": HelperBxor,
	"<<": HelperShl, ">>": HelperShr,
}

var helperOp = map[string]Op{
	HelperIDiv: OpIDiv, HelperBand: OpBand, HelperBor: OpBor, HelperBxor: OpBxor,
	HelperShl: OpShl, HelperShr: OpShr,
}

func (p *parser) binary(op string, l, r ast.Expr, line int) ast.Expr {
	var e ast.Expr
	switch op {
	case "or", "and":
		e = &ast.LogicalOpExpr{Operator: op, Lhs: l, Rhs: r}
	case "<", ">", "<=", ">=", "==", "~=":
		e = &ast.RelationalOpExpr{Operator: op, Lhs: l, Rhs: r}
	case "..":
		e = &ast.StringConcatOpExpr{Lhs: l, Rhs: r}
	case "+", "-", "*", "/", "%", "^":
		e = &ast.ArithmeticOpExpr{Operator: op, Lhs: l, Rhs: r}
	default:
		helper := bitwiseHelper[op]
		lv, lok := constNumber(l)
		rv, rok := constNumber(r)
		if lok && rok {
			if res, err := Arith(helperOp[helper], lv, rv); err == nil && !math.IsNaN(res) {
				e = numberExpr(res)
				break
			}
		}
		e = p.helperCall(helper, line, l, r)
	}
	e.SetLine(l.Line())
	return e
}
