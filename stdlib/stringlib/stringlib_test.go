package stringlib

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// call calls string.name with args in protected mode.
func call(L *lua.State, lib *lua.Table, name string, args ...lua.Value) ([]lua.Value, error) {
	return L.PCallValue(lib.GetStr(name), args...)
}

func S(s string) lua.Value { return lua.String(s) }

func TestGsubFunction(t *testing.T) {
	L, lib := newState()
	var seen []string
	f := lua.NewGoFunction("f", func(L *lua.State) int {
		var parts []string
		for i := 1; i <= L.NArgs(); i++ {
			parts = append(parts, ser1(L.Arg(i)))
		}
		seen = append(seen, strings.Join(parts, ","))
		a, _ := L.Arg(1).AsString()
		switch a {
		case "keep":
			L.PushNil()
		case "no":
			L.PushBool(false)
		case "num":
			L.PushFloat(2.5)
		case "int":
			L.PushInt(7)
		case "tab":
			L.Push(lua.TableValue(lua.NewTable(0, 0)))
		case "yes":
			L.PushBool(true)
		default:
			L.PushString("<" + a + ">")
		}
		return 1
	})
	tests := []struct {
		s, p, want string
		n          int64
		calls      string
	}{
		{"hello world", "%w+", "<hello> <world>", 2, "s:hello|s:world"},
		{"keep no num int", "%w+", "keep no 2.5 7", 4, "s:keep|s:no|s:num|s:int"},
		{"ab", "()(.)", "<><>", 2, "i:1,s:a|i:2,s:b"},
		{"abc", "", "<>a<>b<>c<>", 4, "s:|s:|s:|s:"},
		{"k=v, x=y", "(%w)=(%w)", "<k>, <x>", 2, "s:k,s:v|s:x,s:y"},
	}
	for _, tc := range tests {
		seen = nil
		res, err := call(L, lib, "gsub", S(tc.s), S(tc.p), f)
		if err != nil {
			t.Errorf("gsub(%q, %q): %v", tc.s, tc.p, err)
			continue
		}
		got, _ := res[0].AsString()
		n, _ := res[1].AsInt()
		if got != tc.want || n != tc.n || strings.Join(seen, "|") != tc.calls {
			t.Errorf("gsub(%q, %q) = %q, %d (calls %s), want %q, %d (calls %s)", tc.s, tc.p, got, n, strings.Join(seen, "|"), tc.want, tc.n, tc.calls)
		}
	}
	for _, tc := range []struct{ s, want string }{
		{"tab", "invalid replacement value (a table)"},
		{"yes", "invalid replacement value (a boolean)"},
	} {
		_, err := call(L, lib, "gsub", S(tc.s), S("%w+"), f)
		if err == nil || err.Error() != tc.want {
			t.Errorf("gsub(%q): error %v, want %q", tc.s, err, tc.want)
		}
	}
	// An error in the callback propagates.
	boom := lua.NewGoFunction("boom", func(L *lua.State) int { L.Errorf("boom"); return 0 })
	if _, err := call(L, lib, "gsub", S("x"), S("x"), boom); err == nil || err.Error() != "boom" {
		t.Errorf("gsub with failing callback: %v", err)
	}
}

func TestGsubTableIndexMetamethod(t *testing.T) {
	L, lib := newState()
	tab := lua.NewTable(0, 0)
	mt := lua.NewTable(0, 1)
	mt.SetStr("__index", lua.NewGoFunction("idx", func(L *lua.State) int {
		k, _ := L.Arg(2).AsString()
		L.PushString(strings.ToUpper(k))
		return 1
	}))
	tab.SetMetatable(mt)
	tab.SetStr("b", S("bee"))
	res, err := call(L, lib, "gsub", S("a b c"), S("%a"), lua.TableValue(tab))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := res[0].AsString(); got != "A bee C" {
		t.Errorf("got %q", got)
	}
}

