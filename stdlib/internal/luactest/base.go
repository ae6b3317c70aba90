package luactest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"

	"github.com/moonbridge-go/moonbridge/compiler/codegen"
	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/baselib"
	"github.com/moonbridge-go/moonbridge/stdlib/coroutinelib"
)

// OpenBase installs the compiler (compiler/codegen; luac5.3 through
// Compile when the environment has LUACTEST_LUAC=1, to tell the
// compiler's faults from a library's), the base library and the
// coroutine library into L, registered in package.loaded as lua5.3 has
// them, so that names in messages match.
func OpenBase(L *lua.State) {
	if os.Getenv("LUACTEST_LUAC") == "1" {
		L.SetCompiler(Compile)
	} else {
		L.SetCompiler(codegen.Compile)
	}
	loaded := L.Registry().GetStr("_LOADED").AsTable()
	if loaded == nil {
		loaded = lua.NewTable(0, 8)
		L.Registry().SetStr("_LOADED", lua.TableValue(loaded))
	}
	loaded.SetStr("_G", lua.TableValue(baselib.Open(L)))
	co := coroutinelib.Open(L)
	loaded.SetStr("coroutine", lua.TableValue(co))
	L.Globals().SetStr("coroutine", lua.TableValue(co))
}

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
