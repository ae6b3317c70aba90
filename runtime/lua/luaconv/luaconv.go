// Package luaconv implements Lua 5.3's conversions between numbers and
// strings, exactly as lua5.3 (5.3.6, C locale) performs them: the lexer's
// numerals, tonumber and the string->number coercions (luaO_str2num),
// tostring of numbers (LUAI_NUMFFORMAT "%.14g" plus ".0" for integral
// floats), and float->integer conversions (luaV_tointeger's modes).
//
// The package holds pure functions only: it must not depend on the
// interpreter, on a Lua state, on the current locale, or on any other
// package of the engine.
package luaconv

import (
	"math"
	"strconv"
)

// Number is a Lua number: an integer (IsFloat false, value in I) or a float
// (IsFloat true, value in F).
type Number struct {
	I       int64
	F       float64
	IsFloat bool
}

// Int returns an integer Number.
func Int(i int64) Number { return Number{I: i} }

// Float returns a float Number.
func Float(f float64) Number { return Number{F: f, IsFloat: true} }

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// StringToNumber converts s as lua_stringtonumber does: surrounding C
// whitespace and one sign are allowed; decimal integers that fit in int64
// are integers and larger ones floats; hexadecimal integers wrap around
// modulo 2^64; decimal and hexadecimal floats follow C's strtod, except
// that "inf", "nan" and their variants are rejected, as are trailing
// garbage and embedded '\0'. Infinite results of overflow (1e400) are
// accepted, as strtod's HUGE_VAL is.
func StringToNumber(s string) (Number, bool) {
	if i, ok := strToInt(s); ok {
		return Int(i), true
	}
	if f, ok := strToFloat(s); ok {
		return Float(f), true
	}
	return Number{}, false
}

// strToInt is luaO_str2num's l_str2int.
func strToInt(s string) (int64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var a uint64
	empty := true
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		i += 2
		for ; i < len(s); i++ {
			d := hexValue(s[i])
			if d < 0 {
				break
			}
			a = a*16 + uint64(d)
			empty = false
		}
	} else {
		const maxBy10 = math.MaxInt64 / 10
		const maxLastD = math.MaxInt64 % 10
		for ; i < len(s) && isDigit(s[i]); i++ {
			d := uint64(s[i] - '0')
			negD := uint64(0)
			if neg {
				negD = 1
			}
			if a >= maxBy10 && (a > maxBy10 || d > maxLastD+negD) {
				return 0, false // overflow: not an integer
			}
			a = a*10 + d
			empty = false
		}
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if empty || i != len(s) {
		return 0, false
	}
	if neg {
		a = -a
	}
	return int64(a), true
}

// strToFloat is luaO_str2num's l_str2d: strtod without inf/nan, then only
// trailing spaces.
func strToFloat(s string) (float64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var f float64
	var end int
	var ok bool
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		f, end, ok = scanHexFloat(s, i+2)
	} else {
		f, end, ok = scanDecFloat(s, i)
	}
	if !ok {
		return 0, false
	}
	for end < len(s) && isSpace(s[end]) {
		end++
	}
	if end != len(s) {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// scanDecFloat scans digits [. digits] [e [sign] digits] from s[i:] as
// strtod does (an incomplete exponent is not part of the number) and
// returns the value and the end of the numeral.
func scanDecFloat(s string, i int) (float64, int, bool) {
	start := i
	nd := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		nd++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			nd++
		}
	}
	if nd == 0 {
		return 0, 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0, false
	}
	return f, i, true
}

func isRangeErr(err error) bool {
	e, ok := err.(*strconv.NumError)
	return ok && e.Err == strconv.ErrRange
}

// scanHexFloat scans hexdigits [. hexdigits] [p [sign] digits] from s[i:]
// (after "0x") as strtod does. Without any hex digit, strtod would parse
// just the "0", which leaves the 'x' as trailing garbage: a failure here.
func scanHexFloat(s string, i int) (float64, int, bool) {
	// Mantissa: up to 16 significant hex digits exactly, then a sticky bit
	// for the rest, so that rounding is correct for any length.
	var mant uint64
	exp := 0 // binary exponent adjustment
	nd := 0
	sig := 0 // significant digits taken into mant
	sticky := false
	seenDot := false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if seenDot {
				break
			}
			seenDot = true
			continue
		}
		d := hexValue(c)
		if d < 0 {
			break
		}
		nd++
		if sig == 0 && d == 0 {
			if seenDot {
				exp -= 4
			}
			continue
		}
		if sig < 15 {
			mant = mant<<4 | uint64(d)
			sig++
			if seenDot {
				exp -= 4
			}
		} else {
			if d != 0 {
				sticky = true
			}
			if !seenDot {
				exp += 4
			}
		}
	}
	if nd == 0 {
		return 0, 0, false
	}
	if i < len(s) && (s[i] == 'p' || s[i] == 'P') {
		j := i + 1
		eneg := false
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			eneg = s[j] == '-'
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			e := 0
			for ; j < len(s) && isDigit(s[j]); j++ {
				if e < 1_000_000 {
					e = e*10 + int(s[j]-'0')
				}
			}
			if eneg {
				e = -e
			}
			exp += e
			i = j
		}
	}
	if mant == 0 {
		return 0, i, true
	}
	// 15 hex digits = 60 bits fit; the sticky bit makes rounding exact.
	mant <<= 1
	exp--
	if sticky {
		mant |= 1
	}
	return ldexpRound(mant, exp), i, true
}

