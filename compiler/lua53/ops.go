package lua53

import (
	"errors"
	"math"
	"strings"
)

// Op is a Lua 5.3 operator that the gopher-lua VM has no instruction for.
type Op int

// The lowered operators.
const (
	OpIDiv Op = iota // a // b
	OpBand           // a & b
	OpBor            // a | b
	OpBxor           // a ~ b
	OpShl            // a << b
	OpShr            // a >> b
	OpBnot           // ~a (b is ignored)
)

// Names of the helper functions lowered code calls. The runtime library
// (stdlib/compat) stores them in a table under HelperTableKey in the string
// library table, which every chunk reaches as ("")[HelperTableKey] through
// the string metatable, whatever its _ENV is.
const (
	HelperTableKey = "\x00lua53"
	HelperIDiv     = "idiv"
	HelperBand     = "band"
	HelperBor      = "bor"
	HelperBxor     = "bxor"
	HelperShl      = "shl"
	HelperShr      = "shr"
	HelperBnot     = "bnot"
	// HelperEnv returns the environment of the Lua function calling it;
	// chunks that use their implicit _ENV bind it to a local at start.
	HelperEnv = "env"
)

// helperNames fixes the order of helper locals in the chunk prologue.
var helperNames = []string{HelperIDiv, HelperBand, HelperBor, HelperBxor, HelperShl, HelperShr, HelperBnot}

// Hidden local names: parentheses keep them apart from any Lua identifier.
const helperTableLocal = "(lua53)"

func helperLocal(name string) string { return "(lua53 " + name + ")" }

// Errors of the lowered operators, worded as Lua 5.3 words them.
var (
	ErrNoInteger = errors.New("number has no integer representation")
	ErrIDivZero  = errors.New("attempt to divide by zero")
)

// ToInteger converts a float64 to the int64 Lua 5.3 would hold: it
// succeeds when f is integral and within the 64-bit range.
func ToInteger(f float64) (int64, bool) {
	if f != math.Floor(f) || f < -9223372036854775808.0 || f >= 9223372036854775808.0 {
		return 0, false
	}
	return int64(f), true
}

// Arith applies op to numbers a and b with Lua 5.3 semantics, treating an
// integral float as an integer (the VM cannot tell 1 from 1.0).
func Arith(op Op, a, b float64) (float64, error) {
	if op == OpIDiv {
		x, xok := ToInteger(a)
		y, yok := ToInteger(b)
		if xok && yok {
			if y == 0 {
				return 0, ErrIDivZero
			}
			if y == -1 {
				return float64(-x), nil // wraps for mininteger, as in 5.3
			}
			q := x / y
			if (x%y != 0) && ((x < 0) != (y < 0)) {
				q--
			}
			return float64(q), nil
		}
		return math.Floor(a / b), nil
	}
	x, ok := ToInteger(a)
	if !ok {
		return 0, ErrNoInteger
	}
	var y int64
	if op != OpBnot {
		if y, ok = ToInteger(b); !ok {
			return 0, ErrNoInteger
		}
	}
	var r int64
	switch op {
	case OpBand:
		r = x & y
	case OpBor:
		r = x | y
	case OpBxor:
		r = x ^ y
	case OpShl:
		r = shiftLeft(x, y)
	case OpShr:
		r = shiftLeft(x, -y)
	case OpBnot:
		r = ^x
	}
	return float64(r), nil
}

func shiftLeft(x, n int64) int64 {
	switch {
	case n <= -64 || n >= 64:
		return 0
	case n >= 0:
		return int64(uint64(x) << uint(n))
	default:
		return int64(uint64(x) >> uint(-n))
	}
}

// StringToNumber converts a string to a number the way Lua 5.3's
// tonumber and arithmetic coercion do (surrounding spaces, an optional
// sign, decimal or hexadecimal numerals, hex floats).
func StringToNumber(s string) (float64, bool) {
	s = strings.Trim(s, " \t\n\v\f\r")
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || !(isDigit(s[0]) || s[0] == '.') {
		return 0, false
	}
	v, ok := parseNumeral(s)
	if !ok {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
