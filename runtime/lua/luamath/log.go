package luamath

import "math"

// logCore returns log(x) as a double-double for finite x > 0, with an
// absolute error below 2^-100 and, when |log x| < 2^-8, a relative error
// below 2^-98.
//
// Reduction: x = 2^e * m, m in [1, 2); i = the top 8 bits of m's
// fraction; c = logC[i] is a multiple of 2^-9 within about 2^-8.2 of
// 1/m, so r = m*c - 1 satisfies |r| < 2^-8, and as m*c is a multiple of
// 2^-61, r fits in 53 bits and FMA computes it exactly. Then
//
//	log x = e*log 2 - log c + log1p(r)
//
// with -log c from a table (double-double). For x in [1-2^-8, 1), where
// e = -1 would cancel against -log c, r = x - 1 (exact) and e = 0.
//
// log1p(r) = sum (-1)^(k+1) r^k/k, k = 1..12: the remainder is below
// |r|^13/13 < 2^-99.7 |r|. Terms from r^6 on (relative to r below
// 2^-42.5) are summed in double precision, the rest by double-double
// Horner steps.
func logCore(x float64) (float64, float64) {
	b := math.Float64bits(x)
	e := int(b>>52) - 1023
	if e == -1023 { // subnormal
		b = math.Float64bits(x * 0x1p54)
		e = int(b>>52) - 1023 - 54
	}
	frac := b & (1<<52 - 1)
	i := int(frac >> 44)
	var r, ch, cl float64
	if e == -1 && i == 255 {
		r = x - 1
		e = 0
	} else {
		m := math.Float64frombits(frac | 0x3ff<<52)
		r = math.FMA(m, logC[i], -1)
		ch, cl = logTab[2*i], logTab[2*i+1]
	}

	a := -1.0/6 + r*(1.0/7+r*(-1.0/8+r*(1.0/9+r*(-1.0/10+r*(1.0/11+r*(-1.0/12))))))
	// h = 1/5 + r*a
	p, pe := twoProd(r, a)
	h, l := twoSum(fifthHi, p)
	h, l = fastTwoSum(h, l+pe+fifthLo)
	// h = -1/4 + r*h
	p, pe = twoProd(r, h)
	h, l2 := twoSum(-0.25, p)
	h, l = fastTwoSum(h, l2+pe+r*l)
	// h = 1/3 + r*h
	p, pe = twoProd(r, h)
	h, l2 = twoSum(thirdHi, p)
	h, l = fastTwoSum(h, l2+pe+r*l+thirdLo)
	// h = -1/2 + r*h
	p, pe = twoProd(r, h)
	h, l2 = twoSum(-0.5, p)
	h, l = fastTwoSum(h, l2+pe+r*l)
	// h = 1 + r*h
	p, pe = twoProd(r, h)
	h, l2 = twoSum(1, p)
	h, l = fastTwoSum(h, l2+pe+r*l)
	// log1p(r) = r*h
	ph, pl := mulD(h, l, r)

	fe := float64(e)
	eh, el := twoProd(fe, ln2Hi)
	el += fe * ln2Lo
	s, t := twoSum(eh, ch)
	t += el + cl
	s, t2 := twoSum(s, ph)
	return fastTwoSum(s, t2+t+pl)
}

// logSpecial handles the arguments of the logarithms that are not
// finite and positive; ok is false for the others.
func logSpecial(x, invalid float64) (r float64, ok bool) {
	switch {
	case x != x:
		return quiet(x), true
	case x < 0:
		return invalid, true
	case x == 0:
		return math.Inf(-1), true
	case x > math.MaxFloat64:
		return x, true
	}
	return 0, false
}

// Log returns the natural logarithm of x correctly rounded.
func Log(x float64) float64 {
	if r, ok := logSpecial(x, nanNeg); ok {
		return r
	}
	h, l := logCore(x)
	return h + l
}

// Log2 returns the base-2 logarithm of x correctly rounded (exact for
// powers of two).
func Log2(x float64) float64 {
	if r, ok := logSpecial(x, nanNeg); ok {
		return r
	}
	h, l := logCore(x)
	h, l = mulDD(h, l, invLn2Hi, invLn2Lo)
	return h + l
}

// Log10 returns the base-10 logarithm of x correctly rounded. Like
// glibc's log10, it returns a positive NaN for x < 0.
func Log10(x float64) float64 {
	if r, ok := logSpecial(x, nanPos); ok {
		return r
	}
	h, l := logCore(x)
	h, l = mulDD(h, l, invLn10Hi, invLn10Lo)
	return h + l
}
