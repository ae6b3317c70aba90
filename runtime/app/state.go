package app

import (
	"errors"
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// MoonbridgeVersion is the value of the global _MOONBRIDGE_VERSION: the
// version of the original's API that this runtime implements.
const MoonbridgeVersion = "1.1.3"

// ProductVersion is this product's own version.
const ProductVersion = "0.1.0"

// Hooks are the globals that depend on the process the state runs in.
type Hooks struct {
	Listen  lua.LGFunction // the global listen; nil leaves it undefined
	Timeout lua.LGFunction // the global timeout; nil leaves it undefined
}

// Libraries are opened in every state after the standard libraries, in
// order. The stdlib packages add themselves here through libs.go.
var Libraries []func(*lua.LState)

// NewState makes the Lua state an application runs in: standard libraries,
// the product's libraries, _MOONBRIDGE_VERSION, the hooks, and a require
// that finds modules through prog.
func NewState(prog Program, hooks Hooks) *lua.LState {
	L := lua.NewState(stateOptions())
	for _, open := range Libraries {
		open(L)
	}
	L.SetGlobal("_MOONBRIDGE_VERSION", lua.LString(MoonbridgeVersion))
	if hooks.Listen != nil {
		L.SetGlobal("listen", L.NewFunction(hooks.Listen))
	}
	if hooks.Timeout != nil {
		L.SetGlobal("timeout", L.NewFunction(hooks.Timeout))
	}
	installRequire(L, prog)
	if files := prog.Files(); files != nil {
		installEmbeddedFiles(L, files)
	}
	return L
}

// stateOptions are the settings of every state; stdlib/compat may replace
// them with settings tuned for Lua 5.3 programs.
var stateOptions = func() lua.Options {
	return lua.Options{
		CallStackSize:       1024,
		RegistrySize:        1024 * 16,
		RegistryMaxSize:     1024 * 1024 * 16,
		MinimizeStackMemory: true,
	}
}

// installRequire replaces the Lua file searcher with one that asks prog,
// sets package.path to the application's default and adds the 5.2 name
// package.searchers. (loadfile and dofile come from stdlib/compat.)
func installRequire(L *lua.LState, prog Program) {
	pkg, ok := L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	if sp, ok := prog.(*SourceProgram); ok {
		L.SetField(pkg, "path", lua.LString(DefaultPath(sp.dir, sp.include)))
	} else {
		L.SetField(pkg, "path", lua.LString("?.lua"))
	}
	loaders, ok := L.GetField(pkg, "loaders").(*lua.LTable)
	if !ok {
		return
	}
	loaders.RawSetInt(2, L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		path := lua.LVAsString(L.GetField(L.GetGlobal("package"), "path"))
		proto, origin, err := prog.Module(name, path)
		var nf *ModuleNotFoundError
		if errors.As(err, &nf) {
			L.Push(lua.LString(nf.Tried))
			return 1
		}
		if errors.Is(err, ErrNoModule) {
			L.Push(lua.LString("no module '" + name + "' in " + prog.Name()))
			return 1
		}
		if err != nil {
			L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, origin, err.Error())
		}
		L.Push(L.NewFunctionFromProto(proto))
		L.Push(lua.LString(origin))
		return 2
	}))
	L.SetField(pkg, "searchers", loaders)
}

// RunMain runs the program's main chunk in L with args as "...". The
// returned error carries the Lua message with file:line and a traceback.
func RunMain(L *lua.LState, prog Program, args []string) error {
	proto, err := prog.Main()
	if err != nil {
		return err
	}
	L.Push(L.NewFunctionFromProto(proto))
	for _, a := range args {
		L.Push(lua.LString(a))
	}
	if err := L.PCall(len(args), 0, nil); err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}
