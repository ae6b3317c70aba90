package lua53

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokName
	tokString
	tokNumber
	tokSymbol // keywords and operators; text holds the symbol
)

// token is one lexical unit. raw is the source text Lua 5.3 would quote in
// a "near '...'" message.
type token struct {
	kind tokenKind
	text string  // keyword/operator spelling, name, or decoded string value
	num  float64 // value of a number token
	raw  string
	line int
	col  int
}

var keywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "goto": true, "if": true, "in": true,
	"local": true, "nil": true, "not": true, "or": true, "repeat": true, "return": true,
	"then": true, "true": true, "until": true, "while": true,
}

// lexer turns Lua 5.3 source into tokens. It reports errors by panicking
// with *SyntaxError; the parser's entry point recovers them.
type lexer struct {
	src   []byte
	chunk string
	pos   int
	line  int
	col   int // 1-based column of src[pos]
}

func newLexer(src []byte, chunk string) *lexer {
	lx := &lexer{src: src, chunk: chunk, line: 1, col: 1}
	// A first line starting with '#' (a shebang) is skipped, as lua.c does.
	if len(src) > 0 && src[0] == '#' {
		for lx.pos < len(src) && src[lx.pos] != '\n' {
			lx.advance()
		}
	}
	return lx
}

func (lx *lexer) errorAt(line, col int, near, format string, args ...interface{}) {
	msg := fmt.Sprintf(format, args...)
	if near != "" {
		msg += " near " + near
	}
	panic(&SyntaxError{Chunk: lx.chunk, Line: line, Column: col, Msg: msg})
}

