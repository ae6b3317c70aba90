package luactest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// RunScripts runs each testdata/*.lua script of the calling package in a
// fresh state from newState and compares its output (Run's format) with
// testdata/NAME.out, which lua5.3 produced; with update it first rewrites
// the .out files from lua5.3.
func RunScripts(t *testing.T, newState func() *lua.State, update bool) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.lua")
	if len(files) == 0 {
		t.Fatal("no scripts in testdata")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".lua")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			outFile := strings.TrimSuffix(f, ".lua") + ".out"
			if update {
				ref, ok := RunReference(".", string(src))
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
			if got := Run(newState(), string(src)); got != string(want) {
				t.Errorf("output differs from lua5.3\n%s", Diff(string(want), got))
			}
		})
	}
}

// Diff lists the lines where got differs from want.
func Diff(want, got string) string {
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
			fmt.Fprintf(&b, "line %d:\n  lua5.3: %s\n  ours:   %s\n", i+1, w, g)
		}
	}
	return b.String()
}
