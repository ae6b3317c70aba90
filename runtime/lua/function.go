package lua

import (
	"unique"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// Prototype is a compiled function ready to run in one state: a
// code.Proto with its constants turned into values once. A Prototype
// belongs to one state (it caches closures); states that share code share
// the immutable *code.Proto and make a Prototype each.
type Prototype struct {
	*code.Proto
	consts []Value
	khash  []uint64 // hashes of string constants (table keys)
	protos []*Prototype
	// cache is the last closure made of this prototype: Lua 5.3 reuses
	// it when its upvalues would be the same (so such closures compare
	// equal, as in the reference).
	cache *LuaFunction
}

// NewPrototype prepares p (and its nested functions) for execution.
func NewPrototype(p *code.Proto) *Prototype {
	fp := &Prototype{Proto: p, consts: make([]Value, len(p.Constants)), khash: make([]uint64, len(p.Constants)), protos: make([]*Prototype, len(p.Protos))}
	for i, c := range p.Constants {
		switch c := c.(type) {
		case nil:
		case bool:
			fp.consts[i] = Bool(c)
		case int64:
			fp.consts[i] = Int(c)
		case float64:
			fp.consts[i] = Float(c)
		case string:
			// Interned, so that table keys made from the same text share
			// their bytes and compare by address.
			c = intern(c)
			fp.consts[i] = String(c)
			fp.khash[i] = hashString(c)
		}
	}
	for i, q := range p.Protos {
		fp.protos[i] = NewPrototype(q)
	}
	return fp
}

// intern returns the process-wide copy of a short string (constants,
// library names); long strings are left alone.
func intern(s string) string {
	if len(s) > 40 {
		return s
	}
	return unique.Make(s).Value()
}

// LuaFunction is a Lua closure: a prototype and its upvalues.
type LuaFunction struct {
	proto  *Prototype
	upvals []*upvalue
}

// Proto returns the function's prototype.
func (f *LuaFunction) Proto() *Prototype { return f.proto }

// upvalue is a variable captured by closures. While open, v points to
// the variable's stack slot; once closed, to closed.
type upvalue struct {
	v        *Value
	closed   Value
	index    int      // stack index while open
	nextOpen *upvalue // open upvalues of a thread, highest index first
}

// GoFunc is a function written in Go. It finds its arguments at indices
// 1..L.Top(), pushes its results and returns how many it pushed.
type GoFunc func(L *State) int

// GoFunction is a Go function as a Lua value. Name is used in error
// messages when the call site does not name the function.
type GoFunction struct {
	Fn   GoFunc
	Name string
	// Upvalues are what debug.getupvalue shows of the function (a C
	// closure's upvalues in PUC-Lua); the Go code keeps its own state.
	Upvalues []Value
}

// NewGoFunction returns fn as a function value named name.
func NewGoFunction(name string, fn GoFunc) Value {
	return refValue(ptrOf(&GoFunction{Fn: fn, Name: name}), kGoFunction)
}

// GoFunctionValue returns f as a value.
func GoFunctionValue(f *GoFunction) Value { return refValue(ptrOf(f), kGoFunction) }

// LuaFunctionValue returns f as a value.
func LuaFunctionValue(f *LuaFunction) Value { return refValue(ptrOf(f), kLuaFunction) }

// AsLuaFunction returns the Lua closure in v, or nil.
func (v Value) AsLuaFunction() *LuaFunction {
	if v.kind() != kLuaFunction {
		return nil
	}
	return (*LuaFunction)(v.p)
}

// AsGoFunction returns the Go function in v, or nil.
func (v Value) AsGoFunction() *GoFunction {
	if v.kind() != kGoFunction {
		return nil
	}
	return (*GoFunction)(v.p)
}

// findUpval returns the open upvalue for stack slot idx, creating it.
func (L *State) findUpval(idx int) *upvalue {
	pp := &L.openUpval
	for *pp != nil && (*pp).index >= idx {
		if (*pp).index == idx {
			return *pp
		}
		pp = &(*pp).nextOpen
	}
	uv := &upvalue{v: &L.stack[idx], index: idx, nextOpen: *pp}
	*pp = uv
	return uv
}

// closeUpvals closes the open upvalues at or above stack slot level.
func (L *State) closeUpvals(level int) {
	for L.openUpval != nil && L.openUpval.index >= level {
		uv := L.openUpval
		L.openUpval = uv.nextOpen
		uv.closed = *uv.v
		uv.v = &uv.closed
		uv.nextOpen = nil
	}
}

// newClosure makes a closure of p for the running frame (OP_CLOSURE).
func (L *State) newClosure(p *Prototype, enclosing *LuaFunction, base int) *LuaFunction {
	if c := p.cache; c != nil && L.cacheMatches(c, p, enclosing, base) {
		return c
	}
	f := L.makeClosure(p, enclosing, base)
	p.cache = f
	return f
}

// cacheMatches reports whether closure c has exactly the upvalues a new
// closure of p would get (getcached).
func (L *State) cacheMatches(c *LuaFunction, p *Prototype, enclosing *LuaFunction, base int) bool {
	for i, d := range p.Upvalues {
		var v *Value
		if d.InStack {
			v = &L.stack[base+d.Index]
		} else {
			v = enclosing.upvals[d.Index].v
		}
		if c.upvals[i].v != v {
			return false
		}
	}
	return true
}

func (L *State) makeClosure(p *Prototype, enclosing *LuaFunction, base int) *LuaFunction {
	f := &LuaFunction{proto: p, upvals: make([]*upvalue, len(p.Upvalues))}
	for i, d := range p.Upvalues {
		if d.InStack {
			f.upvals[i] = L.findUpval(base + d.Index)
		} else {
			f.upvals[i] = enclosing.upvals[d.Index]
		}
	}
	return f
}

// Load turns a compiled prototype into a function value whose first
// upvalue (a main chunk's _ENV) is the globals table.
func (L *State) Load(p *Prototype) Value {
	f := &LuaFunction{proto: p, upvals: make([]*upvalue, len(p.Upvalues))}
	for i := range f.upvals {
		uv := &upvalue{}
		uv.v = &uv.closed
		f.upvals[i] = uv
	}
	if len(f.upvals) > 0 {
		f.upvals[0].closed = TableValue(L.g.globals)
	}
	return LuaFunctionValue(f)
}
