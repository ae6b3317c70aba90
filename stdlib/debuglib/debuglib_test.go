package debuglib

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
	t := Open(L)
	L.Globals().SetStr("debug", lua.TableValue(t))
	L.Registry().GetStr("_LOADED").AsTable().SetStr("debug", lua.TableValue(t))
	return L
}

// TestScripts runs each testdata/*.lua script and compares its output
// with testdata/*.out, obtained from lua5.3 (go test -update rewrites
// them). Scripts named known_*.lua show differences of the engine
// itself (not of this package): they are reported as skipped.
func TestScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.lua")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".lua")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			outFile := strings.TrimSuffix(f, ".lua") + ".out"
			if *update {
				ref, ok := luactest.RunReference(".", string(src))
				if !ok {
					t.Skip("lua5.3 not installed")
				}
				os.WriteFile(outFile, []byte(ref), 0o644)
			}
			want, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			got := luactest.Run(newState(), string(src))
			if got != string(want) {
				if strings.HasPrefix(name, "known_") {
					t.Skipf("known difference of the engine from lua5.3\n%s", diff(string(want), got))
				}
				t.Errorf("output differs from lua5.3\n%s", diff(string(want), got))
			}
		})
	}
}

func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			b.WriteString("line " + itoa(i+1) + ":\n  lua5.3: " + w + "\n  ours:   " + g + "\n")
		}
	}
	return b.String()
}

func itoa(i int) string {
	var d []byte
	for {
		d = append([]byte{byte('0' + i%10)}, d...)
		i /= 10
		if i == 0 {
			return string(d)
		}
	}
}
