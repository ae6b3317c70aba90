// Package lua is the product's Lua 5.3 engine: values, tables, strings,
// closures, the interpreter of runtime/lua/code prototypes, calls,
// errors, coroutines, and the Go API that the standard library
// (stdlib/*lib), the server runtime and the interpreter mblua use.
//
// Go functions see the Lua stack as PUC-Lua's C functions do: arguments
// are indexed from 1, results are pushed and their count returned, so a
// call with a fixed number of arguments allocates nothing. A Lua error
// raised inside the engine or a Go function unwinds as a Go panic carrying
// *Error; every protected entry point (PCall, Resume, DoString, ...)
// recovers it and returns it as an ordinary error, so no panic leaves the
// engine through those.
//
// Memory is Go's: the engine has no collector of its own. Weak tables
// (__mode) hold their weak parts through the weak package, and __gc
// metamethods run on the state's goroutine, at safe points (calls of
// Lua functions, collectgarbage) after Go's collector found the object
// unreachable, and at Close for every object still marked. Differences
// from Lua 5.3 that follow from Go's collector: an object reachable from
// itself (t.self = t, or a __gc closure that refers to its object) is
// never finalized before Close, because Go does not finalize objects in
// cycles; weak keys are not ephemerons (a value that refers to its key
// keeps the key); and __mode is read when the metatable is set, not at
// every collection.
package lua

