package compat

import (
	"fmt"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// MaxInteger and MinInteger are math.maxinteger and math.mininteger: the
// bounds of the integers a float64 holds exactly (Lua 5.3 has 64-bit
// integers; see "Lua 5.3 compatibility" in README.md).
const (
	MaxInteger = 1<<53 - 1
	MinInteger = -(1 << 53)
)

func openMath(L *lua.LState) {
	m := libTable(L, "math")
	m.RawSetString("huge", lua.LNumber(math.Inf(1)))
	m.RawSetString("maxinteger", lua.LNumber(MaxInteger))
	m.RawSetString("mininteger", lua.LNumber(MinInteger))
	m.RawSetString("type", L.NewFunction(func(L *lua.LState) int {
		v := L.CheckAny(1)
		n, ok := v.(lua.LNumber)
		switch {
		case !ok:
			L.Push(lua.LNil)
		case isIntegral(float64(n)):
			L.Push(lua.LString("integer"))
		default:
			L.Push(lua.LString("float"))
		}
		return 1
	}))
	m.RawSetString("tointeger", L.NewFunction(func(L *lua.LState) int {
		v := L.CheckAny(1)
		if f, ok := toNumber(v); ok && isIntegral(f) {
			L.Push(lua.LNumber(f))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}))
	m.RawSetString("ult", L.NewFunction(func(L *lua.LState) int {
		a := checkInteger(L, 1)
		b := checkInteger(L, 2)
		L.Push(lua.LBool(uint64(a) < uint64(b)))
		return 1
	}))
	m.RawSetString("log", L.NewFunction(func(L *lua.LState) int {
		x := checkNumber(L, 1)
		var r float64
		if L.Get(2) == lua.LNil {
			r = math.Log(x)
		} else {
			switch b := checkNumber(L, 2); b {
			case 2:
				r = math.Log2(x)
			case 10:
				r = math.Log10(x)
			default:
				r = math.Log(x) / math.Log(b)
			}
		}
		L.Push(lua.LNumber(r))
		return 1
	}))
	m.RawSetString("atan", L.NewFunction(func(L *lua.LState) int {
		y := checkNumber(L, 1)
		x := 1.0
		if L.Get(2) != lua.LNil {
			x = checkNumber(L, 2)
		}
		L.Push(lua.LNumber(math.Atan2(y, x)))
		return 1
	}))
	m.RawSetString("fmod", L.NewFunction(func(L *lua.LState) int {
		a := checkNumber(L, 1)
		b := checkNumber(L, 2)
		if isIntegral(a) && isIntegral(b) && b == 0 {
			L.ArgError(2, "zero")
		}
		L.Push(lua.LNumber(math.Mod(a, b)))
		return 1
	}))
}

// numberString formats a number as Lua 5.3's tostring does ("%.14g" for
// floats, "inf", "nan"), except that integral floats print as integers
// (see "Lua 5.3 compatibility" in README.md).
func numberString(f float64) string {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case isIntegral(f):
		return strconv.FormatInt(int64(f), 10)
	}
	return fmt.Sprintf("%.14g", f)
}
