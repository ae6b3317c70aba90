package lua

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
	"weak"
)

// Finalizers (__gc). Go's collector manages all memory; the engine only
// arranges for __gc metamethods to run on the state's own goroutine.
//
// A table or userdata is marked when it gets a metatable that has a
// __gc field at that moment (Lua 5.3: the mark happens in setmetatable;
// a __gc added to the metatable later does not mark it). Marking sets a
// Go finalizer that only queues the object on the state's pending list:
// Go runs finalizers on a goroutine of its own, which must never run Lua.
// The state runs the queued __gc metamethods at safe points of its own
// goroutine: collectgarbage("collect"/"step"), calls of Lua functions
// (the interpreter checks finalizers.pending), and Close, which also runs
// the __gc of every object still marked, as lua_close does.
//
// Objects collected together are finalized in the reverse order of their
// marking, as in Lua. The object passed to __gc is alive again (Go's
// finalizer resurrected it) and may be stored; it is not finalized again
// unless it gets a metatable with __gc once more.
//
// Limitation of Go finalizers: an object reachable from itself (a table
// that holds itself, or whose __gc closure refers back to it) is never
// collected, so its __gc runs only at Close.

// finalizers is the finalization state of one Lua state. It is a
// separate allocation because Go's finalizer closures refer to it and
// are roots: were they to refer to the global state, every object
// reachable from the globals would be kept alive by them.
type finalizers struct {
	// pending is set when queue is not empty: the cheap check of the
	// interpreter's safe points.
	pending atomic.Bool

	mu     sync.Mutex
	queue  []*finRec     // delivered by Go's finalizers, not yet run
	notify chan struct{} // signalled on each delivery (capacity 1)

	// Only the state's goroutine uses the fields below.
	recs    []*finRec // marked objects in marking order (for Close)
	seq     uint64
	running bool // a __gc is running: no nested runs, as in Lua
	closed  bool
}

// finRec is one marked object.
type finRec struct {
	w    weak.Pointer[byte] // the object, until Go queues its finalizer
	seq  uint64
	kind uint64 // kTable or kUserdata
	// Set under finalizers.mu by the delivering finalizer:
	obj   unsafe.Pointer // the resurrected object
	state uint8
}

const (
	finMarked uint8 = iota
	finQueued       // Go's finalizer delivered it
	finDone         // run, or unmarked by Close
)

func newFinalizers() *finalizers {
	return &finalizers{notify: make(chan struct{}, 1)}
}

// deliver runs on Go's finalizer goroutine: it queues the resurrected
// object and nothing more.
func (fs *finalizers) deliver(r *finRec, obj unsafe.Pointer) {
	fs.mu.Lock()
	r.obj = obj
	r.state = finQueued
	fs.queue = append(fs.queue, r)
	fs.mu.Unlock()
	fs.pending.Store(true)
	select {
	case fs.notify <- struct{}{}:
	default:
	}
}

// SetMetatable sets the metatable of v as lua_setmetatable does: for a
// table or a userdata its own (a table's __mode makes it weak; a __gc
// field present in mt now marks the object for finalization), for other
// values the metatable shared by their type. Library code (setmetatable,
// debug.setmetatable) goes through it.
func (L *State) SetMetatable(v Value, mt *Table) {
	switch v.kind() {
	case kTable:
		t := (*Table)(v.p)
		t.SetMetatable(mt)
		if !t.finMarked && hasGC(mt) && L.markForGC(v) {
			t.finMarked = true
		}
	case kUserdata:
		u := (*Userdata)(v.p)
		u.meta = mt
		if !u.finMarked && hasGC(mt) && L.markForGC(v) {
			u.finMarked = true
		}
	default:
		L.g.typeMeta[v.Type()] = mt
	}
}

// hasGC reports whether mt has a __gc field (of any type: lua5.3 marks
// the object and looks for a function only when finalizing it).
func hasGC(mt *Table) bool {
	if mt == nil || mt.absent&(1<<tmGC) != 0 {
		return false
	}
	if mt.GetStr("__gc").p == nil {
		mt.absent |= 1 << tmGC
		return false
	}
	return true
}

