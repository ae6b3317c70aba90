package syntax

// This file defines the syntax tree. It is shaped after lparser.c so that a
// code generator mirroring lparser.c/lcode.c can reproduce `luac5.3 -l -l`
// exactly, line information included.
//
// Lines. lcode.c records for each instruction ls->lastline, the line of the
// last token the parser had consumed when the instruction was emitted, and
// lparser.c reads ls->linenumber, the line of the current (lookahead) token.
// A token's line is always the line where the token ENDS (a long string
// spanning lines 3-5 is "on" line 5), as in llex.c. Every node therefore
// records:
//
//	Line     the line of its first token (ls->linenumber when the parser
//	         started on it);
//	EndLine  the line of its last token (ls->lastline just after it).
//
// and nodes add the lines of the inner tokens at which lparser.c emits code
// or calls luaK_fixline (OpLine, ThenLine, DoLine, Commas...). Empty
// statements (';') are not kept.

// Span is the pair of lines every node carries.
type Span struct {
	Line    int // line of the node's first token
	EndLine int // line of the node's last token
}

// Pos returns the node's lines.
func (s Span) Pos() Span { return s }

// Node is any node of the tree.
type Node interface {
	Pos() Span
}

// Expr is an expression node: one of *Nil, *True, *False, *Integer, *Float,
// *String, *Vararg, *Name, *Index, *Call, *MethodCall, *Function, *Paren,
// *Table, *Unary, *Binary.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node: one of *Local, *LocalFunction, *FunctionStmt,
// *Assign, *CallStmt, *Do, *While, *Repeat, *If, *NumericFor, *GenericFor,
// *Return, *Break, *Goto, *Label.
type Stmt interface {
	Node
	stmtNode()
}

// Chunk is a parsed chunk. Main is the main function: vararg, no
// parameters, LineDefined and LastLineDefined 0, Line 0.
type Chunk struct {
	Source string // the chunk name given to Parse ("@x.lua", "=stdin", source text)
	Main   *Function
}

// Block is a sequence of statements: a function body or the body of
// do/while/for/repeat/if. It has its own scope (lparser.c's BlockCnt); for
// Repeat the until expression is inside the block's scope.
type Block struct {
	Stmts []Stmt
	// StartLine is ls->lastline when the block began: the line of the token
	// before its first statement ('do', 'then', 'else', 'repeat', the ')' of
	// a parameter list; 1 for a main chunk, as lastline starts at 1).
	StartLine int
	// EndLine is ls->lastline when the block ended: the line of its last
	// token, or StartLine when it is empty.
	EndLine int
	// FollowLine is the line of the token that ended the block ('end',
	// 'until', 'else', 'elseif', '<eof>'): ls->linenumber at leaveblock
	// time for most blocks.
	FollowLine int
}

// ----------------------------------------------------------------------------
// Expressions

// Nil is the constant nil.
type Nil struct{ Span }

// True is the constant true.
type True struct{ Span }

// False is the constant false.
type False struct{ Span }

// Integer is an integer numeral (hex numerals already wrapped to 64 bits).
// Numerals never carry a sign: "-1" is Unary{OpNeg, Integer{1}}, and the
// code generator folds constants as lcode.c does.
type Integer struct {
	Span
	Value int64
}

// Float is a float numeral (including decimal integers that overflow int64).
type Float struct {
	Span
	Value float64
}

// String is a string literal, escapes decoded; also the key of a.b, a:b and
// {b = ...} (then Line is the name's line).
type String struct {
	Span
	Value string
}

// Vararg is '...'. The parser has already checked that the enclosing
// function is vararg.
type Vararg struct{ Span }

// Name is a variable reference, unresolved: the code generator resolves it
// to a local, an upvalue or _ENV.Name, as lparser.c's singlevar does.
type Name struct {
	Span
	Name string
}

// Index is Obj[Key] or Obj.Name (then Key is a *String). Line is Obj's
// first line; EndLine the line of ']' or of the name. lparser.c calls
// luaK_exp2anyregup(Obj) with lastline = Obj.EndLine, then luaK_indexed
// with lastline = EndLine.
type Index struct {
	Span
	Obj Expr
	Key Expr
}

