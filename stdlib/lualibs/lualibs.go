// Package lualibs opens Lua 5.3's standard libraries in a state, as
// luaL_openlibs does: each library table goes to package.loaded and to
// a global of the same name.
package lualibs

import (
	"github.com/moonbridge-go/moonbridge/compiler/codegen"
	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/baselib"
	"github.com/moonbridge-go/moonbridge/stdlib/bit32lib"
	"github.com/moonbridge-go/moonbridge/stdlib/coroutinelib"
	"github.com/moonbridge-go/moonbridge/stdlib/debuglib"
	"github.com/moonbridge-go/moonbridge/stdlib/iolib"
	"github.com/moonbridge-go/moonbridge/stdlib/mathlib"
	"github.com/moonbridge-go/moonbridge/stdlib/oslib"
	"github.com/moonbridge-go/moonbridge/stdlib/packagelib"
	"github.com/moonbridge-go/moonbridge/stdlib/stringlib"
	"github.com/moonbridge-go/moonbridge/stdlib/tablelib"
	"github.com/moonbridge-go/moonbridge/stdlib/utf8lib"
)

// Library is one standard library: its name in package.loaded and the
// function that builds its table.
type Library struct {
	Name string
	Open func(L *lua.State) *lua.Table
}

// Standard lists the standard libraries in luaL_openlibs's order.
var Standard = []Library{
	{"_G", baselib.Open},
	{"package", packagelib.Open},
	{"coroutine", coroutinelib.Open},
	{"table", tablelib.Open},
	{"io", iolib.Open},
	{"os", oslib.Open},
	{"string", stringlib.Open},
	{"math", mathlib.Open},
	{"utf8", utf8lib.Open},
	{"debug", debuglib.Open},
	{"bit32", bit32lib.Open},
}

// NewState returns a state with the compiler installed and every
// standard library open.
func NewState() *lua.State {
	L := lua.NewState()
	L.SetCompiler(codegen.Compile)
	OpenAll(L)
	return L
}

// OpenAll opens every standard library in L.
func OpenAll(L *lua.State) {
	loaded := Loaded(L)
	for _, lib := range Standard {
		t := lib.Open(L)
		loaded.SetStr(lib.Name, lua.TableValue(t))
		if lib.Name != "_G" {
			L.Globals().SetStr(lib.Name, lua.TableValue(t))
		}
	}
}

// Loaded returns the registry's _LOADED table (package.loaded), creating it.
func Loaded(L *lua.State) *lua.Table {
	reg := L.Registry()
	if t := reg.GetStr("_LOADED").AsTable(); t != nil {
		return t
	}
	t := lua.NewTable(0, 16)
	reg.SetStr("_LOADED", lua.TableValue(t))
	return t
}
