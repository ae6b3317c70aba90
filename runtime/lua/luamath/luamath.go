// Package luamath provides correctly rounded elementary functions (Pow,
// Exp, Log, Log2, Log10, Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh,
// Cosh, Tanh) for the Lua engine, so that its floating-point results are
// the ones Debian's lua5.3 prints. lua5.3 calls glibc's libm, whose
// exp/log/pow/sin/cos/... are accurate to about half an ulp and so give
// the correctly rounded result for almost all arguments; Go's math
// package is off by an ulp for a few percent of them, which shows in
// "%.17g" and sometimes in "%.14g".
//
// Each function evaluates the exact value in double-double arithmetic
// (an unevaluated sum hi+lo of two doubles, about 106 bits) with a
// relative error far below 2^-70 and rounds it to double once, so the
// result is the double nearest to the exact value unless that value lies
// within about 2^-80 relative of a midpoint between two doubles, which
// for transcendental functions of doubles does not happen in practice.
// Exact cases that can be midpoints (pow with integer or half-integer
// exponents) are computed exactly.
//
// Special values follow C99 Annex F as glibc implements it, including
// the signs of NaNs: a NaN argument is returned (quieted), and an invalid
// operation gives the x86 default NaN, which has its sign bit set (lua5.3
// prints "-nan"), except for Asin, Acos and Log10, whose glibc versions
// return a positive NaN.
package luamath

import "math"

var (
	nanNeg = math.Float64frombits(0xfff8000000000000) // x86 default NaN
	nanPos = math.Float64frombits(0x7ff8000000000000)
	inf    = math.Inf(1)
)

// quiet returns the NaN x with its quiet bit set, as an arithmetic
// operation on it would.
func quiet(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x) | 1<<51)
}

// Error-free transformations. In each, the pair returned is the exact
// value of the operation as an unevaluated sum.

// twoSum returns s = fl(a+b) and e with s+e = a+b exactly (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return
}

// fastTwoSum is twoSum for |a| >= |b| (or a == 0) (Dekker).
func fastTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return
}

// twoProd returns p = fl(a*b) and e with p+e = a*b exactly, unless the
// product underflows.
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	e = math.FMA(a, b, -p)
	return
}

// Double-double operations. Inputs are normalized pairs (|lo| <= ulp(hi)/2
// or close to it); results are normalized. The relative error of each is
// below 2^-104 (mul, div: a few units of 2^-106; add of same-signed or
// non-cancelling terms likewise).

func mulDD(ah, al, bh, bl float64) (float64, float64) {
	p, e := twoProd(ah, bh)
	e += ah*bl + al*bh
	return fastTwoSum(p, e)
}

// mulD multiplies a double-double by a double.
func mulD(ah, al, b float64) (float64, float64) {
	p, e := twoProd(ah, b)
	e += al * b
	return fastTwoSum(p, e)
}

func addDD(ah, al, bh, bl float64) (float64, float64) {
	s, e := twoSum(ah, bh)
	e += al + bl
	return fastTwoSum(s, e)
}

// divDD divides two double-doubles: q1 = ah/bh, then the remainder
// a - q1*b is computed nearly exactly and divided again.
func divDD(ah, al, bh, bl float64) (float64, float64) {
	q1 := ah / bh
	p, e := twoProd(q1, bh)
	r := (ah - p) - e + al - q1*bl
	q2 := r / bh
	return fastTwoSum(q1, q2)
}

// sqrtDD returns the square root of a positive double-double.
func sqrtDD(ah, al float64) (float64, float64) {
	s := math.Sqrt(ah)
	r := math.FMA(-s, s, ah) + al
	return fastTwoSum(s, r/(2*s))
}

// addSticky returns a double s near a+b (|b| <= |a| or a == 0) that
// keeps the information needed to round h+a+b correctly when |a| is
// below ulp(h)/2^2: s is a+b rounded to odd (when a+b is not exact, s is
// the neighbour of the correctly rounded sum with an odd last bit). Then
// fl(h+s) is the correctly rounded h+a+b, even when that sum is within
// 2^-106 of a midpoint, as for exp(2^-53) = 1 + 2^-53 + 2^-107 + ...
func addSticky(a, b float64) float64 {
	s, t := twoSum(a, b)
	if t != 0 {
		bs := math.Float64bits(s)
		if bs&1 == 0 {
			if (t > 0) == (s > 0) {
				bs++
			} else {
				bs--
			}
			s = math.Float64frombits(bs)
		}
	}
	return s
}

// pow2 returns 2^k for -1022 <= k <= 1023.
func pow2(k int) float64 {
	return math.Float64frombits(uint64(k+1023) << 52)
}

// roundScaled returns (h+l) * 2^k correctly rounded, including when the
// result overflows or is subnormal. h must be normal, |l| <= ulp(h).
func roundScaled(h, l float64, k int) float64 {
	h, l = fastTwoSum(h, l) // h is now h+l rounded; exact remainder in l
	eh := int(math.Float64bits(h)>>52&0x7ff) - 1023
	e := eh + k // the exponent of the result
	if e >= -1022 {
		// Scaling by a power of two is exact while the result is normal
		// and finite, and overflows exactly when the correctly rounded
		// result does (rounding before scaling rounds on the same grid).
		if e > 1100 {
			return math.Copysign(inf, h)
		}
		return h * pow2(k/2) * pow2(k-k/2)
	}
	if e < -1100 {
		return math.Copysign(0, h)
	}
	// Subnormal: round (h+l)*2^(k+1074) to an integer n; n*2^-1074 is
	// exact. The scaled pair is exact: its exponent is between about -30
	// and 52. |vh - n| <= 1/2 and |vl| is at most half an ulp of vh, so
	// only a tie in vh can be decided by vl.
	s := k + 1074
	vh := h * pow2(s)
	vl := l * pow2(s)
	n := math.RoundToEven(vh)
	if d := vh - n; d == 0.5 && vl > 0 {
		n++
	} else if d == -0.5 && vl < 0 {
		n--
	}
	return math.Copysign(n*0x1p-1074, h)
}
