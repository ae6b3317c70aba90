package debuglib

import (
	"flag"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/luactest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.out from lua5.3")

func newState() *lua.State {
	L := lua.NewState()
	luactest.OpenBase(L)
	t := Open(L)
	L.Globals().SetStr("debug", lua.TableValue(t))
	L.Registry().GetStr("_LOADED").AsTable().SetStr("debug", lua.TableValue(t))
	return L
}

// TestScripts runs each testdata/*.lua script and compares its output
// with testdata/*.out, obtained from lua5.3 (go test -update rewrites
// them).
func TestScripts(t *testing.T) { luactest.RunScripts(t, newState, *update) }