// Call is a function call Fn(Args). Line is the first line of the whole
// suffixed expression (lparser.c's suffixedexp records it before
// primaryexp; funcargs calls luaK_fixline with it on the CALL). EndLine is
// the line of ')' or of the string/table argument, when the last argument
// is put in a register.
type Call struct {
	Span
	Fn   Expr
	Args []Expr
	// Commas[i] is the line of the ',' after Args[i] (len(Args)-1 entries
	// for a parenthesised list; lparser.c's explist puts Args[i] in the next
	// register after consuming it).
	Commas []int
	// ArgKind tells how the arguments were written.
	ArgKind ArgKind
}

// ArgKind is the syntax of a call's arguments.
type ArgKind uint8

// The syntaxes of call arguments.
const (
	ArgsParen  ArgKind = iota // f(a, b)
	ArgsString                // f"s", f[[s]]: Args is one *String
	ArgsTable                 // f{...}: Args is one *Table
)

// MethodCall is Obj:Name(Args). Line as for Call; NameLine is the line of
// the method name (luaK_self is emitted just after it).
type MethodCall struct {
	Span
	Obj      Expr
	Name     string
	NameLine int
	Args     []Expr
	Commas   []int
	ArgKind  ArgKind
}

// Function is a function body: a function expression, the function of a
// FunctionStmt or LocalFunction, or a chunk's main function.
type Function struct {
	Span // Line: the 'function' keyword (for a main function, 0)
	// LineDefined is lparser.c's linedefined: the 'function' keyword's line
	// for a FunctionStmt, the line of the '(' after the name for a
	// LocalFunction and after 'function' for a function expression (where
	// lparser.c reads ls->linenumber); 0 for a main function.
	LineDefined int
	// LastLineDefined is the line of the closing 'end' (0 for a main
	// function). The CLOSURE instruction is emitted with lastline at it.
	LastLineDefined int
	// IsMethod is set for "function a.b:m()": a first parameter "self" is
	// implied and is NOT in Params.
	IsMethod bool
	Params   []string
	IsVararg bool
	Body     *Block
	// CloseLine is ls->linenumber when close_func runs: the line of the
	// token after 'end' (after the last token for a main function: the line
	// of '<eof>'). Errors raised then (undefined gotos) carry this line.
	CloseLine int
}

// Paren is a parenthesised expression: it truncates calls and varargs to
// one value. EndLine is the line of ')' (luaK_dischargevars runs there).
type Paren struct {
	Span
	X Expr
}

// Table is a table constructor; Line is the line of '{', EndLine of '}'.
type Table struct {
	Span
	Fields []Field // in source order
}

// FieldKind is the kind of a table constructor item.
type FieldKind uint8

// The kinds of table constructor items.
const (
	FieldList  FieldKind = iota // a positional item: {v}
	FieldNamed                  // {name = v}: Key is a *String
	FieldExpr                   // {[k] = v}
)

// Field is one item of a table constructor.
type Field struct {
	Kind  FieldKind
	Key   Expr // nil for FieldList
	Value Expr
	// Line is the item's first line; for FieldNamed and FieldExpr, EqLine
	// is the line of '=' (the key is put in RK after it).
	Line   int
	EqLine int
	// SepLine is the line of the ',' or ';' after the item, 0 when none
	// (closelistfield runs after the separator is consumed).
	SepLine int
}

// Unary is Op X; Line is the operator's line (luaK_prefix's line).
type Unary struct {
	Span
	Op UnOp
	X  Expr
}

// Binary is L Op R. Line is L's first line; OpLine the operator's line,
// at which luaK_infix emits code and to which luaK_posfix fixes the line
// of the operation.
type Binary struct {
	Span
	Op     BinOp
	L, R   Expr
	OpLine int
}

// UnOp is a unary operator; the order is lparser.c's UnOpr.
type UnOp uint8

// The unary operators.
const (
	OpNeg  UnOp = iota // -
	OpBNot             // ~
	OpNot              // not
	OpLen              // #
)

