// Package utf8lib is Lua 5.3's utf8 library (lutf8lib.c) for the
// moonbridge engine: char, charpattern, codes, codepoint, len and
// offset, with lua5.3's decoding rules (sequences of up to four bytes,
// code points up to 0x10FFFF, overlong forms rejected, surrogates
// accepted) and its error messages.
package utf8lib

import (
	"math"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// maxUnicode is the largest code point the library accepts.
const maxUnicode = 0x10FFFF

// charPattern matches exactly one UTF-8 byte sequence (utf8.charpattern).
const charPattern = "[\x00-\x7F\xC2-\xF4][\x80-\xBF]*"

// Open returns the utf8 library.
func Open(L *lua.State) *lua.Table {
	t := lua.NewTable(0, 6)
	for _, f := range []struct {
		name string
		fn   lua.GoFunc
	}{
		{"offset", byteOffset},
		{"codepoint", codePoint},
		{"char", utfChar},
		{"len", utfLen},
		{"codes", iterCodes},
	} {
		t.SetStr(f.name, lua.NewGoFunction(f.name, f.fn))
	}
	t.SetStr("charpattern", lua.String(charPattern))
	return t
}

// byteAt returns s[i], or 0 past the end (C strings end with a zero,
// which lutf8lib.c relies on).
func byteAt(s string, i int64) byte {
	if i < int64(len(s)) {
		return s[i]
	}
	return 0
}

func isCont(s string, i int64) bool { return byteAt(s, i)&0xC0 == 0x80 }

// posRelat turns a negative position into one from the end (u_posrelat).
func posRelat(pos int64, n int) int64 {
	if pos >= 0 {
		return pos
	}
	if uint64(0)-uint64(pos) > uint64(n) {
		return 0
	}
	return int64(n) + pos + 1
}

// decode decodes the sequence at s[i:]; ok is false for an invalid one.
// next is the index after it.
func decode(s string, i int64) (code rune, next int64, ok bool) {
	limits := [...]uint32{0xFF, 0x7F, 0x7FF, 0xFFFF}
	c := uint32(byteAt(s, i))
	if c < 0x80 {
		return rune(c), i + 1, true
	}
	var res uint32
	count := 0
	for c&0x40 != 0 { // while it needs continuation bytes
		count++
		cc := uint32(byteAt(s, i+int64(count)))
		if cc&0xC0 != 0x80 {
			return 0, 0, false
		}
		res = res<<6 | cc&0x3F
		c <<= 1
	}
	if count > 3 {
		return 0, 0, false
	}
	res |= (c & 0x7F) << (count * 5)
	if res > maxUnicode || res <= limits[count] {
		return 0, 0, false
	}
	return rune(res), i + int64(count) + 1, true
}

// utfLen is utf8.len(s [, i [, j]]): the number of characters starting
// between i and j, or nil and the position of the first invalid byte.
func utfLen(L *lua.State) int {
	s := L.CheckString(1)
	posi := posRelat(L.OptInteger(2, 1), len(s))
	posj := posRelat(L.OptInteger(3, -1), len(s))
	if posi < 1 || posi-1 > int64(len(s)) {
		L.ArgError(2, "initial position out of string")
	}
	posi--
	posj--
	if posj >= int64(len(s)) {
		L.ArgError(3, "final position out of string")
	}
	n := int64(0)
	for posi <= posj {
		_, next, ok := decode(s, posi)
		if !ok {
			L.PushNil()
			L.PushInt(posi + 1)
			return 2
		}
		posi = next
		n++
	}
	L.PushInt(n)
	return 1
}

// maxResults approximates how many values lua_checkstack allows a Go
// function to push (LUAI_MAXSTACK is 1000000).
const maxResults = 1000000 - 100

// codePoint is utf8.codepoint(s [, i [, j]]).
func codePoint(L *lua.State) int {
	s := L.CheckString(1)
	posi := posRelat(L.OptInteger(2, 1), len(s))
	pose := posRelat(L.OptInteger(3, posi), len(s))
	if posi < 1 {
		L.ArgError(2, "out of range")
	}
	if pose > int64(len(s)) {
		L.ArgError(3, "out of range")
	}
	if posi > pose {
		return 0
	}
	if pose-posi >= math.MaxInt32 {
		L.Errorf("string slice too long")
	}
	if pose-posi+1 > maxResults {
		L.Errorf("stack overflow (string slice too long)")
	}
	n := 0
	for i := posi - 1; i < pose; {
		code, next, ok := decode(s, i)
		if !ok {
			L.Errorf("invalid UTF-8 code")
		}
		L.PushInt(int64(code))
		n++
		i = next
	}
	return n
}

// encode appends the UTF-8 form of x (up to 0x7FFFFFFF) as luaO_utf8esc
// writes it (surrogates included).
func encode(b *strings.Builder, x uint32) {
	if x < 0x80 {
		b.WriteByte(byte(x))
		return
	}
	var buf [8]byte
	n := 1
	mfb := uint32(0x3f) // maximum that fits in the first byte
	for {
		buf[8-n] = byte(0x80 | x&0x3f)
		n++
		x >>= 6
		mfb >>= 1
		if x <= mfb {
			break
		}
	}
	buf[8-n] = byte(^mfb<<1 | x)
	b.Write(buf[8-n:])
}

// utfChar is utf8.char(...): the characters with the given code points.
func utfChar(L *lua.State) int {
	n := L.NArgs()
	var b strings.Builder
	b.Grow(n * 2)
	for i := 1; i <= n; i++ {
		code := L.CheckInteger(i)
		if code < 0 || code > maxUnicode {
			L.ArgError(i, "value out of range")
		}
		encode(&b, uint32(code))
	}
	L.PushString(b.String())
	return 1
}

// byteOffset is utf8.offset(s, n [, i]): the byte position where the
// n-th character counted from position i starts.
func byteOffset(L *lua.State) int {
	s := L.CheckString(1)
	n := L.CheckInteger(2)
	length := int64(len(s))
	def := int64(1)
	if n < 0 {
		def = length + 1
	}
	posi := posRelat(L.OptInteger(3, def), len(s))
	if posi < 1 || posi-1 > length {
		L.ArgError(3, "position out of range")
	}
	posi--
	if n == 0 {
		// the beginning of the current byte sequence
		for posi > 0 && isCont(s, posi) {
			posi--
		}
	} else {
		if isCont(s, posi) {
			L.Errorf("initial position is a continuation byte")
		}
		if n < 0 {
			for n < 0 && posi > 0 { // move back
				posi--
				for posi > 0 && isCont(s, posi) {
					posi--
				}
				n++
			}
		} else {
			n-- // do not move for the first character
			for n > 0 && posi < length {
				posi++
				for isCont(s, posi) { // cannot pass the final zero
					posi++
				}
				n--
			}
		}
	}
	if n == 0 {
		L.PushInt(posi + 1)
	} else {
		L.PushNil()
	}
	return 1
}

// iterAux is the iterator of utf8.codes: from the position of the
// previous character it returns the next position and code point.
func iterAux(L *lua.State) int {
	s := L.CheckString(1)
	length := int64(len(s))
	prev, _ := L.Get(2).ToInteger() // lua_tointeger: 0 when not a number
	n := prev - 1
	if n < 0 { // first iteration
		n = 0
	} else if n < length {
		n++ // skip the current byte and its continuations
		for isCont(s, n) {
			n++
		}
	}
	if n >= length {
		return 0
	}
	code, next, ok := decode(s, n)
	if !ok || isCont(s, next) {
		L.Errorf("invalid UTF-8 code")
	}
	L.PushInt(n + 1)
	L.PushInt(int64(code))
	return 2
}

var iterAuxValue = lua.NewGoFunction("for iterator", iterAux)

// iterCodes is utf8.codes(s): the iterator, s and 0 for a generic for.
func iterCodes(L *lua.State) int {
	s := L.CheckString(1) // numbers are converted, as luaL_checkstring does in place
	L.Push(iterAuxValue)
	L.PushString(s)
	L.PushInt(0)
	return 3
}
