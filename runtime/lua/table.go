package lua

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"math/bits"
	"unsafe"
)

// Table is a Lua table: an array part for the keys 1..n and a hash part
// for the rest, resized as Lua 5.3 resizes them (computesizes), so that
// the length operator, constructors and sparse keys behave and cost as in
// the reference: a sparse integer key costs one hash node, not an array.
type Table struct {
	arr      []Value
	node     []node // len is 0 or a power of two
	lastFree int    // nodes at or above lastFree are known to be in use
	meta     *Table
	// absent caches which metamethods this table, used as a metatable, is
	// known not to have (bit i: event i); any new key clears it.
	absent uint32
	// finMarked: the table has a Go finalizer that queues its __gc (see
	// gc.go). Only the state's goroutine reads or writes it.
	finMarked bool
	// weak holds the entries of a weak table (its metatable has __mode),
	// and then arr and node stay empty: the interpreter's inline paths,
	// which read arr and node directly, miss and fall back to the
	// methods, whose miss paths delegate. Ordinary tables pay one
	// predictable branch on a miss and nothing on a hit. (The field
	// fits in the padding of the 80-byte size class.)
	weak *weakTable
}

// node is a slot of the hash part. Colliding keys are chained through
// next (index+1 of the next node; 0 ends the chain), as in Lua's
// scatter table with Brent's variation.
type node struct {
	key  Value
	val  Value
	next int32
}

// Errors returned by Table.Set for keys a table cannot hold.
var (
	ErrNilIndex = errors.New("table index is nil")
	ErrNaNIndex = errors.New("table index is NaN")
)

// strSeed keys string hashing per process, so that colliding keys cannot
// be prepared in advance (hash flooding through request parameters).
var strSeed = func() uint64 {
	var h maphash.Hash
	return h.Sum64() | 1
}()

// NewTable returns a table with room for narr array items and nhash other keys.
func NewTable(narr, nhash int) *Table {
	if narr == 0 && nhash > 0 && nhash <= 4 {
		// Small records ({x = 1, y = 2}) come in one allocation.
		if nhash <= 2 {
			tn := &struct {
				t Table
				n [2]node
			}{}
			tn.t.node, tn.t.lastFree = tn.n[:1<<ceilLog2(nhash)], 1<<ceilLog2(nhash)
			return &tn.t
		}
		tn := &struct {
			t Table
			n [4]node
		}{}
		tn.t.node, tn.t.lastFree = tn.n[:], 4
		return &tn.t
	}
	t := &Table{}
	if narr > 0 {
		t.arr = make([]Value, narr)
	}
	if nhash > 0 {
		t.setNodeVector(nhash)
	}
	return t
}

// Metatable returns t's metatable, or nil.
func (t *Table) Metatable() *Table { return t.meta }

// SetMetatable sets t's metatable (nil removes it). A metatable whose
// __mode contains 'k' and/or 'v' makes t's keys and/or values weak, as
// the metatable's __mode is at this moment (Lua reads __mode at every
// collection; changing it afterwards has no effect here until the next
// SetMetatable). Marking for __gc needs the state: State.SetMetatable.
func (t *Table) SetMetatable(mt *Table) {
	t.meta = mt
	keys, vals := weakMode(mt)
	if keys || vals || t.weak != nil {
		t.setWeakMode(keys, vals)
	}
}

func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// hashOf returns the hash of a normalised key (floats with an integer
// value have been turned into integers).
func hashOf(k Value) uint64 {
	switch k.p {
	case pInt, pFloat, pBool:
		return mix64(k.n)
	}
	if k.n>>kindShift == kString {
		return hashString(k.str())
	}
	return mix64(uint64(uintptr(k.p)))
}

// hashString hashes a string 8 bytes at a time with a keyed
// multiply-xorshift mix: several times faster than hash/maphash for the
// short keys Lua code uses.
func hashString(s string) uint64 {
	h := strSeed ^ uint64(len(s))*0x9e3779b97f4a7c15
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
		b = b[8:]
	}
	if n := len(b); n > 0 {
		var w uint64
		switch {
		case n >= 4: // two overlapping 4-byte loads
			w = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
		default:
			w = uint64(b[0]) | uint64(b[n/2])<<8 | uint64(b[n-1])<<16
		}
		h = (h ^ w) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	h *= 0x94d049bb133111eb
	return h ^ h>>29
}

// keyEqual compares a normalised key with a node's key.
func keyEqual(a, b Value) bool {
	if a == b {
		return true
	}
	if a.p == pInt || a.p == pFloat || a.p == pBool || a.p == nil {
		return false
	}
	if a.n>>kindShift == kString && b.isRef() && a.n == b.n {
		return a.str() == b.str()
	}
	return false
}