// BinOp is a binary operator; the order is lparser.c's BinOpr (so the
// arithmetic ones map to OP_ADD.. in order).
type BinOp uint8

// The binary operators.
const (
	OpAdd    BinOp = iota // +
	OpSub                 // -
	OpMul                 // *
	OpMod                 // %
	OpPow                 // ^
	OpDiv                 // /
	OpIDiv                // //
	OpBAnd                // &
	OpBOr                 // |
	OpBXor                // ~
	OpShl                 // <<
	OpShr                 // >>
	OpConcat              // ..
	OpEq                  // ==
	OpLt                  // <
	OpLe                  // <=
	OpNe                  // ~=
	OpGt                  // >
	OpGe                  // >=
	OpAnd                 // and
	OpOr                  // or
)

var unOpNames = [...]string{"-", "~", "not", "#"}

var binOpNames = [...]string{"+", "-", "*", "%", "^", "/", "//", "&", "|",
	"~", "<<", ">>", "..", "==", "<", "<=", "~=", ">", ">=", "and", "or"}

// String returns the operator as written.
func (op UnOp) String() string { return unOpNames[op] }

// String returns the operator as written.
func (op BinOp) String() string { return binOpNames[op] }

// Precedence returns the operator's left and right priorities (lparser.c's
// priority table): or 1, and 2, comparisons 3, | 4, ~ 5, & 6, shifts 7,
// .. 9/8 (right associative), + - 10, * / // % 11, unary 12, ^ 14/13
// (right associative).
func (op BinOp) Precedence() (left, right int) {
	p := binPriority[op]
	return int(p[0]), int(p[1])
}

// UnaryPrecedence is the priority of the unary operators.
const UnaryPrecedence = 12

var binPriority = [...][2]uint8{
	{10, 10}, {10, 10}, // + -
	{11, 11}, {11, 11}, // * %
	{14, 13},           // ^
	{11, 11}, {11, 11}, // / //
	{6, 6}, {4, 4}, {5, 5}, // & | ~
	{7, 7}, {7, 7}, // << >>
	{9, 8},                 // ..
	{3, 3}, {3, 3}, {3, 3}, // == < <=
	{3, 3}, {3, 3}, {3, 3}, // ~= > >=
	{2, 2}, {1, 1}, // and or
}

// ----------------------------------------------------------------------------
// Statements

// Local is "local n1, n2 = e1, e2". Exprs is empty without '='. EndLine is
// the line of the last expression's last token (or of the last name), where
// adjust_assign emits its code.
type Local struct {
	Span
	Names  []string
	Exprs  []Expr
	Commas []int // lines of the ',' between Exprs
}

// LocalFunction is "local function Name body". Func.LineDefined is the
// line of the '(' after the name, as in lparser.c.
type LocalFunction struct {
	Span
	Name string
	Func *Function
}

// FunctionStmt is "function a.b.c:m() body". Target is the name path as an
// expression: a *Name, or *Index nodes with *String keys (the method name
// included, with Func.IsMethod set), evaluated as lparser.c's funcname
// does. The store is fixed to Line (the 'function' keyword).
type FunctionStmt struct {
	Span
	Target Expr
	Func   *Function
}

// Assign is "t1, t2 = e1, e2". Targets are *Name or *Index (the parser
// reports "syntax error" for anything else). EndLine is the last value's
// last line, where the stores are emitted.
type Assign struct {
	Span
	Targets []Expr
	Exprs   []Expr
	Commas  []int // lines of the ',' between Exprs
}

// CallStmt is a call used as a statement (its results are discarded).
// Call is a *Call or *MethodCall.
type CallStmt struct {
	Span
	Call Expr
}

// Do is "do Body end"; EndLine is the line of 'end'.
type Do struct {
	Span
	Body *Block
}

// While is "while Cond do Body end"; DoLine is the line of 'do', EndLine
// of 'end'.
type While struct {
	Span
	Cond   Expr
	DoLine int
	Body   *Block
}