// markForGC gives the table or userdata v a Go finalizer that queues it.
func (L *State) markForGC(v Value) bool {
	fs := L.g.fin
	if fs.closed {
		return false
	}
	fs.seq++
	r := &finRec{w: weak.Make((*byte)(v.p)), seq: fs.seq, kind: v.kind()}
	if v.kind() == kTable {
		runtime.SetFinalizer((*Table)(v.p), func(t *Table) { fs.deliver(r, unsafe.Pointer(t)) })
	} else {
		runtime.SetFinalizer((*Userdata)(v.p), func(u *Userdata) { fs.deliver(r, unsafe.Pointer(u)) })
	}
	if len(fs.recs) == cap(fs.recs) {
		// Drop the records of objects already queued or finalized before
		// growing: the list stays proportional to the marked objects.
		fs.mu.Lock()
		fs.recs = slices.DeleteFunc(fs.recs, func(r *finRec) bool { return r.state != finMarked })
		fs.mu.Unlock()
	}
	fs.recs = append(fs.recs, r)
	return true
}

// unmark clears the mark of a finalized (or closing) object.
func (r *finRec) unmark(obj unsafe.Pointer) Value {
	v := refValue(obj, r.kind)
	if r.kind == kTable {
		(*Table)(obj).finMarked = false
	} else {
		(*Userdata)(obj).finMarked = false
	}
	return v
}

// RunPendingFinalizers runs the __gc metamethods of the objects Go's
// collector has found unreachable since the last run. The interpreter
// calls it at safe points (the call of a Lua function) when
// g.fin.pending is set; a host may call it when idle. An error in a
// __gc propagates (as a Lua error, like Call's) as "error in __gc
// metamethod (msg)", as in Lua 5.3, and the objects not yet finalized
// stay queued.
func (L *State) RunPendingFinalizers() { L.runFinalizers(true) }

func (L *State) runFinalizers(propagate bool) {
	fs := L.g.fin
	if fs.running || fs.closed {
		return
	}
	fs.mu.Lock()
	batch := fs.queue
	fs.queue = nil
	fs.pending.Store(false)
	fs.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	// Lua finalizes the objects of one collection newest mark first.
	slices.SortFunc(batch, func(a, b *finRec) int {
		if a.seq > b.seq {
			return -1
		}
		return 1
	})
	fs.running = true
	i := 0
	defer func() {
		fs.running = false
		if i < len(batch) {
			// An error (or a cancellation) stopped the run: the rest stay
			// queued, ahead of anything delivered meanwhile, for the next
			// collection (as in Lua, which runs them at later steps, not
			// at the very next call).
			fs.mu.Lock()
			fs.queue = append(batch[i:len(batch):len(batch)], fs.queue...)
			fs.mu.Unlock()
		}
	}()
	for i < len(batch) {
		r := batch[i]
		i++
		fs.mu.Lock()
		obj := r.obj
		r.obj, r.state = nil, finDone
		fs.mu.Unlock()
		L.callGC(r.unmark(obj), propagate)
	}
}

// callGC calls obj's __gc (if it is a function now) in protected mode
// with hooks off, as Lua's GCTM does.
func (L *State) callGC(obj Value, propagate bool) {
	tm := L.Metatable(obj)
	if tm == nil {
		return
	}
	f := tm.GetStr("__gc")
	if !f.IsFunction() {
		return
	}
	allow := L.hook.allow
	L.hook.allow = false
	fn := L.top
	L.ensureStack(2)
	L.stack[fn] = f
	L.stack[fn+1] = obj
	L.top = fn + 2
	err := L.pcallAt(fn, 0, 0)
	L.hook.allow = allow
	if err != nil && propagate {
		msg := "no message"
		if e, ok := err.(*Error); ok && e.Value.kind() == kString {
			msg = e.Value.str()
		}
		panic(&Error{Value: String("error in __gc metamethod (" + msg + ")")})
	}
}

// Collect runs a full collection, as collectgarbage("collect") does: Go's
// collector runs, collected objects disappear from weak tables, and the
// __gc metamethods of the marked objects found unreachable run before it
// returns. An error in a __gc propagates as in Lua 5.3.
func (L *State) Collect() {
	L.dropDeadReferences()
	runtime.GC()
	L.g.fin.awaitDeliveries(time.Second)
	L.runFinalizers(true)
}