// ldexpRound returns mant * 2^exp rounded to nearest even, with mant < 2^62.
func ldexpRound(mant uint64, exp int) float64 {
	// Normalise so that the top bit is bit 61.
	for mant < 1<<61 {
		mant <<= 1
		exp--
	}
	// value = mant * 2^exp, mant in [2^61, 2^62): unbiased exponent of the
	// result is e = exp + 61.
	e := exp + 61
	shift := 61 - 52 // bits to drop for a normal number
	if e < -1022 {
		shift += -1022 - e // subnormal: drop more
		if shift > 63 {
			return 0
		}
	}
	keep := mant >> uint(shift)
	rem := mant & (1<<uint(shift) - 1)
	half := uint64(1) << uint(shift-1)
	if rem > half || (rem == half && keep&1 == 1) {
		keep++
	}
	return math.Ldexp(float64(keep), exp+shift)
}

// FormatInteger is tostring of an integer ("%d").
func FormatInteger(i int64) string { return strconv.FormatInt(i, 10) }

// FormatFloat is tostring of a float: C's "%.14g", then ".0" appended when
// the result looks like an integer. Infinities are "inf" and "-inf"; a NaN
// is "nan", or "-nan" when its sign bit is set (as glibc prints it: 0/0
// computed on x86 is "-nan", -(0/0) is "nan").
func FormatFloat(f float64) string {
	s := FormatG(f, 14)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '-' && !isDigit(c) {
			return s
		}
	}
	return s + ".0"
}

// FormatG formats f as C's printf("%.<prec>g") does (glibc), for prec >= 0
// and no flags: the shortest of %e and %f styles by C's rule, trailing
// zeros removed, exponent of at least two digits.
func FormatG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	if prec == 0 {
		prec = 1
	}
	// Round to prec significant digits to learn the decimal exponent X.
	e := strconv.FormatFloat(f, 'e', prec-1, 64)
	k := len(e) - 1
	for e[k] != 'e' {
		k--
	}
	x, _ := strconv.Atoi(e[k+1:])
	var s string
	if x < prec && x >= -4 {
		s = strconv.FormatFloat(f, 'f', prec-1-x, 64)
		s = trimZeros(s)
	} else {
		mant := trimZeros(e[:k])
		ex := x
		sign := byte('+')
		if ex < 0 {
			sign = '-'
			ex = -ex
		}
		digits := strconv.Itoa(ex)
		if len(digits) < 2 {
			digits = "0" + digits
		}
		s = mant + "e" + string(sign) + digits
	}
	return s
}

// trimZeros removes trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	dot := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			dot = i
			break
		}
	}
	if dot < 0 {
		return s
	}
	j := len(s)
	for j > dot+1 && s[j-1] == '0' {
		j--
	}
	if j == dot+1 {
		j = dot
	}
	return s[:j]
}

// FloatToInteger converts f to an integer when it has an exact integer
// value in int64's range (lua_numbertointeger with luaV_tointeger's mode
// 0): 3.0 -> 3; 3.5, NaN, ±inf and 2^63 fail.
func FloatToInteger(f float64) (int64, bool) {
	if f != math.Floor(f) {
		return 0, false
	}
	return inRange(f)
}

// FloatToIntegerFloor converts floor(f) to an integer when it is in range
// (luaV_tointeger's mode 1, used by for-loop limits and comparisons).
func FloatToIntegerFloor(f float64) (int64, bool) { return inRange(math.Floor(f)) }

// FloatToIntegerCeil converts ceil(f) to an integer when it is in range
// (luaV_tointeger's mode 2).
func FloatToIntegerCeil(f float64) (int64, bool) { return inRange(math.Ceil(f)) }

func inRange(f float64) (int64, bool) {
	// -2^63 <= f < 2^63 (false for NaN).
	if f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
		return int64(f), true
	}
	return 0, false
}
