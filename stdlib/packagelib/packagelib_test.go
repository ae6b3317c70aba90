package packagelib

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/luactest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.out from lua5.3")

func newState() *lua.State {
	L := lua.NewState()
	luactest.OpenBase(L)
	p := Open(L)
	L.Globals().SetStr("package", lua.TableValue(p))
	L.Registry().GetStr("_LOADED").AsTable().SetStr("package", lua.TableValue(p))
	return L
}

// TestScripts runs each testdata/*.lua script and compares its output
// with testdata/*.out, obtained from lua5.3 (go test -update rewrites
// them).
func TestScripts(t *testing.T) { luactest.RunScripts(t, newState, *update) }

// TestReferenceOutputs checks that the .out files are still what lua5.3
// prints, when lua5.3 is installed.
func TestReferenceOutputs(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.lua")
	for _, f := range files {
		src, _ := os.ReadFile(f)
		want, _ := os.ReadFile(strings.TrimSuffix(f, ".lua") + ".out")
		got, ok := luactest.RunReference(".", string(src))
		if !ok {
			t.Skip("lua5.3 not installed")
		}
		if got != string(want) {
			t.Errorf("%s: lua5.3 now prints\n%s", f, luactest.Diff(string(want), got))
		}
	}
}
