package syntax

import "testing"

func TestSkipPrefix(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"#!/usr/bin/lua\nx = 1", "\nx = 1"},
		{"#only", "\n"},
		{"\xEF\xBB\xBF#c\r\nx", "\nx"},
		{"\xEF\xBB\xBFx = 1", "x = 1"},
		{"\xEF\xBBx", "\xEF\xBBx"},
		{"x = 1 # 2", "x = 1 # 2"},
		{"", ""},
	} {
		if got := string(SkipPrefix([]byte(c.in))); got != c.want {
			t.Errorf("SkipPrefix(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLines checks the lines recorded where lparser.c reads them.
func TestLines(t *testing.T) {
	src := "local function f\n(a)\nend\n" + // 1-3
		"function g.h:m()\nend\n" + // 4-5
		"x = function\n(...) return ... end\n" + // 6-7
		"y = a\n+\nb\n" + // 8-10
		"z = t.u\n(1,\n2\n)\n" + // 11-14
		"for k in\nnext do end\n" // 15-16
	c, err := Parse([]byte(src), "=t")
	if err != nil {
		t.Fatal(err)
	}
	st := c.Main.Body.Stmts
	lf := st[0].(*LocalFunction)
	if lf.Func.LineDefined != 2 || lf.Func.LastLineDefined != 3 || lf.Line != 1 {
		t.Errorf("local function: %+v", lf.Func)
	}
	fs := st[1].(*FunctionStmt)
	if fs.Func.LineDefined != 4 || !fs.Func.IsMethod || fs.Func.LastLineDefined != 5 {
		t.Errorf("function statement: %+v", fs.Func)
	}
	if m := fs.Target.(*Index); m.Key.(*String).Value != "m" || m.Obj.(*Index).Key.(*String).Value != "h" {
		t.Errorf("function name: %+v", fs.Target)
	}
	fe := st[2].(*Assign).Exprs[0].(*Function)
	if fe.LineDefined != 7 || fe.Line != 6 || !fe.IsVararg {
		t.Errorf("function expression: %+v", fe)
	}
	bin := st[3].(*Assign).Exprs[0].(*Binary)
	if bin.Line != 8 || bin.OpLine != 9 || bin.EndLine != 10 || bin.Op != OpAdd {
		t.Errorf("binary: %+v", bin)
	}
	call := st[4].(*Assign).Exprs[0].(*Call)
	if call.Line != 11 || call.EndLine != 14 || len(call.Commas) != 1 || call.Commas[0] != 12 {
		t.Errorf("call: %+v", call)
	}
	gf := st[5].(*GenericFor)
	if gf.ExprLine != 16 || gf.DoLine != 16 || gf.Line != 15 {
		t.Errorf("generic for: %+v", gf)
	}
	if c.Main.CloseLine != 17 || c.Main.Body.FollowLine != 17 {
		t.Errorf("main: close %d follow %d", c.Main.CloseLine, c.Main.Body.FollowLine)
	}
}
