package stringlib

import (
	"strings"
	"unsafe"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Limits of lstrlib.c.
const (
	maxCaptures = 32  // LUA_MAXCAPTURES
	maxCCalls   = 200 // MAXCCALLS: recursion depth of the matcher
	lEsc        = '%'
	specials    = "^$*+?.([%-"

	capUnfinished = -1
	capPosition   = -2
)

// C-locale character classes of the bytes 0-255.
const (
	cAlpha = 1 << iota
	cCntrl
	cDigit
	cGraph
	cLower
	cPunct
	cSpace
	cUpper
	cXdigit
)

var ctype = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		var f uint16
		upper := 'A' <= c && c <= 'Z'
		lower := 'a' <= c && c <= 'z'
		digit := '0' <= c && c <= '9'
		if upper || lower {
			f |= cAlpha
		}
		if upper {
			f |= cUpper
		}
		if lower {
			f |= cLower
		}
		if digit {
			f |= cDigit
		}
		if c < 32 || c == 127 {
			f |= cCntrl
		}
		if 33 <= c && c <= 126 {
			f |= cGraph
			if !upper && !lower && !digit {
				f |= cPunct
			}
		}
		if c == ' ' || (9 <= c && c <= 13) {
			f |= cSpace
		}
		if digit || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') {
			f |= cXdigit
		}
		t[c] = f
	}
	return
}()

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// matchState is lstrlib.c's MatchState: the subject, the pattern and the
// captures of the attempt in progress. Positions are byte offsets.
type matchState struct {
	L          *lua.State
	src        string
	pat        string
	level      int // captures opened so far
	matchdepth int // recursion budget left
	steps      int // work counter for cancellation checks
	capture    [maxCaptures]struct{ init, len int }
}

func (ms *matchState) init(L *lua.State, src, pat string) {
	ms.L = L
	ms.src = src
	ms.pat = pat
}

// reprep readies the state for a new match attempt.
func (ms *matchState) reprep() {
	ms.level = 0
	ms.matchdepth = maxCCalls
}

// tick counts work and polls for cancellation now and then.
func (ms *matchState) tick() {
	ms.steps++
	if ms.steps&(cancelEvery-1) == 0 {
		ms.L.CheckCancel()
	}
}

// pc returns the pattern byte at p, or 0 past the end (C strings are
// NUL-terminated, and lstrlib.c relies on it).
func (ms *matchState) pc(p int) byte {
	if p < len(ms.pat) {
		return ms.pat[p]
	}
	return 0
}

func (ms *matchState) checkCapture(l byte) int {
	i := int(l) - '1'
	if i < 0 || i >= ms.level || ms.capture[i].len == capUnfinished {
		ms.L.Errorf("invalid capture index %%%d", i+1)
	}
	return i
}

func (ms *matchState) captureToClose() int {
	for level := ms.level - 1; level >= 0; level-- {
		if ms.capture[level].len == capUnfinished {
			return level
		}
	}
	ms.L.Errorf("invalid pattern capture")
	return 0
}

