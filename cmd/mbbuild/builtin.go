package main

import (
	"errors"
	"io/fs"

	"github.com/moonbridge-go/moonbridge/runtime/app"
	lua "github.com/yuin/gopher-lua"
)

// noProgram stands in for an application when mbbuild asks the runtime
// which modules it provides itself.
type noProgram struct{}

func (noProgram) Name() string                      { return "mbbuild" }
func (noProgram) Main() (*lua.FunctionProto, error) { return nil, errors.New("no program") }
func (noProgram) Files() fs.FS                      { return nil }
func (noProgram) Module(name, _ string) (*lua.FunctionProto, string, error) {
	return nil, "", &app.ModuleNotFoundError{Name: name}
}

// runtimeModules returns a predicate for the modules every built binary has
// without bundling them: the standard libraries and whatever the product's
// libraries put in package.loaded or package.preload. It asks a real
// runtime state, so it always agrees with the binaries mbbuild makes.
func runtimeModules() func(string) bool {
	L := app.NewState(noProgram{}, app.Hooks{})
	defer L.Close()
	names := map[string]bool{}
	pkg, ok := L.GetGlobal("package").(*lua.LTable)
	if ok {
		for _, field := range []string{"loaded", "preload"} {
			if t, ok := L.GetField(pkg, field).(*lua.LTable); ok {
				t.ForEach(func(k, _ lua.LValue) {
					if s, ok := k.(lua.LString); ok {
						names[string(s)] = true
					}
				})
			}
		}
	}
	return func(name string) bool { return names[name] }
}
