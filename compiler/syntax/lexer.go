package syntax

import (
	"github.com/moonbridge-go/moonbridge/runtime/lua/luaconv"
)

// Token kinds: a single-byte token is its byte value; the others follow
// llex.h's RESERVED order.
const (
	tkFirstReserved = 257 + iota - 1
	tkAnd
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkGoto
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	// other terminal symbols
	tkIDiv
	tkConcat
	tkDots
	tkEq
	tkGe
	tkLe
	tkNe
	tkShl
	tkShr
	tkDbColon
	tkEOS
	tkFlt
	tkInt
	tkName
	tkString
)

var tokenNames = [...]string{
	"and", "break", "do", "else", "elseif",
	"end", "false", "for", "function", "goto", "if",
	"in", "local", "nil", "not", "or", "repeat",
	"return", "then", "true", "until", "while",
	"//", "..", "...", "==", ">=", "<=", "~=",
	"<<", ">>", "::", "<eof>",
	"<number>", "<integer>", "<name>", "<string>",
}

// reserved maps reserved words to their token kinds.
var reserved = func() map[string]int {
	m := make(map[string]int)
	for i := tkAnd; i <= tkWhile; i++ {
		m[tokenNames[i-tkAnd]] = i
	}
	return m
}()

// token is the current or lookahead token (llex.h's Token and SemInfo).
type token struct {
	kind int
	s    string  // names and strings
	i    int64   // tkInt
	f    float64 // tkFlt
	// text is what txtToken shows for names, strings and numerals: the
	// name, the delimited string as the lexer buffered it, or the numeral.
	text string
}

// eoz marks the end of the source (EOZ).
const eoz = -1

// lexer is llex.c's LexState, over a byte slice.
type lexer struct {
	src      []byte
	srcStr   string // src as a string: names, numerals and plain strings are substrings of it
	pos      int    // index of current+1
	current  int    // current character, or eoz
	line     int    // ls->linenumber
	lastLine int    // ls->lastline
	t        token
	ahead    token // lookahead; kind tkEOS when none
	chunk    string
	buf      []byte // llex's buffer (reused)
}

// lexPanic carries an *Error out of the lexer and parser; Parse recovers it.
type lexPanic struct{ err *Error }

func (lx *lexer) init(src []byte, chunk string) {
	lx.src = src
	lx.srcStr = string(src)
	lx.chunk = chunk
	lx.line = 1
	lx.lastLine = 1
	lx.ahead.kind = tkEOS
	lx.pos = 0
	lx.next()
}

func (lx *lexer) next() {
	if lx.pos < len(lx.src) {
		lx.current = int(lx.src[lx.pos])
		lx.pos++
	} else {
		lx.current = eoz
		lx.pos = len(lx.src) + 1
	}
}

func (lx *lexer) save(c int) { lx.buf = append(lx.buf, byte(c)) }

func (lx *lexer) saveAndNext() {
	lx.save(lx.current)
	lx.next()
}

func (lx *lexer) currIsNewline() bool { return lx.current == '\n' || lx.current == '\r' }

func (lx *lexer) checkNext1(c int) bool {
	if lx.current == c {
		lx.next()
		return true
	}
	return false
}

func (lx *lexer) checkNext2(set string) bool {
	if lx.current == int(set[0]) || lx.current == int(set[1]) {
		lx.saveAndNext()
		return true
	}
	return false
}

func (lx *lexer) incLineNumber() {
	old := lx.current
	lx.next()
	if lx.currIsNewline() && lx.current != old {
		lx.next()
	}
	lx.line++
	if lx.line >= 1<<31-1 {
		lx.error("chunk has too many lines", 0)
	}
}

// token2str is luaX_token2str.
func token2str(tok int) string {
	if tok < tkFirstReserved+1 {
		if tok >= 0x20 && tok < 0x7f { // lisprint
			return "'" + string(rune(tok)) + "'"
		}
		return "'<\\" + itoa(tok) + ">'"
	}
	s := tokenNames[tok-tkAnd]
	if tok < tkEOS {
		return "'" + s + "'"
	}
	return s
}

