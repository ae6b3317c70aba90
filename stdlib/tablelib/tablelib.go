// Package tablelib is Lua 5.3's table library (ltablib.c) for the
// moonbridge engine: concat, insert, move, pack, remove, sort and unpack,
// with lua5.3's argument checks and error messages. Like lua5.3, the
// functions go through __index, __newindex and __len (lua_geti, lua_seti,
// luaL_len); plain tables without a metatable take a raw fast path. sort
// is ltablib.c's quicksort, so that a comparator sees the same calls in
// the same order as under lua5.3 and an inconsistent one raises "invalid
// order function for sorting" in the same situations.
package tablelib

import (
	"math"
	"strings"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Open returns the table library.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 8)
	for _, f := range []struct {
		name string
		fn   lua.GoFunc
	}{
		{"concat", concat},
		{"insert", insert},
		{"move", move},
		{"pack", pack},
		{"remove", remove},
		{"sort", sort},
		{"unpack", unpack},
	} {
		t.SetStr(f.name, lua.NewGoFunction(f.name, f.fn))
	}
	return t
}

// What checktab requires of a non-table argument's metatable.
const (
	tabR = 1 << iota // __index
	tabW             // __newindex
	tabL             // __len
)

// checkTab accepts a table, or a value whose metatable has the
// metamethods that what asks for (ltablib.c's checktab).
func checkTab(L *lua.State, arg int, what int) {
	v := L.Get(arg)
	if v.IsTable() {
		return
	}
	if mt := L.Metatable(v); mt != nil &&
		(what&tabR == 0 || !mt.GetStr("__index").IsNil()) &&
		(what&tabW == 0 || !mt.GetStr("__newindex").IsNil()) &&
		(what&tabL == 0 || !mt.GetStr("__len").IsNil()) {
		return
	}
	L.CheckType(arg, lua.TypeTable) // raises the error
}

// auxGetN checks argument arg and returns its length (aux_getn).
func auxGetN(L *lua.State, arg int, what int) int64 {
	checkTab(L, arg, what|tabL)
	return L.LenInt(L.Get(arg))
}

// geti is lua_geti: t[i] with metamethods, raw for a plain table.
func geti(L *lua.State, t lua.Value, i int64) lua.Value {
	if tt := t.AsTable(); tt != nil && tt.Metatable() == nil {
		return tt.GetInt(i)
	}
	return L.Index(t, lua.Int(i))
}

// seti is lua_seti: t[i] = v with metamethods, raw for a plain table.
func seti(L *lua.State, t lua.Value, i int64, v lua.Value) {
	if tt := t.AsTable(); tt != nil && tt.Metatable() == nil {
		tt.SetInt(i, v)
		return
	}
	L.SetIndex(t, lua.Int(i), v)
}

// cancelEvery is how many iterations long loops run between checks of
// the state's cancellation.
const cancelEvery = 4096

func insert(L *lua.State) int {
	t := L.Get(1)
	e := auxGetN(L, 1, tabR|tabW) + 1 // first empty element
	var pos int64
	switch L.NArgs() {
	case 2:
		pos = e
	case 3:
		pos = L.CheckInteger(2)
		if pos < 1 || pos > e { // e may have wrapped around, as in lua5.3
			L.ArgError(2, "position out of bounds")
		}
		for i := e; i > pos; i-- {
			if i&(cancelEvery-1) == 0 {
				L.CheckCancel()
			}
			seti(L, t, i, geti(L, t, i-1))
		}
	default:
		L.Errorf("wrong number of arguments to 'insert'")
	}
	seti(L, t, pos, L.Get(L.NArgs()))
	return 0
}

func remove(L *lua.State) int {
	t := L.Get(1)
	size := auxGetN(L, 1, tabR|tabW)
	pos := L.OptInteger(2, size)
	if pos != size && (pos < 1 || pos > size+1) {
		// lua5.3 names argument #1 here.
		L.ArgError(1, "position out of bounds")
	}
	res := geti(L, t, pos)
	for ; pos < size; pos++ {
		if pos&(cancelEvery-1) == 0 {
			L.CheckCancel()
		}
		seti(L, t, pos, geti(L, t, pos+1))
	}
	seti(L, t, pos, lua.Nil)
	L.Push(res)
	return 1
}

