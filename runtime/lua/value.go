package lua

import (
	"math"
	"unsafe"
)

// Type is a Lua type as type() names it.
type Type uint8

// The Lua types, in lua.h's order.
const (
	TypeNil Type = iota
	TypeBoolean
	TypeLightUserdata
	TypeNumber
	TypeString
	TypeTable
	TypeFunction
	TypeUserdata
	TypeThread
)

var typeNames = [...]string{"nil", "boolean", "userdata", "number", "string", "table", "function", "userdata", "thread"}

// String returns the type's name as type() returns it.
func (t Type) String() string { return typeNames[t] }

// Value is a Lua value. nil, booleans, integers and floats are stored in
// the value itself and never allocate; strings, tables, functions,
// userdata and threads are pointers. The zero Value is nil.
//
// Layout: p is nil for nil; one of three sentinel addresses for booleans,
// integers and floats (then n is the payload); otherwise p points to the
// object (for a string, its bytes) and n's top byte is the object's kind
// (for a string, the low 56 bits are its length).
type Value struct {
	p unsafe.Pointer
	n uint64
}

// Sentinels: their addresses tag scalar values. The empty string has no
// bytes to point at, so it points at emptyTag.
var scalarTags struct{ boolean, integer, float, empty uint64 }

var (
	pBool  = unsafe.Pointer(&scalarTags.boolean)
	pInt   = unsafe.Pointer(&scalarTags.integer)
	pFloat = unsafe.Pointer(&scalarTags.float)
	pEmpty = unsafe.Pointer(&scalarTags.empty)
)

// kinds of reference values, kept in the top byte of Value.n.
const (
	kString uint64 = iota + 1
	kTable
	kLuaFunction
	kGoFunction
	kUserdata
	kThread
	kindShift = 56
	lenMask   = 1<<kindShift - 1
)

var kindTypes = [...]Type{0, TypeString, TypeTable, TypeFunction, TypeFunction, TypeUserdata, TypeThread}

// Nil is the nil value.
var Nil Value

// True and False are the boolean values.
var (
	True  = Value{pBool, 1}
	False = Value{pBool, 0}
)

// Bool returns the boolean value b.
func Bool(b bool) Value {
	if b {
		return True
	}
	return False
}

// Int returns the integer value i.
func Int(i int64) Value { return Value{pInt, uint64(i)} }

// Float returns the float value f.
func Float(f float64) Value { return Value{pFloat, math.Float64bits(f)} }

// String returns the string value s. It does not copy s.
func String(s string) Value {
	if len(s) == 0 {
		return Value{pEmpty, kString << kindShift}
	}
	return Value{unsafe.Pointer(unsafe.StringData(s)), kString<<kindShift | uint64(len(s))}
}

// Bytes returns a string value holding a copy of b.
func Bytes(b []byte) Value { return String(string(b)) }

func refValue(p unsafe.Pointer, kind uint64) Value { return Value{p, kind << kindShift} }

// TableValue returns t as a value (nil for a nil t).
func TableValue(t *Table) Value {
	if t == nil {
		return Nil
	}
	return refValue(unsafe.Pointer(t), kTable)
}

// isRef reports whether v points to an object (string, table, function,
// userdata or thread).
func (v Value) isRef() bool {
	return v.p != nil && v.p != pBool && v.p != pInt && v.p != pFloat
}

func (v Value) kind() uint64 {
	if !v.isRef() {
		return 0
	}
	return v.n >> kindShift
}

// Type returns v's type.
func (v Value) Type() Type {
	switch v.p {
	case nil:
		return TypeNil
	case pBool:
		return TypeBoolean
	case pInt, pFloat:
		return TypeNumber
	}
	return kindTypes[v.n>>kindShift]
}

// TypeName returns the name of v's type.
func (v Value) TypeName() string { return v.Type().String() }

// IsNil reports whether v is nil.
func (v Value) IsNil() bool { return v.p == nil }

// IsFalsy reports whether v is nil or false.
func (v Value) IsFalsy() bool { return v.p == nil || (v.p == pBool && v.n == 0) }

// Truthy reports whether v counts as true in a condition.
func (v Value) Truthy() bool { return !v.IsFalsy() }

// IsInt reports whether v is an integer (not a float, not a string).
func (v Value) IsInt() bool { return v.p == pInt }

// IsFloat reports whether v is a float.
func (v Value) IsFloat() bool { return v.p == pFloat }

// IsNumber reports whether v is a number (integer or float).
func (v Value) IsNumber() bool { return v.p == pInt || v.p == pFloat }

// IsString reports whether v is a string.
func (v Value) IsString() bool { return v.kind() == kString }

// IsTable reports whether v is a table.
func (v Value) IsTable() bool { return v.kind() == kTable }

// IsFunction reports whether v is a function.
func (v Value) IsFunction() bool { k := v.kind(); return k == kLuaFunction || k == kGoFunction }

// AsBool returns the boolean in v; ok is false when v is not a boolean.
func (v Value) AsBool() (b, ok bool) { return v.n != 0, v.p == pBool }

// AsInt returns the integer in v; ok is false when v is not an integer.
func (v Value) AsInt() (int64, bool) { return int64(v.n), v.p == pInt }

// AsFloat returns the float in v; ok is false when v is not a float.
func (v Value) AsFloat() (float64, bool) {
	if v.p != pFloat {
		return 0, false
	}
	return math.Float64frombits(v.n), true
}

// int returns the payload of a value known to be an integer.
func (v Value) int() int64 { return int64(v.n) }

// float returns the payload of a value known to be a float.
func (v Value) float() float64 { return math.Float64frombits(v.n) }

// str returns the bytes of a value known to be a string.
func (v Value) str() string {
	return unsafe.String((*byte)(v.p), int(v.n&lenMask))
}

// AsString returns the string in v; ok is false when v is not a string
// (numbers are not converted: see ToString).
func (v Value) AsString() (string, bool) {
	if v.kind() != kString {
		return "", false
	}
	return v.str(), true
}

// AsTable returns the table in v, or nil.
func (v Value) AsTable() *Table {
	if v.kind() != kTable {
		return nil
	}
	return (*Table)(v.p)
}

// AsUserdata returns the userdata in v, or nil.
func (v Value) AsUserdata() *Userdata {
	if v.kind() != kUserdata {
		return nil
	}
	return (*Userdata)(v.p)
}

// AsThread returns the thread (coroutine) in v, or nil.
func (v Value) AsThread() *State {
	if v.kind() != kThread {
		return nil
	}
	return (*threadRef)(v.p).L
}

// Pointer returns the address of a reference value (for %p and hashing),
// or 0 for values stored in place.
func (v Value) Pointer() uintptr {
	if !v.isRef() {
		return 0
	}
	return uintptr(v.p)
}

// Userdata is a block of Go data with a metatable and a user value.
type Userdata struct {
	Data      any
	meta      *Table
	userValue Value
	finMarked bool // has a Go finalizer that queues its __gc (gc.go)
}

// UserdataValue returns u as a value.
func UserdataValue(u *Userdata) Value {
	if u == nil {
		return Nil
	}
	return refValue(unsafe.Pointer(u), kUserdata)
}

// Metatable returns u's metatable (nil if none).
func (u *Userdata) Metatable() *Table { return u.meta }

// SetMetatable sets u's metatable. It does not mark u for __gc: that
// needs the state (State.SetMetatable).
func (u *Userdata) SetMetatable(mt *Table) { u.meta = mt }
