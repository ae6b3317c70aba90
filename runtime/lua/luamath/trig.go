package luamath

import (
	"math"
	"math/bits"
)

// reduce returns q and r (double-double) with x = (4j + q)*pi/2 + r for
// some integer j, q in [0, 4), |r| <= pi/4, for finite x >= pi/4. The
// relative error of r is below 2^-102.
//
// It is the Payne-Hanek reduction done exactly in integers: with x =
// m*2^e (m a 53-bit integer), x*2/pi mod 4 only depends on the bits of
// 2/pi of weight 2^-i for i > e-2 (earlier bits contribute multiples of
// 4). A window of 256 bits of 2/pi starting there, times m, gives
// x*2/pi mod 4 with 256 fraction bits; the bits of 2/pi after the
// window contribute less than 2^(53+e-i0-255) <= 2^-201 to it. The
// fraction f (taken in [-1/2, 1/2)) loses at most about 62 leading bits
// to cancellation for any double x (its closest approach to a multiple
// of pi/2), which leaves well over 106 significant bits; its top 117
// bits become a double-double and are multiplied by pi/2.
func reduce(x float64) (q int, rh, rl float64) {
	b := math.Float64bits(x)
	m := b&(1<<52-1) | 1<<52
	e := int(b>>52) - 1075
	i0 := 1
	if e >= 2 {
		i0 = e - 1
	}
	// The 256-bit window of 2/pi starting at bit i0.
	wq, rr := uint(i0-1)/64, uint(i0-1)%64
	var w [4]uint64
	for k := range w {
		w[k] = twoOverPi[wq+uint(k)]
		if rr != 0 {
			w[k] = w[k]<<rr | twoOverPi[wq+uint(k)+1]>>(64-rr)
		}
	}
	// p = m * w, 320 bits, p[0] most significant.
	var p [5]uint64
	var c uint64
	h3, l3 := bits.Mul64(m, w[3])
	h2, l2 := bits.Mul64(m, w[2])
	h1, l1 := bits.Mul64(m, w[1])
	h0, l0 := bits.Mul64(m, w[0])
	p[4] = l3
	p[3], c = bits.Add64(h3, l2, 0)
	p[2], c = bits.Add64(h2, l1, c)
	p[1], c = bits.Add64(h1, l0, c)
	p[0] = h0 + c
	// The value is p * 2^-sh with sh = i0+255-e; shift by t = 256-sh so
	// that p[0] holds the integer part and p[1:] 256 fraction bits.
	t := 256 - (i0 + 255 - e)
	if t > 0 {
		s := uint(t)
		for k := 0; k < 4; k++ {
			p[k] = p[k]<<s | p[k+1]>>(64-s)
		}
		p[4] <<= s
	} else if t < 0 {
		s := uint(-t)
		for s >= 64 {
			copy(p[1:], p[:4])
			p[0] = 0
			s -= 64
		}
		if s > 0 {
			for k := 4; k > 0; k-- {
				p[k] = p[k]>>s | p[k-1]<<(64-s)
			}
			p[0] >>= s
		}
	}
	q = int(p[0] & 3)
	neg := false
	if p[1]>>63 != 0 {
		// f >= 1/2: use f - 1 and the next quadrant.
		q = (q + 1) & 3
		neg = true
		var bw uint64
		p[4], bw = bits.Sub64(0, p[4], 0)
		p[3], bw = bits.Sub64(0, p[3], bw)
		p[2], bw = bits.Sub64(0, p[2], bw)
		p[1], _ = bits.Sub64(0, p[1], bw)
	}
	// Normalize the fraction p[1:5].
	lz := 0
	f := p[1:5]
	for len(f) > 2 && f[0] == 0 {
		f = f[1:]
		lz += 64
	}
	if f[0] == 0 && f[1] == 0 {
		return q, 0, 0
	}
	a, bb := f[0], f[1]
	var nx uint64
	if len(f) > 2 {
		nx = f[2]
	}
	if a == 0 { // only when two words remain: nx = 0
		a, bb = bb, 0
		lz += 64
	}
	if s := uint(bits.LeadingZeros64(a)); s > 0 {
		a = a<<s | bb>>(64-s)
		bb = bb<<s | nx>>(64-s)
		lz += int(s)
	}
	fh := float64(a>>11) * pow2(-53-lz)
	fl := float64((a&0x7ff)<<53|bb>>11) * pow2(-117-lz)
	rh, rl = mulDD(fh, fl, piHalfHi, piHalfLo)
	if neg {
		rh, rl = -rh, -rl
	}
	return q, rh, rl
}

