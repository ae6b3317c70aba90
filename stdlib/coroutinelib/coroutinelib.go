// Package coroutinelib is Lua 5.3's coroutine library (lcorolib.c) on
// the engine's goroutine-backed coroutines.
package coroutinelib

import (
	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Open returns the coroutine library table.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 8)
	lua.SetFuncs(t, map[string]lua.GoFunc{
		"create":      create,
		"isyieldable": isYieldable,
		"resume":      resume,
		"running":     running,
		"status":      status,
		"wrap":        wrap,
		"yield":       yield,
	})
	return t
}

func checkCo(L *lua.State, i int) *lua.State {
	co := L.Arg(i).AsThread()
	if co == nil {
		L.ArgError(i, "thread expected")
	}
	return co
}

func create(L *lua.State) int {
	f := L.CheckFunction(1)
	_, v := L.NewThread(f)
	L.Push(v)
	return 1
}

// auxResume resumes co with the arguments from index first on and
// pushes its results; it returns their count, or -1 and pushes the
// error value.
func auxResume(L *lua.State, co *lua.State, first int) int {
	n := L.NArgs() - first + 1
	res, err := L.Resume(co, n)
	if err != nil {
		if e, ok := err.(*lua.Error); ok {
			L.Push(e.Value)
		} else {
			L.PushString(err.Error())
		}
		return -1
	}
	for _, v := range res {
		L.Push(v)
	}
	return len(res)
}

func resume(L *lua.State) int {
	co := checkCo(L, 1)
	base := L.NArgs()
	r := auxResume(L, co, 2)
	if r < 0 {
		L.Insert(L.NArgs(), lua.False)
		return 2
	}
	L.Insert(L.NArgs()-r+1, lua.True)
	_ = base
	return r + 1
}

func wrap(L *lua.State) int {
	f := L.CheckFunction(1)
	co, v := L.NewThread(f)
	fn := lua.GoFunctionValue(&lua.GoFunction{Name: "wrap", Upvalues: []lua.Value{v}, Fn: func(L *lua.State) int {
		r := auxResume(L, co, 1)
		if r < 0 {
			e := L.Arg(L.NArgs())
			if s, ok := e.AsString(); ok {
				e = lua.String(L.Where(1) + s)
			}
			L.Throw(e)
		}
		return r
	}})
	L.Push(fn)
	return 1
}

func yield(L *lua.State) int { return L.Yield(L.NArgs()) }

func status(L *lua.State) int {
	co := checkCo(L, 1)
	L.PushString(L.Status(co).String())
	return 1
}

func running(L *lua.State) int {
	L.Push(L.Value())
	L.PushBool(L == L.MainThread())
	return 2
}

func isYieldable(L *lua.State) int {
	L.PushBool(L.IsYieldable())
	return 1
}
