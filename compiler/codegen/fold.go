package codegen

import "math"

// num is a numeric constant: an integer or a float (a TValue of lcode.c's
// constant folding).
type num struct {
	isInt bool
	i     int64
	f     float64
}

func (n num) float() float64 {
	if n.isInt {
		return float64(n.i)
	}
	return n.f
}

// toInteger converts n to an integer if it has an exact integer value
// (luaV_tointeger with LUA_FLOORN2I = 0).
func (n num) toInteger() (int64, bool) {
	if n.isInt {
		return n.i, true
	}
	f := n.f
	if math.Floor(f) != f || f < -9223372036854775808.0 || f >= 9223372036854775808.0 {
		return 0, false
	}
	return int64(f), true
}

// validOp is lcode.c's validop: bitwise operations need operands with
// integer values, and division and modulo must not divide by zero.
func validOp(op int, v1, v2 num) bool {
	switch op {
	case arBAnd, arBOr, arBXor, arShl, arShr, arBNot:
		_, ok1 := v1.toInteger()
		_, ok2 := v2.toInteger()
		return ok1 && ok2
	case arDiv, arIDiv, arMod:
		return v2.float() != 0
	}
	return true
}

// arith is luaO_arith for numbers; validOp has been checked.
func arith(op int, v1, v2 num) num {
	switch op {
	case arBAnd, arBOr, arBXor, arShl, arShr, arBNot:
		a, _ := v1.toInteger()
		b, _ := v2.toInteger()
		var r int64
		switch op {
		case arBAnd:
			r = a & b
		case arBOr:
			r = a | b
		case arBXor:
			r = a ^ b
		case arShl:
			r = shiftLeft(a, b)
		case arShr:
			r = shiftLeft(a, -b)
		case arBNot:
			r = ^a
		}
		return num{isInt: true, i: r}
	case arDiv, arPow:
		a, b := v1.float(), v2.float()
		if op == arDiv {
			return num{f: a / b}
		}
		if b == 2 {
			return num{f: a * a}
		}
		return num{f: math.Pow(a, b)}
	}
	if v1.isInt && v2.isInt {
		a, b := v1.i, v2.i
		var r int64
		switch op {
		case arAdd:
			r = a + b
		case arSub:
			r = a - b
		case arMul:
			r = a * b
		case arMod:
			r = intMod(a, b)
		case arIDiv:
			r = intDiv(a, b)
		case arUnm:
			r = -a
		}
		return num{isInt: true, i: r}
	}
	a, b := v1.float(), v2.float()
	var r float64
	switch op {
	case arAdd:
		r = a + b
	case arSub:
		r = a - b
	case arMul:
		r = a * b
	case arMod:
		r = math.Mod(a, b)
		if r*b < 0 { // luai_nummod
			r += b
		}
	case arIDiv:
		r = math.Floor(a / b)
	case arUnm:
		r = -a
	}
	return num{f: r}
}

func shiftLeft(x, y int64) int64 {
	if y < 0 {
		if y <= -64 {
			return 0
		}
		return int64(uint64(x) >> uint64(-y))
	}
	if y >= 64 {
		return 0
	}
	return int64(uint64(x) << uint64(y))
}

func intMod(m, n int64) int64 {
	if n == -1 {
		return 0
	}
	r := m % n
	if r != 0 && (r^n) < 0 {
		r += n
	}
	return r
}

func intDiv(m, n int64) int64 {
	if n == -1 {
		return -m
	}
	q := m / n
	if (m^n) < 0 && m%n != 0 {
		q--
	}
	return q
}
