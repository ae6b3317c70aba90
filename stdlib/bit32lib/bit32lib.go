// Package bit32lib is the bit32 library as Debian's lua5.3 provides it
// (lbitlib.c built with LUA_COMPAT_BITLIB): 32-bit bitwise operations on
// integers. As in Lua 5.3's version of lbitlib.c, arguments are read
// with luaL_checkinteger (a float needs an exact integer value; strings
// are converted), taken modulo 2^32, and results are integers in
// [0, 2^32).
package bit32lib

import (
	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// nbits is the number of bits of the library's numbers.
const nbits = 32

// allOnes has the low nbits bits set.
const allOnes = uint64(1)<<nbits - 1

func trim(x uint64) uint64 { return x & allOnes }

// mask returns a number with the n low bits set (1 <= n <= 32). For
// other n it computes what lbitlib.c's mask macro gives on x86-64, whose
// shifts use the count modulo 64.
func mask(n int32) uint64 { return ^((allOnes << 1) << (uint64(n-1) & 63)) }

// checkUnsigned is luaL_checkunsigned as Lua 5.3 defines it: the integer
// argument as an unsigned 64-bit number.
func checkUnsigned(L *lua.State, i int) uint64 { return uint64(L.CheckInteger(i)) }

// Open returns the bit32 library.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 12)
	for _, f := range []struct {
		name string
		fn   lua.GoFunc
	}{
		{"arshift", bArshift},
		{"band", bAnd},
		{"bnot", bNot},
		{"bor", bOr},
		{"btest", bTest},
		{"bxor", bXor},
		{"extract", bExtract},
		{"lrotate", bLrot},
		{"lshift", bLshift},
		{"replace", bReplace},
		{"rrotate", bRrot},
		{"rshift", bRshift},
	} {
		t.SetStr(f.name, lua.NewGoFunction(f.name, f.fn))
	}
	return t
}

func pushUnsigned(L *lua.State, x uint64) { L.PushInt(int64(x)) }

func andAux(L *lua.State) uint64 {
	r := ^uint64(0)
	for i := 1; i <= L.NArgs(); i++ {
		r &= checkUnsigned(L, i)
	}
	return trim(r)
}

func bAnd(L *lua.State) int {
	pushUnsigned(L, andAux(L))
	return 1
}

func bTest(L *lua.State) int {
	L.PushBool(andAux(L) != 0)
	return 1
}

func bOr(L *lua.State) int {
	var r uint64
	for i := 1; i <= L.NArgs(); i++ {
		r |= checkUnsigned(L, i)
	}
	pushUnsigned(L, trim(r))
	return 1
}

func bXor(L *lua.State) int {
	var r uint64
	for i := 1; i <= L.NArgs(); i++ {
		r ^= checkUnsigned(L, i)
	}
	pushUnsigned(L, trim(r))
	return 1
}

func bNot(L *lua.State) int {
	pushUnsigned(L, trim(^checkUnsigned(L, 1)))
	return 1
}

// shift shifts r left by i bits (right for negative i). neg is true
// when i is the negation of mininteger, that is 2^63: a left shift.
func shift(L *lua.State, r uint64, i int64, neg bool) int {
	if i < 0 && !neg { // shift right
		r = trim(r)
		if i <= -nbits {
			r = 0
		} else {
			r >>= uint(-i)
		}
	} else { // shift left
		if neg || i >= nbits {
			r = 0
		} else {
			r <<= uint(i)
		}
		r = trim(r)
	}
	pushUnsigned(L, r)
	return 1
}

// negate returns -i, and whether i was mininteger (whose negation,
// 2^63, does not fit).
func negate(i int64) (int64, bool) { return -i, i == -1<<63 }

func bLshift(L *lua.State) int {
	r := checkUnsigned(L, 1)
	return shift(L, r, L.CheckInteger(2), false)
}

func bRshift(L *lua.State) int {
	r := checkUnsigned(L, 1)
	i, neg := negate(L.CheckInteger(2))
	return shift(L, r, i, neg)
}

func bArshift(L *lua.State) int {
	r := checkUnsigned(L, 1)
	i := L.CheckInteger(2)
	if i < 0 || r&(1<<(nbits-1)) == 0 {
		ni, neg := negate(i)
		return shift(L, r, ni, neg)
	}
	// arithmetic shift of a 'negative' number
	if i >= nbits {
		r = allOnes
	} else {
		r = trim(r>>uint(i) | ^(allOnes >> uint(i)))
	}
	pushUnsigned(L, r)
	return 1
}

func rot(L *lua.State, d int64) int {
	r := trim(checkUnsigned(L, 1))
	i := uint(d & (nbits - 1))
	if i != 0 {
		r = r<<i | r>>(nbits-i)
	}
	pushUnsigned(L, trim(r))
	return 1
}

func bLrot(L *lua.State) int { return rot(L, L.CheckInteger(2)) }

func bRrot(L *lua.State) int { return rot(L, -L.CheckInteger(2)) }

// fieldArgs checks the field and width arguments at farg and farg+1 of
// extract and replace. Like lbitlib.c, it casts them to C ints after the
// check, whose sum can overflow.
func fieldArgs(L *lua.State, farg int) (f, w int32) {
	fi := L.CheckInteger(farg)
	wi := L.OptInteger(farg+1, 1)
	if fi < 0 {
		L.ArgError(farg, "field cannot be negative")
	}
	if wi <= 0 {
		L.ArgError(farg+1, "width must be positive")
	}
	if fi+wi > nbits {
		L.Errorf("trying to access non-existent bits")
	}
	return int32(fi), int32(wi)
}

func bExtract(L *lua.State) int {
	r := trim(checkUnsigned(L, 1))
	f, w := fieldArgs(L, 2)
	r = (r >> (uint64(f) & 63)) & mask(w)
	pushUnsigned(L, r)
	return 1
}

func bReplace(L *lua.State) int {
	r := trim(checkUnsigned(L, 1))
	v := trim(checkUnsigned(L, 2))
	f, w := fieldArgs(L, 3)
	m := mask(w)
	sh := uint64(f) & 63
	r = (r &^ (m << sh)) | ((v & m) << sh)
	pushUnsigned(L, r)
	return 1
}
