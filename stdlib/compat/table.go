package compat

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

func openTable(L *lua.LState) {
	t := libTable(L, "table")
	t.RawSetString("pack", L.NewFunction(tablePack))
	t.RawSetString("unpack", L.NewFunction(tableUnpack))
	t.RawSetString("move", L.NewFunction(tableMove))
	t.RawSetString("concat", L.NewFunction(tableConcat))
}

// geti reads t[i] honouring __index, with a fast path for plain tables.
func geti(L *lua.LState, t lua.LValue, i int64) lua.LValue {
	if tb, ok := t.(*lua.LTable); ok && tb.Metatable == lua.LNil {
		return tb.RawGetInt(int(i))
	}
	return L.GetTable(t, lua.LNumber(i))
}

func seti(L *lua.LState, t lua.LValue, i int64, v lua.LValue) {
	if tb, ok := t.(*lua.LTable); ok && tb.Metatable == lua.LNil {
		tb.RawSetInt(int(i), v)
		return
	}
	L.SetTable(t, lua.LNumber(i), v)
}

func tablePack(L *lua.LState) int {
	n := L.GetTop()
	t := L.CreateTable(n, 1)
	for i := 1; i <= n; i++ {
		t.RawSetInt(i, L.Get(i))
	}
	t.RawSetString("n", lua.LNumber(n))
	L.Push(t)
	return 1
}

func tableUnpack(L *lua.LState) int {
	t := L.Get(1)
	i := optInteger(L, 2, 1)
	var j int64
	if L.Get(3) == lua.LNil {
		j = int64(L.ObjLen(t))
	} else {
		j = checkInteger(L, 3)
	}
	if i > j {
		return 0
	}
	n := j - i + 1
	if n <= 0 || n >= 1000000 {
		L.RaiseError("too many results to unpack")
	}
	for k := i; k <= j; k++ {
		L.Push(geti(L, t, k))
	}
	return int(n)
}

func tableMove(L *lua.LState) int {
	a1 := L.CheckAny(1)
	f := checkInteger(L, 2)
	e := checkInteger(L, 3)
	t := checkInteger(L, 4)
	a2 := a1
	if L.GetTop() >= 5 && L.Get(5) != lua.LNil {
		a2 = L.Get(5)
	}
	if e >= f {
		if !(f > 0 || e < (1<<63-1)+f) {
			L.ArgError(3, "too many elements to move")
		}
		if t > (1<<63-1)-(e-f) {
			L.ArgError(4, "destination wrap around")
		}
		if t > e || t <= f || a1 != a2 {
			for i := int64(0); i <= e-f; i++ {
				seti(L, a2, t+i, geti(L, a1, f+i))
			}
		} else {
			for i := e - f; i >= 0; i-- {
				seti(L, a2, t+i, geti(L, a1, f+i))
			}
		}
	}
	L.Push(a2)
	return 1
}

func tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := optInteger(L, 3, 1)
	var j int64
	if L.Get(4) == lua.LNil {
		j = int64(L.ObjLen(t))
	} else {
		j = checkInteger(L, 4)
	}
	var sb strings.Builder
	for k := i; k <= j; k++ {
		v := geti(L, t, k)
		switch v.(type) {
		case lua.LString, lua.LNumber:
			sb.WriteString(v.String())
		default:
			L.RaiseError("%s", fmt.Sprintf("invalid value (%s) at index %d in table for 'concat'", v.Type().String(), k))
		}
		if k != j {
			sb.WriteString(sep)
		}
	}
	L.Push(lua.LString(sb.String()))
	return 1
}
