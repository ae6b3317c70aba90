package mbio

import (
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// TestAbortFunc blocks a Lua state in each kind of wait, aborts it from
// another goroutine and checks that the wait returns the abort error soon;
// a wait started after the abort fails at once.
func TestAbortFunc(t *testing.T) {
	tests := []struct {
		name        string
		setup       string // Lua run before the wait
		wait        string // Lua whose results are checked
		abortBefore bool
	}{
		{"read, pooled waiter", "", "return sock:read(nil, '\\n')", false},
		{"read, poller", "", "return sock:read(nil, '\\n')", false},
		{"poll on a handle", "", "return moonbridge_io.poll({[sock] = true}, nil, 60)", false},
		{"poll without handles", "", "return moonbridge_io.poll({}, nil, 60)", false},
		{"accept", "l = assert(moonbridge_io.tcplisten('127.0.0.1', 0))", "return l:accept()", false},
		{"read after the abort", "", "return sock:read(nil, '\\n')", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := socketPair(t)
			L := newState(t)
			L.SetGlobal("sock", h.Value(L))
			if tt.name == "read, poller" {
				h.waits = pooledWaits // the next wait registers with the poller
			}
			if err := L.DoString(tt.setup); err != nil {
				t.Fatal(err)
			}
			abort := AbortFunc(L)
			if tt.abortBefore {
				abort()
			}
			done := make(chan []lua.LValue, 1)
			go func() {
				fn, err := L.LoadString(tt.wait)
				if err != nil {
					done <- []lua.LValue{lua.LString(err.Error())}
					return
				}
				L.Push(fn)
				if err := L.PCall(0, lua.MultRet, nil); err != nil {
					done <- []lua.LValue{lua.LString(err.Error())}
					return
				}
				var res []lua.LValue
				for i := 1; i <= L.GetTop(); i++ {
					res = append(res, L.Get(i))
				}
				done <- res
			}()
			if !tt.abortBefore {
				time.Sleep(50 * time.Millisecond) // let the wait start
				abort()
				abort() // a second call does nothing
			}
			select {
			case res := <-done:
				var text []string
				for _, v := range res {
					text = append(text, v.String())
				}
				all := strings.Join(text, " ")
				if !strings.Contains(all, "worker terminated") {
					t.Errorf("results %q, want the abort error", all)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the wait was not aborted")
			}
		})
	}
}
