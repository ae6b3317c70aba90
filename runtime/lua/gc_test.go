package lua

import (
	"runtime"
	"strings"
	"testing"
)

// The tests drop objects inside helpers marked noinline, so that no
// variable of the test function keeps them alive.

func newWeakTable(L *State, mode string) *Table {
	t := NewTable(0, 0)
	mt := NewTable(0, 1)
	mt.SetStr("__mode", String(mode))
	L.SetMetatable(TableValue(t), mt)
	return t
}

func entries(t *testing.T, tb *Table) map[Value]Value {
	t.Helper()
	m := map[Value]Value{}
	for k := Nil; ; {
		nk, nv, ok, err := tb.Next(k)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return m
		}
		m[nk] = nv
		k = nk
	}
}

//go:noinline
func addGarbageKeys(tb *Table, n int) {
	for i := 0; i < n; i++ {
		tb.Set(TableValue(NewTable(0, 0)), Int(int64(i)))
	}
}

func TestWeakKeysCollected(t *testing.T) {
	L := NewState()
	wt := newWeakTable(L, "k")
	kept := TableValue(NewTable(0, 0))
	fn := NewGoFunction("f", func(*State) int { return 0 })
	wt.Set(kept, String("kept"))
	wt.SetStr("s", True)
	wt.SetInt(1, True)
	wt.Set(fn, True)
	addGarbageKeys(wt, 100)
	if n := len(entries(t, wt)); n != 104 {
		t.Fatalf("%d entries before collecting, want 104", n)
	}
	L.Collect()
	got := entries(t, wt)
	if len(got) != 4 || !RawEqual(got[kept], String("kept")) || wt.GetStr("s") != True || got[Int(1)] != True || got[fn] != True {
		t.Errorf("after collecting: %v", got)
	}
	if v := wt.Get(kept); !RawEqual(v, String("kept")) {
		t.Errorf("wt[kept] = %v", v)
	}
	// New keys after the purge of dead ones are found.
	addGarbageKeys(wt, 100)
	k2 := TableValue(NewTable(0, 0))
	wt.Set(k2, Int(2))
	if wt.Get(k2) != Int(2) {
		t.Errorf("wt[k2] = %v", wt.Get(k2))
	}
	runtime.KeepAlive(kept.p)
	runtime.KeepAlive(fn.p)
}

//go:noinline
func addGarbageValues(tb *Table) {
	tb.SetInt(1, TableValue(NewTable(0, 0)))
	tb.SetInt(2, String("string stays"))
	tb.SetStr("f", NewGoFunction("g", func(*State) int { return 0 }))
}

func TestWeakValuesCollected(t *testing.T) {
	L := NewState()
	wt := newWeakTable(L, "v")
	addGarbageValues(wt)
	kept := TableValue(NewTable(0, 0))
	wt.SetInt(3, kept)
	L.Collect()
	if v := wt.GetInt(1); v.p != nil {
		t.Errorf("wt[1] = %v, want nil", v)
	}
	if v := wt.GetStr("f"); v.p != nil {
		t.Errorf("wt.f = %v, want nil", v)
	}
	if s, _ := wt.GetInt(2).AsString(); s != "string stays" {
		t.Errorf("wt[2] = %v", wt.GetInt(2))
	}
	if wt.GetInt(3) != kept {
		t.Errorf("wt[3] lost")
	}
	// # gives a border: lua5.3 gives 3 here (array part [nil, s, t]).
	if n := wt.Len(); n != 3 {
		t.Errorf("#wt = %d, want 3", n)
	}
	if got := entries(t, wt); len(got) != 2 {
		t.Errorf("entries %v", got)
	}
}

//go:noinline
func addHalfGarbage(tb *Table, n int) []Value {
	var kept []Value
	for i := 0; i < n; i++ {
		k := TableValue(NewTable(0, 0))
		tb.Set(k, Int(int64(i)))
		if i%2 == 0 {
			kept = append(kept, k)
		}
	}
	return kept
}