func (t *Table) mainPosition(h uint64) int { return int(h & uint64(len(t.node)-1)) }

// findNode returns the index of key k's node, or -1.
func (t *Table) findNode(k Value) int {
	if len(t.node) == 0 {
		return -1
	}
	i := t.mainPosition(hashOf(k))
	for {
		n := &t.node[i]
		if keyEqual(k, n.key) {
			return i
		}
		if n.next == 0 {
			return -1
		}
		i = int(n.next) - 1
	}
}

func (t *Table) findStr(s string) int {
	if len(t.node) == 0 {
		return -1
	}
	return t.findStrH(s, hashString(s))
}

// findStrH is findStr with the string's hash already computed.
func (t *Table) findStrH(s string, h uint64) int {
	if len(t.node) == 0 {
		return -1
	}
	i := t.mainPosition(h)
	want := kString<<kindShift | uint64(len(s))
	sp := unsafe.Pointer(unsafe.StringData(s))
	for {
		n := &t.node[i]
		if n.key.n == want {
			// Interned constants usually share their bytes with the key.
			if n.key.p == sp || (n.key.isRef() && n.key.str() == s) {
				return i
			}
		}
		if n.next == 0 {
			return -1
		}
		i = int(n.next) - 1
	}
}

func (t *Table) findInt(k int64) int {
	if len(t.node) == 0 {
		return -1
	}
	i := t.mainPosition(mix64(uint64(k)))
	for {
		n := &t.node[i]
		if n.key.p == pInt && int64(n.key.n) == k {
			return i
		}
		if n.next == 0 {
			return -1
		}
		i = int(n.next) - 1
	}
}

// Get returns t[k] without metamethods.
func (t *Table) Get(k Value) Value {
	switch k.p {
	case nil:
		return Nil
	case pInt:
		return t.GetInt(k.int())
	case pFloat:
		if i, ok := floatToInt(k.float()); ok {
			return t.GetInt(i)
		}
	}
	if i := t.findNode(k); i >= 0 {
		return t.node[i].val
	}
	if t.weak != nil {
		return t.weak.get(k)
	}
	return Nil
}

// GetInt returns t[k] without metamethods. It is small enough to be
// inlined: the hash part's search is a call.
func (t *Table) GetInt(k int64) Value {
	if uint64(k)-1 < uint64(len(t.arr)) {
		return t.arr[k-1]
	}
	return t.getIntHash(k)
}

// getIntHash returns t[k] for a key outside the array part. The weak
// check sits on the path of an empty hash part (every weak table's), so
// a search in a hash part costs nothing more.
func (t *Table) getIntHash(k int64) Value {
	if len(t.node) == 0 {
		if t.weak != nil {
			return t.weak.getInt(k)
		}
		return Nil
	}
	i := t.mainPosition(mix64(uint64(k)))
	for {
		n := &t.node[i]
		if n.key.p == pInt && int64(n.key.n) == k {
			return n.val
		}
		if n.next == 0 {
			return Nil
		}
		i = int(n.next) - 1
	}
}

// GetStr returns t[s] without metamethods.
func (t *Table) GetStr(s string) Value {
	if len(t.node) == 0 {
		if t.weak != nil {
			return t.weak.getStr(s)
		}
		return Nil
	}
	return t.getStrH(s, hashString(s))
}

// getStrH returns t[s] for a string whose hash h is known (constants).
// It returns the value itself rather than a node index: the interpreter
// calls it directly, one call as before, and the weak check costs
// nothing on a non-empty hash part.
func (t *Table) getStrH(s string, h uint64) Value {
	if len(t.node) == 0 {
		if t.weak != nil {
			return t.weak.getStr(s)
		}
		return Nil
	}
	i := t.mainPosition(h)
	want := kString<<kindShift | uint64(len(s))
	sp := unsafe.Pointer(unsafe.StringData(s))
	for {
		n := &t.node[i]
		if n.key.n == want {
			// Interned constants usually share their bytes with the key.
			if n.key.p == sp || (n.key.isRef() && n.key.str() == s) {
				return n.val
			}
		}
		if n.next == 0 {
			return Nil
		}
		i = int(n.next) - 1
	}
}

// Set assigns t[k] = v without metamethods. It fails only for a nil or
// NaN key.
func (t *Table) Set(k, v Value) error {
	switch k.p {
	case nil:
		return ErrNilIndex
	case pInt:
		t.SetInt(k.int(), v)
		return nil
	case pFloat:
		f := k.float()
		if i, ok := floatToInt(f); ok {
			t.SetInt(i, v)
			return nil
		}
		if f != f {
			return ErrNaNIndex
		}
	}
	if i := t.findNode(k); i >= 0 {
		t.node[i].val = v
		return nil
	}
	if t.weak != nil {
		t.absent = 0
		t.weak.set(k, v)
		return nil
	}
	if v.p != nil {
		t.newKey(k, v)
	}
	return nil
}

