package lua

import (
	"runtime"
	"weak"
)

// Coroutines run on goroutines of their own with a strict handoff: the
// resumer blocks until the coroutine yields, returns or fails, so only
// one goroutine of a state runs at a time. Because a coroutine's whole
// Go stack is kept while it is suspended, it can yield from anywhere:
// inside pcall, metamethods, iterators and Go functions that call Lua.

// CoStatus is a coroutine's status as coroutine.status names it.
type CoStatus uint8

// The coroutine statuses.
const (
	CoSuspended CoStatus = iota
	CoRunning
	CoNormal
	CoDead
)

var coStatusNames = [...]string{"suspended", "running", "normal", "dead"}

func (s CoStatus) String() string { return coStatusNames[s] }

type coroutine struct {
	status  CoStatus
	started bool
	resume  chan transfer // resumer -> coroutine
	yield   chan transfer // coroutine -> resumer
}

// transfer carries values across a resume or yield.
type transfer struct {
	vals []Value
	err  *Error // the coroutine failed
	done bool   // the coroutine returned or failed
	kill bool   // the coroutine must unwind and end (unreachable)
}

// errKilled unwinds the goroutine of a coroutine that can never be
// resumed again.
type killSignal struct{}

// NewThread returns a new coroutine of L's state that will run fn, and
// its thread value. The value (not the State) keeps the coroutine
// resumable: once it is unreachable, a suspended coroutine's goroutine
// is released.
func (L *State) NewThread(fn Value) (*State, Value) {
	co := &State{g: L.g, co: &coroutine{}}
	co.initStack()
	co.hook = L.hook // lua_newthread inherits the hook
	co.hook.allow = true
	co.stack[co.top] = fn
	co.top++
	ref := &threadRef{co}
	co.ref = weak.Make(ref)
	runtime.AddCleanup(ref, func(c *State) { c.release() }, co)
	return co, refValue(ptrOf(ref), kThread)
}

// Status returns co's status as seen from the running thread L.
func (L *State) Status(co *State) CoStatus {
	if co == L {
		return CoRunning
	}
	if co.co == nil { // the main thread, seen from a coroutine
		return CoNormal
	}
	return co.co.status
}

// IsYieldable reports whether the running code may yield.
func (L *State) IsYieldable() bool { return L.co != nil }

// Resume runs coroutine co with the top nargs values of L as arguments
// (or resume values). It returns the values the coroutine yielded or
// returned, or the error it raised (then co is dead). A cancellation of
// the state is not returned: it keeps unwinding L.
func (L *State) Resume(co *State, nargs int) ([]Value, error) {
	args := make([]Value, nargs)
	copy(args, L.stack[L.top-nargs:L.top])
	L.top -= nargs
	c := co.co
	if c == nil || c.status != CoSuspended {
		msg := "cannot resume non-suspended coroutine"
		if c != nil && c.status == CoDead {
			msg = "cannot resume dead coroutine"
		}
		return nil, &Error{Value: String(msg)}
	}
	if L.nCcalls >= maxCCalls {
		return nil, &Error{Value: String("C stack overflow")}
	}
	co.nCcalls = L.nCcalls + 1
	if L.co != nil {
		L.co.status = CoNormal
	}
	c.status = CoRunning
	if !c.started {
		c.started = true
		c.resume = make(chan transfer)
		c.yield = make(chan transfer)
		go co.body(args)
	} else {
		c.resume <- transfer{vals: args}
	}
	t := <-c.yield
	if L.co != nil {
		L.co.status = CoRunning
	}
	if t.done {
		c.status = CoDead
		if t.err != nil {
			if t.err.cancelled {
				panic(t.err)
			}
			return nil, t.err
		}
	} else {
		c.status = CoSuspended
	}
	return t.vals, nil
}

// body is the goroutine of a coroutine.
func (co *State) body(args []Value) {
	c := co.co
	var result transfer
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(killSignal); ok {
				return
			}
			e, ok := r.(*Error)
			if !ok {
				e = &Error{Value: String("internal error: " + panicText(r))}
			}
			result = transfer{err: e, done: true}
		}
		c.yield <- result
	}()
	co.ensureStack(len(args))
	for _, a := range args {
		co.stack[co.top] = a
		co.top++
	}
	co.call(1, MultRet)
	vals := make([]Value, co.top-1)
	copy(vals, co.stack[1:co.top])
	result = transfer{vals: vals, done: true}
}

// Yield suspends the running coroutine, handing the top nresults values
// to its resumer, and returns the values of the next resume, which it
// also pushes. It raises an error outside a coroutine.
func (L *State) Yield(nresults int) int {
	c := L.co
	if c == nil {
		L.RuntimeError("attempt to yield from outside a coroutine")
	}
	vals := make([]Value, nresults)
	copy(vals, L.stack[L.top-nresults:L.top])
	L.top -= nresults
	c.yield <- transfer{vals: vals}
	t := <-c.resume
	if t.kill {
		panic(killSignal{})
	}
	L.ensureStack(len(t.vals))
	for _, v := range t.vals {
		L.stack[L.top] = v
		L.top++
	}
	return len(t.vals)
}

// release ends the goroutine of a coroutine that can no longer be
// resumed (it became unreachable while suspended).
func (co *State) release() {
	c := co.co
	if c.started && c.status == CoSuspended {
		c.status = CoDead
		c.resume <- transfer{kill: true}
	}
}
