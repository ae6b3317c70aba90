package lua

// callInfo is one active call (a frame).
type callInfo struct {
	fn       int // stack index of the called function
	base     int // first register (Lua) or first argument (Go)
	top      int // highest slot the frame may use
	nresults int // results the caller wants, or MultRet
	pc       int // Lua: index of the next instruction
	lf       *LuaFunction
	status   uint8
	prev     *callInfo
	next     *callInfo // a frame kept for reuse
}

const (
	ciFresh  uint8 = 1 << iota // execute returns when this Lua frame returns
	ciTail                     // the frame was entered by a tail call
	ciHooked                   // the function was called by a hook
)

func (L *State) nextCI() *callInfo {
	ci := L.ci.next
	if ci == nil {
		ci = &callInfo{prev: L.ci}
		L.ci.next = ci
	}
	L.ci = ci
	return ci
}

// Call calls the function below nargs arguments on the stack and leaves
// nresults results (all with MultRet) in their place. Errors propagate
// as panics: use PCall from code that is not itself called by Lua.
func (L *State) Call(nargs, nresults int) {
	L.call(L.top-nargs-1, nresults)
}

// call runs the function at stack index fn with the arguments above it.
func (L *State) call(fn, nresults int) {
	L.nCcalls++
	if L.nCcalls >= maxCCalls {
		L.cStackOverflow()
	}
	if L.precall(fn, nresults) {
		L.ci.status |= ciFresh
		L.execute()
	}
	L.nCcalls--
}

func (L *State) cStackOverflow() {
	if L.nCcalls == maxCCalls {
		L.RuntimeError("C stack overflow")
	} else if L.nCcalls >= maxCCalls+maxCCalls>>3 {
		// An error while handling the overflow.
		panic(&Error{Value: String("error in error handling")})
	}
}

// precall starts a call of the value at stack index fn. For a Go
// function it runs it to completion and returns false; for a Lua
// function it pushes the frame and returns true: the caller runs it.
func (L *State) precall(fn, nresults int) bool {
	f := L.stack[fn]
	switch f.kind() {
	case kGoFunction:
		gf := (*GoFunction)(f.p)
		L.ensureStack(minStack)
		ci := L.nextCI()
		ci.fn, ci.base, ci.top = fn, fn+1, L.top+minStack
		ci.nresults, ci.lf, ci.status = nresults, nil, 0
		if L.hook.mask&maskCall != 0 {
			L.callHook(ci)
		}
		n := gf.Fn(L)
		L.poscall(ci, L.top-n, n)
		return false
	case kLuaFunction:
		lf := (*LuaFunction)(f.p)
		p := lf.proto
		nargs := L.top - fn - 1
		fsize := p.MaxStackSize
		if L.top+fsize+nargs+extraStack > len(L.stack) {
			L.growStack(fsize + nargs)
		}
		var base int
		if p.IsVararg {
			base = L.adjustVarargs(p, nargs)
		} else {
			for ; nargs < p.NumParams; nargs++ {
				L.stack[L.top] = Nil
				L.top++
			}
			base = fn + 1
		}
		ci := L.nextCI()
		ci.fn, ci.base, ci.top = fn, base, base+fsize
		ci.nresults, ci.lf, ci.status, ci.pc = nresults, lf, L.tailCall, 0
		L.tailCall = 0
		// The registers above the arguments are not cleared: the compiler
		// never reads a register before writing it (as in PUC-Lua).
		L.top = ci.top
		if L.g.cancel.Load() != 0 {
			L.raiseCancel()
		}
		if L.g.fin.pending.Load() {
			// __gc of collected objects runs here, on the state's goroutine.
			L.RunPendingFinalizers()
		}
		if L.hook.mask&maskCall != 0 {
			L.callHook(ci)
		}
		return true
	}
	h := L.metamethod(f, tmCall)
	if h.p == nil {
		L.callError(fn)
	}
	// Insert the handler below the arguments and call it instead; like
	// lua5.3, only one level of __call is followed.
	L.ensureStack(1)
	copy(L.stack[fn+1:L.top+1], L.stack[fn:L.top])
	L.top++
	L.stack[fn] = h
	if !h.IsFunction() {
		L.callError(fn)
	}
	return L.precall(fn, nresults)
}