// sinCosTerms returns, for |t| <= 2^-9 + 2^-50 (double-double), sin t and
// cos t - 1 as double-doubles with relative errors below 2^-100:
//
//	sin t     = t + t^3 (-1/6 + t^2/120 - t^4/5040 + t^6/9!)
//	cos t - 1 = -t^2/2 + t^4 (1/24 - t^2/720 + t^4/8!)
//
// The remainders are below t^10/11! < 2^-115 and t^10/10! < 2^-111
// relative. The parts after -1/6 and 1/24 are summed in double
// precision (relative errors 2^-95 and 2^-92 of terms that are below
// 2^-40 of the result).
func sinCosTerms(th, tl float64) (sh, sl, ch, cl float64) {
	t2h, t2l := twoProd(th, th)
	t2l += 2 * th * tl
	u := t2h * (1.0/120 + t2h*(-1.0/5040+t2h*(1.0/362880)))
	ph, pl := twoSum(-sixthHi, u)
	pl -= sixthLo
	t3h, t3l := mulDD(t2h, t2l, th, tl)
	ph, pl = mulDD(t3h, t3l, ph, pl)
	sh, sl = addDD(th, tl, ph, pl)

	v := t2h * (-1.0/720 + t2h*(1.0/40320))
	qh, ql := twoSum(twentyfourthHi, v)
	ql += twentyfourthLo
	t4h, t4l := mulDD(t2h, t2l, t2h, t2l)
	qh, ql = mulDD(t4h, t4l, qh, ql)
	ch, cl = addDD(-0.5*t2h, -0.5*t2l, qh, ql)
	return
}

// sinCosDD returns sin r or (cos) cos r for |r| <= pi/4 + 2^-40 as a
// double-double, relative error below 2^-98.
//
// r = a + t with a = j/256 the nearest such point, |t| <= 2^-9; rh - a is
// exact (same binade or a = 0). With sin a, cos a from a table:
//
//	sin r = sin a + (sin a (cos t - 1) + cos a sin t)
//	cos r = cos a + (cos a (cos t - 1) - sin a sin t)
//
// For r >= 0 all terms of sin r have the sign of the result or are
// smaller than 2^-9 of it, and cos r >= 0.7, so nothing cancels.
func sinCosDD(rh, rl float64, cos bool) (float64, float64) {
	neg := false
	if rh < 0 {
		rh, rl = -rh, -rl
		neg = !cos
	}
	j := int(rh*256 + 0.5)
	th := rh - float64(j)*(1.0/256)
	sth, stl, cmh, cml := sinCosTerms(th, rl)
	sah, sal := sinCosTab[4*j], sinCosTab[4*j+1]
	cah, cal := sinCosTab[4*j+2], sinCosTab[4*j+3]
	var h, l float64
	if !cos {
		ah, al := mulDD(sah, sal, cmh, cml)
		bh, bl := mulDD(cah, cal, sth, stl)
		ah, al = addDD(ah, al, bh, bl)
		h, l = addDD(sah, sal, ah, al)
	} else {
		ah, al := mulDD(cah, cal, cmh, cml)
		bh, bl := mulDD(sah, sal, sth, stl)
		ah, al = addDD(ah, al, -bh, -bl)
		h, l = addDD(cah, cal, ah, al)
	}
	if neg {
		h, l = -h, -l
	}
	return h, l
}

// Sin returns the sine of x (radians) correctly rounded.
func Sin(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a > math.MaxFloat64:
		return nanNeg
	case a < 0x1p-26:
		// sin x = x - x^3/6 + ..., within a quarter ulp of x.
		return x
	}
	var h, l float64
	if a <= math.Pi/4 {
		h, l = sinCosDD(a, 0, false)
	} else {
		q, rh, rl := reduce(a)
		h, l = sinCosDD(rh, rl, q&1 == 1)
		if q >= 2 {
			h, l = -h, -l
		}
	}
	return math.Copysign(1, x) * (h + l)
}

// Cos returns the cosine of x (radians) correctly rounded.
func Cos(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a > math.MaxFloat64:
		return nanNeg
	case a < 0x1p-27:
		// cos x = 1 - x^2/2 + ..., within a quarter ulp of 1.
		return 1
	}
	if a <= math.Pi/4 {
		h, l := sinCosDD(a, 0, true)
		return h + l
	}
	q, rh, rl := reduce(a)
	h, l := sinCosDD(rh, rl, q&1 == 0)
	if q == 1 || q == 2 {
		h, l = -h, -l
	}
	return h + l
}

// Tan returns the tangent of x (radians) correctly rounded: sin r / cos r
// or -cos r / sin r after reduction, divided in double-double.
func Tan(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a > math.MaxFloat64:
		return nanNeg
	case a < 0x1p-27:
		// tan x = x + x^3/3 + ..., within half an ulp of x.
		return x
	}
	q, rh, rl := 0, a, 0.0
	if a > math.Pi/4 {
		q, rh, rl = reduce(a)
	}
	sh, sl := sinCosDD(rh, rl, false)
	ch, cl := sinCosDD(rh, rl, true)
	var h, l float64
	if q&1 == 0 {
		h, l = divDD(sh, sl, ch, cl)
	} else {
		h, l = divDD(-ch, -cl, sh, sl)
	}
	return math.Copysign(1, x) * (h + l)
}