func (lx *lexer) peekByte(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

func (lx *lexer) atEnd() bool { return lx.pos >= len(lx.src) }

// advance consumes one byte, keeping line/column counts; "\r\n" and
// "\n\r" count as one line break, as in Lua.
func (lx *lexer) advance() {
	c := lx.src[lx.pos]
	lx.pos++
	if c == '\n' || c == '\r' {
		if lx.pos < len(lx.src) {
			n := lx.src[lx.pos]
			if (n == '\n' || n == '\r') && n != c {
				lx.pos++
			}
		}
		lx.line++
		lx.col = 1
		return
	}
	lx.col++
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isHex(c byte) bool     { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isAlpha(c byte) bool   { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isAlnum(c byte) bool   { return isAlpha(c) || isDigit(c) }
func isNewline(c byte) bool { return c == '\n' || c == '\r' }

func hexValue(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c|0x20-'a') + 10
}

// skipSpace skips blanks and comments.
func (lx *lexer) skipSpace() {
	for !lx.atEnd() {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\v' || c == '\f' || isNewline(c):
			lx.advance()
		case c == '-' && lx.peekByte(1) == '-':
			line, col := lx.line, lx.col
			lx.advance()
			lx.advance()
			if lx.peekByte(0) == '[' {
				if level := lx.longBracketLevel(); level >= 0 {
					lx.readLongString(level, line, col, "comment")
					continue
				}
			}
			for !lx.atEnd() && !isNewline(lx.src[lx.pos]) {
				lx.advance()
			}
		default:
			return
		}
	}
}

// longBracketLevel reports the level of a long bracket "[==[" at the
// current position without consuming it, or -1 if there is none.
func (lx *lexer) longBracketLevel() int {
	i := 1
	for lx.peekByte(i) == '=' {
		i++
	}
	if lx.peekByte(i) == '[' {
		return i - 1
	}
	return -1
}

func (lx *lexer) readLongString(level, line, col int, what string) string {
	for i := 0; i < level+2; i++ {
		lx.advance()
	}
	// A newline right after the opening bracket is skipped.
	if !lx.atEnd() && isNewline(lx.src[lx.pos]) {
		lx.advance()
	}
	var sb strings.Builder
	for {
		if lx.atEnd() {
			lx.errorAt(line, col, "<eof>", "unfinished long %s", what)
		}
		c := lx.src[lx.pos]
		if c == ']' {
			i := 1
			for lx.peekByte(i) == '=' {
				i++
			}
			if i-1 == level && lx.peekByte(i) == ']' {
				for j := 0; j <= i; j++ {
					lx.advance()
				}
				return sb.String()
			}
			sb.WriteByte(c)
			lx.advance()
			continue
		}
		if isNewline(c) {
			sb.WriteByte('\n')
			lx.advance()
			continue
		}
		sb.WriteByte(c)
		lx.advance()
	}
}

var symbols3 = []string{"...", "<<", ">>", "//", "==", "~=", "<=", ">=", "::", ".."}

// next returns the next token.
func (lx *lexer) next() token {
	lx.skipSpace()
	start, line, col := lx.pos, lx.line, lx.col
	if lx.atEnd() {
		return token{kind: tokEOF, raw: "<eof>", line: line, col: col}
	}
	c := lx.src[lx.pos]
	mk := func(kind tokenKind, text string) token {
		return token{kind: kind, text: text, raw: string(lx.src[start:lx.pos]), line: line, col: col}
	}
	switch {
	case isAlpha(c):
		for !lx.atEnd() && isAlnum(lx.src[lx.pos]) {
			lx.advance()
		}
		word := string(lx.src[start:lx.pos])
		if keywords[word] {
			return mk(tokSymbol, word)
		}
		return mk(tokName, word)
	case isDigit(c) || (c == '.' && isDigit(lx.peekByte(1))):
		return lx.readNumber()
	case c == '"' || c == '\'':
		s := lx.readString(c)
		return mk(tokString, s)
	case c == '[':
		if level := lx.longBracketLevel(); level >= 0 {
			s := lx.readLongString(level, line, col, "string")
			return mk(tokString, s)
		}
	}
	for _, sym := range symbols3 {
		if strings.HasPrefix(string(lx.src[lx.pos:min(len(lx.src), lx.pos+3)]), sym) {
			for range sym {
				lx.advance()
			}
			return mk(tokSymbol, sym)
		}
	}
	if strings.IndexByte("+-*/%^#&~|<>=(){}[];:,.", c) >= 0 {
		lx.advance()
		return mk(tokSymbol, string(c))
	}
	lx.advance()
	raw := string(lx.src[start:lx.pos])
	if c < 32 || c >= 127 {
		raw = fmt.Sprintf("<\\%d>", c)
	}
	lx.errorAt(line, col, "'"+raw+"'", "unexpected symbol")
	return token{}
}

// readNumber reads a numeral the way Lua 5.3 does: it takes every
// alphanumeric character, '.', and signed exponent, then converts.
func (lx *lexer) readNumber() token {
	start, line, col := lx.pos, lx.line, lx.col
	expChars := "Ee"
	if lx.peekByte(0) == '0' && (lx.peekByte(1)|0x20) == 'x' {
		expChars = "Pp"
		lx.advance()
		lx.advance()
	}
	for !lx.atEnd() {
		c := lx.src[lx.pos]
		if strings.IndexByte(expChars, c) >= 0 && (lx.peekByte(1) == '+' || lx.peekByte(1) == '-') {
			lx.advance()
			lx.advance()
			continue
		}
		if isAlnum(c) || c == '.' {
			lx.advance()
			continue
		}
		break
	}
	raw := string(lx.src[start:lx.pos])
	v, ok := parseNumeral(raw)
	if !ok {
		lx.errorAt(line, col, "'"+raw+"'", "malformed number")
	}
	return token{kind: tokNumber, num: v, raw: raw, line: line, col: col}
}

// parseNumeral converts a Lua 5.3 numeral. Hexadecimal integers wrap
// around modulo 2^64 as in Lua 5.3; decimal integers that do not fit in 64
// bits become floats.
func parseNumeral(s string) (float64, bool) {
	if len(s) > 1 && s[0] == '0' && (s[1]|0x20) == 'x' {
		return parseHexNumeral(s[2:])
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return 0, false
		}
	}
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return float64(n), true
		}
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") || strings.Contains(s, "_") {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

func parseHexNumeral(s string) (float64, bool) {
	var mant uint64
	var fmant float64
	exp := 0
	any, seenDot, isFloat := false, false, false
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if seenDot {
				return 0, false
			}
			seenDot, isFloat = true, true
			continue
		}
		if !isHex(c) {
			break
		}
		any = true
		d := hexValue(c)
		mant = mant<<4 | uint64(d)
		fmant = fmant*16 + float64(d)
		if seenDot {
			exp -= 4
		}
	}
	if !any {
		return 0, false
	}
	if i < len(s) {
		if s[i]|0x20 != 'p' {
			return 0, false
		}
		isFloat = true
		i++
		sign := 1
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			if s[i] == '-' {
				sign = -1
			}
			i++
		}
		if i >= len(s) {
			return 0, false
		}
		e := 0
		for ; i < len(s); i++ {
			if !isDigit(s[i]) {
				return 0, false
			}
			if e < 100000 {
				e = e*10 + int(s[i]-'0')
			}
		}
		exp += sign * e
	}
	if !isFloat {
		return float64(int64(mant)), true
	}
	return math.Ldexp(fmant, exp), true
}

