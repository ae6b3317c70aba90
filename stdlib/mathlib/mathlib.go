// Package mathlib is Lua 5.3's math library (lmathlib.c) for the
// moonbridge engine, as Debian's lua5.3 builds it: with the
// LUA_COMPAT_MATHLIB functions (cosh, sinh, tanh, pow, frexp, ldexp,
// log10, atan2) and with math.random drawing from a reimplementation of
// glibc's random(), so that math.randomseed(n) followed by math.random
// calls gives the same numbers as lua5.3 on glibc systems (and so does
// math.random without a seed: glibc starts as if seeded with 1).
//
// Integer/float results follow lmathlib.c: floor, ceil and modf return
// integers when the value fits, abs, fmod, max and min keep integers.
// The transcendental functions come from runtime/lua/luamath, which
// rounds them correctly and so agrees with glibc's libm except where
// glibc itself is off (mostly sinh, cosh, tanh and log10; see luamath's
// tests).
package mathlib

import (
	"math"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/runtime/lua/luamath"
)

// Open returns the math library. Each call has its own random generator,
// seeded as glibc's random() is at program start.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 36)
	rng := newGlibcRandom(1)
	fns := []struct {
		name string
		fn   lua.GoFunc
	}{
		{"abs", mathAbs},
		{"ceil", mathCeil},
		{"floor", mathFloor},
		{"fmod", mathFmod},
		{"modf", mathModf},
		{"sqrt", float1NaN(math.Sqrt, nanNeg)},
		{"exp", float1(luamath.Exp)},
		{"sin", float1(luamath.Sin)},
		{"cos", float1(luamath.Cos)},
		{"tan", float1(luamath.Tan)},
		{"asin", float1(luamath.Asin)},
		{"acos", float1(luamath.Acos)},
		{"atan", mathAtan},
		{"log", mathLog},
		{"deg", func(L *lua.State) int { L.PushFloat(L.CheckNumber(1) * (180.0 / math.Pi)); return 1 }},
		{"rad", func(L *lua.State) int { L.PushFloat(L.CheckNumber(1) * (math.Pi / 180.0)); return 1 }},
		{"max", mathMax},
		{"min", mathMin},
		{"tointeger", mathToInteger},
		{"type", mathType},
		{"ult", mathUlt},
		{"random", rng.luaRandom},
		{"randomseed", rng.luaRandomseed},
		// LUA_COMPAT_MATHLIB
		{"cosh", float1(luamath.Cosh)},
		{"sinh", float1(luamath.Sinh)},
		{"tanh", float1(luamath.Tanh)},
		{"pow", mathPow},
		{"frexp", mathFrexp},
		{"ldexp", mathLdexp},
		{"log10", float1(luamath.Log10)},
		{"atan2", mathAtan},
	}
	for _, f := range fns {
		t.SetStr(f.name, lua.NewGoFunction(f.name, f.fn))
	}
	t.SetStr("pi", lua.Float(math.Pi))
	t.SetStr("huge", lua.Float(math.Inf(1)))
	t.SetStr("maxinteger", lua.Int(math.MaxInt64))
	t.SetStr("mininteger", lua.Int(math.MinInt64))
	return t
}

// nanNeg is the NaN result of an invalid operation for sqrt, fmod and
// log's division: glibc propagates a NaN argument (keeping its sign) and
// returns the x86 default NaN, whose sign bit is set ("-nan"), for an
// invalid operation; Go's functions return math.NaN() (positive)
// instead. (luamath's functions already give glibc's NaNs.)
var nanNeg = math.Float64frombits(0xfff8000000000000)

// fixNaN returns r, or when r is NaN what glibc would return: the first
// NaN argument, else invalid.
func fixNaN(r, invalid float64, args ...float64) float64 {
	if r == r {
		return r
	}
	for _, a := range args {
		if a != a {
			return math.Float64frombits(math.Float64bits(a) | 1<<51) // quieted
		}
	}
	return invalid
}

// float1 makes a function of one float argument.
func float1(f func(float64) float64) lua.GoFunc {
	return func(L *lua.State) int {
		L.PushFloat(f(L.CheckNumber(1)))
		return 1
	}
}

// float1NaN is float1 for a function whose NaN results need fixNaN.
func float1NaN(f func(float64) float64, invalid float64) lua.GoFunc {
	return func(L *lua.State) int {
		x := L.CheckNumber(1)
		L.PushFloat(fixNaN(f(x), invalid, x))
		return 1
	}
}

// pushNumInt pushes d as an integer when it fits one, else as a float
// (lmathlib.c's pushnumint).
func pushNumInt(L *lua.State, d float64) {
	if d >= -(1<<63) && d < 1<<63 {
		L.PushInt(int64(d))
		return
	}
	L.PushFloat(d)
}