import (
	"io"
	"os"
	"sync/atomic"
	"unsafe"
	"weak"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

func ptrOf[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

// Limits of Lua 5.3 (luaconf.h).
const (
	maxStack   = 1000000 // LUAI_MAXSTACK: slots of one thread's stack
	maxCCalls  = 200     // LUAI_MAXCCALLS: nested Go calls (C stack)
	minStack   = 20      // LUA_MINSTACK: free slots a Go function may use
	extraStack = 5       // EXTRA_STACK
	// MultRet asks a call for all its results.
	MultRet = -1
)

// Registry indices of the main thread and the globals table (lua.h).
const (
	RegistryIndexMainThread = 1
	RegistryIndexGlobals    = 2
)

// global is what the threads of one state share.
type global struct {
	registry   *Table
	globals    *Table
	mainThread *State
	mainRef    *threadRef             // keeps the main thread's value alive
	typeMeta   [TypeThread + 1]*Table // metatables of non-table, non-userdata types
	tmNames    [tmN]Value             // "__index", ... as string values

	// cancel is non-zero once the state has been cancelled; cancelErr is
	// the value raised.
	cancel    atomic.Int32
	cancelErr atomic.Pointer[Value]

	stdout, stderr io.Writer

	// compile turns source text into a prototype; set by the loader
	// (package compiler installs itself through SetCompiler).
	compile Compiler

	// fin is the finalization state (__gc, gc.go).
	fin *finalizers
	// threads are the coroutines, held weakly: collections clear their
	// dead stack slots and Close ends the suspended ones.
	threads []weak.Pointer[threadRef]
}

// Compiler turns a chunk's source into a prototype. chunkName is as load
// takes it ("@file.lua", "=stdin", or the text itself).
type Compiler func(src []byte, chunkName string) (*code.Proto, error)

// State is a Lua thread: the main one made by NewState or a coroutine.
// A State is not safe for concurrent use; its coroutines hand control
// to each other strictly (only one runs at a time).
type State struct {
	g     *global
	stack []Value
	top   int // first free slot
	ci    *callInfo
	base0 callInfo // the outermost frame (a Go frame with no function)

	nCcalls   int // nested Go-level calls (C stack), with nny
	openUpval *upvalue
	errFunc   int // stack index of the current message handler, or 0

	co  *coroutine // nil for the main thread
	ref weak.Pointer[threadRef]

	hook     hookState
	tailCall uint8 // ciTail while OP_TAILCALL starts its callee
}

// threadRef is what a thread value points to. Only Lua values and Go
// callers hold it strongly: a suspended coroutine whose threadRef became
// unreachable can never be resumed, and its goroutine is released.
type threadRef struct{ L *State }

// NewState returns a new main thread with an empty globals table and no
// libraries (stdlib/lualibs opens them).
func NewState() *State {
	g := &global{registry: NewTable(2, 0), globals: NewTable(0, 64), stdout: os.Stdout, stderr: os.Stderr, fin: newFinalizers()}
	for i, n := range tmNameStrings {
		g.tmNames[i] = String(n)
	}
	L := &State{g: g}
	L.initStack()
	g.mainThread = L
	ref := &threadRef{L}
	g.registry.SetInt(RegistryIndexMainThread, refValue(ptrOf(ref), kThread))
	L.ref = weak.Make(ref)
	g.mainRef = ref
	g.registry.SetInt(RegistryIndexGlobals, TableValue(g.globals))
	return L
}

func (L *State) initStack() {
	L.stack = make([]Value, 2*minStack+extraStack)
	L.top = 1 // slot 0 holds the (absent) function of the base frame
	L.base0 = callInfo{fn: 0, base: 1, top: 1 + minStack, nresults: MultRet}
	L.ci = &L.base0
}

// Globals returns the globals table (_G).
func (L *State) Globals() *Table { return L.g.globals }

// Registry returns the registry table.
func (L *State) Registry() *Table { return L.g.registry }

// MainThread returns the state's main thread.
func (L *State) MainThread() *State { return L.g.mainThread }

// SetCompiler installs the function that load, dofile and DoString use to
// compile source text.
func (L *State) SetCompiler(c Compiler) { L.g.compile = c }

// SetOutput sets where print and io.write (stdout) and warnings (stderr) go.
func (L *State) SetOutput(stdout, stderr io.Writer) { L.g.stdout, L.g.stderr = stdout, stderr }

// Stdout returns the writer print uses.
func (L *State) Stdout() io.Writer { return L.g.stdout }

// Stderr returns the writer for error output.
func (L *State) Stderr() io.Writer { return L.g.stderr }

// TypeMetatable returns the metatable shared by all values of type t
// (strings, numbers, ...), or nil.
func (L *State) TypeMetatable(t Type) *Table { return L.g.typeMeta[t] }

// SetTypeMetatable sets the metatable shared by all values of type t.
func (L *State) SetTypeMetatable(t Type, mt *Table) { L.g.typeMeta[t] = mt }

// Metatable returns v's metatable, or nil.
func (L *State) Metatable(v Value) *Table {
	switch v.kind() {
	case kTable:
		return (*Table)(v.p).meta
	case kUserdata:
		return (*Userdata)(v.p).meta
	}
	return L.g.typeMeta[v.Type()]
}

// Value returns L as a thread value.
func (L *State) Value() Value {
	ref := L.ref.Value()
	if ref == nil {
		// Only a running thread asks for its value, and whoever resumed
		// it holds its reference; the main thread's is kept by global.mainRef.
		panic("lua: thread value requested for an unreachable thread")
	}
	return refValue(ptrOf(ref), kThread)
}

// Cancel makes the state (every thread of it) raise err at the next
// check: loop back-edges, calls and long library operations. It may be
// called from any goroutine. The cancellation cannot be caught by pcall.
func (L *State) Cancel(err Value) {
	L.g.cancelErr.Store(&err)
	L.g.cancel.Store(1)
}

// Cancelled reports whether Cancel was called.
func (L *State) Cancelled() bool { return L.g.cancel.Load() != 0 }

// CheckCancel raises the cancellation error if the state was cancelled;
// long-running Go functions call it periodically.
func (L *State) CheckCancel() {
	if L.g.cancel.Load() != 0 {
		L.raiseCancel()
	}
}

func (L *State) raiseCancel() {
	v := Nil
	if p := L.g.cancelErr.Load(); p != nil {
		v = *p
	}
	panic(&Error{Value: v, cancelled: true})
}

// ensureStack makes room for n more slots above top.
func (L *State) ensureStack(n int) {
	if L.top+n+extraStack <= len(L.stack) {
		return
	}
	L.growStack(n)
}

func (L *State) growStack(n int) {
	size := len(L.stack)
	if size > maxStack {
		// Already using the extra space granted to handle an overflow.
		panic(&Error{Value: String("error in error handling")})
	}
	needed := L.top + n + extraStack
	newSize := 2 * size
	if newSize > maxStack {
		newSize = maxStack
	}
	if newSize < needed {
		newSize = needed
	}
	if newSize > maxStack {
		// Leave room for the error handler, then report the overflow.
		L.reallocStack(maxStack + 200 + extraStack)
		L.RuntimeError("stack overflow")
	}
	L.reallocStack(newSize)
}

func (L *State) reallocStack(newSize int) {
	ns := make([]Value, newSize)
	copy(ns, L.stack[:L.top])
	L.stack = ns
	for uv := L.openUpval; uv != nil; uv = uv.nextOpen {
		uv.v = &ns[uv.index]
	}
}

// Top returns the number of values in the running Go function's frame.
func (L *State) Top() int { return L.top - L.ci.base }

// SetTop sets the number of values in the frame, filling with nil.
func (L *State) SetTop(n int) {
	nt := L.ci.base + n
	if nt > L.top {
		L.ensureStack(nt - L.top)
		clear(L.stack[L.top:nt])
	}
	L.top = nt
}

// Push pushes v onto the stack.
func (L *State) Push(v Value) {
	if L.top >= len(L.stack)-extraStack {
		L.growStack(1)
	}
	L.stack[L.top] = v
	L.top++
}

// Pop removes the top n values.
func (L *State) Pop(n int) { L.top -= n }

// Get returns the value at frame index i (1-based; negative counts from
// the top), or nil when i is beyond the top.
func (L *State) Get(i int) Value {
	if i > 0 {
		j := L.ci.base + i - 1
		if j >= L.top {
			return Nil
		}
		return L.stack[j]
	}
	return L.stack[L.top+i]
}

// Set replaces the value at frame index i.
func (L *State) Set(i int, v Value) {
	if i > 0 {
		L.stack[L.ci.base+i-1] = v
		return
	}
	L.stack[L.top+i] = v
}