// classEnd returns the position just after the single-character class
// starting at p.
func (ms *matchState) classEnd(p int) int {
	c := ms.pat[p]
	p++
	switch c {
	case lEsc:
		if p >= len(ms.pat) {
			ms.L.Errorf("malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if ms.pc(p) == '^' {
			p++
		}
		for { // look for a ']'
			if p >= len(ms.pat) {
				ms.L.Errorf("malformed pattern (missing ']')")
			}
			c := ms.pat[p]
			p++
			if c == lEsc && p < len(ms.pat) {
				p++ // skip escapes (e.g. '%]')
			}
			if ms.pc(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func matchClass(c, cl byte) bool {
	var f uint16
	switch cl | 0x20 {
	case 'a':
		f = cAlpha
	case 'c':
		f = cCntrl
	case 'd':
		f = cDigit
	case 'g':
		f = cGraph
	case 'l':
		f = cLower
	case 'p':
		f = cPunct
	case 's':
		f = cSpace
	case 'u':
		f = cUpper
	case 'w':
		f = cAlpha | cDigit
	case 'x':
		f = cXdigit
	case 'z': // deprecated
		res := c == 0
		if 'A' <= cl && cl <= 'Z' {
			res = !res
		}
		return res
	default:
		return cl == c
	}
	res := ctype[c]&f != 0
	if 'A' <= cl && cl <= 'Z' {
		res = !res
	}
	return res
}

// matchBracketClass matches c against the set [ ... ] at p, whose closing
// ']' is at ec.
func (ms *matchState) matchBracketClass(c byte, p, ec int) bool {
	sig := true
	pat := ms.pat
	if pat[p+1] == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		if pat[p] == lEsc {
			p++
			if matchClass(c, pat[p]) {
				return sig
			}
		} else if pat[p+1] == '-' && p+2 < ec {
			p += 2
			if pat[p-2] <= c && c <= pat[p] {
				return sig
			}
		} else if pat[p] == c {
			return sig
		}
	}
	return !sig
}

// singleMatch matches the subject byte at s against the class at p..ep.
func (ms *matchState) singleMatch(s, p, ep int) bool {
	if s >= len(ms.src) {
		return false
	}
	return ms.classMatch(ms.src[s], p, ep)
}

// classMatch matches c against the single-character class at p..ep.
func (ms *matchState) classMatch(c byte, p, ep int) bool {
	switch ms.pat[p] {
	case '.':
		return true
	case lEsc:
		return matchClass(c, ms.pat[p+1])
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.pat[p] == c
}

// minSkipLen is the subject length from which the matcher computes the
// set of bytes a match can start with, to skip hopeless positions.
const minSkipLen = 256

// firstSet fills set with the bytes a match of the pattern can start
// with and returns true, when the pattern begins (after at most two
// captures opening) with a single-character class that is not optional.
// Errors it raises are those the first match attempt would raise.
func (ms *matchState) firstSet(set *[256]bool) bool {
	p := 0
	for k := 0; k < 2 && ms.pc(p) == '('; k++ {
		p++
		if ms.pc(p) == ')' {
			p++
		}
	}
	if p >= len(ms.pat) {
		return false
	}
	switch ms.pat[p] {
	case '(', ')':
		return false
	case '$':
		if p+1 == len(ms.pat) {
			return false
		}
	case lEsc:
		if c := ms.pc(p + 1); c == 'b' || c == 'f' || isDigit(c) {
			return false
		}
	}
	ep := ms.classEnd(p)
	if c := ms.pc(ep); c == '*' || c == '?' || c == '-' {
		return false
	}
	for c := 0; c < 256; c++ {
		set[c] = ms.classMatch(byte(c), p, ep)
	}
	return true
}

// skipper finds the next position where a match may start.
type skipper struct {
	mode  int // 0: none, 1: first byte, 2: first set
	first byte
	set   [256]bool
}

// setup chooses how to skip for pattern p (anchored patterns try once).
func (sk *skipper) setup(ms *matchState, anchor bool, remaining int) {
	if anchor {
		return
	}
	if c, ok := firstByte(ms.pat); ok {
		sk.mode, sk.first = 1, c
	} else if remaining >= minSkipLen && ms.firstSet(&sk.set) {
		sk.mode = 2
	}
}

// next returns the first position from s where a match may start, or -1.
func (sk *skipper) next(src string, s int) int {
	switch sk.mode {
	case 1:
		i := strings.IndexByte(src[s:], sk.first)
		if i < 0 {
			return -1
		}
		return s + i
	case 2:
		for ; s < len(src); s++ {
			if sk.set[src[s]] {
				return s
			}
		}
		return -1
	}
	return s
}

func (ms *matchState) matchBalance(s, p int) int {
	if p >= len(ms.pat)-1 {
		ms.L.Errorf("malformed pattern (missing arguments to '%%b')")
	}
	if s >= len(ms.src) || ms.src[s] != ms.pat[p] {
		return -1
	}
	b, e := ms.pat[p], ms.pat[p+1]
	cont := 1
	for s++; s < len(ms.src); s++ {
		if c := ms.src[s]; c == e {
			cont--
			if cont == 0 {
				return s + 1
			}
		} else if c == b {
			cont++
		}
	}
	return -1
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0
	for ms.singleMatch(s+i, p, ep) {
		i++
	}
	// try with the longest repetition first, then fewer
	for ; i >= 0; i-- {
		ms.tick()
		if res := ms.match(s+i, ep+1); res != -1 {
			return res
		}
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		ms.tick()
		if res := ms.match(s, ep+1); res != -1 {
			return res
		} else if ms.singleMatch(s, p, ep) {
			s++
		} else {
			return -1
		}
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	level := ms.level
	if level >= maxCaptures {
		ms.L.Errorf("too many captures")
	}
	ms.capture[level].init = s
	ms.capture[level].len = what
	ms.level = level + 1
	res := ms.match(s, p)
	if res == -1 {
		ms.level--
	}
	return res
}

func (ms *matchState) endCapture(s, p int) int {
	l := ms.captureToClose()
	ms.capture[l].len = s - ms.capture[l].init
	res := ms.match(s, p)
	if res == -1 {
		ms.capture[l].len = capUnfinished
	}
	return res
}

func (ms *matchState) matchCapture(s int, l byte) int {
	i := ms.checkCapture(l)
	n := ms.capture[i].len
	if n >= 0 && len(ms.src)-s >= n {
		init := ms.capture[i].init
		if ms.src[init:init+n] == ms.src[s:s+n] {
			return s + n
		}
	}
	return -1
}

// match returns the end of the match of the pattern from p against the
// subject from s, or -1.
func (ms *matchState) match(s, p int) int {
	if ms.matchdepth == 0 {
		ms.L.Errorf("pattern too complex")
	}
	ms.matchdepth--
	ms.tick()
	pat := ms.pat
loop:
	for p != len(pat) {
		switch pat[p] {
		case '(':
			if ms.pc(p+1) == ')' {
				s = ms.startCapture(s, p+2, capPosition)
			} else {
				s = ms.startCapture(s, p+1, capUnfinished)
			}
			break loop
		case ')':
			s = ms.endCapture(s, p+1)
			break loop
		case '$':
			if p+1 == len(pat) {
				if s != len(ms.src) {
					s = -1
				}
				break loop
			}
		case lEsc:
			switch ms.pc(p + 1) {
			case 'b':
				s = ms.matchBalance(s, p+2)
				if s != -1 {
					p += 4
					continue loop
				}
				break loop
			case 'f':
				p += 2
				if ms.pc(p) != '[' {
					ms.L.Errorf("missing '[' after '%%f' in pattern")
				}
				ep := ms.classEnd(p)
				var prev, cur byte
				if s > 0 {
					prev = ms.src[s-1]
				}
				if s < len(ms.src) {
					cur = ms.src[s]
				}
				if !ms.matchBracketClass(prev, p, ep-1) && ms.matchBracketClass(cur, p, ep-1) {
					p = ep
					continue loop
				}
				s = -1
				break loop
			case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				s = ms.matchCapture(s, pat[p+1])
				if s != -1 {
					p += 2
					continue loop
				}
				break loop
			}
		}
		// default: a single-character class, maybe with a quantifier
		ep := ms.classEnd(p)
		epc := ms.pc(ep)
		if !ms.singleMatch(s, p, ep) {
			if epc == '*' || epc == '?' || epc == '-' {
				p = ep + 1
				continue loop
			}
			s = -1
			break loop
		}
		switch epc {
		case '?':
			if res := ms.match(s+1, ep+1); res != -1 {
				s = res
				break loop
			}
			p = ep + 1
		case '+':
			s = ms.maxExpand(s+1, p, ep)
			break loop
		case '*':
			s = ms.maxExpand(s, p, ep)
			break loop
		case '-':
			s = ms.minExpand(s, p, ep)
			break loop
		default:
			s++
			p = ep
		}
	}
	ms.matchdepth++
	return s
}

// getOneCapture returns capture i (the whole match s..e when there are no
// captures and i is 0).
func (ms *matchState) getOneCapture(i, s, e int) lua.Value {
	if i >= ms.level {
		if i != 0 {
			ms.L.Errorf("invalid capture index %%%d", i+1)
		}
		return lua.String(ms.src[s:e])
	}
	c := ms.capture[i]
	switch c.len {
	case capUnfinished:
		ms.L.Errorf("unfinished capture")
	case capPosition:
		return lua.Int(int64(c.init) + 1)
	}
	return lua.String(ms.src[c.init : c.init+c.len])
}

// pushCaptures pushes all captures (or the whole match when wholeIfNone
// and there are none) and returns how many.
func (ms *matchState) pushCaptures(s, e int, wholeIfNone bool) int {
	n := ms.level
	if n == 0 && wholeIfNone {
		n = 1
	}
	for i := 0; i < n; i++ {
		ms.L.Push(ms.getOneCapture(i, s, e))
	}
	return n
}

// firstByte returns the byte every match of pattern p must start with,
// when p begins with a literal character (or an escaped punctuation
// character) that is not optional: then attempts can skip to the next
// occurrence of that byte.
func firstByte(p string) (byte, bool) {
	if len(p) == 0 {
		return 0, false
	}
	c, next := p[0], 1
	switch c {
	case '(', ')', '.', '[', '$':
		return 0, false
	case lEsc:
		if len(p) < 2 || ctype[p[1]]&(cAlpha|cDigit) != 0 {
			return 0, false
		}
		c, next = p[1], 2
	}
	if next < len(p) {
		if q := p[next]; q == '*' || q == '?' || q == '-' {
			return 0, false
		}
	}
	return c, true
}

// noSpecials reports whether p has no pattern magic characters.
func noSpecials(p string) bool { return !strings.ContainsAny(p, specials) }

func strFind(L *lua.State) int  { return strFindAux(L, true) }
func strMatch(L *lua.State) int { return strFindAux(L, false) }

func strFindAux(L *lua.State, find bool) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	init := posrelat(L.OptInteger(3, 1), len(s))
	if init < 1 {
		init = 1
	} else if init > int64(len(s))+1 {
		L.PushNil()
		return 1
	}
	if find && (L.Arg(4).Truthy() || noSpecials(p)) {
		// plain search
		if i := strings.Index(s[init-1:], p); i >= 0 {
			start := int(init-1) + i
			L.PushInt(int64(start) + 1)
			L.PushInt(int64(start + len(p)))
			return 2
		}
	} else {
		var ms matchState
		s1 := int(init - 1)
		anchor := len(p) > 0 && p[0] == '^'
		if anchor {
			p = p[1:]
		}
		ms.init(L, s, p)
		var sk skipper
		sk.setup(&ms, anchor, len(s)-s1)
		for {
			if s1 = sk.next(s, s1); s1 < 0 {
				break
			}
			ms.reprep()
			if e := ms.match(s1, 0); e != -1 {
				if find {
					L.PushInt(int64(s1) + 1)
					L.PushInt(int64(e))
					return ms.pushCaptures(-1, -1, false) + 2
				}
				return ms.pushCaptures(s1, e, true)
			}
			s1++
			if s1 > len(s) || anchor {
				break
			}
		}
	}
	L.PushNil()
	return 1
}

func strGmatch(L *lua.State) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	src, lastMatch := 0, -1
	var sk *skipper
	iter := func(L *lua.State) int {
		var ms matchState
		ms.init(L, s, p)
		if sk == nil && src <= len(s) {
			sk = new(skipper)
			sk.setup(&ms, false, len(s))
		}
		for ; src <= len(s); src++ {
			if src = sk.next(s, src); src < 0 {
				src = len(s) + 1
				break
			}
			ms.reprep()
			if e := ms.match(src, 0); e != -1 && e != lastMatch {
				start := src
				src, lastMatch = e, e
				return ms.pushCaptures(start, e, true)
			}
		}
		return 0
	}
	// Upvalues as lstrlib.c's gmatch closure has them (for debug.getupvalue).
	L.Push(lua.GoFunctionValue(&lua.GoFunction{Fn: iter, Name: "gmatch_aux", Upvalues: []lua.Value{lua.String(s), lua.String(p)}}))
	return 1
}

func strGsub(L *lua.State) int {
	src := L.CheckString(1)
	p := L.CheckString(2)
	repl := L.Arg(3)
	tr := repl.Type()
	maxN := L.OptInteger(4, int64(len(src))+1)
	if tr != lua.TypeNumber && tr != lua.TypeString && tr != lua.TypeFunction && tr != lua.TypeTable {
		L.ArgError(3, "string/function/table expected")
	}
	var replStr string
	if tr == lua.TypeNumber || tr == lua.TypeString {
		replStr, _ = repl.ToString()
	}
	anchor := len(p) > 0 && p[0] == '^'
	if anchor {
		p = p[1:]
	}
	var ms matchState
	ms.init(L, src, p)
	var b []byte
	n := int64(0)
	s, lastMatch, copied := 0, -1, 0
	var sk skipper
	if maxN > 0 {
		sk.setup(&ms, anchor, len(src))
	}
	for n < maxN {
		if s = sk.next(src, s); s < 0 {
			break // no match can start further on
		}
		ms.reprep()
		if e := ms.match(s, 0); e != -1 && e != lastMatch {
			n++
			if b == nil {
				b = make([]byte, 0, len(src)+len(src)/2+16)
			}
			b = append(b, src[copied:s]...)
			b = ms.addValue(b, s, e, tr, repl, replStr)
			s, lastMatch, copied = e, e, e
		} else if s < len(src) {
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	if n == 0 {
		L.PushString(src)
	} else {
		b = append(b, src[copied:]...)
		// b is not used again: the string can share its bytes.
		L.PushString(unsafe.String(unsafe.SliceData(b), len(b)))
	}
	L.PushInt(n)
	return 2
}

// addValue appends the replacement of the match s..e to b.
func (ms *matchState) addValue(b []byte, s, e int, tr lua.Type, repl lua.Value, replStr string) []byte {
	L := ms.L
	var v lua.Value
	switch tr {
	case lua.TypeFunction:
		var args [maxCaptures]lua.Value
		n := ms.level
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			args[i] = ms.getOneCapture(i, s, e)
		}
		v = L.Call1(repl, args[:n]...)
	case lua.TypeTable:
		v = L.Index(repl, ms.getOneCapture(0, s, e))
	default:
		return ms.addString(b, s, e, replStr)
	}
	if v.IsFalsy() {
		return append(b, ms.src[s:e]...)
	}
	if str, ok := v.AsString(); ok {
		return append(b, str...)
	}
	if str, ok := v.ToString(); ok {
		return append(b, str...)
	}
	L.Errorf("invalid replacement value (a %s)", v.TypeName())
	return b
}

// addString appends the string replacement news with its %0-%9 and %%.
func (ms *matchState) addString(b []byte, s, e int, news string) []byte {
	for i := 0; i < len(news); i++ {
		c := news[i]
		if c != lEsc {
			b = append(b, c)
			continue
		}
		i++
		var d byte
		if i < len(news) {
			d = news[i]
		}
		switch {
		case !isDigit(d):
			if d != lEsc {
				ms.L.Errorf("invalid use of '%c' in replacement string", lEsc)
			}
			b = append(b, d)
		case d == '0':
			b = append(b, ms.src[s:e]...)
		default:
			v := ms.getOneCapture(int(d-'1'), s, e)
			str, _ := v.ToString()
			b = append(b, str...)
		}
	}
	return b
}
