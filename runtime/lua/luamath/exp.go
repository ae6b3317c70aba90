package luamath

import "math"

// expN is the number of table entries per octave in the exp reduction.
const expN = 256

// shifter rounds a double of magnitude below 2^51 to an integer when
// added and subtracted again.
const shifter = 0x1.8p52

// expCore returns k, h, l with exp(xh+xl) = 2^k * (h+l), h in [1, 2), to
// a relative error below 2^-92. It requires |xh| < 750 and |xl| <=
// ulp(xh).
//
// Reduction: n = round(x * 256/ln2), x = n*ln2/256 + r, |r| <= ln2/512
// (plus a rounding margin), so exp(x) = 2^(n>>8) * 2^((n&255)/256) *
// exp(r). ln2/256 is split into three doubles L1+L2+L3 (to ~160 bits):
// n*L1 and n*L2 are formed exactly with twoProd, x - fl(n*L1) is exact
// by Sterbenz's lemma, and the remaining terms are summed with twoSum, so
// r is known as a double-double to about 2^-100 absolute (|n| < 2^18).
//
// exp(r) - 1 is its Taylor series to degree 8: the remainder
// r^9/9! * e^|r| < 2^-85.7 * 2^-18.5 = 2^-104 with |r| < 2^-9.5. The
// terms from r^4 on (< 2^-42.6) are summed in double precision (error
// < 2^-95); the rest in double-double.
func expCore(xh, xl float64) (k int, h, l float64) {
	nf := float64(xh*invLn2N) + shifter
	nf -= shifter
	n := int(nf)
	p1, e1 := twoProd(nf, ln2N1)
	r0 := xh - p1
	p2, e2 := twoProd(nf, ln2N2)
	s, t1 := twoSum(r0, -p2)
	s, t2 := twoSum(s, -e1)
	s, t3 := twoSum(s, xl)
	rh, rl := fastTwoSum(s, t1+t2+t3-e2-nf*ln2N3)

	// p = exp(r) - 1 = r + r^2 (1/2 + r (1/6 + r A)).
	a := 1.0/24 + rh*(1.0/120+rh*(1.0/720+rh*(1.0/5040+rh*(1.0/40320))))
	u, ue := twoProd(rh, a)
	bh, bl := twoSum(sixthHi, u)
	bl += ue + sixthLo + rl*a
	ch, cl := mulDD(rh, rl, bh, bl)
	ch, c2 := twoSum(0.5, ch)
	ch, cl = fastTwoSum(ch, cl+c2)
	qh, ql := mulDD(rh, rl, ch, cl) // r (1/2 + ...)
	qh, ql = mulDD(rh, rl, qh, ql)  // r^2 (1/2 + ...)
	ph, pl := addDD(rh, rl, qh, ql)

	j := n & (expN - 1)
	th, tl := exp2Tab[2*j], exp2Tab[2*j+1]
	ph, pl = mulDD(th, tl, ph, pl)
	h, e := twoSum(th, ph)
	return n >> 8, h, addSticky(e, tl+pl)
}

// expm1DD returns exp(x) - 1 as a double-double for |x| <= 1, to a
// relative error below 2^-90: the subtraction of 1 cancels fewer than 10
// bits except when n = 0, where 2^0*T[0] = 1 and it is exact.
func expm1DD(x float64) (float64, float64) {
	k, h, l := expCore(x, 0)
	sc := pow2(k)
	s, e := twoSum(h*sc, -1)
	return fastTwoSum(s, e+l*sc)
}

// Exp returns e^x correctly rounded.
func Exp(x float64) float64 {
	switch {
	case x != x:
		return quiet(x)
	case x > 710:
		return inf
	case x < -746:
		return 0
	case math.Abs(x) < 0x1p-54:
		// exp(x) = 1 + x + ..., within a quarter ulp of 1.
		return 1
	}
	k, h, l := expCore(x, 0)
	return roundScaled(h, l, k)
}

// Sinh returns the hyperbolic sine of x correctly rounded.
//
// With u = expm1(|x|): sinh|x| = (e^|x| - e^-|x|)/2 = (u + u/(1+u))/2, a
// sum of positive terms, so accurate relative to the result however
// small |x| is. Beyond 40, e^-|x|/e^|x| < 2^-115 and sinh|x| = e^|x|/2.
func Sinh(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a < 0x1p-26:
		// sinh x = x + x^3/6 + ..., within a quarter ulp of x.
		return x
	case a > 711:
		return math.Copysign(inf, x)
	case a > 40:
		k, h, l := expCore(a, 0)
		return math.Copysign(roundScaled(h, l, k-1), x)
	}
	var uh, ul float64
	if a <= 1 {
		uh, ul = expm1DD(a)
	} else {
		k, h, l := expCore(a, 0)
		sc := pow2(k)
		uh, ul = twoSum(h*sc, -1)
		uh, ul = fastTwoSum(uh, ul+l*sc)
	}
	dh, dl := twoSum(1, uh)
	dh, dl = fastTwoSum(dh, dl+ul)
	vh, vl := divDD(uh, ul, dh, dl)
	sh, sl := addDD(uh, ul, vh, vl)
	return math.Copysign((sh+sl)*0.5, x)
}

// Cosh returns the hyperbolic cosine of x correctly rounded:
// (e^|x| + 1/e^|x|)/2, or e^|x|/2 beyond 40.
func Cosh(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a < 0x1p-27:
		// cosh x = 1 + x^2/2 + ..., within a quarter ulp of 1.
		return 1
	case a > 711:
		return inf
	}
	k, h, l := expCore(a, 0)
	if a > 40 {
		return roundScaled(h, l, k-1)
	}
	sc := pow2(k)
	h, l = h*sc, l*sc
	ih, il := divDD(1, 0, h, l)
	sh, sl := addDD(h, l, ih, il)
	return (sh + sl) * 0.5
}

// Tanh returns the hyperbolic tangent of x correctly rounded.
//
// With v = expm1(2|x|): tanh|x| = v/(v+2), accurate relative to the
// result for small |x| too. From 22 on, 1 - tanh|x| < 2e^-44 < 2^-61,
// which rounds to 1.
func Tanh(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a < 0x1p-27:
		// tanh x = x - x^3/3 + ..., within a quarter ulp of x.
		return x
	case a > 22:
		return math.Copysign(1, x)
	}
	var vh, vl float64
	if 2*a <= 1 {
		vh, vl = expm1DD(2 * a)
	} else {
		k, h, l := expCore(2*a, 0)
		sc := pow2(k)
		vh, vl = twoSum(h*sc, -1)
		vh, vl = fastTwoSum(vh, vl+l*sc)
	}
	dh, dl := twoSum(2, vh)
	dh, dl = fastTwoSum(dh, dl+vl)
	th, tl := divDD(vh, vl, dh, dl)
	return math.Copysign(th+tl, x)
}
