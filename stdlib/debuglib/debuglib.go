// Package debuglib is Lua 5.3's debug library (ldblib.c) for the engine
// runtime/lua: introspection of active functions and closures
// (getinfo, getlocal, getupvalue, ...), hooks, tracebacks and the
// debug.debug prompt. Messages are lua5.3's.
package debuglib

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"weak"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Stdin is where debug.debug reads its commands. It is read byte by
// byte, so that nothing beyond the current line is consumed.
var Stdin io.Reader = os.Stdin

// Open returns the debug library table.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 16)
	for _, f := range []struct {
		name string
		fn   lua.GoFunc
	}{
		{"debug", dbDebug},
		{"getuservalue", dbGetUserValue},
		{"gethook", dbGetHook},
		{"getinfo", dbGetInfo},
		{"getlocal", dbGetLocal},
		{"getregistry", dbGetRegistry},
		{"getmetatable", dbGetMetatable},
		{"getupvalue", dbGetUpvalue},
		{"upvaluejoin", dbUpvalueJoin},
		{"upvalueid", dbUpvalueID},
		{"setuservalue", dbSetUserValue},
		{"sethook", dbSetHook},
		{"setlocal", dbSetLocal},
		{"setmetatable", dbSetMetatable},
		{"setupvalue", dbSetUpvalue},
		{"traceback", dbTraceback},
	} {
		t.SetStr(f.name, lua.NewGoFunction(f.name, f.fn))
	}
	return t
}

// getThread returns the thread the function works on and the offset of
// its other arguments: (L1, 1) with a thread first argument, (L, 0)
// otherwise.
func getThread(L *lua.State) (*lua.State, int) {
	if co := L.Arg(1).AsThread(); co != nil {
		return co, 1
	}
	return L, 0
}

func optString(s string, ok bool) lua.Value {
	if !ok {
		return lua.Nil
	}
	return lua.String(s)
}

func dbGetRegistry(L *lua.State) int {
	L.Push(lua.TableValue(L.Registry()))
	return 1
}

func dbGetMetatable(L *lua.State) int {
	v := L.CheckAny(1)
	L.Push(lua.TableValue(L.Metatable(v)))
	return 1
}

func dbSetMetatable(L *lua.State) int {
	mv := L.Arg(2)
	if t := mv.Type(); (t != lua.TypeNil && t != lua.TypeTable) || L.NArgs() < 2 {
		L.ArgError(2, "nil or table expected")
	}
	// Tables get __mode and __gc as with setmetatable; other values
	// share their type's metatable.
	L.SetMetatable(L.Arg(1), mv.AsTable())
	L.SetTop(1)
	return 1
}

func dbGetUserValue(L *lua.State) int {
	u := L.Arg(1).AsUserdata()
	if u == nil {
		L.PushNil()
		return 1
	}
	L.Push(u.UserValue())
	return 1
}

func dbSetUserValue(L *lua.State) int {
	L.CheckType(1, lua.TypeUserdata)
	v := L.CheckAny(2)
	L.Arg(1).AsUserdata().SetUserValue(v)
	L.SetTop(1)
	return 1
}

// dbGetInfo is debug.getinfo([thread,] f [, what]).
func dbGetInfo(L *lua.State) int {
	L1, arg := getThread(L)
	options := L.OptString(arg+2, "flnStu")
	fv := L.Arg(arg + 1)
	var d *lua.Debug
	if fv.IsFunction() {
		d = L1.FuncInfo(fv)
	} else {
		level := L.CheckInteger(arg + 1)
		var ok bool
		if level < 0 || level > 1<<31-1 {
			ok = false
		} else {
			d, ok = L1.GetStack(int(level))
		}
		if !ok {
			L.PushNil()
			return 1
		}
	}
	for _, c := range options {
		if !strings.ContainsRune("SlutnLf", c) {
			L.ArgError(arg+2, "invalid option")
		}
	}
	t := lua.NewTable(0, 2)
	if strings.Contains(options, "S") {
		t.SetStr("source", lua.String(d.Source))
		t.SetStr("short_src", lua.String(d.ShortSrc))
		t.SetStr("linedefined", lua.Int(int64(d.LineDefined)))
		t.SetStr("lastlinedefined", lua.Int(int64(d.LastLineDefined)))
		t.SetStr("what", lua.String(d.What))
	}
	if strings.Contains(options, "l") {
		t.SetStr("currentline", lua.Int(int64(d.CurrentLine)))
	}
	if strings.Contains(options, "u") {
		t.SetStr("nups", lua.Int(int64(d.NumUpvalues)))
		t.SetStr("nparams", lua.Int(int64(d.NumParams)))
		t.SetStr("isvararg", lua.Bool(d.IsVararg))
	}
	if strings.Contains(options, "n") {
		t.SetStr("name", optString(d.Name, d.NameWhat != ""))
		t.SetStr("namewhat", lua.String(d.NameWhat))
	}
	if strings.Contains(options, "t") {
		t.SetStr("istailcall", lua.Bool(d.IsTailCall))
	}
	if strings.Contains(options, "L") {
		t.SetStr("activelines", activeLines(d.Func))
	}
	if strings.Contains(options, "f") {
		t.SetStr("func", d.Func)
	}
	L.Push(lua.TableValue(t))
	return 1
}

