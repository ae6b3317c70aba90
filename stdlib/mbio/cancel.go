package mbio

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// ErrAborted is returned by a wait of a Lua state whose waits were aborted
// (Abort): a goroutine worker ended by timeout() or by the master.
var ErrAborted = errors.New("worker terminated while waiting (timeout or shutdown)")

// canceler lets another goroutine end the waits of one Lua state. A wait
// parks on an *os.File registered with Go's network poller (a handle's
// own file or a pooled waiter's); Abort puts that file's deadline in the
// past, which wakes the wait, and every later wait of the state fails at
// once. Waits of handles that have no Lua value (no state) cannot be
// aborted.
type canceler struct {
	mu     sync.Mutex
	done   bool
	ctx    context.Context // cancelled by abort, for sleeps and name lookups
	stop   context.CancelFunc
	parked *os.File // the file a wait of the state is parked on
}

func newCanceler() *canceler {
	ctx, stop := context.WithCancel(context.Background())
	return &canceler{ctx: ctx, stop: stop}
}

// context returns a context that ends with the state's waits.
func (c *canceler) context() context.Context {
	if c == nil {
		return context.Background()
	}
	return c.ctx
}

// park records that the state is about to wait on f; it fails once the
// state was aborted. A nil canceler does nothing.
func (c *canceler) park(f *os.File) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return ErrAborted
	}
	c.parked = f
	return nil
}

// unpark ends the wait recorded by park and reports whether the state was
// aborted meanwhile.
func (c *canceler) unpark() bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.parked = nil
	return c.done
}

func (c *canceler) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.done = true
	c.stop()
	if c.parked != nil {
		c.parked.SetDeadline(pastDeadline)
	}
}

// sleep waits for d (negative: for ever) or until the state is aborted.
func (c *canceler) sleep(d time.Duration) error {
	if c == nil {
		sleep(d)
		return nil
	}
	if d < 0 {
		<-c.ctx.Done()
		return ErrAborted
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-c.ctx.Done():
		return ErrAborted
	}
}

// AbortFunc returns the function that ends every wait of moonbridge_io
// handles, listeners and children of L, now and later, with ErrAborted:
// Lua code blocked in a read, write, accept, connect, host-name lookup,
// poll or child wait returns
// instead of holding its goroutine. Goroutine workers call it when
// timeout() expires or the master kills them (their Lua code itself is
// stopped through the state's context). AbortFunc reads L, so it must run
// on the goroutine that owns L; the function it returns may be called from
// any goroutine, any number of times.
func AbortFunc(L *lua.LState) func() {
	return stateOf(L).cancel.abort
}