// Repeat is "repeat Body until Cond"; Cond is in Body's scope. UntilLine
// is the line of 'until'; EndLine the last line of Cond.
type Repeat struct {
	Span
	Body      *Block
	UntilLine int
	Cond      Expr
}

// If is "if c1 then b1 elseif c2 then b2 else b3 end".
type If struct {
	Span
	Clauses []IfClause // at least one: the 'if' and then the 'elseif's
	Else    *Block     // nil without 'else'
	// ElseLine is the line of 'else' (0 without). EndLine is the line of
	// 'end'.
	ElseLine int
}

// IfClause is one "if/elseif Cond then Body". Line is the line of the
// 'if'/'elseif' keyword, ThenLine of 'then' (the test is emitted there).
// When Body starts with a Goto or Break, lparser.c's test_then_block
// compiles the jump specially (luaK_goiffalse); when that is the whole
// body (len(Body.Stmts) == 1) it also emits no jump over the rest of the
// if statement.
type IfClause struct {
	Line     int
	Cond     Expr
	ThenLine int
	Body     *Block
}

// NumericFor is "for Var = Start, Limit, Step do Body end". Step is nil
// when absent (then the default step 1 is loaded with lastline =
// Limit.EndLine). Line is the 'for' line (FORLOOP is fixed to it), DoLine
// the 'do' line (FORPREP), EndLine the 'end' line.
type NumericFor struct {
	Span
	Var                string
	VarLine            int
	Start, Limit, Step Expr
	Commas             []int // lines of the ',' after Start and Limit
	DoLine             int
	Body               *Block
}

// GenericFor is "for n1, n2 in e1, e2 do Body end". ExprLine is the line of
// the first token after 'in' (TFORCALL and TFORLOOP are fixed to it);
// DoLine the 'do' line; EndLine the 'end' line.
type GenericFor struct {
	Span
	Names    []string
	Exprs    []Expr
	Commas   []int
	ExprLine int
	DoLine   int
	Body     *Block
}

// Return is "return e1, e2". It is always the last statement of its block.
// EndLine is the line of the last token of the expressions (or of
// 'return'), not of a following ';'.
type Return struct {
	Span
	Exprs  []Expr
	Commas []int
}

// Break is 'break' (lparser.c treats it as "goto break"). lparser.c emits
// the jump before consuming 'break', i.e. with the previous token's line.
type Break struct{ Span }

// Goto is "goto Label". As for Break, the jump is emitted before 'goto' is
// consumed. Line is the 'goto' line (recorded in the goto list).
type Goto struct {
	Span
	Label string
}

// Label is "::Name::". Line is the line of the first '::' (recorded in the
// label list). A label followed only by other labels up to the end of its
// block is "the last no-op statement in the block" for lparser.c (its
// nactvar is the block's). The parser already reports "label 'x' already
// defined on line N" (labels in the same block).
type Label struct {
	Span
	Name string
}

func (*Nil) exprNode()        {}
func (*True) exprNode()       {}
func (*False) exprNode()      {}
func (*Integer) exprNode()    {}
func (*Float) exprNode()      {}
func (*String) exprNode()     {}
func (*Vararg) exprNode()     {}
func (*Name) exprNode()       {}
func (*Index) exprNode()      {}
func (*Call) exprNode()       {}
func (*MethodCall) exprNode() {}
func (*Function) exprNode()   {}
func (*Paren) exprNode()      {}
func (*Table) exprNode()      {}
func (*Unary) exprNode()      {}
func (*Binary) exprNode()     {}

func (*Local) stmtNode()         {}
func (*LocalFunction) stmtNode() {}
func (*FunctionStmt) stmtNode()  {}
func (*Assign) stmtNode()        {}
func (*CallStmt) stmtNode()      {}
func (*Do) stmtNode()            {}
func (*While) stmtNode()         {}
func (*Repeat) stmtNode()        {}
func (*If) stmtNode()            {}
func (*NumericFor) stmtNode()    {}
func (*GenericFor) stmtNode()    {}
func (*Return) stmtNode()        {}
func (*Break) stmtNode()         {}
func (*Goto) stmtNode()          {}
func (*Label) stmtNode()         {}