// activeLines is the set of lines with code of a Lua function, nil for
// a Go function.
func activeLines(f lua.Value) lua.Value {
	lf := f.AsLuaFunction()
	if lf == nil {
		return lua.Nil
	}
	t := lua.NewTable(0, 0)
	for _, line := range lf.Proto().LineInfo {
		t.SetInt(int64(line), lua.True)
	}
	return lua.TableValue(t)
}

// localName adapts the engine's names of temporaries to lua5.3's, which
// calls every unnamed slot "(*temporary)".
func localName(name string) string {
	if name == "(*C temporary)" {
		return "(*temporary)"
	}
	return name
}

func checkLevel(L, L1 *lua.State, arg int) *lua.Debug {
	level := L.CheckInteger(arg)
	if level >= 0 && level <= 1<<31-1 {
		if d, ok := L1.GetStack(int(level)); ok {
			return d
		}
	}
	L.ArgError(arg, "level out of range")
	return nil
}

// dbGetLocal is debug.getlocal([thread,] f, local).
func dbGetLocal(L *lua.State) int {
	L1, arg := getThread(L)
	n := int(L.CheckInteger(arg + 2))
	if f := L.Arg(arg + 1); f.IsFunction() {
		name := lua.LocalName(f, n)
		L.Push(optString(name, name != ""))
		return 1
	}
	d := checkLevel(L, L1, arg+1)
	name, v, ok := L1.GetLocal(d, n)
	if !ok {
		L.PushNil()
		return 1
	}
	L.PushString(localName(name))
	L.Push(v)
	return 2
}

// dbSetLocal is debug.setlocal([thread,] level, local, value).
func dbSetLocal(L *lua.State) int {
	L1, arg := getThread(L)
	L.CheckInteger(arg + 1)
	n := int(L.CheckInteger(arg + 2))
	d := checkLevel(L, L1, arg+1)
	v := L.CheckAny(arg + 3)
	name, ok := L1.SetLocal(d, n, v)
	L.Push(optString(localName(name), ok))
	return 1
}

func dbGetUpvalue(L *lua.State) int {
	n := int(L.CheckInteger(2))
	f := L.CheckType(1, lua.TypeFunction)
	name, v, ok := lua.GetUpvalue(f, n)
	if !ok {
		return 0
	}
	L.PushString(name)
	L.Push(v)
	return 2
}

func dbSetUpvalue(L *lua.State) int {
	v := L.CheckAny(3)
	n := int(L.CheckInteger(2))
	f := L.CheckType(1, lua.TypeFunction)
	name, ok := lua.SetUpvalue(f, n, v)
	if !ok {
		return 0
	}
	L.PushString(name)
	return 1
}

// checkUpvalue checks arguments argf (a function) and argn (the index
// of one of its upvalues).
func checkUpvalue(L *lua.State, argf, argn int) (lua.Value, int) {
	n := L.CheckInteger(argn)
	f := L.CheckType(argf, lua.TypeFunction)
	if _, _, ok := lua.GetUpvalue(f, int(n)); !ok {
		L.ArgError(argn, "invalid upvalue index")
	}
	return f, int(n)
}

// upvalueIDs maps an upvalue's identity to the userdata debug.upvalueid
// returned for it, so that the same upvalue always gives the same value
// while that value lives (lua5.3 returns a light userdata).
var upvalueIDs = map[uintptr]weak.Pointer[lua.Userdata]{}

func dbUpvalueID(L *lua.State) int {
	f, n := checkUpvalue(L, 1, 2)
	id, _ := lua.UpvalueID(f, n)
	if wp, ok := upvalueIDs[id]; ok {
		if u := wp.Value(); u != nil {
			L.Push(lua.UserdataValue(u))
			return 1
		}
	}
	if len(upvalueIDs) > 1024 {
		for k, wp := range upvalueIDs {
			if wp.Value() == nil {
				delete(upvalueIDs, k)
			}
		}
	}
	u := lua.NewUserdata(id, nil)
	upvalueIDs[id] = weak.Make(u)
	L.Push(lua.UserdataValue(u))
	return 1
}

func dbUpvalueJoin(L *lua.State) int {
	f1, n1 := checkUpvalue(L, 1, 2)
	f2, n2 := checkUpvalue(L, 3, 4)
	if f1.AsLuaFunction() == nil {
		L.ArgError(1, "Lua function expected")
	}
	if f2.AsLuaFunction() == nil {
		L.ArgError(3, "Lua function expected")
	}
	lua.UpvalueJoin(f1, n1, f2, n2)
	return 0
}

// Hooks. The Lua hook functions are kept per thread in a table in the
// registry (as ldblib.c's HOOKKEY table), keyed by the thread's State.

type hookTable struct{ fns map[*lua.State]lua.Value }

const hookKey = "_HOOKKEY"