func move(L *lua.State) int {
	f := L.CheckInteger(2)
	e := L.CheckInteger(3)
	t := L.CheckInteger(4)
	tt := 1 // destination table
	if !L.IsNoneOrNil(5) {
		tt = 5
	}
	checkTab(L, 1, tabR)
	checkTab(L, tt, tabW)
	src, dst := L.Get(1), L.Get(tt)
	if e >= f {
		if !(f > 0 || e < math.MaxInt64+f) {
			L.ArgError(3, "too many elements to move")
		}
		n := e - f + 1 // number of elements to move
		if t > math.MaxInt64-n+1 {
			L.ArgError(4, "destination wrap around")
		}
		if t > e || t <= f || (tt != 1 && !L.Equal(src, dst)) {
			for i := int64(0); i < n; i++ {
				if i&(cancelEvery-1) == cancelEvery-1 {
					L.CheckCancel()
				}
				seti(L, dst, t+i, geti(L, src, f+i))
			}
		} else {
			for i := n - 1; i >= 0; i-- {
				if i&(cancelEvery-1) == 0 {
					L.CheckCancel()
				}
				seti(L, dst, t+i, geti(L, src, f+i))
			}
		}
	}
	L.Push(dst)
	return 1
}

func pack(L *lua.State) int {
	n := L.NArgs()
	t := lua.NewTable(n, 1)
	for i := n; i >= 1; i-- {
		t.SetInt(int64(i), L.Get(i))
	}
	t.SetStr("n", lua.Int(int64(n)))
	L.Push(lua.TableValue(t))
	return 1
}

// maxUnpack bounds the results of unpack. lua5.3 fails when its stack
// (LUAI_MAXSTACK, 1000000 slots) cannot grow by that many, which depends
// on how much of it is in use; this is that limit for a shallow stack.
const maxUnpack = 1000000 - 100

func unpack(L *lua.State) int {
	t := L.Get(1)
	i := L.OptInteger(2, 1)
	var e int64
	if L.IsNoneOrNil(3) {
		e = L.LenInt(t)
	} else {
		e = L.CheckInteger(3)
	}
	if i > e {
		return 0
	}
	n := uint64(e) - uint64(i) // number of elements minus 1
	if n >= math.MaxInt32 || n >= maxUnpack {
		L.Errorf("too many results to unpack")
	}
	if tt := t.AsTable(); tt != nil && tt.Metatable() == nil {
		for ; i < e; i++ {
			L.Push(tt.GetInt(i))
		}
		L.Push(tt.GetInt(e))
		return int(n + 1)
	}
	for ; i < e; i++ {
		L.Push(L.Index(t, lua.Int(i)))
	}
	L.Push(L.Index(t, lua.Int(e)))
	return int(n + 1)
}