// txtToken is llex.c's txtToken for the current buffer.
func (lx *lexer) txtToken(tok int) string {
	switch tok {
	case tkName, tkString, tkFlt, tkInt:
		return "'" + cString(string(lx.buf)) + "'"
	}
	return token2str(tok)
}

// error is lexerror: msg at the current line, near tok (0: no "near").
func (lx *lexer) error(msg string, tok int) {
	e := &Error{Chunk: lx.chunk, Line: lx.line, Msg: msg}
	if tok != 0 {
		e.Near = lx.txtToken(tok)
	}
	panic(lexPanic{e})
}

// syntaxError is luaX_syntaxerror: near the current token.
func (lx *lexer) syntaxError(msg string) {
	e := &Error{Chunk: lx.chunk, Line: lx.line, Msg: msg}
	switch lx.t.kind {
	case 0: // a '\0' byte: lexerror takes token 0 as "no token"
	case tkName, tkString, tkFlt, tkInt:
		e.Near = "'" + cString(lx.t.text) + "'"
	default:
		e.Near = token2str(lx.t.kind)
	}
	panic(lexPanic{e})
}

// advance is luaX_next.
func (lx *lexer) advance() {
	lx.lastLine = lx.line
	if lx.ahead.kind != tkEOS {
		lx.t = lx.ahead
		lx.ahead.kind = tkEOS
	} else {
		lx.lex(&lx.t)
	}
}

// lookahead is luaX_lookahead.
func (lx *lexer) lookahead() int {
	lx.lex(&lx.ahead)
	return lx.ahead.kind
}

func isAlpha(c int) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isDigit(c int) bool { return '0' <= c && c <= '9' }