// SetInt assigns t[k] = v without metamethods.
func (t *Table) SetInt(k int64, v Value) {
	if uint64(k)-1 < uint64(len(t.arr)) {
		t.arr[k-1] = v
		return
	}
	if i := t.findInt(k); i >= 0 {
		t.node[i].val = v
		return
	}
	if t.weak != nil {
		t.weak.setInt(k, v)
		return
	}
	if v.p != nil {
		t.newKey(Int(k), v)
	}
}

// SetStr assigns t[s] = v without metamethods. A new key is interned
// (SetStr is how Go code fills library tables, whose keys Lua code
// looks up with interned constants).
func (t *Table) SetStr(s string, v Value) {
	if i := t.findStr(s); i >= 0 {
		t.node[i].val = v
		return
	}
	if t.weak != nil {
		t.absent = 0
		t.weak.setStr(s, v)
		return
	}
	if v.p != nil {
		t.newKey(String(intern(s)), v)
	}
}

// getFreePos returns a node with a nil key, searching downwards, or -1.
func (t *Table) getFreePos() int {
	for t.lastFree > 0 {
		t.lastFree--
		if t.node[t.lastFree].key.p == nil {
			return t.lastFree
		}
	}
	return -1
}

// newKey inserts a key known to be absent (and valid) with a non-nil value.
func (t *Table) newKey(k, v Value) {
	t.absent = 0
	if len(t.node) == 0 {
		t.rehash(k)
		t.Set(k, v)
		return
	}
	mp := t.mainPosition(hashOf(k))
	if t.node[mp].val.p != nil {
		// The main position is taken. (A dead key there is overwritten, as
		// in Lua: its chain stays valid.)
		f := t.getFreePos()
		if f < 0 {
			t.rehash(k)
			t.Set(k, v)
			return
		}
		other := t.mainPosition(hashOf(t.node[mp].key))
		if other != mp {
			// The colliding node is out of its main position: move it to
			// the free slot and put the new key in its place.
			for int(t.node[other].next)-1 != mp {
				other = int(t.node[other].next) - 1
			}
			t.node[other].next = int32(f + 1)
			t.node[f] = t.node[mp]
			t.node[mp] = node{}
		} else {
			// The colliding node is in its main position: the new key
			// goes to the free slot, chained after it.
			t.node[f].next = t.node[mp].next
			t.node[mp].next = int32(f + 1)
			mp = f
		}
	}
	t.node[mp].key = k
	t.node[mp].val = v
}

// ceilLog2 returns ceil(log2(x)) for x >= 1.
func ceilLog2(x int) int { return bits.Len(uint(x - 1)) }

func (t *Table) setNodeVector(size int) {
	if size == 0 {
		t.node = nil
		t.lastFree = 0
		return
	}
	lsize := ceilLog2(size)
	if lsize > 30 {
		panic(errorString("table overflow"))
	}
	t.node = make([]node, 1<<lsize)
	t.lastFree = len(t.node)
}

const maxABits = 31 // largest array part is 2^maxABits - 1... bounded by memory anyway

// countIntKey adds k to nums if it is a candidate array index.
func countIntKey(k Value, nums *[maxABits + 1]int) int {
	if k.p == pInt {
		i := k.int()
		if i > 0 && i <= 1<<maxABits {
			nums[ceilLog2(int(i))]++
			return 1
		}
	}
	return 0
}

// numUseArray counts the non-nil items of the array part per slice
// (2^(lg-1), 2^lg].
func (t *Table) numUseArray(nums *[maxABits + 1]int) int {
	ause := 0
	i := 1
	for lg, ttlg := 0, 1; lg <= maxABits; lg, ttlg = lg+1, ttlg*2 {
		lc := 0
		lim := ttlg
		if lim > len(t.arr) {
			lim = len(t.arr)
			if i > lim {
				break
			}
		}
		for ; i <= lim; i++ {
			if t.arr[i-1].p != nil {
				lc++
			}
		}
		nums[lg] += lc
		ause += lc
	}
	return ause
}

// computeSizes picks the largest power of two n such that more than half
// of 1..n would be in use, as Lua 5.3 does; it returns n and the number
// of integer keys that go to the array part.
func computeSizes(nums *[maxABits + 1]int, nint int) (size, na int) {
	a := 0
	for i, twotoi := 0, 1; twotoi > 0 && nint > twotoi/2; i, twotoi = i+1, twotoi*2 {
		if nums[i] > 0 {
			a += nums[i]
			if a > twotoi/2 {
				size = twotoi
				na = a
			}
		}
	}
	return size, na
}

