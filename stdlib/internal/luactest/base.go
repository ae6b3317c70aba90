package luactest

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/moonbridge-go/moonbridge/compiler/codegen"
	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// OpenBase installs the compiler (compiler/codegen; luac5.3 through
// Compile when the environment has LUACTEST_LUAC=1, to tell the
// compiler's faults from a library's) and a minimal base library into L:
// print, pcall, xpcall, error, assert, tostring, type, select,
// setmetatable, getmetatable, rawequal, next, pairs, ipairs, and coroutine.create, resume,
// yield, status, wrap. package.loaded._G and package.loaded.coroutine
// are set as lua5.3 has them, so that names in messages match.
func OpenBase(L *lua.State) {
	if os.Getenv("LUACTEST_LUAC") == "1" {
		L.SetCompiler(Compile)
	} else {
		L.SetCompiler(codegen.Compile)
	}
	g := L.Globals()
	loaded := L.Registry().GetStr("_LOADED").AsTable()
	if loaded == nil {
		loaded = lua.NewTable(0, 8)
		L.Registry().SetStr("_LOADED", lua.TableValue(loaded))
	}
	loaded.SetStr("_G", lua.TableValue(g))
	g.SetStr("_G", lua.TableValue(g))
	lua.SetFuncs(g, map[string]lua.GoFunc{
		"print": func(L *lua.State) int {
			var b strings.Builder
			for i := 1; i <= L.NArgs(); i++ {
				if i > 1 {
					b.WriteByte('\t')
				}
				b.WriteString(L.ToStringMeta(L.Arg(i)))
			}
			b.WriteByte('\n')
			io.WriteString(L.Stdout(), b.String())
			return 0
		},
		"pcall": func(L *lua.State) int {
			L.CheckAny(1)
			args := make([]lua.Value, L.NArgs()-1)
			for i := range args {
				args[i] = L.Arg(i + 2)
			}
			res, err := L.PCallValue(L.Arg(1), args...)
			if err != nil {
				L.PushBool(false)
				L.Push(err.(*lua.Error).Value)
				return 2
			}
			L.PushBool(true)
			for _, v := range res {
				L.Push(v)
			}
			return len(res) + 1
		},
		"xpcall": func(L *lua.State) int {
			n := L.NArgs()
			L.CheckFunction(2)
			L.PushBool(true)
			mark := L.Top()
			L.Push(L.Arg(1))
			for i := 3; i <= n; i++ {
				L.Push(L.Arg(i))
			}
			if err := L.PCall(n-2, lua.MultRet, 2); err != nil {
				L.PushBool(false)
				L.Push(err.(*lua.Error).Value)
				return 2
			}
			return L.Top() - mark + 1
		},
		"error": func(L *lua.State) int {
			level := L.OptInteger(2, 1)
			v := L.Arg(1)
			if s, ok := v.AsString(); ok && level > 0 {
				v = lua.String(L.Where(int(level)) + s)
			}
			L.Throw(v)
			return 0
		},
		"assert": func(L *lua.State) int {
			if L.Arg(1).Truthy() {
				return L.NArgs()
			}
			L.CheckAny(1)
			if L.NArgs() >= 2 {
				L.Throw(L.Arg(2))
			}
			L.Errorf("%s", "assertion failed!")
			return 0
		},
		"tostring": func(L *lua.State) int {
			L.CheckAny(1)
			L.PushString(L.ToStringMeta(L.Arg(1)))
			return 1
		},
		"type": func(L *lua.State) int {
			L.PushString(L.CheckAny(1).TypeName())
			return 1
		},
		"select": func(L *lua.State) int {
			n := L.NArgs()
			if s, ok := L.Arg(1).AsString(); ok && s == "#" {
				L.PushInt(int64(n - 1))
				return 1
			}
			i := L.CheckInteger(1)
			if i < 0 {
				i = int64(n) + i
			} else if i > int64(n) {
				i = int64(n)
			}
			if i < 1 {
				L.ArgError(1, "index out of range")
			}
			return n - int(i)
		},
		"setmetatable": func(L *lua.State) int {
			t := L.CheckTable(1)
			t.SetMetatable(L.Arg(2).AsTable())
			L.SetTop(1)
			return 1
		},
		"getmetatable": func(L *lua.State) int {
			L.Push(lua.TableValue(L.Metatable(L.CheckAny(1))))
			return 1
		},
		"next": func(L *lua.State) int {
			t := L.CheckTable(1)
			k, v, ok, err := t.Next(L.Arg(2))
			if err != nil {
				L.Errorf("%s", err.Error())
			}
			if !ok {
				L.PushNil()
				return 1
			}
			L.Push(k)
			L.Push(v)
			return 2
		},
		"ipairs": func(L *lua.State) int {
			L.CheckAny(1)
			L.Push(ipairsIter)
			L.Push(L.Arg(1))
			L.PushInt(0)
			return 3
		},
		"rawequal": func(L *lua.State) int {
			L.PushBool(lua.RawEqual(L.Arg(1), L.Arg(2)))
			return 1
		},
	})
	g.SetStr("pairs", lua.NewGoFunction("pairs", func(L *lua.State) int {
		L.CheckTable(1)
		L.Push(g.GetStr("next"))
		L.Push(L.Arg(1))
		L.PushNil()
		return 3
	}))
	co := lua.NewTable(0, 8)
	resume := func(L *lua.State, co *lua.State, args []lua.Value) ([]lua.Value, error) {
		for _, a := range args {
			L.Push(a)
		}
		return L.Resume(co, len(args))
	}
	lua.SetFuncs(co, map[string]lua.GoFunc{
		"create": func(L *lua.State) int {
			_, v := L.NewThread(L.CheckFunction(1))
			L.Push(v)
			return 1
		},
		"resume": func(L *lua.State) int {
			co := L.Arg(1).AsThread()
			if co == nil {
				L.TypeError(1, "thread")
			}
			args := make([]lua.Value, L.NArgs()-1)
			for i := range args {
				args[i] = L.Arg(i + 2)
			}
			res, err := resume(L, co, args)
			if err != nil {
				L.PushBool(false)
				L.Push(err.(*lua.Error).Value)
				return 2
			}
			L.PushBool(true)
			for _, v := range res {
				L.Push(v)
			}
			return len(res) + 1
		},
		"yield": func(L *lua.State) int { return L.Yield(L.NArgs()) },
		"status": func(L *lua.State) int {
			co := L.Arg(1).AsThread()
			if co == nil {
				L.TypeError(1, "thread")
			}
			L.PushString(L.Status(co).String())
			return 1
		},
		"running": func(L *lua.State) int {
			L.Push(L.Value())
			L.PushBool(L.MainThread() == L)
			return 2
		},
		"wrap": func(L *lua.State) int {
			co, v := L.NewThread(L.CheckFunction(1))
			L.Push(lua.NewGoFunction("wrap", func(L *lua.State) int {
				_ = v
				args := make([]lua.Value, L.NArgs())
				for i := range args {
					args[i] = L.Arg(i + 1)
				}
				res, err := resume(L, co, args)
				if err != nil {
					ev := err.(*lua.Error).Value
					if s, ok := ev.AsString(); ok {
						ev = lua.String(L.Where(1) + s)
					}
					L.Throw(ev)
				}
				for _, r := range res {
					L.Push(r)
				}
				return len(res)
			}))
			return 1
		},
	})
	g.SetStr("coroutine", lua.TableValue(co))
	loaded.SetStr("coroutine", lua.TableValue(co))
}

