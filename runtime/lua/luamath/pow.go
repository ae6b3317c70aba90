package luamath

import (
	"math"
	"math/bits"
)

// Pow returns x**y correctly rounded, with the special cases of C99
// Annex F (as glibc's pow):
//
//	Pow(x, ±0) = 1 for any x, even NaN; Pow(1, y) = 1 for any y, even NaN
//	Pow(x, y) = NaN (x quieted, else y) if x or y is NaN
//	Pow(±0, y) = ±Inf for y an odd integer < 0, +Inf for other y < 0
//	Pow(±0, y) = ±0 for y an odd integer > 0, +0 for other y > 0
//	Pow(-1, ±Inf) = 1
//	Pow(x, +Inf) = +Inf for |x| > 1, +0 for |x| < 1; Pow(x, -Inf) the reverse
//	Pow(-Inf, y) = Pow(-0, -y); Pow(+Inf, y) = +Inf for y > 0, +0 for y < 0
//	Pow(x, y) = -NaN (invalid) for finite x < 0 and finite non-integer y
//
// The general case is exp(y * log|x|) with log|x| and the product in
// double-double (absolute error of y*log|x| below 2^-88 within the range
// where the result is finite and non-zero) and then exp of a
// double-double. Integer and half-integer exponents, whose results can
// be exactly representable or exactly halfway between two doubles, are
// computed exactly or by repeated double-double multiplication.
func Pow(x, y float64) float64 {
	// Fast paths that are exactly the correctly rounded result.
	switch y {
	case 0:
		return 1
	case 1:
		if x == x {
			return x
		}
	case 2:
		return x * x // one rounding of the exact square
	case -1:
		if x == x {
			return 1 / x
		}
	case 0.5:
		if x > 0 { // sqrt(-0) = -0 and sqrt(-Inf) = NaN differ from pow
			return math.Sqrt(x)
		}
	}
	switch {
	case x == 1:
		return 1
	case y != y:
		if x != x {
			return quiet(x)
		}
		return quiet(y)
	}
	ay := math.Abs(y)
	yint := y == math.Trunc(y)
	yodd := yint && ay < 1<<53 && int64(ay)&1 == 1
	if x != x {
		// glibc squares a NaN x and negates it for odd y: a NaN with
		// the sign bit set comes out positive.
		r := quiet(x)
		if yodd && math.Signbit(x) {
			r = -r
		}
		return r
	}
	if ay > math.MaxFloat64 { // y = ±Inf
		ax := math.Abs(x)
		switch {
		case ax == 1:
			return 1
		case (ax > 1) == (y > 0):
			return inf
		default:
			return 0
		}
	}
	if x == 0 || math.IsInf(x, 0) {
		neg := math.Signbit(x) && yodd
		big := (x == 0) == (y < 0)
		var r float64
		if big {
			r = inf
		}
		if neg {
			r = -r
		}
		return r
	}
	neg := false
	if x < 0 {
		if !yint {
			return nanNeg
		}
		neg = yodd
		x = -x
	}
	r := powPos(x, y, ay, yint)
	if neg {
		r = -r
	}
	return r
}

// powPos is Pow for finite x > 0, x != 1, finite y != 0.
func powPos(x, y, ay float64, yint bool) float64 {
	b := math.Float64bits(x)
	if b&(1<<52-1) == 0 && b>>52 != 0 {
		// x = 2^e: the result is exactly 2^(e*y) when e*y is an integer.
		e := float64(int(b>>52) - 1023)
		p := e * y
		if math.FMA(e, y, -p) == 0 && p == math.Trunc(p) {
			switch {
			case p > 1100:
				return inf
			case p < -1100:
				return 0
			}
			return roundScaled(1, 0, int(p))
		}
	}
	if yint && ay <= 64 {
		return powInt(x, int(y))
	}
	if ay <= 64 && 2*y == math.Trunc(2*y) {
		// y = n/2 with n odd: if x = s^2 exactly, x^y = s^n (which can
		// be exact); otherwise x^y is irrational.
		s := math.Sqrt(x)
		if math.FMA(s, s, -x) == 0 {
			return powInt(s, int(2*y))
		}
	}
	lh, ll := logCore(x)
	zh, zl := twoProd(y, lh)
	zl += y * ll
	switch {
	case zh > 710:
		return inf
	case zh < -746:
		return 0
	}
	zh, zl = fastTwoSum(zh, zl)
	k, h, l := expCore(zh, zl)
	return roundScaled(h, l, k)
}

// powInt returns x^n correctly rounded for finite x > 0 and 0 < |n| <= 128.
//
// With x = mo * 2^eo, mo odd: when mo^|n| fits in 63 bits it is computed
// exactly in integers (this covers every case where x^n is a double or a
// midpoint between two doubles, since such a result has at most 54
// significant bits; for n < 0 that needs mo = 1, a power of two handled
// by the caller). Otherwise x^|n| is formed by binary powering in
// double-double (at most 14 multiplications, each with relative error
// below 2^-104, so below 2^-100 in all) and inverted for n < 0.
func powInt(x float64, n int) float64 {
	b := math.Float64bits(x)
	e := int(b>>52) - 1075
	m := b & (1<<52 - 1)
	if b>>52 == 0 {
		e = -1074
	} else {
		m |= 1 << 52
	}
	tz := bits.TrailingZeros64(m)
	mo := m >> tz
	eo := e + tz
	an := n
	if an < 0 {
		an = -n
	}
	if n > 0 && bits.Len64(mo)*n <= 63 {
		v := uint64(1)
		for i := 0; i < n; i++ {
			v *= mo
		}
		h := float64(v)
		l := float64(int64(v - uint64(h)))
		return roundScaled(h, l, eo*n)
	}
	// Normalize x to [1, 2) and power the mantissa; x^n = xm^n * 2^(ex*n).
	ex := int(math.Float64bits(x)>>52) - 1023
	if b>>52 == 0 {
		x *= 0x1p54
		ex = int(math.Float64bits(x)>>52) - 1023 - 54
	}
	xm := math.Float64frombits(math.Float64bits(x)&(1<<52-1) | 0x3ff<<52)
	rh, rl := 1.0, 0.0
	ph, pl := xm, 0.0
	for k := an; ; {
		if k&1 == 1 {
			rh, rl = mulDD(rh, rl, ph, pl)
		}
		k >>= 1
		if k == 0 {
			break
		}
		ph, pl = mulDD(ph, pl, ph, pl)
	}
	// rh in [1, 2^128): take its exponent out before inverting.
	er := int(math.Float64bits(rh)>>52) - 1023
	sc := pow2(-er)
	rh, rl = rh*sc, rl*sc
	scale := ex*n + er
	if n < 0 {
		rh, rl = divDD(1, 0, rh, rl)
		scale = ex*n - er
	}
	if scale > 2000 {
		return inf
	}
	if scale < -2000 {
		return 0
	}
	return roundScaled(rh, rl, scale)
}