func hooks(L *lua.State) *hookTable {
	reg := L.Registry()
	if u := reg.GetStr(hookKey).AsUserdata(); u != nil {
		if h, ok := u.Data.(*hookTable); ok {
			return h
		}
	}
	h := &hookTable{fns: map[*lua.State]lua.Value{}}
	reg.SetStr(hookKey, lua.UserdataValue(lua.NewUserdata(h, nil)))
	return h
}

var hookNames = [...]string{"call", "return", "line", "count", "tail call"}

// hookf is the engine hook that calls the thread's Lua hook function.
func hookf(L *lua.State, event, line int) {
	f, ok := hooks(L).fns[L]
	if !ok || !f.IsFunction() {
		return
	}
	lv := lua.Nil
	if line >= 0 {
		lv = lua.Int(int64(line))
	}
	L.CallValue(f, 0, lua.String(hookNames[event]), lv)
}

var hookfPC = reflect.ValueOf(lua.HookFunc(hookf)).Pointer()

func dbSetHook(L *lua.State) int {
	L1, arg := getThread(L)
	var fn lua.Value
	var mask, count int
	var hf lua.HookFunc
	if !L.IsNoneOrNil(arg + 1) {
		smask := L.CheckString(arg + 2)
		fn = L.CheckType(arg+1, lua.TypeFunction)
		count = int(L.OptInteger(arg+3, 0))
		if strings.Contains(smask, "c") {
			mask |= 1 << lua.HookCall
		}
		if strings.Contains(smask, "r") {
			mask |= 1 << lua.HookReturn
		}
		if strings.Contains(smask, "l") {
			mask |= 1 << lua.HookLine
		}
		if count > 0 {
			mask |= 1 << lua.HookCount
		}
		hf = hookf
	}
	h := hooks(L)
	if fn.IsNil() {
		delete(h.fns, L1)
	} else {
		h.fns[L1] = fn
	}
	L1.SetHook(hf, mask, count)
	return 0
}

func dbGetHook(L *lua.State) int {
	L1, _ := getThread(L)
	hf, mask, count := L1.Hook()
	switch {
	case hf == nil:
		L.PushNil()
	case reflect.ValueOf(hf).Pointer() != hookfPC:
		L.PushString("external hook")
	default:
		L.Push(hooks(L).fns[L1])
	}
	var b strings.Builder
	if mask&(1<<lua.HookCall) != 0 {
		b.WriteByte('c')
	}
	if mask&(1<<lua.HookReturn) != 0 {
		b.WriteByte('r')
	}
	if mask&(1<<lua.HookLine) != 0 {
		b.WriteByte('l')
	}
	L.PushString(b.String())
	L.PushInt(int64(count))
	return 3
}

// dbTraceback is debug.traceback([thread,] [message [, level]]).
func dbTraceback(L *lua.State) int {
	L1, arg := getThread(L)
	mv := L.Arg(arg + 1)
	msg, isStr := mv.ToString()
	if !isStr && !mv.IsNil() {
		L.Push(mv)
		return 1
	}
	def := int64(0)
	if L1 == L {
		def = 1
	}
	level := L.OptInteger(arg+2, def)
	if level < 0 { // lua_getstack fails at once: no levels
		L.PushString(traceHeader(msg, isStr) + "stack traceback:")
		return 1
	}
	tb := L1.Traceback("", int(min(level, 1<<31-1)))
	L.PushString(traceHeader(msg, isStr) + tb)
	return 1
}

func traceHeader(msg string, present bool) string {
	if !present {
		return ""
	}
	return msg + "\n"
}

// dbDebug is debug.debug: it runs the lines typed on standard input
// until one is "cont".
func dbDebug(L *lua.State) int {
	in := byteReader{Stdin}
	for {
		io.WriteString(L.Stderr(), "lua_debug> ")
		line, ok := readLine(in)
		if !ok || line == "cont\n" {
			return 0
		}
		f, err := L.LoadChunk([]byte(line), "=(debug command)", "bt", nil)
		if err == nil {
			_, err = L.PCallValue(f)
		}
		if err != nil {
			msg := "(null)"
			if e, isLua := err.(*lua.Error); isLua {
				if s, isStr := e.Value.ToString(); isStr {
					msg = s
				}
			} else {
				msg = err.Error()
			}
			fmt.Fprintf(L.Stderr(), "%s\n", msg)
		}
	}
}

// readLine reads as fgets with a 250-byte buffer does: up to and
// including a newline, at most 249 bytes.
func readLine(r io.ByteReader) (string, bool) {
	var b []byte
	for len(b) < 249 {
		c, err := r.ReadByte()
		if err != nil {
			break
		}
		b = append(b, c)
		if c == '\n' {
			break
		}
	}
	return string(b), len(b) > 0
}

// byteReader reads one byte at a time from r, so that debug.debug never
// reads ahead of the line it runs.
type byteReader struct{ r io.Reader }

func (b byteReader) ReadByte() (byte, error) {
	var c [1]byte
	for {
		n, err := b.r.Read(c[:])
		if n == 1 {
			return c[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}
