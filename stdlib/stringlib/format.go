package stringlib

import (
	"math"
	"slices"
	"strconv"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// fmtFlags are the flags lstrlib.c's scanformat accepts (L_FMTFLAGS).
const fmtFlags = "-+ #0"

// spec is one parsed conversion of string.format.
type spec struct {
	minus, plus, space, hash, zero bool
	width                          int
	prec                           int // -1: none
	bare                           bool
}

// charName renders a byte as lua_pushfstring's %c does: itself when
// printable, else "<\n>" with its decimal code.
func charName(c byte) string {
	if c >= 32 && c < 127 {
		return string(rune(c))
	}
	return "<\\" + strconv.Itoa(int(c)) + ">"
}

func strFormat(L *lua.State) int {
	top := L.NArgs()
	arg := 1
	f := L.CheckString(arg)
	var stackBuf [256]byte
	b := stackBuf[:0]
	at := func(i int) byte {
		if i < len(f) {
			return f[i]
		}
		return 0
	}
	for i := 0; i < len(f); {
		c := f[i]
		if c != '%' {
			j := i + 1
			for j < len(f) && f[j] != '%' {
				j++
			}
			b = append(b, f[i:j]...)
			i = j
			continue
		}
		i++
		if at(i) == '%' {
			b = append(b, '%')
			i++
			continue
		}
		// a conversion
		arg++
		if arg > top {
			L.ArgError(arg, "no value")
		}
		var sp spec
		start := i
		for i < len(f) && isFlag(f[i]) {
			switch f[i] {
			case '-':
				sp.minus = true
			case '+':
				sp.plus = true
			case ' ':
				sp.space = true
			case '#':
				sp.hash = true
			case '0':
				sp.zero = true
			}
			i++
		}
		if i-start >= len(fmtFlags)+1 {
			L.Errorf("invalid format (repeated flags)")
		}
		if isDigit(at(i)) {
			sp.width = int(f[i] - '0')
			i++
			if isDigit(at(i)) {
				sp.width = sp.width*10 + int(f[i]-'0')
				i++
			}
		}
		sp.prec = -1
		if at(i) == '.' {
			i++
			sp.prec = 0
			if isDigit(at(i)) {
				sp.prec = int(f[i] - '0')
				i++
				if isDigit(at(i)) {
					sp.prec = sp.prec*10 + int(f[i]-'0')
					i++
				}
			}
		}
		if isDigit(at(i)) {
			L.Errorf("invalid format (width or precision too long)")
		}
		sp.bare = i == start
		conv := at(i)
		i++
		switch conv {
		case 'c':
			n := L.CheckInteger(arg)
			var one [1]byte
			one[0] = byte(n)
			b = sp.pad(b, "", "", one[:], false)
		case 'd', 'i', 'o', 'u', 'x', 'X':
			b = sp.formatInt(b, conv, L.CheckInteger(arg))
		case 'a', 'A', 'e', 'E', 'f', 'g', 'G':
			b = sp.formatFloat(b, conv, L.CheckNumber(arg))
		case 'q':
			b = addLiteral(L, b, arg)
		case 's':
			s := L.ToStringMeta(L.Arg(arg))
			if sp.bare {
				b = append(b, s...)
				break
			}
			for k := 0; k < len(s); k++ {
				if s[k] == 0 {
					L.ArgError(arg, "string contains zeros")
				}
			}
			if sp.prec < 0 && len(s) >= 100 {
				b = append(b, s...)
				break
			}
			if sp.prec >= 0 && len(s) > sp.prec {
				s = s[:sp.prec]
			}
			b = sp.padString(b, s)
		default:
			L.Errorf("invalid option '%%%s' to 'format'", charName(conv))
		}
	}
	L.Push(lua.Bytes(b))
	return 1
}

func isFlag(c byte) bool {
	return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0'
}

// pad appends sign, prefix and body padded to the width: with spaces on
// the left (or the right with '-'), or with zeros between prefix and body
// when zeroOK and the '0' flag allow it.
func (sp *spec) pad(b []byte, sign, prefix string, body []byte, zeroOK bool) []byte {
	n := len(sign) + len(prefix) + len(body)
	fill := sp.width - n
	if fill <= 0 {
		b = append(b, sign...)
		b = append(b, prefix...)
		return append(b, body...)
	}
	switch {
	case sp.minus:
		b = append(b, sign...)
		b = append(b, prefix...)
		b = append(b, body...)
		b = appendRepeat(b, ' ', fill)
	case sp.zero && zeroOK:
		b = append(b, sign...)
		b = append(b, prefix...)
		b = appendRepeat(b, '0', fill)
		b = append(b, body...)
	default:
		b = appendRepeat(b, ' ', fill)
		b = append(b, sign...)
		b = append(b, prefix...)
		b = append(b, body...)
	}
	return b
}

func (sp *spec) padString(b []byte, s string) []byte {
	fill := sp.width - len(s)
	if fill > 0 && !sp.minus {
		b = appendRepeat(b, ' ', fill)
	}
	b = append(b, s...)
	if fill > 0 && sp.minus {
		b = appendRepeat(b, ' ', fill)
	}
	return b
}

func appendRepeat(b []byte, c byte, n int) []byte {
	if n <= 0 {
		return b
	}
	b = slices.Grow(b, n)
	start := len(b)
	b = b[:start+n]
	for i := start; i < len(b); i++ {
		b[i] = c
	}
	return b
}

// sign returns the sign to print for a number: "-", or "+"/" " by flag.
func (sp *spec) sign(neg bool) string {
	switch {
	case neg:
		return "-"
	case sp.plus:
		return "+"
	case sp.space:
		return " "
	}
	return ""
}

func (sp *spec) formatInt(b []byte, conv byte, n int64) []byte {
	var tmp [80]byte
	digits := tmp[:0]
	sign, prefix := "", ""
	u := uint64(n)
	switch conv {
	case 'd', 'i':
		if n < 0 {
			u = -u
		}
		sign = sp.sign(n < 0)
		digits = strconv.AppendUint(digits, u, 10)
	case 'u':
		digits = strconv.AppendUint(digits, u, 10)
	case 'o':
		digits = strconv.AppendUint(digits, u, 8)
	case 'x':
		digits = strconv.AppendUint(digits, u, 16)
		if sp.hash && u != 0 {
			prefix = "0x"
		}
	case 'X':
		digits = strconv.AppendUint(digits, u, 16)
		for k, c := range digits {
			if 'a' <= c && c <= 'f' {
				digits[k] = c - ('a' - 'A')
			}
		}
		if sp.hash && u != 0 {
			prefix = "0X"
		}
	}
	zeroOK := true
	if sp.prec >= 0 {
		zeroOK = false
		if sp.prec == 0 && u == 0 {
			digits = digits[:0]
		}
		if len(digits) < sp.prec {
			var z [100]byte
			zn := sp.prec - len(digits)
			for k := 0; k < zn; k++ {
				z[k] = '0'
			}
			digits = append(z[:zn:zn], digits...)
		}
	}
	if conv == 'o' && sp.hash && (len(digits) == 0 || digits[0] != '0') {
		digits = append([]byte{'0'}, digits...)
	}
	return sp.pad(b, sign, prefix, digits, zeroOK)
}

func (sp *spec) formatFloat(b []byte, conv byte, f float64) []byte {
	upper := conv == 'A' || conv == 'E' || conv == 'G'
	neg := math.Signbit(f)
	sign := sp.sign(neg)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		body := "inf"
		if math.IsNaN(f) {
			body = "nan"
		}
		if upper {
			body = "INF"
			if math.IsNaN(f) {
				body = "NAN"
			}
		}
		return sp.pad(b, sign, "", []byte(body), false)
	}
	if neg {
		f = -f
	}
	var tmp [512]byte
	body := tmp[:0]
	prefix := ""
	switch conv {
	case 'a', 'A':
		prefix = "0x"
		body = sp.hexFloat(body, f)
	case 'e', 'E':
		prec := sp.prec
		if prec < 0 {
			prec = 6
		}
		body = strconv.AppendFloat(body, f, 'e', prec, 64)
		if sp.hash && prec == 0 {
			body = insertDot(body)
		}
	case 'f':
		prec := sp.prec
		if prec < 0 {
			prec = 6
		}
		body = strconv.AppendFloat(body, f, 'f', prec, 64)
		if sp.hash && prec == 0 {
			body = append(body, '.')
		}
	case 'g', 'G':
		body = sp.formatG(body, f)
	}
	if upper {
		for k, c := range body {
			if 'a' <= c && c <= 'z' {
				body[k] = c - ('a' - 'A')
			}
		}
		if prefix != "" {
			prefix = "0X"
		}
	}
	return sp.pad(b, sign, prefix, body, true)
}

