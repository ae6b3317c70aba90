package mbio

import (
	lua "github.com/yuin/gopher-lua"
	"sync"
)

// tlsLink connects a handle to a TLS session run by goroutines (see
// starttls); the handle's own descriptor is one end of a socketpair.
type tlsLink struct {
	mu   sync.Mutex
	err  error
	once sync.Once
	rst  func() // resets the real connection
	halt func() // closes the real connection
}

// failure returns the error that ended the TLS session, if any.
func (t *tlsLink) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *tlsLink) fail(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
}

// stop is called when the handle closes its end.
func (t *tlsLink) stop() {
	t.once.Do(func() {
		if t.halt != nil {
			t.halt()
		}
	})
}

// reset makes the real connection end with a TCP RST.
func (t *tlsLink) reset() {
	if t.rst != nil {
		t.rst()
	}
}

func luaTLSConf(L *lua.LState) int {
	L.RaiseError("tlsconf: TLS support is not built yet")
	return 0
}