// A traversal goes on through entries dying (and being cleared) on the way.
func TestWeakNextWhileCollecting(t *testing.T) {
	L := NewState()
	wt := newWeakTable(L, "k")
	kept := addHalfGarbage(wt, 200)
	alive := map[Value]bool{}
	for _, k := range kept {
		alive[k] = true
	}
	seen := map[Value]bool{}
	k := Nil
	for steps := 0; ; steps++ {
		nk, _, ok, err := wt.Next(k)
		if err != nil {
			t.Fatalf("step %d: %v", steps, err)
		}
		if !ok {
			break
		}
		if steps == 5 {
			L.Collect()
		}
		if steps%3 == 0 {
			wt.Set(nk, Nil) // clearing during a traversal is allowed
		}
		seen[nk] = true
		k = nk
	}
	for k := range alive {
		if !seen[k] {
			t.Fatalf("a kept key was not traversed")
		}
	}
	if len(seen) >= 200 {
		t.Errorf("the traversal saw %d keys: nothing was collected", len(seen))
	}
	if _, _, _, err := wt.Next(TableValue(NewTable(0, 0))); err != ErrInvalidNextKey {
		t.Errorf("next with an absent key: %v", err)
	}
	runtime.KeepAlive(kept)
}

func TestWeakModeChanges(t *testing.T) {
	L := NewState()
	tb := NewTable(0, 0)
	kept := TableValue(NewTable(0, 0))
	for i := int64(1); i <= 10; i++ {
		tb.SetInt(i, kept)
	}
	tb.Set(kept, True)
	mt := NewTable(0, 1)
	mt.SetStr("__mode", String("kv"))
	L.SetMetatable(TableValue(tb), mt)
	if len(tb.arr) != 0 || len(tb.node) != 0 || tb.weak == nil {
		t.Fatalf("a weak table keeps entries in its own parts")
	}
	if tb.Len() != 10 || tb.GetInt(5) != kept || tb.Get(kept) != True {
		t.Fatalf("entries lost in the conversion")
	}
	L.SetMetatable(TableValue(tb), nil)
	if tb.weak != nil || tb.Len() != 10 || tb.Get(kept) != True {
		t.Fatalf("entries lost in the conversion back")
	}
	// A weak table as a metatable: a new __index key is seen.
	wm := newWeakTable(L, "k")
	obj := NewTable(0, 0)
	L.SetMetatable(TableValue(obj), wm)
	if v := L.Index(TableValue(obj), String("x")); v.p != nil {
		t.Fatalf("obj.x = %v", v)
	}
	idx := NewTable(0, 1)
	idx.SetStr("x", Int(1))
	wm.SetStr("__index", TableValue(idx))
	if v := L.Index(TableValue(obj), String("x")); v != Int(1) {
		t.Fatalf("obj.x = %v through a weak metatable's new __index", v)
	}
}

// gcRecorder returns a metatable whose __gc appends the object's "id"
// field to *log.
func gcRecorder(log *[]string) *Table {
	mt := NewTable(0, 1)
	mt.SetStr("__gc", NewGoFunction("gc", func(L *State) int {
		id, _ := L.Arg(1).AsTable().GetStr("id").AsString()
		*log = append(*log, id)
		return 0
	}))
	return mt
}

func newObj(L *State, id string, mt *Table) *Table {
	o := NewTable(0, 1)
	o.SetStr("id", String(id))
	L.SetMetatable(TableValue(o), mt)
	return o
}

//go:noinline
func dropObjs(L *State, mt *Table, ids ...string) {
	for _, id := range ids {
		newObj(L, id, mt)
	}
}

func TestGCRunByCollect(t *testing.T) {
	L := NewState()
	var log []string
	mt := gcRecorder(&log)
	keep := newObj(L, "kept", mt)
	dropObjs(L, mt, "a", "b", "c")
	L.Collect()
	if got := strings.Join(log, " "); got != "c b a" {
		t.Errorf("__gc ran for %q, want \"c b a\" (newest mark first)", got)
	}
	log = nil
	L.Collect()
	if len(log) != 0 {
		t.Errorf("__gc ran again: %v", log)
	}
	L.Close()
	if got := strings.Join(log, " "); got != "kept" {
		t.Errorf("Close ran __gc for %q, want kept", got)
	}
	runtime.KeepAlive(keep)
}