func mathAbs(L *lua.State) int {
	if n, ok := L.Get(1).AsInt(); ok {
		if n < 0 {
			n = int64(0 - uint64(n))
		}
		L.PushInt(n)
		return 1
	}
	L.PushFloat(math.Abs(L.CheckNumber(1)))
	return 1
}

func mathFloor(L *lua.State) int {
	if v := L.Get(1); v.IsInt() {
		L.Push(v)
		return 1
	}
	pushNumInt(L, math.Floor(L.CheckNumber(1)))
	return 1
}

func mathCeil(L *lua.State) int {
	if v := L.Get(1); v.IsInt() {
		L.Push(v)
		return 1
	}
	pushNumInt(L, math.Ceil(L.CheckNumber(1)))
	return 1
}

func mathFmod(L *lua.State) int {
	a, b := L.Get(1), L.Get(2)
	if x, ok := a.AsInt(); ok {
		if d, ok := b.AsInt(); ok {
			if uint64(d)+1 <= 1 { // special cases: -1 or 0
				if d == 0 {
					L.ArgError(2, "zero")
				}
				L.PushInt(0) // avoids overflow with mininteger % -1
				return 1
			}
			L.PushInt(x % d) // C's %: truncated
			return 1
		}
	}
	// lua5.3 (gcc) evaluates the second argument check first.
	y := L.CheckNumber(2)
	x := L.CheckNumber(1)
	L.PushFloat(fixNaN(math.Mod(x, y), nanNeg, x, y))
	return 1
}

func mathModf(L *lua.State) int {
	if v := L.Get(1); v.IsInt() {
		L.Push(v)
		L.PushFloat(0)
		return 2
	}
	n := L.CheckNumber(1)
	var ip float64
	if n < 0 {
		ip = math.Ceil(n)
	} else {
		ip = math.Floor(n)
	}
	pushNumInt(L, ip)
	if n == ip {
		L.PushFloat(0) // also for inf and -inf
	} else {
		L.PushFloat(n - ip)
	}
	return 2
}

func mathAtan(L *lua.State) int {
	y := L.CheckNumber(1)
	x := L.OptNumber(2, 1)
	L.PushFloat(luamath.Atan2(y, x))
	return 1
}

func mathLog(L *lua.State) int {
	x := L.CheckNumber(1)
	var res float64
	if L.IsNoneOrNil(2) {
		res = luamath.Log(x)
	} else {
		base := L.CheckNumber(2)
		switch base {
		case 2:
			res = luamath.Log2(x)
		case 10:
			res = luamath.Log10(x)
		default:
			a := luamath.Log(x)
			b := luamath.Log(base)
			res = fixNaN(a/b, nanNeg, a, b)
		}
	}
	L.PushFloat(res)
	return 1
}

func mathPow(L *lua.State) int {
	x, y := L.CheckNumber(1), L.CheckNumber(2)
	L.PushFloat(luamath.Pow(x, y))
	return 1
}

func mathFrexp(L *lua.State) int {
	m, e := math.Frexp(L.CheckNumber(1))
	L.PushFloat(m)
	L.PushInt(int64(e))
	return 2
}

func mathLdexp(L *lua.State) int {
	x := L.CheckNumber(1)
	e := L.CheckInteger(2)
	L.PushFloat(math.Ldexp(x, int(int32(e)))) // C casts the exponent to int
	return 1
}

func mathMax(L *lua.State) int {
	n := L.NArgs()
	if n < 1 {
		L.ArgError(1, "value expected")
	}
	imax := 1
	for i := 2; i <= n; i++ {
		if L.LessThan(L.Get(imax), L.Get(i)) {
			imax = i
		}
	}
	L.Push(L.Get(imax))
	return 1
}

func mathMin(L *lua.State) int {
	n := L.NArgs()
	if n < 1 {
		L.ArgError(1, "value expected")
	}
	imin := 1
	for i := 2; i <= n; i++ {
		if L.LessThan(L.Get(i), L.Get(imin)) {
			imin = i
		}
	}
	L.Push(L.Get(imin))
	return 1
}

// mathToInteger converts like lua_tointegerx: integers, floats with an
// integral value and strings that convert to those (lua5.3 accepts
// strings here; 5.4 does not).
func mathToInteger(L *lua.State) int {
	if n, ok := L.Get(1).ToInteger(); ok {
		L.PushInt(n)
		return 1
	}
	L.CheckAny(1)
	L.PushNil()
	return 1
}

func mathType(L *lua.State) int {
	v := L.Get(1)
	switch {
	case v.IsInt():
		L.PushString("integer")
	case v.IsFloat():
		L.PushString("float")
	default:
		L.CheckAny(1)
		L.PushNil()
	}
	return 1
}

func mathUlt(L *lua.State) int {
	a, b := L.CheckInteger(1), L.CheckInteger(2)
	L.PushBool(uint64(a) < uint64(b))
	return 1
}
