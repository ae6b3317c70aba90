package lua

import (
	"fmt"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// Arguments of Go functions. Indices are 1-based as in the C API.

// NArgs returns the number of arguments of the running Go function
// (the same as Top while nothing was pushed).
func (L *State) NArgs() int { return L.top - L.ci.base }

// Arg returns argument i, or nil when absent.
func (L *State) Arg(i int) Value { return L.Get(i) }

// IsNoneOrNil reports whether argument i is absent or nil.
func (L *State) IsNoneOrNil(i int) bool { return L.Get(i).p == nil }

// CheckAny raises "value expected" when argument i is absent.
func (L *State) CheckAny(i int) Value {
	if i > L.Top() {
		L.ArgError(i, "value expected")
	}
	return L.Get(i)
}

// CheckType raises a type error when argument i is not of type t.
func (L *State) CheckType(i int, t Type) Value {
	v := L.Get(i)
	if v.Type() != t || (i > L.Top()) {
		L.TypeError(i, t.String())
	}
	return v
}

// CheckInteger returns argument i as an integer (luaL_checkinteger).
func (L *State) CheckInteger(i int) int64 {
	v := L.Get(i)
	if v.p == pInt {
		return v.int()
	}
	n, ok := v.ToInteger()
	if !ok {
		if _, isNum := v.ToNumber(); isNum {
			L.ArgError(i, "number has no integer representation")
		}
		L.TypeError(i, "number")
	}
	return n
}

// OptInteger returns argument i as an integer, or def when absent or nil.
func (L *State) OptInteger(i int, def int64) int64 {
	if L.Get(i).p == nil {
		return def
	}
	return L.CheckInteger(i)
}

// CheckNumber returns argument i as a float (luaL_checknumber).
func (L *State) CheckNumber(i int) float64 {
	f, ok := L.Get(i).ToFloat()
	if !ok {
		L.TypeError(i, "number")
	}
	return f
}

// OptNumber returns argument i as a float, or def when absent or nil.
func (L *State) OptNumber(i int, def float64) float64 {
	if L.Get(i).p == nil {
		return def
	}
	return L.CheckNumber(i)
}

// CheckNumberValue returns argument i as a number value (integer or float,
// strings converted).
func (L *State) CheckNumberValue(i int) Value {
	n, ok := L.Get(i).ToNumber()
	if !ok {
		L.TypeError(i, "number")
	}
	return n
}

// CheckString returns argument i as a string; numbers are converted
// (luaL_checklstring).
func (L *State) CheckString(i int) string {
	v := L.Get(i)
	if v.kind() == kString {
		return v.str()
	}
	s, ok := v.ToString()
	if !ok {
		L.TypeError(i, "string")
	}
	return s
}

// OptString returns argument i as a string, or def when absent or nil.
func (L *State) OptString(i int, def string) string {
	if L.Get(i).p == nil {
		return def
	}
	return L.CheckString(i)
}

// CheckTable returns argument i as a table.
func (L *State) CheckTable(i int) *Table {
	t := L.Get(i).AsTable()
	if t == nil {
		L.TypeError(i, "table")
	}
	return t
}

// CheckFunction raises a type error unless argument i is a function.
func (L *State) CheckFunction(i int) Value {
	v := L.Get(i)
	if !v.IsFunction() {
		L.TypeError(i, "function")
	}
	return v
}

// OptBool returns argument i's truth, or def when absent.
func (L *State) OptBool(i int, def bool) bool {
	if i > L.Top() {
		return def
	}
	return L.Get(i).Truthy()
}

// CheckOption returns the index in options of string argument i
// (luaL_checkoption); def is used when the argument is absent (unless "").
func (L *State) CheckOption(i int, def string, options []string) int {
	var name string
	if def != "" && L.Get(i).p == nil {
		name = def
	} else {
		name = L.CheckString(i)
	}
	for j, o := range options {
		if o == name {
			return j
		}
	}
	L.ArgError(i, fmt.Sprintf("invalid option '%s'", name))
	return -1
}

// CheckUserdata returns argument i's userdata when its metatable is the
// registry's metatable named tname, or raises a type error (luaL_checkudata).
func (L *State) CheckUserdata(i int, tname string) *Userdata {
	u := L.TestUserdata(i, tname)
	if u == nil {
		L.TypeError(i, tname)
	}
	return u
}

// TestUserdata returns argument i's userdata if its metatable is the
// registry's tname metatable, or nil (luaL_testudata).
func (L *State) TestUserdata(i int, tname string) *Userdata {
	u := L.Get(i).AsUserdata()
	if u == nil || u.meta == nil {
		return nil
	}
	if mt := L.g.registry.GetStr(tname).AsTable(); mt != u.meta {
		return nil
	}
	return u
}

// NewMetatable returns the registry's metatable named tname, creating it
// with __name set; created is false when it already existed.
func (L *State) NewMetatable(tname string) (mt *Table, created bool) {
	if t := L.g.registry.GetStr(tname).AsTable(); t != nil {
		return t, false
	}
	mt = NewTable(0, 2)
	mt.SetStr("__name", String(tname))
	L.g.registry.SetStr(tname, TableValue(mt))
	return mt, true
}

// NewUserdata returns a userdata holding data with metatable mt.
func NewUserdata(data any, mt *Table) *Userdata { return &Userdata{Data: data, meta: mt} }

// UserValue returns u's user value.
func (u *Userdata) UserValue() Value { return u.userValue }

// SetUserValue sets u's user value.
func (u *Userdata) SetUserValue(v Value) { u.userValue = v }

// Pushing results.

// PushInt pushes an integer.
func (L *State) PushInt(i int64) { L.Push(Int(i)) }

// PushFloat pushes a float.
func (L *State) PushFloat(f float64) { L.Push(Float(f)) }

// PushString pushes a string.
func (L *State) PushString(s string) { L.Push(String(s)) }

// PushBool pushes a boolean.
func (L *State) PushBool(b bool) { L.Push(Bool(b)) }

// PushNil pushes nil.
func (L *State) PushNil() { L.Push(Nil) }

// PushFail pushes nil and msg and returns 2: the usual "nil, message"
// failure of library functions.
func (L *State) PushFail(msg string) int {
	L.Push(Nil)
	L.Push(String(msg))
	return 2
}

// CallValue calls f with args and returns its results (all of them when
// nresults is MultRet). Errors propagate as Lua errors.
func (L *State) CallValue(f Value, nresults int, args ...Value) []Value {
	fn := L.top
	L.ensureStack(len(args) + 1)
	L.stack[L.top] = f
	L.top++
	for _, a := range args {
		L.stack[L.top] = a
		L.top++
	}
	L.call(fn, nresults)
	res := make([]Value, L.top-fn)
	copy(res, L.stack[fn:L.top])
	L.top = fn
	return res
}

// Call1 calls f with args and returns its first result.
func (L *State) Call1(f Value, args ...Value) Value {
	fn := L.top
	L.ensureStack(len(args) + 1)
	L.stack[L.top] = f
	L.top++
	for _, a := range args {
		L.stack[L.top] = a
		L.top++
	}
	L.call(fn, 1)
	L.top = fn
	return L.stack[fn]
}

// SetFuncs sets each Go function of fns as a field of t. The names are
// interned: Lua code looks library functions up with interned constants,
// which then match by address.
func SetFuncs(t *Table, fns map[string]GoFunc) {
	for name, fn := range fns {
		name = intern(name)
		t.SetStr(name, NewGoFunction(name, fn))
	}
}

// Loading chunks.

// LoadMode restricts which chunks Load accepts: "t" text, "b" binary,
// "bt" both.

// LoadChunk compiles a text or binary chunk into a function whose _ENV
// is env (the globals when env is nil). mode is "b", "t" or "bt". Errors
// are returned with lua5.3's messages.
func (L *State) LoadChunk(chunk []byte, chunkName, mode string, env *Value) (Value, error) {
	var p *code.Proto
	if len(chunk) > 0 && chunk[0] == 0x1b {
		if !strings.Contains(mode, "b") {
			return Nil, &Error{Value: String(fmt.Sprintf("attempt to load a binary chunk (mode is '%s')", mode))}
		}
		var err error
		p, err = code.Undump(chunk, chunkName)
		if err != nil {
			return Nil, &Error{Value: String(err.Error())}
		}
	} else {
		if !strings.Contains(mode, "t") {
			return Nil, &Error{Value: String(fmt.Sprintf("attempt to load a text chunk (mode is '%s')", mode))}
		}
		if L.g.compile == nil {
			return Nil, &Error{Value: String("no compiler installed in this Lua state")}
		}
		var err error
		p, err = L.g.compile(chunk, chunkName)
		if err != nil {
			return Nil, &Error{Value: String(err.Error())}
		}
	}
	f := L.Load(NewPrototype(p))
	if env != nil {
		if lf := f.AsLuaFunction(); len(lf.upvals) > 0 {
			lf.upvals[0].closed = *env
		}
	}
	return f, nil
}

// DoString compiles and runs src, returning its results or its error
// (with the error value as the message).
func (L *State) DoString(src, chunkName string) ([]Value, error) {
	f, err := L.LoadChunk([]byte(src), chunkName, "bt", nil)
	if err != nil {
		return nil, err
	}
	return L.PCallValue(f)
}

// PCallValue calls f with args in protected mode and returns its results
// or the error.
func (L *State) PCallValue(f Value, args ...Value) (res []Value, err error) {
	fn := L.top
	L.ensureStack(len(args) + 1)
	L.stack[L.top] = f
	L.top++
	for _, a := range args {
		L.stack[L.top] = a
		L.top++
	}
	if err := L.pcallAt(fn, MultRet, 0); err != nil {
		return nil, err
	}
	res = make([]Value, L.top-fn)
	copy(res, L.stack[fn:L.top])
	L.top = fn
	return res, nil
}

// Upvalues of Lua functions (debug.getupvalue and friends).

// GetUpvalue returns the name and value of upvalue n (1-based) of f;
// ok is false when there is no such upvalue. Go functions have none.
func GetUpvalue(f Value, n int) (name string, v Value, ok bool) {
	if gf := f.AsGoFunction(); gf != nil {
		if n < 1 || n > len(gf.Upvalues) {
			return "", Nil, false
		}
		return "", gf.Upvalues[n-1], true
	}
	lf := f.AsLuaFunction()
	if lf == nil || n < 1 || n > len(lf.upvals) {
		return "", Nil, false
	}
	name = lf.proto.Upvalues[n-1].Name
	if name == "" {
		name = "(*no name)"
	}
	return name, *lf.upvals[n-1].v, true
}

// SetUpvalue assigns upvalue n of f and returns its name.
func SetUpvalue(f Value, n int, v Value) (string, bool) {
	if gf := f.AsGoFunction(); gf != nil {
		if n < 1 || n > len(gf.Upvalues) {
			return "", false
		}
		gf.Upvalues[n-1] = v
		return "", true
	}
	lf := f.AsLuaFunction()
	if lf == nil || n < 1 || n > len(lf.upvals) {
		return "", false
	}
	*lf.upvals[n-1].v = v
	name := lf.proto.Upvalues[n-1].Name
	if name == "" {
		name = "(*no name)"
	}
	return name, true
}

// UpvalueID returns an identity for upvalue n of f (debug.upvalueid).
func UpvalueID(f Value, n int) (uintptr, bool) {
	lf := f.AsLuaFunction()
	if lf == nil || n < 1 || n > len(lf.upvals) {
		return 0, false
	}
	return uintptr(ptrOf(lf.upvals[n-1])), true
}

// UpvalueJoin makes upvalue n1 of f1 refer to upvalue n2 of f2.
func UpvalueJoin(f1 Value, n1 int, f2 Value, n2 int) bool {
	l1, l2 := f1.AsLuaFunction(), f2.AsLuaFunction()
	if l1 == nil || l2 == nil || n1 < 1 || n1 > len(l1.upvals) || n2 < 1 || n2 > len(l2.upvals) {
		return false
	}
	l1.upvals[n1-1] = l2.upvals[n2-1]
	return true
}

// Locals of active functions (debug.getlocal/setlocal).

// GetLocal returns the name and value of local n of the function at
// frame d; negative n names varargs. ok is false for no such local.
func (L *State) GetLocal(d *Debug, n int) (string, Value, bool) {
	name, idx := L.findLocal(d.ci, n)
	if idx < 0 {
		return "", Nil, false
	}
	return name, L.stack[idx], true
}

// SetLocal assigns local n of the function at frame d.
func (L *State) SetLocal(d *Debug, n int, v Value) (string, bool) {
	name, idx := L.findLocal(d.ci, n)
	if idx < 0 {
		return "", false
	}
	L.stack[idx] = v
	return name, true
}

func (L *State) findLocal(ci *callInfo, n int) (string, int) {
	if ci == nil {
		return "", -1
	}
	if ci.lf != nil {
		p := ci.lf.proto
		if n < 0 {
			nextra := ci.base - ci.fn - 1 - p.NumParams
			if !p.IsVararg || -n > nextra {
				return "", -1
			}
			return "(*vararg)", ci.base - nextra + (-n) - 1
		}
		if name := p.LocalName(n, ci.pc-1); name != "" {
			return name, ci.base + n - 1
		}
	}
	limit := L.top
	if ci != L.ci {
		limit = ci.next.fn
	}
	if n > 0 && ci.base+n-1 < limit {
		if ci.lf != nil {
			return "(*temporary)", ci.base + n - 1
		}
		return "(*temporary)", ci.base + n - 1
	}
	return "", -1
}

// LocalName returns the name of parameter n of a function not running
// (debug.getlocal with a function argument), or "".
func LocalName(f Value, n int) string {
	lf := f.AsLuaFunction()
	if lf == nil {
		return ""
	}
	return lf.proto.LocalName(n, 0)
}

// Insert moves the values at frame index i and above up by one and puts
// v at i.
func (L *State) Insert(i int, v Value) {
	L.Push(Nil)
	idx := L.ci.base + i - 1
	copy(L.stack[idx+1:L.top], L.stack[idx:L.top-1])
	L.stack[idx] = v
}
