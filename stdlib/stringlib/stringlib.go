// Package stringlib is Lua 5.3's string library for the runtime/lua
// engine: byte, char, dump, find, format, gmatch, gsub, len, lower, match,
// rep, reverse, sub, upper, pack, packsize and unpack, behaving as
// lstrlib.c of Lua 5.3.6 does, error messages included. Patterns are
// matched by an explicit backtracking matcher over bytes (no regexp), with
// lstrlib.c's limits; long matches poll the state for cancellation.
//
// Open builds the library table and installs the string metatable
// (__index = the library), as luaopen_string does.
package stringlib

import (
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// maxSize is lstrlib.c's MAXSIZE on 64-bit systems: INT_MAX, the largest
// string rep, pack and friends build.
const maxSize = 1<<31 - 1

// cancelEvery is how many steps of a long loop run between checks for
// cancellation.
const cancelEvery = 4096

// Open returns the string library table and sets it as the __index of
// the metatable shared by all strings.
func Open(L *lua.State) *lua.Table {
	lib := lua.NewTable(0, 20)
	lua.SetFuncs(lib, map[string]lua.GoFunc{
		"byte":     strByte,
		"char":     strChar,
		"dump":     strDump,
		"find":     strFind,
		"format":   strFormat,
		"gmatch":   strGmatch,
		"gsub":     strGsub,
		"len":      strLen,
		"lower":    strLower,
		"match":    strMatch,
		"rep":      strRep,
		"reverse":  strReverse,
		"sub":      strSub,
		"upper":    strUpper,
		"pack":     strPack,
		"packsize": strPacksize,
		"unpack":   strUnpack,
	})
	mt := lua.NewTable(0, 1)
	mt.SetStr("__index", lua.TableValue(lib))
	L.SetTypeMetatable(lua.TypeString, mt)
	return lib
}

// posrelat turns a relative string position (negative counts from the
// end) into an absolute one; results below 1 become 0.
func posrelat(pos int64, n int) int64 {
	if pos >= 0 {
		return pos
	}
	if uint64(-pos) > uint64(n) {
		return 0
	}
	return int64(n) + pos + 1
}

func strLen(L *lua.State) int {
	L.PushInt(int64(len(L.CheckString(1))))
	return 1
}

func strSub(L *lua.State) int {
	s := L.CheckString(1)
	l := len(s)
	start := posrelat(L.CheckInteger(2), l)
	end := posrelat(L.OptInteger(3, -1), l)
	if start < 1 {
		start = 1
	}
	if end > int64(l) {
		end = int64(l)
	}
	if start <= end {
		L.PushString(s[start-1 : end])
	} else {
		L.PushString("")
	}
	return 1
}

func strReverse(L *lua.State) int {
	s := L.CheckString(1)
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[len(s)-1-i] = s[i]
	}
	L.Push(lua.Bytes(b))
	return 1
}

func strLower(L *lua.State) int {
	s := L.CheckString(1)
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		L.PushString(s)
		return 1
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	L.Push(lua.Bytes(b))
	return 1
}

func strUpper(L *lua.State) int {
	s := L.CheckString(1)
	i := 0
	for i < len(s) && !('a' <= s[i] && s[i] <= 'z') {
		i++
	}
	if i == len(s) {
		L.PushString(s)
		return 1
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	L.Push(lua.Bytes(b))
	return 1
}

func strRep(L *lua.State) int {
	s := L.CheckString(1)
	n := L.CheckInteger(2)
	sep := L.OptString(3, "")
	if n <= 0 {
		L.PushString("")
		return 1
	}
	l, lsep := uint64(len(s)), uint64(len(sep))
	if l+lsep < l || l+lsep > maxSize/uint64(n) {
		L.Errorf("resulting string too large")
	}
	total := int(uint64(n)*l + uint64(n-1)*lsep)
	if total == 0 {
		L.PushString("")
		return 1
	}
	if lsep == 0 && total <= 1<<16 {
		L.PushString(strings.Repeat(s, int(n)))
		return 1
	}
	var b strings.Builder
	b.Grow(total)
	for i := int64(0); i < n; i++ {
		if i&(cancelEvery-1) == cancelEvery-1 {
			L.CheckCancel()
		}
		b.WriteString(s)
		if i < n-1 {
			b.WriteString(sep)
		}
	}
	L.PushString(b.String())
	return 1
}

// maxResults bounds how many values string.byte and unpack push: the
// engine's stack holds LUAI_MAXSTACK (1000000) slots.
const maxResults = 999000

func strByte(L *lua.State) int {
	s := L.CheckString(1)
	l := len(s)
	posi := posrelat(L.OptInteger(2, 1), l)
	pose := posrelat(L.OptInteger(3, posi), l)
	if posi < 1 {
		posi = 1
	}
	if pose > int64(l) {
		pose = int64(l)
	}
	if posi > pose {
		return 0
	}
	if pose-posi >= 1<<31-1 {
		L.Errorf("string slice too long")
	}
	n := int(pose - posi + 1)
	if n > maxResults {
		L.Errorf("stack overflow (string slice too long)")
	}
	for i := 0; i < n; i++ {
		L.PushInt(int64(s[int(posi)-1+i]))
	}
	return n
}

func strChar(L *lua.State) int {
	n := L.NArgs()
	if n == 1 {
		c := L.CheckInteger(1)
		if uint64(c) > 255 {
			L.ArgError(1, "value out of range")
		}
		L.PushString(byteStrings[c : c+1])
		return 1
	}
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := L.CheckInteger(i)
		if uint64(c) > 255 {
			L.ArgError(i, "value out of range")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.Bytes(b))
	return 1
}

// byteStrings holds every byte value once, so that one-character results
// need no allocation.
var byteStrings = func() string {
	var b [256]byte
	for i := range b {
		b[i] = byte(i)
	}
	return string(b[:])
}()

func strDump(L *lua.State) int {
	f := L.CheckType(1, lua.TypeFunction)
	strip := L.Arg(2).Truthy()
	lf := f.AsLuaFunction()
	if lf == nil {
		L.Errorf("unable to dump given function")
	}
	L.Push(lua.Bytes(code.Dump(lf.Proto().Proto, strip)))
	return 1
}
