package lualibs

import (
	"runtime"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// TestStateSize checks the heap a fresh state with every library costs:
// at most 64 KiB (issue 13; gopher-lua's took 174 KiB).
func TestStateSize(t *testing.T) {
	const n = 50
	states := make([]any, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range states {
		states[i] = NewState()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (after.HeapAlloc - before.HeapAlloc) / n
	t.Logf("a state with every library: %d KiB", per/1024)
	if per > 64<<10 {
		t.Errorf("a fresh state costs %d KiB of heap, want at most 64 KiB", per/1024)
	}
	runtime.KeepAlive(states)
}

// TestCancel checks that a cancelled state stops promptly, also inside
// long library calls, and that pcall cannot catch the cancellation.
func TestCancel(t *testing.T) {
	scripts := map[string]string{
		"loop":      `while true do end`,
		"pcall":     `while true do pcall(function() while true do end end) end`,
		"recursion": `local function f(n) if n == 0 then return 0 end return f(n-1) + 1 end while true do f(100) end`,
		"pattern":   `local s = string.rep("a", 5000) while true do s:find(".-.-.-.-b") end`,
		"rep":       `local s = string.rep("ab", 100000000, ",")`,
		"concat":    `local t = {} for i = 1, 3000000 do t[i] = "x" end while true do table.concat(t) end`,
		"sort":      `local t = {} for i = 1, 3000000 do t[i] = (i * 7919) % 1000003 end table.sort(t, function(a, b) return a > b end)`,
		"gsub":      `local s = string.rep("x", 10000000) s:gsub("x", function(c) return c end)`,
		"coroutine": `local co = coroutine.wrap(function() while true do end end) co()`,
	}
	for name, src := range scripts {
		t.Run(name, func(t *testing.T) {
			L := NewState()
			done := make(chan error, 1)
			go func() {
				_, err := L.DoString(src, "="+name)
				done <- err
			}()
			time.Sleep(50 * time.Millisecond)
			start := time.Now()
			L.Cancel(lua.String("cancelled"))
			select {
			case err := <-done:
				e, ok := err.(*lua.Error)
				if !ok || !e.Cancelled() {
					t.Fatalf("ended with %v, want the cancellation", err)
				}
				t.Logf("stopped %v after Cancel", time.Since(start).Round(time.Microsecond))
			case <-time.After(5 * time.Second):
				t.Fatal("still running 5 s after Cancel")
			}
		})
	}
}