func (lx *lexer) readString(quote byte) string {
	line, col := lx.line, lx.col
	start := lx.pos
	lx.advance()
	var sb strings.Builder
	nearText := func() string { return "'" + string(lx.src[start:min(lx.pos, len(lx.src))]) + "'" }
	for {
		if lx.atEnd() {
			lx.errorAt(line, col, "<eof>", "unfinished string")
		}
		c := lx.src[lx.pos]
		if c == quote {
			lx.advance()
			return sb.String()
		}
		if isNewline(c) {
			lx.errorAt(line, col, nearText(), "unfinished string")
		}
		if c != '\\' {
			sb.WriteByte(c)
			lx.advance()
			continue
		}
		lx.advance() // the backslash
		if lx.atEnd() {
			lx.errorAt(line, col, "<eof>", "unfinished string")
		}
		e := lx.src[lx.pos]
		switch e {
		case 'a':
			sb.WriteByte('\a')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'v':
			sb.WriteByte('\v')
		case '\\', '"', '\'':
			sb.WriteByte(e)
		case '\n', '\r':
			sb.WriteByte('\n')
			lx.advance()
			continue
		case 'x':
			lx.advance()
			v := 0
			for k := 0; k < 2; k++ {
				if lx.atEnd() || !isHex(lx.src[lx.pos]) {
					if !lx.atEnd() {
						lx.advance()
					}
					lx.errorAt(line, col, nearText(), "hexadecimal digit expected")
				}
				v = v*16 + hexValue(lx.src[lx.pos])
				lx.advance()
			}
			sb.WriteByte(byte(v))
			continue
		case 'z':
			lx.advance()
			for !lx.atEnd() && (lx.src[lx.pos] == ' ' || lx.src[lx.pos] == '\t' || lx.src[lx.pos] == '\v' ||
				lx.src[lx.pos] == '\f' || isNewline(lx.src[lx.pos])) {
				lx.advance()
			}
			continue
		case 'u':
			lx.advance()
			if lx.peekByte(0) != '{' {
				if !lx.atEnd() {
					lx.advance()
				}
				lx.errorAt(line, col, nearText(), "missing '{'")
			}
			lx.advance()
			var r uint64
			digits := 0
			for !lx.atEnd() && isHex(lx.src[lx.pos]) {
				r = r*16 + uint64(hexValue(lx.src[lx.pos]))
				digits++
				lx.advance()
				if r > 0x10FFFF {
					lx.errorAt(line, col, nearText(), "UTF-8 value too large")
				}
			}
			if digits == 0 {
				if !lx.atEnd() {
					lx.advance()
				}
				lx.errorAt(line, col, nearText(), "hexadecimal digit expected")
			}
			if lx.peekByte(0) != '}' {
				if !lx.atEnd() {
					lx.advance()
				}
				lx.errorAt(line, col, nearText(), "missing '}'")
			}
			lx.advance()
			sb.WriteString(EncodeUTF8(r))
			continue
		default:
			if !isDigit(e) {
				lx.advance()
				lx.errorAt(line, col, nearText(), "invalid escape sequence")
			}
			v := 0
			for k := 0; k < 3 && !lx.atEnd() && isDigit(lx.src[lx.pos]); k++ {
				v = v*10 + int(lx.src[lx.pos]-'0')
				lx.advance()
			}
			if v > 255 {
				if !lx.atEnd() {
					lx.advance()
				}
				lx.errorAt(line, col, nearText(), "decimal escape too large")
			}
			sb.WriteByte(byte(v))
			continue
		}
		lx.advance()
	}
}

// EncodeUTF8 encodes a code point up to 2^31-1 with the extended
// (up to six byte) UTF-8 scheme that Lua 5.3 uses for "\u{...}" and
// utf8.char.
func EncodeUTF8(r uint64) string {
	if r < 0x80 {
		return string([]byte{byte(r)})
	}
	var buf [8]byte
	n := 0
	limit := uint64(0x3f) // largest value that fits the first byte
	for r > limit {
		buf[7-n] = byte(0x80 | (r & 0x3f))
		n++
		r >>= 6
		limit >>= 1
	}
	buf[7-n] = byte((^limit << 1) | r)
	n++
	return string(buf[8-n:])
}
