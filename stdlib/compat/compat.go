// Package compat installs into a gopher-lua state the Lua 5.2/5.3 library
// functions gopher-lua (a Lua 5.1 VM) lacks, and the runtime helpers that
// code lowered by compiler/lua53 calls for the operators the VM has no
// instruction for ("//", bitwise operators, _ENV).
//
// It changes only library tables of the state it is given; it must not
// keep global Go state, start goroutines or touch the process (apart from
// os.exit, which exits as Lua's does).
package compat

import (
	"fmt"
	"math"
	"strings"

	"github.com/moonbridge-go/moonbridge/compiler/lua53"
	lua "github.com/yuin/gopher-lua"
)

// Options returns the lua.Options states should be created with: a call
// stack deep enough for deeply recursive code (grown on demand) and a data
// stack that may grow to a million slots, so that large tables, long
// argument lists and 200,000-element table.concat calls work.
func Options() lua.Options {
	return lua.Options{
		// The frame stack grows on demand, but its segment index is
		// allocated for the maximum at once (one pointer per 8 frames):
		// 40,000 frames cost 40 KiB per state, 200,000 would cost 200 KiB,
		// which matters with thousands of goroutine workers.
		CallStackSize:       40000,
		RegistrySize:        1024, // grows on demand; every slot costs 16 bytes per state
		RegistryMaxSize:     1000000,
		RegistryGrowStep:    1024,
		MinimizeStackMemory: true,
	}
}

// Open installs the Lua 5.2/5.3 library functions missing from gopher-lua
// into L, and the helper functions that lowered 5.3 operators call. Call it
// after L.OpenLibs() and before any application code runs.
func Open(L *lua.LState) {
	openHelpers(L)
	openBase(L)
	openString(L)
	openTable(L)
	openMath(L)
	openUTF8(L)
	openCoroutine(L)
	openOS(L)
	openPackage(L)
}

// libTable returns the global library table name, creating it if needed.
func libTable(L *lua.LState, name string) *lua.LTable {
	if t, ok := L.GetGlobal(name).(*lua.LTable); ok {
		return t
	}
	t := L.NewTable()
	L.SetGlobal(name, t)
	return t
}

// openHelpers stores the operator helpers in the string library table,
// where lowered chunks find them through the string metatable.
func openHelpers(L *lua.LState) {
	h := L.NewTable()
	h.RawSetString(lua53.HelperIDiv, L.NewFunction(binaryHelper(lua53.OpIDiv, "__idiv", "perform arithmetic on")))
	h.RawSetString(lua53.HelperBand, L.NewFunction(binaryHelper(lua53.OpBand, "__band", "perform bitwise operation on")))
	h.RawSetString(lua53.HelperBor, L.NewFunction(binaryHelper(lua53.OpBor, "__bor", "perform bitwise operation on")))
	h.RawSetString(lua53.HelperBxor, L.NewFunction(binaryHelper(lua53.OpBxor, "__bxor", "perform bitwise operation on")))
	h.RawSetString(lua53.HelperShl, L.NewFunction(binaryHelper(lua53.OpShl, "__shl", "perform bitwise operation on")))
	h.RawSetString(lua53.HelperShr, L.NewFunction(binaryHelper(lua53.OpShr, "__shr", "perform bitwise operation on")))
	h.RawSetString(lua53.HelperBnot, L.NewFunction(bnotHelper))
	h.RawSetString(lua53.HelperEnv, L.NewFunction(callerEnv))
	libTable(L, "string").RawSetString(lua53.HelperTableKey, h)
}

// toNumber converts a number or a numeric string, as Lua's arithmetic does.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return lua53.StringToNumber(string(x))
	}
	return 0, false
}

func binaryHelper(op lua53.Op, event, verb string) lua.LGFunction {
	return func(L *lua.LState) int {
		a, b := L.Get(1), L.Get(2)
		x, xok := toNumber(a)
		y, yok := toNumber(b)
		if xok && yok {
			if op == lua53.OpIDiv {
				r, err := lua53.Arith(op, x, y)
				if err != nil {
					L.RaiseError("%s", err.Error())
				}
				L.Push(lua.LNumber(r))
				return 1
			}
			if r, err := lua53.Arith(op, x, y); err == nil {
				L.Push(lua.LNumber(r))
				return 1
			}
		}
		mm := L.GetMetaField(a, event)
		if mm == lua.LNil {
			mm = L.GetMetaField(b, event)
		}
		if mm != lua.LNil {
			L.Push(mm)
			L.Push(a)
			L.Push(b)
			L.Call(2, 1)
			return 1
		}
		if xok && yok {
			L.RaiseError("%s", lua53.ErrNoInteger.Error())
		}
		bad := a
		if xok {
			bad = b
		}
		if op != lua53.OpIDiv {
			if _, isNum := bad.(lua.LNumber); isNum {
				L.RaiseError("%s", lua53.ErrNoInteger.Error())
			}
		}
		L.RaiseError("attempt to %s a %s value", verb, bad.Type().String())
		return 0
	}
}

func bnotHelper(L *lua.LState) int {
	a := L.Get(1)
	if x, ok := toNumber(a); ok {
		if r, err := lua53.Arith(lua53.OpBnot, x, 0); err == nil {
			L.Push(lua.LNumber(r))
			return 1
		}
	}
	if mm := L.GetMetaField(a, "__bnot"); mm != lua.LNil {
		L.Push(mm)
		L.Push(a)
		L.Push(a)
		L.Call(2, 1)
		return 1
	}
	if _, ok := toNumber(a); ok {
		L.RaiseError("%s", lua53.ErrNoInteger.Error())
	}
	L.RaiseError("attempt to perform bitwise operation on a %s value", a.Type().String())
	return 0
}

// callerEnv returns the environment table of the Lua function that called
// it (a chunk binding its implicit _ENV).
func callerEnv(L *lua.LState) int {
	dbg, ok := L.GetStack(1)
	if !ok {
		L.Push(L.G.Global)
		return 1
	}
	fn, err := L.GetInfo("f", dbg, lua.LNil)
	if f, isFn := fn.(*lua.LFunction); err == nil && isFn && f.Env != nil {
		L.Push(f.Env)
		return 1
	}
	L.Push(L.G.Global)
	return 1
}

// checkInteger returns argument n as an integer, accepting integral floats
// and numeric strings as Lua 5.3 does.
func checkInteger(L *lua.LState, n int) int64 {
	v := L.Get(n)
	f, ok := toNumber(v)
	if !ok {
		if v == lua.LNil && n > L.GetTop() {
			L.ArgError(n, "number expected, got no value")
		}
		L.ArgError(n, fmt.Sprintf("number expected, got %s", typeName(L, v)))
	}
	i, ok := lua53.ToInteger(f)
	if !ok {
		L.ArgError(n, "number has no integer representation")
	}
	return i
}

func optInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInteger(L, n)
}

func typeName(L *lua.LState, v lua.LValue) string {
	if s, ok := L.GetMetaField(v, "__name").(lua.LString); ok {
		return string(s)
	}
	return v.Type().String()
}

// isIntegral reports whether a number is one Lua 5.3 would hold as an
// integer in our float-only representation (see "Lua 5.3 compatibility" in README.md).
func isIntegral(f float64) bool {
	_, ok := lua53.ToInteger(f)
	return ok && !math.IsInf(f, 0)
}

func trimSpace(s string) string { return strings.Trim(s, " \t\n\v\f\r") }
