package compat

import (
	"github.com/moonbridge-go/moonbridge/compiler/lua53"
	lua "github.com/yuin/gopher-lua"
)

const maxUnicode = 0x10FFFF

func openUTF8(L *lua.LState) {
	u := libTable(L, "utf8")
	u.RawSetString("charpattern", lua.LString("[\x00-\x7F\xC2-\xF4][\x80-\xBF]*"))
	u.RawSetString("char", L.NewFunction(utf8Char))
	u.RawSetString("codepoint", L.NewFunction(utf8Codepoint))
	u.RawSetString("len", L.NewFunction(utf8Len))
	u.RawSetString("offset", L.NewFunction(utf8Offset))
	iter := L.NewFunction(utf8CodesIter)
	u.RawSetString("codes", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		L.Push(iter)
		L.Push(lua.LString(s))
		L.Push(lua.LNumber(0))
		return 3
	}))
	L.SetGlobal("utf8", u)
}

// relPos turns a possibly negative string position into an absolute one.
func relPos(pos int64, n int) int64 {
	if pos >= 0 {
		return pos
	}
	if -pos > int64(n) {
		return 0
	}
	return int64(n) + pos + 1
}

func isCont(s string, i int) bool { return i < len(s) && s[i]&0xC0 == 0x80 }

// utf8Decode decodes one sequence at s[i:] as Lua 5.3 does, returning the
// code point and its length, or ok=false for an invalid sequence.
func utf8Decode(s string, i int) (r int64, size int, ok bool) {
	c := int(s[i])
	if c < 0x80 {
		return int64(c), 1, true
	}
	limits := []int64{0xFF, 0x7F, 0x7FF, 0xFFFF, 0x1FFFFF, 0x3FFFFFF}
	var res int64
	count := 0
	for ; c&0x40 != 0; c <<= 1 {
		count++
		if i+count >= len(s) {
			return 0, 0, false
		}
		cc := int(s[i+count])
		if cc&0xC0 != 0x80 {
			return 0, 0, false
		}
		res = res<<6 | int64(cc&0x3F)
	}
	res |= int64(c&0x7F) << (count * 5)
	if count > 5 || res > maxUnicode || res < limits[count] {
		return 0, 0, false
	}
	return res, count + 1, true
}

func utf8Char(L *lua.LState) int {
	n := L.GetTop()
	buf := make([]byte, 0, n)
	for i := 1; i <= n; i++ {
		c := checkInteger(L, i)
		if c < 0 || c > maxUnicode {
			L.ArgError(i, "value out of range")
		}
		buf = append(buf, lua53.EncodeUTF8(uint64(c))...)
	}
	L.Push(lua.LString(buf))
	return 1
}

func utf8Codepoint(L *lua.LState) int {
	s := L.CheckString(1)
	posi := relPos(optInteger(L, 2, 1), len(s))
	pose := relPos(optInteger(L, 3, posi), len(s))
	if posi < 1 {
		L.ArgError(2, "out of range")
	}
	if pose > int64(len(s)) {
		L.ArgError(3, "out of range")
	}
	if posi > pose {
		return 0
	}
	count := 0
	for i := int(posi - 1); i < int(pose); {
		r, size, ok := utf8Decode(s, i)
		if !ok {
			L.RaiseError("invalid UTF-8 code")
		}
		L.Push(lua.LNumber(r))
		count++
		i += size
	}
	return count
}

func utf8Len(L *lua.LState) int {
	s := L.CheckString(1)
	posi := relPos(optInteger(L, 2, 1), len(s))
	posj := relPos(optInteger(L, 3, -1), len(s))
	if posi < 1 || posi-1 > int64(len(s)) {
		L.ArgError(2, "initial position out of string")
	}
	if posj > int64(len(s)) {
		L.ArgError(3, "final position out of string")
	}
	n := 0
	for i := int(posi - 1); i < int(posj); {
		_, size, ok := utf8Decode(s, i)
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LNumber(i + 1))
			return 2
		}
		i += size
		n++
	}
	L.Push(lua.LNumber(n))
	return 1
}

func utf8Offset(L *lua.LState) int {
	s := L.CheckString(1)
	n := checkInteger(L, 2)
	def := int64(1)
	if n < 0 {
		def = int64(len(s)) + 1
	}
	posi := relPos(optInteger(L, 3, def), len(s))
	if posi < 1 || posi-1 > int64(len(s)) {
		L.ArgError(3, "position out of range")
	}
	p := int(posi - 1)
	if n == 0 {
		for p > 0 && isCont(s, p) {
			p--
		}
		L.Push(lua.LNumber(p + 1))
		return 1
	}
	if isCont(s, p) {
		L.RaiseError("initial position is a continuation byte")
	}
	if n < 0 {
		for n < 0 && p > 0 {
			p--
			for p > 0 && isCont(s, p) {
				p--
			}
			n++
		}
	} else {
		n--
		for n > 0 && p < len(s) {
			p++
			for isCont(s, p) {
				p++
			}
			n--
		}
	}
	if n == 0 {
		L.Push(lua.LNumber(p + 1))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

func utf8CodesIter(L *lua.LState) int {
	s := L.CheckString(1)
	n := checkInteger(L, 2) - 1
	if n < 0 {
		n = 0
	} else if n < int64(len(s)) {
		n++
		for isCont(s, int(n)) {
			n++
		}
	}
	if n >= int64(len(s)) {
		return 0
	}
	r, size, ok := utf8Decode(s, int(n))
	if !ok || isCont(s, int(n)+size) {
		L.RaiseError("invalid UTF-8 code")
	}
	L.Push(lua.LNumber(n + 1))
	L.Push(lua.LNumber(r))
	return 2
}