func isXDigit(c int) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isSpaceC(c int) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func hexValue(c int) int {
	if isDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// lex is llex: it reads one token into t.
func (lx *lexer) lex(t *token) {
	lx.buf = lx.buf[:0]
	for {
		switch c := lx.current; c {
		case '\n', '\r':
			lx.incLineNumber()
		case ' ', '\f', '\t', '\v':
			lx.next()
		case '-':
			lx.next()
			if lx.current != '-' {
				t.kind = '-'
				return
			}
			lx.next()
			if lx.current == '[' {
				sep := lx.skipSep()
				lx.buf = lx.buf[:0]
				if sep >= 0 {
					lx.readLongString(nil, sep)
					lx.buf = lx.buf[:0]
					break
				}
			}
			for !lx.currIsNewline() && lx.current != eoz {
				lx.next()
			}
		case '[':
			sep := lx.skipSep()
			if sep >= 0 {
				lx.readLongString(t, sep)
				t.kind = tkString
				return
			} else if sep != -1 {
				lx.error("invalid long string delimiter", tkString)
			}
			t.kind = '['
			return
		case '=':
			lx.next()
			t.kind = lx.pick('=', tkEq, '=')
			return
		case '<':
			lx.next()
			if lx.checkNext1('=') {
				t.kind = tkLe
			} else if lx.checkNext1('<') {
				t.kind = tkShl
			} else {
				t.kind = '<'
			}
			return
		case '>':
			lx.next()
			if lx.checkNext1('=') {
				t.kind = tkGe
			} else if lx.checkNext1('>') {
				t.kind = tkShr
			} else {
				t.kind = '>'
			}
			return
		case '/':
			lx.next()
			t.kind = lx.pick('/', tkIDiv, '/')
			return
		case '~':
			lx.next()
			t.kind = lx.pick('=', tkNe, '~')
			return
		case ':':
			lx.next()
			t.kind = lx.pick(':', tkDbColon, ':')
			return
		case '"', '\'':
			lx.readString(c, t)
			t.kind = tkString
			return
		case '.':
			lx.saveAndNext()
			if lx.checkNext1('.') {
				if lx.checkNext1('.') {
					t.kind = tkDots
				} else {
					t.kind = tkConcat
				}
				return
			} else if !isDigit(lx.current) {
				t.kind = '.'
				return
			}
			lx.readNumeral(t)
			return
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			lx.readNumeral(t)
			return
		case eoz:
			t.kind = tkEOS
			return
		default:
			if isAlpha(c) {
				start := lx.pos - 1
				for {
					lx.next()
					if !isAlpha(lx.current) && !isDigit(lx.current) {
						break
					}
				}
				end := lx.pos - 1
				if lx.current == eoz {
					end = len(lx.src)
				}
				s := lx.srcStr[start:end]
				if k, ok := reserved[s]; ok {
					t.kind = k
					return
				}
				t.kind = tkName
				t.s = s
				t.text = s
				return
			}
			lx.next()
			t.kind = c
			return
		}
	}
}

func (lx *lexer) pick(c, yes, no int) int {
	if lx.checkNext1(c) {
		return yes
	}
	return no
}

// readNumeral is read_numeral; the buffer may already hold a '.'.
func (lx *lexer) readNumeral(t *token) {
	expo := "Ee"
	start := lx.pos - 1 - len(lx.buf) // the buffer may hold a '.'
	first := lx.current
	lx.saveAndNext()
	if first == '0' && lx.checkNext2("xX") {
		expo = "Pp"
	}
	for {
		if lx.checkNext2(expo) {
			lx.checkNext2("-+")
		}
		if isXDigit(lx.current) || lx.current == '.' {
			lx.saveAndNext()
		} else {
			break
		}
	}
	end := lx.pos - 1
	if lx.current == eoz {
		end = len(lx.src)
	}
	text := lx.srcStr[start:end]
	n, ok := luaconv.StringToNumber(text)
	if !ok {
		lx.error("malformed number", tkFlt)
	}
	t.text = text
	if n.IsFloat {
		t.kind = tkFlt
		t.f = n.F
	} else {
		t.kind = tkInt
		t.i = n.I
	}
}

// skipSep is skip_sep: after '[' or ']' and '='s, the level if the same
// bracket follows, else -(level)-1.
func (lx *lexer) skipSep() int {
	count := 0
	s := lx.current
	lx.saveAndNext()
	for lx.current == '=' {
		lx.saveAndNext()
		count++
	}
	if lx.current == s {
		return count
	}
	return -count - 1
}

// readLongString is read_long_string; t is nil for a comment.
func (lx *lexer) readLongString(t *token, sep int) {
	line := lx.line
	lx.saveAndNext()
	if lx.currIsNewline() {
		lx.incLineNumber()
	}
	for {
		switch lx.current {
		case eoz:
			what := "string"
			if t == nil {
				what = "comment"
			}
			lx.error("unfinished long "+what+" (starting at line "+itoa(line)+")", tkEOS)
		case ']':
			if lx.skipSep() == sep {
				lx.saveAndNext()
				if t != nil {
					t.text = string(lx.buf)
					t.s = t.text[2+sep : len(t.text)-(2+sep)]
				}
				return
			}
		case '\n', '\r':
			lx.save('\n')
			lx.incLineNumber()
			if t == nil {
				lx.buf = lx.buf[:0]
			}
		default:
			if t != nil {
				// Copy a run of ordinary bytes at once.
				start := lx.pos - 1
				end := start + 1
				for end < len(lx.src) {
					b := lx.src[end]
					if b == ']' || b == '\n' || b == '\r' {
						break
					}
					end++
				}
				lx.buf = append(lx.buf, lx.src[start:end]...)
				lx.pos = end
				lx.next()
			} else {
				lx.next()
			}
		}
	}
}

// escCheck is esccheck.
func (lx *lexer) escCheck(ok bool, msg string) {
	if !ok {
		if lx.current != eoz {
			lx.saveAndNext()
		}
		lx.error(msg, tkString)
	}
}

func (lx *lexer) getHexa() int {
	lx.saveAndNext()
	lx.escCheck(isXDigit(lx.current), "hexadecimal digit expected")
	return hexValue(lx.current)
}

func (lx *lexer) readHexaEsc() int {
	r := lx.getHexa()
	r = r<<4 + lx.getHexa()
	lx.buf = lx.buf[:len(lx.buf)-2]
	return r
}

func (lx *lexer) readUTF8Esc() uint64 {
	i := 4
	lx.saveAndNext()
	lx.escCheck(lx.current == '{', "missing '{'")
	r := uint64(lx.getHexa())
	for {
		lx.saveAndNext()
		if !isXDigit(lx.current) {
			break
		}
		i++
		r = r<<4 + uint64(hexValue(lx.current))
		lx.escCheck(r <= 0x10FFFF, "UTF-8 value too large")
	}
	lx.escCheck(lx.current == '}', "missing '}'")
	lx.next()
	lx.buf = lx.buf[:len(lx.buf)-i]
	return r
}

// utf8Esc appends x encoded as luaO_utf8esc does (up to 6 bytes).
func (lx *lexer) utf8Esc(x uint64) {
	if x < 0x80 {
		lx.buf = append(lx.buf, byte(x))
		return
	}
	var b [8]byte
	n := 1
	mfb := uint64(0x3f)
	for {
		b[8-n] = byte(0x80 | x&0x3f)
		n++
		x >>= 6
		mfb >>= 1
		if x <= mfb {
			break
		}
	}
	b[8-n] = byte(^mfb<<1 | x)
	lx.buf = append(lx.buf, b[8-n:]...)
}

func (lx *lexer) readDecEsc() int {
	r, i := 0, 0
	for ; i < 3 && isDigit(lx.current); i++ {
		r = 10*r + lx.current - '0'
		lx.saveAndNext()
	}
	lx.escCheck(r <= 255, "decimal escape too large")
	lx.buf = lx.buf[:len(lx.buf)-i]
	return r
}

// readString is read_string.
func (lx *lexer) readString(del int, t *token) {
	start := lx.pos - 1
	plain := true // no escape: the value is a substring of the source
	lx.saveAndNext()
	for lx.current != del {
		switch lx.current {
		case eoz:
			lx.error("unfinished string", tkEOS)
		case '\n', '\r':
			lx.error("unfinished string", tkString)
		case '\\':
			plain = false
			lx.saveAndNext()
			var c int
			switch lx.current {
			case 'a':
				c = '\a'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'v':
				c = '\v'
			case 'x':
				c = lx.readHexaEsc()
			case 'u':
				lx.utf8EscInto()
				continue
			case '\n', '\r':
				lx.incLineNumber()
				lx.buf[len(lx.buf)-1] = '\n'
				continue
			case '\\', '"', '\'':
				c = lx.current
			case eoz:
				continue // raises "unfinished string" next
			case 'z':
				lx.buf = lx.buf[:len(lx.buf)-1]
				lx.next()
				for isSpaceC(lx.current) {
					if lx.currIsNewline() {
						lx.incLineNumber()
					} else {
						lx.next()
					}
				}
				continue
			default:
				lx.escCheck(isDigit(lx.current), "invalid escape sequence")
				c = lx.readDecEsc()
				lx.buf[len(lx.buf)-1] = byte(c)
				continue
			}
			lx.next()
			lx.buf[len(lx.buf)-1] = byte(c)
		default:
			// Copy a run of ordinary bytes at once.
			start := lx.pos - 1
			end := start + 1
			for end < len(lx.src) {
				b := int(lx.src[end])
				if b == del || b == '\\' || b == '\n' || b == '\r' {
					break
				}
				end++
			}
			lx.buf = append(lx.buf, lx.src[start:end]...)
			lx.pos = end
			lx.next()
		}
	}
	lx.saveAndNext()
	if plain {
		end := lx.pos - 1
		if lx.current == eoz {
			end = len(lx.src)
		}
		t.text = lx.srcStr[start:end]
	} else {
		t.text = string(lx.buf)
	}
	t.s = t.text[1 : len(t.text)-1]
}

func (lx *lexer) utf8EscInto() {
	// readUTF8Esc has removed the escape, '\\' included.
	lx.utf8Esc(lx.readUTF8Esc())
}

// cString cuts s at its first '\0', as C's "%s" formatting does.
func cString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}
