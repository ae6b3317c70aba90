package lualibs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// FuzzExecute compiles and runs arbitrary source with every library
// open: whatever the program does, the run must end with a result or a
// *lua.Error ("internal error" marks a Go runtime error caught inside
// the engine: a bug), within the cancellation deadline.
func FuzzExecute(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "cmd", "mblua", "difftest", "testdata", "*.lua"))
	for _, s := range seeds {
		if src, err := os.ReadFile(s); err == nil {
			f.Add(string(src))
		}
	}
	for _, s := range []string{
		"local t = setmetatable({}, {__index = function(t, k) return k * 2 end}) return t[21]",
		"return coroutine.wrap(function(...) coroutine.yield(...) end)(1, 2)",
		"return string.rep('x', 10):gsub('x', {x = 'y'})",
		"return pcall(error, setmetatable({}, {__tostring = function() return 'e' end}))",
		"local a <const> = 1",
		"goto x; local y ::x:: return y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, "os.") || strings.Contains(src, "io.") || strings.Contains(src, "require") ||
			strings.Contains(src, "dofile") || strings.Contains(src, "loadfile") || strings.Contains(src, "debug.debug") {
			return // no files, processes or stdin from random programs
		}
		L := NewState()
		timer := time.AfterFunc(200*time.Millisecond, func() { L.Cancel(lua.String("deadline")) })
		defer timer.Stop()
		_, err := L.DoString(src, "=fuzz")
		if err == nil {
			return
		}
		e, ok := err.(*lua.Error)
		if !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if msg := e.Error(); strings.Contains(msg, "internal error") {
			t.Fatalf("Go runtime error inside the engine: %s\nprogram:\n%s", msg, src)
		}
	})
}