// insertDot puts a '.' before the exponent of "de+XX".
func insertDot(body []byte) []byte {
	for k, c := range body {
		if c == 'e' || c == 'p' {
			body = append(body, 0)
			copy(body[k+1:], body[k:])
			body[k] = '.'
			return body
		}
	}
	return append(body, '.')
}

// formatG is C's %g of a non-negative finite f.
func (sp *spec) formatG(body []byte, f float64) []byte {
	p := sp.prec
	if p < 0 {
		p = 6
	} else if p == 0 {
		p = 1
	}
	// The decimal exponent X of f rounded to p significant digits.
	body = strconv.AppendFloat(body, f, 'e', p-1, 64)
	k := len(body) - 1
	for body[k] != 'e' {
		k--
	}
	x, _ := strconv.Atoi(string(body[k+1:]))
	if x < p && x >= -4 {
		body = strconv.AppendFloat(body[:0], f, 'f', p-1-x, 64)
		if sp.hash {
			if p-1-x == 0 {
				body = append(body, '.')
			}
			return body
		}
		return trimFracZeros(body)
	}
	if sp.hash {
		if x == p && exactExponent(f) == p-1 {
			// glibc's quirk: a value of p integer digits that rounds up
			// to 10^p is printed as "1.e+p", without the zeros.
			var exp [8]byte
			e := append(exp[:0], body[k:]...)
			return append(append(body[:0], '1', '.'), e...)
		}
		if p == 1 {
			body = insertDot(body)
		}
		return body
	}
	// strip zeros of the mantissa
	exp := string(body[k:])
	body = trimFracZeros(body[:k])
	return append(body, exp...)
}

