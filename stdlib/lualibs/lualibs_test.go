package lualibs

import (
	"runtime"
	"testing"
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