func (t *Table) rehash(extra Value) {
	var nums [maxABits + 1]int
	na := t.numUseArray(&nums)
	total := na
	for i := range t.node {
		n := &t.node[i]
		if n.val.p != nil {
			na += countIntKey(n.key, &nums)
			total++
		}
	}
	na += countIntKey(extra, &nums)
	total++
	asize, ana := computeSizes(&nums, na)
	t.resize(asize, total-ana)
}

// resize gives the table an array part of nasize and a hash part for
// nhsize keys, moving items between them.
func (t *Table) resize(nasize, nhsize int) {
	oldArr := t.arr
	oldNode := t.node
	if nasize > len(oldArr) {
		t.arr = make([]Value, nasize)
		copy(t.arr, oldArr)
	}
	t.setNodeVector(nhsize)
	if nasize < len(oldArr) {
		t.arr = oldArr[:nasize:nasize]
		for i := nasize; i < len(oldArr); i++ {
			if oldArr[i].p != nil {
				t.SetInt(int64(i)+1, oldArr[i])
			}
		}
		t.arr = append([]Value(nil), t.arr...)
	}
	for i := len(oldNode) - 1; i >= 0; i-- {
		n := &oldNode[i]
		if n.val.p != nil {
			t.Set(n.key, n.val)
		}
	}
}

// Resize makes room for narr array items and nhash other keys (used by
// table constructors and table.move/pack).
func (t *Table) Resize(narr, nhash int) {
	if t.weak != nil {
		t.weak.t.Resize(narr, nhash)
		return
	}
	if narr < len(t.arr) {
		narr = len(t.arr)
	}
	if nhash < len(t.node) {
		nhash = len(t.node)
	}
	t.resize(narr, nhash)
}

// Len returns a border of t (the # operator without __len), as Lua 5.3's
// luaH_getn finds it.
func (t *Table) Len() int64 {
	j := len(t.arr)
	if j > 0 && t.arr[j-1].p == nil {
		i := 0
		for j-i > 1 {
			m := (i + j) / 2
			if t.arr[m-1].p == nil {
				j = m
			} else {
				i = m
			}
		}
		return int64(i)
	}
	if len(t.node) == 0 {
		if t.weak != nil {
			return t.weak.len()
		}
		return int64(j)
	}
	return t.unboundSearch(int64(j))
}

func (t *Table) unboundSearch(j int64) int64 {
	i := j
	j++
	for t.GetInt(j).p != nil {
		i = j
		if j > math.MaxInt64/2 {
			// A malicious table: search linearly.
			k := int64(1)
			for t.GetInt(k).p != nil {
				k++
			}
			return k - 1
		}
		j *= 2
	}
	for j-i > 1 {
		m := (i + j) / 2
		if t.GetInt(m).p == nil {
			j = m
		} else {
			i = m
		}
	}
	return i
}

// ErrInvalidNextKey is returned by Next for a key that is not in the table.
var ErrInvalidNextKey = errors.New("invalid key to 'next'")

// Next returns the entry after key k in traversal order (the first entry
// for nil); ok is false after the last entry. Fields may be assigned
// (including set to nil) during a traversal; adding keys is not allowed.
func (t *Table) Next(k Value) (key, val Value, ok bool, err error) {
	if t.weak != nil {
		return t.weak.next(k)
	}
	i, err := t.traversalIndex(k)
	if err != nil {
		return Nil, Nil, false, err
	}
	for ; i < len(t.arr); i++ {
		if t.arr[i].p != nil {
			return Int(int64(i) + 1), t.arr[i], true, nil
		}
	}
	for i -= len(t.arr); i < len(t.node); i++ {
		if n := &t.node[i]; n.val.p != nil {
			return n.key, n.val, true, nil
		}
	}
	return Nil, Nil, false, nil
}

// traversalIndex returns the position after key k: array slots first,
// then nodes.
func (t *Table) traversalIndex(k Value) (int, error) {
	if k.p == nil {
		return 0, nil
	}
	if k.p == pFloat {
		if _, isInt := floatToInt(k.float()); isInt {
			// Stored as an integer key: lua5.3 does not find it either.
			return 0, ErrInvalidNextKey
		}
	}
	if k.p == pInt {
		if i := k.int(); uint64(i)-1 < uint64(len(t.arr)) {
			return int(i), nil
		}
	}
	if i := t.findNode(k); i >= 0 {
		return len(t.arr) + i + 1, nil
	}
	return 0, ErrInvalidNextKey
}

// errorString is an internal error value for conditions such as memory
// exhaustion that are raised as Lua errors.
type errorString string

func (e errorString) Error() string { return string(e) }

// resizeArray grows the array part to n slots (OP_SETLIST).
func (t *Table) resizeArray(n int) {
	t.resize(n, len(t.node))
}