// exactExponent returns floor(log10(f)) of a positive finite f, from
// enough digits that rounding cannot reach the next power of 10.
func exactExponent(f float64) int {
	var tmp [64]byte
	b := strconv.AppendFloat(tmp[:0], f, 'e', 40, 64)
	k := len(b) - 1
	for b[k] != 'e' {
		k--
	}
	x, _ := strconv.Atoi(string(b[k+1:]))
	return x
}

// trimFracZeros removes trailing zeros after a decimal point, and the
// point when nothing follows it.
func trimFracZeros(b []byte) []byte {
	dot := -1
	for k, c := range b {
		if c == '.' {
			dot = k
			break
		}
	}
	if dot < 0 {
		return b
	}
	j := len(b)
	for j > dot+1 && b[j-1] == '0' {
		j--
	}
	if j == dot+1 {
		j = dot
	}
	return b[:j]
}

// hexFloat appends glibc's %a of a non-negative finite f without the
// "0x" prefix: "1.8p+1".
func (sp *spec) hexFloat(body []byte, f float64) []byte {
	bits := math.Float64bits(f)
	frac := bits & (1<<52 - 1)
	e := int(bits >> 52 & 0x7ff)
	lead := uint64(1)
	exp := e - 1023
	switch {
	case e == 0 && frac == 0:
		lead, exp = 0, 0
	case e == 0:
		lead, exp = 0, -1022
	}
	const hexDigits = "0123456789abcdef"
	var digits [13]byte
	nd := 13
	if sp.prec >= 0 && sp.prec < 13 {
		shift := uint(13-sp.prec) * 4
		keep := frac >> shift
		rem := frac & (1<<shift - 1)
		half := uint64(1) << (shift - 1)
		lsb := keep & 1
		if sp.prec == 0 {
			lsb = lead & 1
		}
		if rem > half || (rem == half && lsb == 1) {
			keep++
			if keep>>(uint(sp.prec)*4) != 0 {
				keep = 0
				lead++
			}
		}
		nd = sp.prec
		for k := nd - 1; k >= 0; k-- {
			digits[k] = hexDigits[keep&15]
			keep >>= 4
		}
	} else {
		for k := 12; k >= 0; k-- {
			digits[k] = hexDigits[frac&15]
			frac >>= 4
		}
		if sp.prec < 0 {
			for nd > 0 && digits[nd-1] == '0' {
				nd--
			}
		}
	}
	body = append(body, hexDigits[lead])
	if nd > 0 || sp.hash || sp.prec > 13 {
		body = append(body, '.')
	}
	body = append(body, digits[:nd]...)
	if sp.prec > 13 {
		body = appendRepeat(body, '0', sp.prec-13)
	}
	body = append(body, 'p')
	if exp >= 0 {
		body = append(body, '+')
	}
	return strconv.AppendInt(body, int64(exp), 10)
}

// addLiteral appends %q's form of argument arg.
func addLiteral(L *lua.State, b []byte, arg int) []byte {
	v := L.Arg(arg)
	switch v.Type() {
	case lua.TypeString:
		s, _ := v.AsString()
		return addQuoted(b, s)
	case lua.TypeNumber:
		if n, ok := v.AsInt(); ok {
			if n == math.MinInt64 {
				return append(b, "0x8000000000000000"...)
			}
			return strconv.AppendInt(b, n, 10)
		}
		f, _ := v.AsFloat()
		sp := spec{prec: -1}
		return sp.formatFloat(b, 'a', f)
	case lua.TypeNil, lua.TypeBoolean:
		return append(b, L.ToStringMeta(v)...)
	}
	L.ArgError(arg, "value has no literal form")
	return b
}

func addQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\' || c == '\n':
			b = append(b, '\\', c)
		case ctype[c]&cCntrl != 0:
			b = append(b, '\\')
			if i+1 < len(s) && isDigit(s[i+1]) {
				b = append(b, '0'+c/100, '0'+c/10%10, '0'+c%10)
			} else {
				b = strconv.AppendInt(b, int64(c), 10)
			}
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