// callError raises "attempt to call a X value (global 'f')" for the
// value at stack index fn.
func (L *State) callError(fn int) {
	where := opUnknown
	if ci := L.ci; ci.lf != nil && fn >= ci.base && fn < ci.top {
		where = regOperand(fn - ci.base)
	}
	L.typeError(L.stack[fn], "call", where)
}

// adjustVarargs moves the fixed parameters of a vararg function above its
// arguments, leaving the extra arguments below the new base.
func (L *State) adjustVarargs(p *Prototype, actual int) int {
	np := p.NumParams
	for ; actual < np; actual++ {
		L.stack[L.top] = Nil
		L.top++
	}
	fixed := L.top - actual
	base := L.top
	for i := 0; i < np; i++ {
		L.stack[L.top] = L.stack[fixed+i]
		L.stack[fixed+i] = Nil
		L.top++
	}
	return base
}

// poscall finishes the call of frame ci, moving its n results from
// stack index first to where the function was.
func (L *State) poscall(ci *callInfo, first, n int) {
	if L.hook.mask&(maskReturn|maskLine) != 0 {
		if L.hook.mask&maskReturn != 0 {
			L.returnHook(ci, first, n)
		}
		if ci.prev != nil {
			L.hook.oldPC = ci.prev.pc // the caller's line is not new
		}
	}
	res := ci.fn
	wanted := ci.nresults
	L.ci = ci.prev
	stack := L.stack
	// Element-wise moves: results are few, and copy() of a slice with
	// pointers goes through typedslicecopy.
	switch {
	case wanted == MultRet:
		for i := 0; i < n; i++ {
			stack[res+i] = stack[first+i]
		}
		L.top = res + n
	case n >= wanted:
		for i := 0; i < wanted; i++ {
			stack[res+i] = stack[first+i]
		}
		L.top = res + wanted
	default:
		for i := 0; i < n; i++ {
			stack[res+i] = stack[first+i]
		}
		for i := n; i < wanted; i++ {
			stack[res+i] = Nil
		}
		L.top = res + wanted
	}
}

// PCall calls like Call in protected mode: an error unwinds to here and
// is returned (the stack holds nothing of the call then). With a message
// handler at stack index msgh (0 for none), the handler runs at the point
// of the error and its result becomes the error value.
func (L *State) PCall(nargs, nresults, msgh int) (err error) {
	fn := L.top - nargs - 1
	if msgh != 0 {
		msgh = L.absIndex(msgh)
	}
	return L.pcallAt(fn, nresults, msgh)
}

func (L *State) absIndex(i int) int {
	if i > 0 {
		return L.ci.base + i - 1
	}
	return L.top + i
}

func (L *State) pcallAt(fn, nresults, msgh int) (err error) {
	savedCI := L.ci
	savedN := L.nCcalls
	savedErrFunc := L.errFunc
	L.errFunc = msgh
	defer func() {
		L.errFunc = savedErrFunc
		if err == nil {
			return
		}
		L.closeUpvals(fn)
		L.ci = savedCI
		L.nCcalls = savedN
		L.top = fn
		L.shrinkStackAfterError()
	}()
	outermost := savedCI == &L.base0 && L.co == nil
	defer func() {
		if r := recover(); r != nil {
			err = L.recoverError(r, outermost)
		}
	}()
	L.call(fn, nresults)
	return nil
}

// recoverError turns a recovered panic into the error to return. A
// cancellation keeps unwinding through pcalls that Lua code made and is
// returned only by the outermost protected call of the main thread (the
// Go caller's); panics that are not Lua errors keep unwinding.
func (L *State) recoverError(r any, outermost bool) error {
	e, ok := r.(*Error)
	if !ok {
		if _, isRuntime := r.(interface{ RuntimeError() }); isRuntime {
			// A Go runtime error inside the engine or a library: report it
			// as a Lua error rather than crash the process.
			return &Error{Value: String(L.Where(0) + "internal error: " + panicText(r))}
		}
		panic(r)
	}
	if e.cancelled && !outermost {
		panic(r)
	}
	return e
}

func panicText(r any) string {
	if e, ok := r.(error); ok {
		return e.Error()
	}
	return "panic"
}

// shrinkStackAfterError releases a stack grown by a stack overflow.
func (L *State) shrinkStackAfterError() {
	if len(L.stack) > maxStack {
		L.reallocStack(maxStack)
	}
}