var ipairsIter = lua.NewGoFunction("ipairs_iter", func(L *lua.State) int {
	i := L.CheckInteger(2) + 1
	v := L.Index(L.Arg(1), lua.Int(i))
	if v.IsNil() {
		L.PushNil()
		return 1
	}
	L.PushInt(i)
	L.Push(v)
	return 2
})

// Run compiles src as chunk "=stdin" and runs it as lua5.3 runs a script
// (called from a Go function, as lua.c calls it from C), returning what
// it printed, followed by the error message if it failed.
func Run(L *lua.State, src string) string {
	var out bytes.Buffer
	L.SetOutput(&out, &out)
	f, err := L.LoadChunk([]byte(src), "=stdin", "bt", nil)
	if err != nil {
		return "ERROR: " + err.Error() + "\n"
	}
	runner := lua.NewGoFunction("", func(L *lua.State) int {
		L.CallValue(f, 0)
		return 0
	})
	if _, err := L.PCallValue(runner); err != nil {
		out.WriteString("ERROR: " + err.Error() + "\n")
	}
	return out.String()
}

// RunReference runs src with lua5.3 in directory dir the same way and
// returns its output in Run's format; ok is false when lua5.3 is missing.
// The LUA_PATH and LUA_CPATH variables are removed from its environment.
func RunReference(dir, src string) (string, bool) {
	if _, err := exec.LookPath("lua5.3"); err != nil {
		return "", false
	}
	cmd := exec.Command("lua5.3", "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(src)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LUA_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	s := out.String()
	if err != nil {
		// lua5.3 prints "lua5.3: msg\nstack traceback:..." on stderr.
		e := strings.TrimPrefix(errb.String(), "lua5.3: ")
		if i := strings.LastIndex(e, "\nstack traceback:\n"); i >= 0 {
			e = e[:i]
		}
		s += "ERROR: " + e + "\n"
	}
	return s, true
}
