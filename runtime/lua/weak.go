package lua

import (
	"unsafe"
	"weak"
)

// Weak tables. A table whose metatable has __mode keeps its entries in a
// weakTable: an inner ordinary Table in which every weak part that is a
// collectable object (table, function, userdata, thread) is replaced by
// a box holding a weak.Pointer to it. Strings, numbers and booleans are
// stored as they are and never removed, as in Lua.
//
// Boxes of weak keys are canonical (one per object, found through a map
// keyed by the object's weak.Pointer, which compares equal exactly for
// the same object, even after the object is gone and its address reused;
// and a resurrected object gets a new one), so the inner table hashes and
// compares them by address like any key. An entry whose key or value was
// collected reads as absent; purge turns such entries into nil values
// (Lua's dead keys), which the inner table's next rehash drops. Because
// purging only clears values, it may run during a traversal, and next()
// finds its place by the inner key, which stays in the node even when
// its object died.
//
// Limitation: weak keys are not ephemerons. A value that refers to its
// own key (t[k] = {k}) keeps the key alive, where Lua 5.3 would collect
// both. And an object whose __gc is pending vanishes from weak keys and
// values at once (Go clears weak pointers when it queues a finalizer),
// where Lua keeps it in weak keys until the collection after its __gc.
type weakTable struct {
	t          Table
	keys, vals bool
	boxes      map[weak.Pointer[byte]]*weakBox // the boxes of weak keys
	sets       int                             // non-nil assignments since the last purge
}

// weakBox stands for a collectable object in a weak part of a table.
type weakBox struct {
	w weak.Pointer[byte]
	n uint64 // the object's Value.n (its kind)
}

// kWeakBox is the kind of a box in a weakTable's inner table. Boxes never
// leave the weakTable (kindTypes has no entry for them on purpose).
const kWeakBox = kThread + 1

// weakMode reports which parts mt's __mode makes weak.
func weakMode(mt *Table) (keys, vals bool) {
	if mt == nil || mt.absent&(1<<tmMode) != 0 {
		return false, false
	}
	m := mt.GetStr("__mode")
	if m.p == nil {
		mt.absent |= 1 << tmMode
		return false, false
	}
	s, ok := m.AsString()
	if !ok {
		return false, false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'k':
			keys = true
		case 'v':
			vals = true
		}
	}
	return keys, vals
}

// collectable reports whether v is an object a weak table may lose.
func collectable(v Value) bool { return v.kind() >= kTable }

// setWeakMode moves t's entries into the representation for the given
// mode: an inner weak table, or t's own array and hash parts when neither
// keys nor values are weak.
func (t *Table) setWeakMode(keys, vals bool) {
	if w := t.weak; w != nil && w.keys == keys && w.vals == vals {
		return
	}
	type entry struct{ k, v Value }
	var entries []entry
	for k := Nil; ; {
		nk, nv, ok, _ := t.Next(k)
		if !ok {
			break
		}
		entries = append(entries, entry{nk, nv})
		k = nk
	}
	t.arr, t.node, t.lastFree, t.weak = nil, nil, 0, nil
	if keys || vals {
		t.weak = &weakTable{keys: keys, vals: vals}
		if keys {
			t.weak.boxes = make(map[weak.Pointer[byte]]*weakBox)
		}
	}
	for _, e := range entries {
		t.Set(e.k, e.v)
	}
	t.absent = 0
}

// key returns the inner key for k; ok is false when k is an object that
// has no box and add is false (then k is not in the table).
func (w *weakTable) key(k Value, add bool) (ik Value, ok bool) {
	if !w.keys || !collectable(k) {
		return k, true
	}
	wp := weak.Make((*byte)(k.p))
	b := w.boxes[wp]
	if b == nil {
		if !add {
			return Nil, false
		}
		b = &weakBox{w: wp, n: k.n}
		w.boxes[wp] = b
	}
	return Value{unsafe.Pointer(b), kWeakBox << kindShift}, true
}