func TestFormatToString(t *testing.T) {
	L, lib := newState()
	tab := lua.NewTable(0, 0)
	mt := lua.NewTable(0, 1)
	mt.SetStr("__tostring", lua.NewGoFunction("ts", func(L *lua.State) int { L.PushString("OBJ"); return 1 }))
	tab.SetMetatable(mt)
	res, err := call(L, lib, "format", S("[%s|%5s|%-5s|%.1s]"), lua.TableValue(tab), lua.TableValue(tab), lua.TableValue(tab), lua.TableValue(tab))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := res[0].AsString(); got != "[OBJ|  OBJ|OBJ  |O]" {
		t.Errorf("got %q", got)
	}
	// Without __tostring: "table: 0x...".
	res, err = call(L, lib, "format", S("%s"), lua.TableValue(lua.NewTable(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := res[0].AsString(); !strings.HasPrefix(got, "table: 0x") {
		t.Errorf("got %q", got)
	}
	mt.SetStr("__tostring", lua.NewGoFunction("ts", func(L *lua.State) int { L.PushBool(true); return 1 }))
	if _, err := call(L, lib, "format", S("%s"), lua.TableValue(tab)); err == nil || err.Error() != "'__tostring' must return a string" {
		t.Errorf("bad __tostring: %v", err)
	}
}

func TestStringMetatable(t *testing.T) {
	L, lib := newState()
	mt := L.TypeMetatable(lua.TypeString)
	if mt == nil || mt.GetStr("__index").AsTable() != lib {
		t.Fatal("string metatable not installed")
	}
	up := L.Index(S("abc"), S("upper"))
	if !lua.RawEqual(up, lib.GetStr("upper")) {
		t.Fatal("(\"abc\").upper is not string.upper")
	}
	if s, _ := L.Call1(up, S("abc")).AsString(); s != "ABC" {
		t.Errorf("upper = %q", s)
	}
}

func TestGmatchCaptures(t *testing.T) {
	L, lib := newState()
	it := L.Call1(lib.GetStr("gmatch"), S("a=1, bb=22"), S("()(%a+)=(%d+)"))
	var got []string
	for {
		r := L.CallValue(it, lua.MultRet)
		if len(r) == 0 {
			break
		}
		got = append(got, ser(r))
	}
	want := "i:1 s:a s:1|i:6 s:bb s:22"
	if strings.Join(got, "|") != want {
		t.Errorf("got %s, want %s", strings.Join(got, "|"), want)
	}
	// The iterator keeps returning nothing once done.
	if r := L.CallValue(it, lua.MultRet); len(r) != 0 {
		t.Errorf("exhausted iterator returned %v", r)
	}
}

func TestDump(t *testing.T) {
	L, lib := newState()
	p := &code.Proto{
		Source:       "=test",
		MaxStackSize: 2,
		IsVararg:     true,
		Code:         []code.Instruction{code.CreateABC(code.OpReturn, 0, 1, 0)},
		LineInfo:     []int32{1},
		Upvalues:     []code.UpvalueDesc{{Name: "_ENV", InStack: true}},
	}
	f := L.Load(lua.NewPrototype(p))
	for _, strip := range []bool{false, true} {
		res, err := call(L, lib, "dump", f, lua.Bool(strip))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := res[0].AsString()
		if want := code.Dump(p, strip); !bytes.Equal([]byte(got), want) {
			t.Errorf("dump(strip=%v) differs from code.Dump", strip)
		}
		if _, err := code.Undump([]byte(got), "=x"); err != nil {
			t.Errorf("undump: %v", err)
		}
	}
}

// TestCancel checks that a match that backtracks for a very long time
// stops soon after the state is cancelled.
func TestCancel(t *testing.T) {
	L, lib := newState()
	subject := strings.Repeat("a", 200000)
	for _, fn := range []string{"find", "match", "gsub", "gmatch"} {
		L, lib = newState()
		timer := time.AfterFunc(30*time.Millisecond, func() { L.Cancel(S("timeout")) })
		start := time.Now()
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					e, ok := r.(*lua.Error)
					if !ok || !e.Cancelled() {
						panic(r)
					}
					err = e
				}
			}()
			if fn == "gmatch" {
				it := L.Call1(lib.GetStr("gmatch"), S(subject), S(".-.-b"))
				_, err = L.PCallValue(it)
				return err
			}
			args := []lua.Value{S(subject), S(".-.-b")}
			if fn == "gsub" {
				args = append(args, S("x"))
			}
			_, err = call(L, lib, fn, args...)
			return err
		}()
		timer.Stop()
		if err == nil {
			t.Errorf("%s: not cancelled", fn)
		} else if e, ok := err.(*lua.Error); !ok || !e.Cancelled() {
			t.Errorf("%s: error %v is not the cancellation", fn, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v to stop", fn, d)
		}
	}
}

func TestRepCancel(t *testing.T) {
	L, lib := newState()
	L.Cancel(S("stop"))
	// Small results are built at once; a long one checks for cancellation.
	if _, err := call(L, lib, "rep", S("x"), lua.Int(10)); err != nil {
		t.Fatalf("short rep: %v", err)
	}
	// The outermost protected call returns the cancellation.
	_, err := call(L, lib, "rep", S("x"), lua.Int(100000), S(","))
	if e, ok := err.(*lua.Error); !ok || !e.Cancelled() {
		t.Errorf("long rep not cancelled: %v", err)
	}
}
