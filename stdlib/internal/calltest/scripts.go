package calltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/luactest"
)

// RunScripts runs testdata/scripts/*.lua with compiler/codegen in a state
// holding luactest's base functions and the libraries, and compares what
// they print with lua5.3's output kept in *.out (rewritten from lua5.3
// when update is set).
func RunScripts(t *testing.T, update bool, libs ...Lib) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "scripts", "*.lua"))
	if len(files) == 0 {
		t.Fatal("no scripts in testdata/scripts")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			outFile := strings.TrimSuffix(f, ".lua") + ".out"
			if update {
				ref, ok := luactest.RunReference(".", string(src))
				if !ok {
					t.Skip("lua5.3 not installed")
				}
				if err := os.WriteFile(outFile, []byte(ref), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			L := lua.NewState()
			luactest.OpenBase(L)
			loaded := L.Registry().GetStr("_LOADED").AsTable()
			for _, l := range libs {
				tbl := lua.TableValue(l.Open(L))
				L.Globals().SetStr(l.Name, tbl)
				loaded.SetStr(l.Name, tbl)
			}
			if got := luactest.Run(L, string(src)); got != string(want) {
				t.Errorf("output differs from lua5.3\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