func TestGCOrderAtClose(t *testing.T) {
	L := NewState()
	var log []string
	mt := gcRecorder(&log)
	var keep []*Table
	for _, id := range []string{"1", "2", "3"} {
		keep = append(keep, newObj(L, id, mt))
	}
	// A userdata is finalized too; an error at Close is ignored.
	umt := NewTable(0, 1)
	umt.SetStr("__gc", NewGoFunction("gc", func(L *State) int {
		log = append(log, "u")
		L.RuntimeError("ignored")
		return 0
	}))
	u := NewUserdata(nil, nil)
	L.SetMetatable(UserdataValue(u), umt)
	keep = append(keep, newObj(L, "4", mt))
	L.Close()
	if got := strings.Join(log, " "); got != "4 u 3 2 1" {
		t.Errorf("Close ran __gc in order %q, want \"4 u 3 2 1\"", got)
	}
	runtime.KeepAlive(keep)
	runtime.KeepAlive(u)
}

var resurrected *Table

//go:noinline
func dropResurrecting(L *State) {
	mt := NewTable(0, 1)
	mt.SetStr("__gc", NewGoFunction("gc", func(L *State) int {
		resurrected = L.Arg(1).AsTable()
		return 0
	}))
	newObj(L, "phoenix", mt)
}

func TestGCResurrection(t *testing.T) {
	L := NewState()
	dropResurrecting(L)
	L.Collect()
	o := resurrected
	if o == nil {
		t.Fatal("__gc did not run")
	}
	resurrected = nil
	if s, _ := o.GetStr("id").AsString(); s != "phoenix" || o.Metatable() == nil {
		t.Errorf("the resurrected object is damaged: id %q", s)
	}
	o.SetStr("more", True) // usable
	// Not finalized again, neither by a collection nor at Close.
	o = nil
	L.Collect()
	L.Close()
	if resurrected != nil {
		t.Errorf("__gc ran twice")
	}
}

//go:noinline
func dropLateGC(L *State, ran *bool) {
	mt := NewTable(0, 1)
	newObj(L, "late", mt)
	mt.SetStr("__gc", NewGoFunction("gc", func(*State) int { *ran = true; return 0 }))
}

func TestGCMarkedOnlyAtSetMetatable(t *testing.T) {
	L := NewState()
	var ran bool
	dropLateGC(L, &ran)
	L.Collect()
	L.Close()
	if ran {
		t.Errorf("__gc ran for an object whose metatable got __gc after setmetatable")
	}
}

//go:noinline
func dropFailing(L *State) {
	for _, msg := range []string{"A", "B"} {
		mt := NewTable(0, 1)
		mt.SetStr("__gc", NewGoFunction("gc", func(L *State) int {
			L.Throw(String(msg))
			return 0
		}))
		newObj(L, msg, mt)
	}
	mt := NewTable(0, 1)
	mt.SetStr("__gc", NewGoFunction("gc", func(L *State) int {
		L.Throw(Int(42))
		return 0
	}))
	newObj(L, "n", mt)
}

func TestGCErrorPropagates(t *testing.T) {
	L := NewState()
	dropFailing(L)
	collect := NewGoFunction("collect", func(L *State) int { L.Collect(); return 0 })
	// Newest first; each error stops the run and leaves the rest queued.
	for _, want := range []string{"no message", "B", "A"} {
		_, err := L.PCallValue(collect)
		if err == nil || err.Error() != "error in __gc metamethod ("+want+")" {
			t.Errorf("collect: %v, want error in __gc metamethod (%s)", err, want)
		}
	}
	if _, err := L.PCallValue(collect); err != nil {
		t.Errorf("collect: %v", err)
	}
}

func TestCloseEndsCoroutines(t *testing.T) {
	L := NewState()
	co, cv := L.NewThread(NewGoFunction("body", func(L *State) int {
		L.Yield(0)
		return 0
	}))
	if _, err := L.Resume(co, 0); err != nil {
		t.Fatal(err)
	}
	if st := L.Status(co); st != CoSuspended {
		t.Fatalf("status %v", st)
	}
	L.Close()
	if st := L.Status(co); st != CoDead {
		t.Errorf("after Close: status %v, want dead", st)
	}
	runtime.KeepAlive(cv.p)
}
