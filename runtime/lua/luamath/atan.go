package luamath

import "math"

// atanDD returns atan(t) as a double-double for a finite double-double
// t >= 0, with a relative error below 2^-90.
//
// For t > 1, atan t = pi/2 - atan(1/t). For t in [0, 1], c = j/256 is the
// nearest such point and atan t = atan c + atan v with
// v = (t - c)/(1 + t c), |v| <= 2^-9; atan c comes from a table. th - c
// is exact (th >= 2^-9 when c != 0, so its ulp is at least 2^-61).
//
//	atan v = v + v^3 (-1/3 + v^2/5 - v^4/7 + v^6/9 - v^8/11)
//
// with remainder below v^12/13 < 2^-111 relative; the terms after -1/3
// (relative to v below 2^-38) are summed in double precision. No
// cancellation: atan c and atan v have the same sign or |atan v| is
// below half of the sum, and pi/2 - atan(1/t) >= pi/4.
func atanDD(th, tl float64) (float64, float64) {
	refl := false
	if th > 1 {
		th, tl = divDD(1, 0, th, tl)
		refl = true
	}
	j := int(th*256 + 0.5)
	c := float64(j) * (1.0 / 256)
	nh, nl := fastTwoSum(th-c, tl)
	dh, dl := twoProd(th, c)
	dl += tl * c
	dh, d2 := twoSum(1, dh)
	dh, dl = fastTwoSum(dh, d2+dl)
	vh, vl := divDD(nh, nl, dh, dl)

	v2h, v2l := twoProd(vh, vh)
	v2l += 2 * vh * vl
	u := v2h * (1.0/5 + v2h*(-1.0/7+v2h*(1.0/9+v2h*(-1.0/11))))
	ph, pl := twoSum(-thirdHi, u)
	pl -= thirdLo
	v3h, v3l := mulDD(v2h, v2l, vh, vl)
	ph, pl = mulDD(v3h, v3l, ph, pl)
	ah, al := addDD(vh, vl, ph, pl)
	h, l := addDD(atanTab[2*j], atanTab[2*j+1], ah, al)
	if refl {
		h, l = addDD(piHalfHi, piHalfLo, -h, -l)
	}
	return h, l
}

// Atan returns the arctangent of x correctly rounded.
func Atan(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a < 0x1p-27:
		// atan x = x - x^3/3 + ..., within a quarter ulp of x.
		return x
	case a > math.MaxFloat64:
		return math.Copysign(piHalfHi, x)
	}
	h, l := atanDD(a, 0)
	return math.Copysign(h+l, x)
}

// Atan2 returns the arctangent of y/x in (-pi, pi], using the signs of
// both to pick the quadrant, correctly rounded. Special cases as C99
// Annex F; a NaN x is returned in preference to a NaN y (as glibc does).
func Atan2(y, x float64) float64 {
	switch {
	case x != x:
		return quiet(x)
	case y != y:
		return quiet(y)
	case y == 0:
		if math.Signbit(x) {
			return math.Copysign(piHi, y)
		}
		return y
	case x == 0:
		return math.Copysign(piHalfHi, y)
	}
	a, b := math.Abs(y), math.Abs(x)
	if a > math.MaxFloat64 {
		switch {
		case b <= math.MaxFloat64:
			return math.Copysign(piHalfHi, y)
		case x > 0:
			return math.Copysign(piHalfHi/2, y)
		}
		h, l := addDD(piHalfHi, piHalfLo, piHalfHi/2, piHalfLo/2)
		return math.Copysign(h+l, y)
	}
	if b > math.MaxFloat64 {
		if x > 0 {
			return math.Copysign(0, y)
		}
		return math.Copysign(piHi, y)
	}
	// Finite, non-zero. Bring the larger of a, b near 1 when it is very
	// large or small so that the division below cannot overflow or lose
	// its remainder (the smaller is then handled by the tiny-ratio path
	// or stays normal).
	if mx := math.Max(a, b); mx > 0x1p500 {
		a, b = a*0x1p-600, b*0x1p-600
	} else if mx < 0x1p-500 {
		a, b = a*0x1p600, b*0x1p600
	}
	var h, l float64
	if a <= b {
		q := a / b
		if q < 0x1p-55 {
			if x > 0 {
				// atan q = q - q^3/3 + ..., q^2/3 < 2^-111 relative,
				// while a quotient of doubles that is not exact (or a
				// midpoint, which it cannot be for normal results) is
				// at least about 2^-107 relative away from a midpoint:
				// the correctly rounded a/b is the correctly rounded
				// result.
				return math.Copysign(q, y)
			}
			h, l = q, 0
		} else {
			th, tl := divDD(a, 0, b, 0)
			h, l = atanDD(th, tl)
		}
	} else {
		th, tl := b/a, 0.0
		if th >= 0x1p-27 {
			th, tl = divDD(b, 0, a, 0)
		}
		h, l = atanDD(th, tl)
		h, l = addDD(piHalfHi, piHalfLo, -h, -l)
	}
	if x < 0 {
		h, l = addDD(piHi, piLo, -h, -l)
	}
	return math.Copysign(h+l, y)
}

// asinPrep returns |x| and sqrt(1 - x^2) as a double-double (1 - x^2 is
// exact: x^2 by twoProd, 1 - hi by twoSum).
func asinPrep(x float64) (a, sh, sl float64) {
	a = math.Abs(x)
	ph, pl := twoProd(a, a)
	dh, dl := twoSum(1, -ph)
	dh, dl = fastTwoSum(dh, dl-pl)
	sh, sl = sqrtDD(dh, dl)
	return
}

// Asin returns the arcsine of x correctly rounded: atan(x/sqrt(1-x^2)).
// Like glibc's asin, it returns a positive NaN for |x| > 1.
func Asin(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a > 1:
		return nanPos
	case a == 1:
		return math.Copysign(piHalfHi, x)
	case a < 0x1p-27:
		// asin x = x + x^3/6 + ..., within a quarter ulp of x.
		return x
	}
	a, sh, sl := asinPrep(x)
	th, tl := divDD(a, 0, sh, sl)
	h, l := atanDD(th, tl)
	return math.Copysign(h+l, x)
}

// Acos returns the arccosine of x correctly rounded: atan(sqrt(1-x^2)/x)
// for x > 0, pi minus that for x < 0. Like glibc's acos, it returns a
// positive NaN for |x| > 1.
func Acos(x float64) float64 {
	a := math.Abs(x)
	switch {
	case x != x:
		return quiet(x)
	case a > 1:
		return nanPos
	case x == 1:
		return 0
	case x == -1:
		return piHi
	case a < 0x1p-60:
		// pi/2 - x; pi/2 is 0.28 ulp above piHalfHi and |x| < 0.01 ulp.
		return piHalfHi
	}
	a, sh, sl := asinPrep(x)
	th, tl := divDD(sh, sl, a, 0)
	h, l := atanDD(th, tl)
	if x < 0 {
		h, l = addDD(piHi, piLo, -h, -l)
	}
	return h + l
}