// wrap returns the inner value for v.
func (w *weakTable) wrap(v Value) Value {
	if !w.vals || !collectable(v) {
		return v
	}
	b := &weakBox{w: weak.Make((*byte)(v.p)), n: v.n}
	return Value{unsafe.Pointer(b), kWeakBox << kindShift}
}

// unwrap returns the value an inner key or value stands for; ok is false
// when it is a box whose object was collected.
func unwrap(v Value) (Value, bool) {
	if v.n>>kindShift != kWeakBox || !v.isRef() {
		return v, true
	}
	b := (*weakBox)(v.p)
	p := b.w.Value()
	if p == nil {
		return Nil, false
	}
	return Value{unsafe.Pointer(p), b.n}, true
}

// val returns an inner value as Lua sees it (nil when collected).
func val(v Value) Value {
	v, _ = unwrap(v)
	return v
}

func (w *weakTable) get(k Value) Value {
	ik, ok := w.key(k, false)
	if !ok {
		return Nil
	}
	return val(w.t.Get(ik))
}

func (w *weakTable) getInt(k int64) Value { return val(w.t.GetInt(k)) }

func (w *weakTable) getStr(s string) Value { return val(w.t.GetStr(s)) }

// set assigns w[k] = v for a valid key that is not an integer.
func (w *weakTable) set(k, v Value) {
	if v.p == nil {
		if ik, ok := w.key(k, false); ok {
			w.t.Set(ik, Nil)
		}
		return
	}
	w.counted()
	ik, _ := w.key(k, true)
	w.t.Set(ik, w.wrap(v))
}

func (w *weakTable) setInt(k int64, v Value) {
	if v.p != nil {
		w.counted()
	}
	w.t.SetInt(k, w.wrap(v))
}

func (w *weakTable) setStr(s string, v Value) {
	if v.p != nil {
		w.counted()
	}
	w.t.SetStr(s, w.wrap(v))
}

// counted notes an assignment that may add a key, purging once the count
// reaches the table's size: dead entries then cost amortised O(1) each.
func (w *weakTable) counted() {
	w.sets++
	if w.sets > 8+len(w.t.arr)+len(w.t.node) {
		w.purge()
	}
}

// purge clears the entries whose key or value was collected, and forgets
// the boxes of collected keys. It changes values only (no rehash), so it
// is safe during a traversal.
func (w *weakTable) purge() {
	w.sets = 0
	for i := range w.t.arr {
		if _, ok := unwrap(w.t.arr[i]); !ok {
			w.t.arr[i] = Nil
		}
	}
	for i := range w.t.node {
		n := &w.t.node[i]
		if n.val.p == nil {
			continue
		}
		_, kok := unwrap(n.key)
		_, vok := unwrap(n.val)
		if !kok || !vok {
			n.val = Nil
		}
	}
	for wp := range w.boxes {
		if wp.Value() == nil {
			delete(w.boxes, wp)
		}
	}
}

// len is the border of a weak table. The inner table's border may end
// at a collected value: then the dead entries are cleared first, as
// Lua's collector would have cleared them.
func (w *weakTable) len() int64 {
	n := w.t.Len()
	if n > 0 {
		if _, ok := unwrap(w.t.GetInt(n)); !ok {
			w.purge()
			n = w.t.Len()
		}
	}
	return n
}

// next continues a traversal after k, skipping entries that died.
func (w *weakTable) next(k Value) (key, v Value, ok bool, err error) {
	ik := k
	if k.p != nil {
		var found bool
		if ik, found = w.key(k, false); !found {
			return Nil, Nil, false, ErrInvalidNextKey
		}
	}
	for {
		nk, nv, ok, err := w.t.Next(ik)
		if !ok || err != nil {
			return Nil, Nil, ok, err
		}
		key, kok := unwrap(nk)
		v, vok := unwrap(nv)
		if kok && vok {
			return key, v, true, nil
		}
		ik = nk
	}
}