// awaitDeliveries waits (at most limit) until Go's finalizer goroutine
// has delivered every marked object the last collection found
// unreachable. Go clears the weak pointer of an object with a finalizer
// when it queues the finalizer, so such objects are the marked ones whose
// weak pointer reads nil.
func (fs *finalizers) awaitDeliveries(limit time.Duration) {
	var timer *time.Timer
	for {
		waiting := false
		fs.mu.Lock()
		for _, r := range fs.recs {
			if r.state == finMarked && r.w.Value() == nil {
				waiting = true
				break
			}
		}
		fs.mu.Unlock()
		if !waiting {
			return
		}
		if timer == nil {
			timer = time.NewTimer(limit)
			defer timer.Stop()
		}
		select {
		case <-fs.notify:
		case <-timer.C:
			return
		}
	}
}

// dropDeadReferences clears what the engine keeps only by accident: the
// stack slots above the top of every thread (Lua's collector clears them
// too), the functions of finished frames kept for reuse, and the closure
// caches of the prototypes of running functions (weak in Lua 5.3).
func (L *State) dropDeadReferences() {
	seen := map[*Prototype]bool{}
	L.clearAboveTop(seen)
	if m := L.g.mainThread; m != L {
		m.clearAboveTop(seen)
	}
	for _, ref := range L.g.threads {
		if r := ref.Value(); r != nil && r.L != L {
			r.L.clearAboveTop(seen)
		}
	}
}

func (L *State) clearAboveTop(seen map[*Prototype]bool) {
	clear(L.stack[L.top:])
	for ci := L.ci.next; ci != nil; ci = ci.next {
		ci.lf = nil
	}
	for ci := L.ci; ci != nil; ci = ci.prev {
		if ci.lf != nil {
			clearClosureCaches(ci.lf.proto, seen)
		}
	}
}

// clearClosureCaches drops the cached closures of p and its nested
// prototypes. Lua 5.3's cache does not keep a closure alive; here it is
// an ordinary pointer, so a collection clears it where it can find it.
func clearClosureCaches(p *Prototype, seen map[*Prototype]bool) {
	if seen[p] {
		return
	}
	seen[p] = true
	p.cache = nil
	for _, q := range p.protos {
		clearClosureCaches(q, seen)
	}
}

// Close ends the state as lua_close does: it runs the __gc metamethods of
// the objects already found unreachable, then of every object still
// marked, newest mark first (errors are ignored), and ends the suspended
// coroutines, releasing their goroutines. A cancelled state runs no
// __gc. The state must not be used afterwards.
func (L *State) Close() {
	fs := L.g.fin
	if fs.closed {
		return
	}
	if !L.Cancelled() {
		L.closeFinalizers()
	}
	fs.closed = true
	for _, ref := range L.g.threads {
		if r := ref.Value(); r != nil && r.L.co != nil {
			r.L.release()
		}
	}
	L.g.threads = nil
}

func (L *State) closeFinalizers() {
	fs := L.g.fin
	defer func() {
		// A cancellation during a __gc ends the finalization.
		if r := recover(); r != nil {
			if e, ok := r.(*Error); !ok || !e.cancelled {
				panic(r)
			}
		}
	}()
	// Objects whose Go finalizer is already queued arrive shortly.
	fs.awaitDeliveries(time.Second)
	// Finalizers may mark new objects: repeat until none is left.
	for round := 0; round < 100; round++ {
		L.runFinalizers(false)
		var live []Value
		fs.mu.Lock()
		for _, r := range slices.Backward(fs.recs) {
			if r.state != finMarked {
				continue
			}
			p := r.w.Value()
			if p == nil {
				continue // queued by Go meanwhile: runFinalizers takes it
			}
			r.state = finDone
			live = append(live, r.unmark(unsafe.Pointer(p)))
		}
		fs.recs = slices.DeleteFunc(fs.recs, func(r *finRec) bool { return r.state != finMarked })
		fs.mu.Unlock()
		if len(live) == 0 && !fs.pending.Load() {
			return
		}
		for _, v := range live {
			if v.kind() == kTable {
				runtime.SetFinalizer((*Table)(v.p), nil)
			} else {
				runtime.SetFinalizer((*Userdata)(v.p), nil)
			}
		}
		fs.running = true
		for _, v := range live {
			L.callGC(v, false)
		}
		fs.running = false
	}
}
