package lua53

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"local x = 1\nlocal y\nx, y (= 2", "app.lua:3:7: unexpected symbol near '='"},
		{"x = = 1", "app.lua:1:5: unexpected symbol near '='"},
		{"x = 1 +", "app.lua:1:8: unexpected symbol near <eof>"},
		{"if x then", "app.lua:1:10: 'end' expected near <eof>"},
		{"while true do\n\nx()", "app.lua:3:4: 'end' expected (to close 'while' at line 1) near <eof>"},
		{"f(", "app.lua:1:3: unexpected symbol near <eof>"},
		{"x = 3x", "app.lua:1:5: malformed number near '3x'"},
		{"x = 0x", "app.lua:1:5: malformed number near '0x'"},
		{"x = 1..2", "app.lua:1:5: malformed number near '1..2'"},
		{"s = 'abc", "app.lua:1:5: unfinished string near <eof>"},
		{"s = 'ab\nc'", "app.lua:1:5: unfinished string near ''ab'"},
		{`s = "\q"`, `app.lua:1:5: invalid escape sequence near '"\q'`},
		{`s = "\xZZ"`, `app.lua:1:5: hexadecimal digit expected near '"\xZ'`},
		{`s = "\300"`, `app.lua:1:5: decimal escape too large near '"\300"'`},
		{`s = "\u{110000}"`, `app.lua:1:5: UTF-8 value too large near '"\u{110000'`},
		{`s = "\u123"`, `app.lua:1:5: missing '{' near '"\u1'`},
		{"s = [[abc", "app.lua:1:5: unfinished long string near <eof>"},
		{"--[[ abc", "app.lua:1:1: unfinished long comment near <eof>"},
		{"x = @", "app.lua:1:5: unexpected symbol near '@'"},
		{"return 1\nx = 2", "app.lua:2:1: <eof> expected near 'x'"},
		{"function f() return ... end", "app.lua:1:21: cannot use '...' outside a vararg function near '...'"},
		{"local t <const> = 1", "app.lua:1:9: '=' expected near '<'"},
		{"x.y:z = 1", "app.lua:1:7: function arguments expected near '='"},
		{"f() = 1", "app.lua:1:5: syntax error near '='"},
		{"(x) = 1", "app.lua:1:5: syntax error near '='"},
		{"x", "app.lua:1:2: syntax error near <eof>"},
		{"goto = 1", "app.lua:1:6: <name> expected near '='"},
		{"for i do end", "app.lua:1:7: '=' or 'in' expected near 'do'"},
		{"::a:", "app.lua:1:4: '::' expected near ':'"},
		{"x = {1, 2", "app.lua:1:10: '}' expected near <eof>"},
		{"x = a ~= ~ b", ""},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src), "@app.lua")
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q: unexpected error %v", tt.src, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: no error, want %q", tt.src, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.src, err.Error(), tt.want)
		}
		if _, ok := err.(*SyntaxError); !ok {
			t.Errorf("%q: error is %T, want *SyntaxError", tt.src, err)
		}
	}
}

func TestDeepNestingIsAnError(t *testing.T) {
	src := "x = " + strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000)
	if _, err := Parse([]byte(src), "deep"); err == nil || !strings.Contains(err.Error(), "too many syntax levels") {
		t.Fatalf("want a syntax-levels error, got %v", err)
	}
}

