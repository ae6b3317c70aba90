package lua

// tm is a metamethod event, in Lua 5.3's order (ltm.h).
type tm uint8

const (
	tmIndex tm = iota
	tmNewIndex
	tmGC
	tmMode
	tmLen
	tmEq // last event with a fast absence check
	tmAdd
	tmSub
	tmMul
	tmMod
	tmPow
	tmDiv
	tmIDiv
	tmBAnd
	tmBOr
	tmBXor
	tmShl
	tmShr
	tmUnm
	tmBNot
	tmLt
	tmLe
	tmConcat
	tmCall
	tmN
)

var tmNameStrings = [tmN]string{
	"__index", "__newindex", "__gc", "__mode", "__len", "__eq",
	"__add", "__sub", "__mul", "__mod", "__pow", "__div", "__idiv",
	"__band", "__bor", "__bxor", "__shl", "__shr", "__unm", "__bnot",
	"__lt", "__le", "__concat", "__call",
}

// tmHashes are the hashes of the event names, computed once.
var tmHashes [tmN]uint64

func init() {
	for i, n := range tmNameStrings {
		tmHashes[i] = hashString(n)
	}
}

// fastTM returns event e of metatable mt, caching its absence.
func (L *State) fastTM(mt *Table, e tm) Value {
	if mt == nil || mt.absent&(1<<e) != 0 {
		return Nil
	}
	v := mt.getStrH(tmNameStrings[e], tmHashes[e])
	if v.p == nil {
		mt.absent |= 1 << e
	}
	return v
}

// metamethod returns v's metamethod for event e, or nil.
func (L *State) metamethod(v Value, e tm) Value { return L.fastTM(L.Metatable(v), e) }

// MetaField returns field name of v's metatable, or nil (luaL_getmetafield).
func (L *State) MetaField(v Value, name string) Value {
	mt := L.Metatable(v)
	if mt == nil {
		return Nil
	}
	return mt.GetStr(name)
}