func concat(L *lua.State) int {
	t := L.Get(1)
	last := auxGetN(L, 1, tabR)
	sep := L.OptString(2, "")
	i := L.OptInteger(3, 1)
	last = L.OptInteger(4, last)
	if i > last {
		L.PushString("")
		return 1
	}
	// Fetch every field first (in order, as lua5.3 does, so that
	// metamethods and errors happen at the same points), then build the
	// result in one allocation.
	var parts []string
	if n := uint64(last) - uint64(i); n < 1<<16 {
		parts = make([]string, 0, n+1)
	}
	size := 0
	for k := i; ; k++ {
		v := geti(L, t, k)
		s, ok := v.ToString()
		if !ok {
			// lua_pushfstring's %d takes a C int: the index is truncated.
			L.Errorf("invalid value (%s) at index %d in table for 'concat'", v.TypeName(), int32(k))
		}
		parts = append(parts, s)
		size += len(s)
		if k == last {
			break
		}
		size += len(sep)
		if k&(cancelEvery-1) == 0 {
			L.CheckCancel()
		}
	}
	if len(parts) == 1 {
		L.PushString(parts[0])
		return 1
	}
	var b strings.Builder
	b.Grow(size)
	for k, s := range parts {
		if k > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	L.PushString(b.String())
	return 1
}

// sorter is the state of one table.sort: ltablib.c's auxsort and
// partition over lua_geti/lua_seti and the comparator.
type sorter struct {
	L     *lua.State
	t     lua.Value
	raw   *lua.Table // t when it is a table without a metatable
	cmp   lua.Value  // nil: the < operator
	count int
}

func (s *sorter) get(i int64) lua.Value {
	if s.raw != nil && s.raw.Metatable() == nil {
		return s.raw.GetInt(i)
	}
	return s.L.Index(s.t, lua.Int(i))
}

func (s *sorter) set(i int64, v lua.Value) {
	if s.raw != nil && s.raw.Metatable() == nil {
		s.raw.SetInt(i, v)
		return
	}
	s.L.SetIndex(s.t, lua.Int(i), v)
}

// less is sort_comp: a < b by the comparator or the < operator.
func (s *sorter) less(a, b lua.Value) bool {
	s.count++
	if s.count&(cancelEvery-1) == 0 {
		s.L.CheckCancel()
	}
	if s.cmp.IsNil() {
		return s.L.LessThan(a, b)
	}
	return s.L.Call1(s.cmp, a, b).Truthy()
}

// ranLimit is the size from which a randomised pivot is used once the
// partitions were found unbalanced (RANLIMIT).
const ranLimit = 100

func (s *sorter) auxsort(lo, up int64, rnd uint32) {
	for lo < up { // loop for tail recursion
		// sort elements lo, p and up
		alo, aup := s.get(lo), s.get(up)
		if s.less(aup, alo) {
			s.set(lo, aup)
			s.set(up, alo)
		}
		if up-lo == 1 { // only 2 elements
			break
		}
		var p int64
		if up-lo < ranLimit || rnd == 0 {
			p = (lo + up) / 2
		} else {
			r4 := (up - lo) / 4
			p = int64(uint64(rnd)%uint64(r4*2)) + lo + r4
		}
		ap, alo := s.get(p), s.get(lo)
		if s.less(ap, alo) {
			s.set(p, alo)
			s.set(lo, ap)
		} else {
			aup := s.get(up)
			if s.less(aup, ap) {
				s.set(p, aup)
				s.set(up, ap)
			}
		}
		if up-lo == 2 { // only 3 elements
			break
		}
		pivot := s.get(p)
		s.set(p, s.get(up-1))
		s.set(up-1, pivot)
		p = s.partition(lo, up, pivot)
		var n int64
		if p-lo < up-p { // lower interval is shorter
			s.auxsort(lo, p-1, rnd)
			n = p - lo
			lo = p + 1
		} else {
			s.auxsort(p+1, up, rnd)
			n = up - p
			up = p - 1
		}
		if (up-lo)/128 > n { // partition too imbalanced
			rnd = randomizePivot()
		}
	}
}

// partition puts the elements smaller than pivot (at up-1) before it and
// the greater after it, and returns its final position.
func (s *sorter) partition(lo, up int64, pivot lua.Value) int64 {
	i, j := lo, up-1
	for {
		i++
		ai := s.get(i)
		for s.less(ai, pivot) {
			if i == up-1 { // a[i] < P but a[up-1] == P
				s.L.Errorf("invalid order function for sorting")
			}
			i++
			ai = s.get(i)
		}
		j--
		aj := s.get(j)
		for s.less(pivot, aj) {
			if j < i { // j < i but a[j] > P
				s.L.Errorf("invalid order function for sorting")
			}
			j--
			aj = s.get(j)
		}
		if j < i {
			s.set(up-1, ai)
			s.set(i, pivot)
			return i
		}
		s.set(i, aj)
		s.set(j, ai)
	}
}

// randomizePivot plays the role of l_randomizePivot (clock and time).
func randomizePivot() uint32 {
	n := uint64(time.Now().UnixNano())
	return uint32(n) + uint32(n>>32)
}

func sort(L *lua.State) int {
	n := auxGetN(L, 1, tabR|tabW)
	if n > 1 {
		if n >= math.MaxInt32 {
			L.ArgError(1, "array too big")
		}
		if !L.IsNoneOrNil(2) {
			L.CheckType(2, lua.TypeFunction)
		}
		s := &sorter{L: L, t: L.Get(1), raw: L.Get(1).AsTable(), cmp: L.Get(2)}
		s.auxsort(1, n, 0)
	}
	return 0
}