// TestGlobalFastPath checks that chunks that never mention _ENV keep plain
// global access, and that chunks that do get the hidden _ENV local.
func TestGlobalFastPath(t *testing.T) {
	stmts, err := Parse([]byte("x = y + 1"), "fast")
	if err != nil {
		t.Fatal(err)
	}
	as, ok := stmts[0].(*ast.AssignStmt)
	if len(stmts) != 1 || !ok {
		t.Fatalf("want a single assignment, got %#v", stmts)
	}
	if id, ok := as.Lhs[0].(*ast.IdentExpr); !ok || id.Value != "x" {
		t.Fatalf("global target should stay an IdentExpr, got %#v", as.Lhs[0])
	}
	proto, err := lua.Compile(stmts, "fast")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(proto.String(), "GETGLOBAL") || !strings.Contains(proto.String(), "SETGLOBAL") {
		t.Fatalf("expected GETGLOBAL/SETGLOBAL in:\n%s", proto.String())
	}

	stmts, err = Parse([]byte("local e = _ENV\nx = y"), "env")
	if err != nil {
		t.Fatal(err)
	}
	proto, err = lua.Compile(stmts, "env")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(proto.String(), "GETGLOBAL") || strings.Contains(proto.String(), "SETGLOBAL") {
		t.Fatalf("a chunk using _ENV must not use global instructions:\n%s", proto.String())
	}
}

// TestRequireCallsVisible checks the AST shape mbbuild's require scanner
// relies on: require("x") and require "x" are calls of the name require.
func TestRequireCallsVisible(t *testing.T) {
	stmts, err := Parse([]byte("local a = require('mod.a')\nrequire 'b'\nlocal c = 1 // 2"), "req")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	visit := func(e ast.Expr) {
		if c, ok := e.(*ast.FuncCallExpr); ok {
			if id, ok := c.Func.(*ast.IdentExpr); ok && id.Value == "require" {
				names = append(names, c.Args[0].(*ast.StringExpr).Value)
			}
		}
	}
	for _, s := range stmts {
		switch st := s.(type) {
		case *ast.LocalAssignStmt:
			for _, e := range st.Exprs {
				visit(e)
			}
		case *ast.FuncCallStmt:
			visit(st.Expr)
		}
	}
	if strings.Join(names, ",") != "mod.a,b" {
		t.Fatalf("require calls = %v", names)
	}
}

func TestNumerals(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10", 10, true}, {"010", 10, true}, {"0x10", 16, true}, {"0xffffffffffffffff", -1, true},
		{"0x7fffffffffffffff", 9223372036854775807, true}, {"1e2", 100, true}, {".5", 0.5, true},
		{"5.", 5, true}, {"0x.8", 0.5, true}, {"0x1p4", 16, true}, {"0x1P-2", 0.25, true},
		{"9223372036854775808", 9223372036854775808, true}, {"1e", 0, false}, {"0x", 0, false},
		{"1.2.3", 0, false}, {"0x1p", 0, false}, {"1_000", 0, false}, {"0b101", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseNumeral(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseNumeral(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestArith(t *testing.T) {
	tests := []struct {
		op   Op
		a, b float64
		want float64
		err  error
	}{
		{OpIDiv, 7, 2, 3, nil}, {OpIDiv, -7, 2, -4, nil}, {OpIDiv, 7, -2, -4, nil}, {OpIDiv, 7.5, 2, 3, nil},
		{OpIDiv, 1, 0, 0, ErrIDivZero}, {OpIDiv, 0.5, 0, 0, nil},
		{OpBand, 12, 10, 8, nil}, {OpBor, 12, 10, 14, nil}, {OpBxor, 12, 10, 6, nil},
		{OpShl, 1, 62, 1 << 62, nil}, {OpShl, 1, 64, 0, nil}, {OpShr, -1, 60, 15, nil},
		{OpShr, 1, -3, 8, nil}, {OpBnot, 0, 0, -1, nil}, {OpBand, 1.5, 1, 0, ErrNoInteger},
		{OpBor, 1, 1e19, 0, ErrNoInteger},
	}
	for _, tt := range tests {
		got, err := Arith(tt.op, tt.a, tt.b)
		if err != tt.err || (err == nil && got != tt.want && !(tt.op == OpIDiv && tt.b == 0)) {
			t.Errorf("Arith(%d, %v, %v) = %v, %v; want %v, %v", tt.op, tt.a, tt.b, got, err, tt.want, tt.err)
		}
	}
}
