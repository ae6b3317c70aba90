package luamath

import (
	"math"
	"testing"
)

var (
	pInf = math.Inf(1)
	nInf = math.Inf(-1)
	nz   = math.Copysign(0, -1)
)

// special is a special-case expectation; a NaN want matches a NaN of the
// same sign.
type special struct {
	name string
	f    func(x, y float64) float64
	x, y float64
	want float64
}

var specialCases = []special{
	// Pow, C99 Annex F.
	{"pow", Pow, nanNeg, 0, 1}, {"pow", Pow, nanPos, nz, 1}, {"pow", Pow, 1, nanNeg, 1},
	{"pow", Pow, 1, pInf, 1}, {"pow", Pow, -1, pInf, 1}, {"pow", Pow, -1, nInf, 1},
	{"pow", Pow, nanPos, 2, nanPos}, {"pow", Pow, nanNeg, 2, nanNeg}, {"pow", Pow, nanNeg, 3, nanPos},
	{"pow", Pow, nanNeg, 1, nanPos}, {"pow", Pow, nanNeg, 3.5, nanNeg}, {"pow", Pow, 2, nanNeg, nanNeg},
	{"pow", Pow, nanPos, nanNeg, nanPos}, {"pow", Pow, -2, 0.5, nanNeg}, {"pow", Pow, -8, 1.0 / 3, nanNeg},
	{"pow", Pow, 0, -3, pInf}, {"pow", Pow, nz, -3, nInf}, {"pow", Pow, nz, -2, pInf}, {"pow", Pow, nz, -0.5, pInf},
	{"pow", Pow, 0, 3, 0}, {"pow", Pow, nz, 3, nz}, {"pow", Pow, nz, 2, 0}, {"pow", Pow, nz, 0.5, 0},
	{"pow", Pow, 0.5, pInf, 0}, {"pow", Pow, 0.5, nInf, pInf}, {"pow", Pow, -2, pInf, pInf}, {"pow", Pow, -2, nInf, 0},
	{"pow", Pow, nInf, -3, nz}, {"pow", Pow, nInf, -2, 0}, {"pow", Pow, nInf, 3, nInf}, {"pow", Pow, nInf, 0.5, pInf},
	{"pow", Pow, pInf, -1, 0}, {"pow", Pow, pInf, 0.5, pInf}, {"pow", Pow, -2, 3, -8}, {"pow", Pow, -2, -1, -0.5},
	{"pow", Pow, 2, -1075, 0}, {"pow", Pow, 2, -1074, 0x1p-1074}, {"pow", Pow, 2, 1024, pInf}, {"pow", Pow, 10, 400, pInf},
	{"pow", Pow, -10, 401, nInf}, {"pow", Pow, 10, -400, 0}, {"pow", Pow, -10, -401, nz}, {"pow", Pow, 4, 0.5, 2},
	{"pow", Pow, 4, 1.5, 8}, {"pow", Pow, 2, -0.5, 0x1.6a09e667f3bcdp-1}, {"pow", Pow, 10, 15, 1e15},
	// 3^34 is halfway between two doubles: ties to even (glibc rounds up).
	{"pow", Pow, 3, 34, 16677181699666568}, {"pow", Pow, 0x1.fffffffffffffp-1, 1.5, 0x1.fffffffffffffp-1},
	// Exp.
	{"exp", f1(Exp), 0, 0, 1}, {"exp", f1(Exp), nz, 0, 1}, {"exp", f1(Exp), pInf, 0, pInf}, {"exp", f1(Exp), nInf, 0, 0},
	{"exp", f1(Exp), nanNeg, 0, nanNeg}, {"exp", f1(Exp), 710, 0, pInf}, {"exp", f1(Exp), -746, 0, 0},
	{"exp", f1(Exp), 1, 0, math.E}, {"exp", f1(Exp), 0x1p-53, 0, 1 + 0x1p-52}, {"exp", f1(Exp), -745.1, 0, 0x1p-1074},
	// Logarithms.
	{"log", f1(Log), -1, 0, nanNeg}, {"log", f1(Log), 0, 0, nInf}, {"log", f1(Log), nz, 0, nInf}, {"log", f1(Log), 1, 0, 0},
	{"log", f1(Log), pInf, 0, pInf}, {"log", f1(Log), nInf, 0, nanNeg}, {"log", f1(Log), nanPos, 0, nanPos},
	{"log2", f1(Log2), -1, 0, nanNeg}, {"log2", f1(Log2), 0x1p-1074, 0, -1074}, {"log2", f1(Log2), 1024, 0, 10},
	{"log10", f1(Log10), -1, 0, nanPos}, {"log10", f1(Log10), 1e22, 0, 22}, {"log10", f1(Log10), 1e-5, 0, -5},
	{"log10", f1(Log10), 0, 0, nInf},
	// Trigonometric.
	{"sin", f1(Sin), nz, 0, nz}, {"sin", f1(Sin), pInf, 0, nanNeg}, {"sin", f1(Sin), nanPos, 0, nanPos},
	{"sin", f1(Sin), 0x1p-1074, 0, 0x1p-1074}, {"cos", f1(Cos), nInf, 0, nanNeg}, {"cos", f1(Cos), nz, 0, 1},
	{"tan", f1(Tan), pInf, 0, nanNeg}, {"tan", f1(Tan), nz, 0, nz},
	{"sin", f1(Sin), math.Pi, 0, 0x1.1a62633145c07p-53}, {"cos", f1(Cos), math.Pi, 0, -1},
	{"asin", f1(Asin), 2, 0, nanPos}, {"asin", f1(Asin), -1, 0, -math.Pi / 2}, {"asin", f1(Asin), nz, 0, nz},
	{"acos", f1(Acos), -2, 0, nanPos}, {"acos", f1(Acos), 1, 0, 0}, {"acos", f1(Acos), -1, 0, math.Pi},
	{"acos", f1(Acos), 0, 0, math.Pi / 2},
	{"atan", f1(Atan), pInf, 0, math.Pi / 2}, {"atan", f1(Atan), nInf, 0, -math.Pi / 2}, {"atan", f1(Atan), nz, 0, nz},
	{"atan", f1(Atan), 1, 0, math.Pi / 4},
	// Atan2 (y, x).
	{"atan2", Atan2, 0, nz, math.Pi}, {"atan2", Atan2, nz, nz, -math.Pi}, {"atan2", Atan2, 0, 0, 0}, {"atan2", Atan2, nz, 0, nz},
	{"atan2", Atan2, 0, -1, math.Pi}, {"atan2", Atan2, nz, -1, -math.Pi}, {"atan2", Atan2, 1, 0, math.Pi / 2},
	{"atan2", Atan2, -1, nz, -math.Pi / 2}, {"atan2", Atan2, 1, nInf, math.Pi}, {"atan2", Atan2, -1, pInf, nz},
	{"atan2", Atan2, pInf, 5, math.Pi / 2}, {"atan2", Atan2, pInf, pInf, math.Pi / 4}, {"atan2", Atan2, nInf, nInf, -3 * math.Pi / 4},
	{"atan2", Atan2, nanPos, nanNeg, nanNeg}, {"atan2", Atan2, nanNeg, 1, nanNeg}, {"atan2", Atan2, 1, nanPos, nanPos},
	{"atan2", Atan2, 0x1p-1074, 1, 0x1p-1074}, {"atan2", Atan2, 0x1p-30, 0x1.fffffffffffffp-1, 0x1p-30},
	// Hyperbolic.
	{"sinh", f1(Sinh), nz, 0, nz}, {"sinh", f1(Sinh), nInf, 0, nInf}, {"sinh", f1(Sinh), 711, 0, pInf},
	{"sinh", f1(Sinh), 710, 0, 0x1.3e21a464507f9p+1023}, // glibc: ...fa,
	{"cosh", f1(Cosh), nInf, 0, pInf}, {"cosh", f1(Cosh), nz, 0, 1}, {"cosh", f1(Cosh), -711, 0, pInf},
	{"tanh", f1(Tanh), nz, 0, nz}, {"tanh", f1(Tanh), nInf, 0, -1}, {"tanh", f1(Tanh), 30, 0, 1}, {"tanh", f1(Tanh), nanNeg, 0, nanNeg},
}

func TestSpecialCases(t *testing.T) {
	for _, c := range specialCases {
		got := c.f(c.x, c.y)
		if !same(got, c.want) {
			t.Errorf("%s(%v, %v) = %v (%s), want %v (%s)", c.name, c.x, c.y, got, luaHex(got), c.want, luaHex(c.want))
		}
	}
}

var sink float64

func benchInputs(lo, hi float64) []float64 {
	r := rng(1)
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = r.uniform(lo, hi)
	}
	return xs
}

func bench1(b *testing.B, f func(float64) float64, lo, hi float64) {
	xs := benchInputs(lo, hi)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += f(xs[i&1023])
	}
}

func benchPow(b *testing.B, f func(float64, float64) float64) {
	xs, ys := benchInputs(0.1, 100), benchInputs(-20, 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += f(xs[i&1023], ys[i&1023])
	}
}

func BenchmarkPow(b *testing.B)    { benchPow(b, Pow) }
func BenchmarkGoPow(b *testing.B)  { benchPow(b, math.Pow) }
func BenchmarkPowInt(b *testing.B) { bench1(b, func(x float64) float64 { return Pow(x, 3) }, 0.1, 100) }
func BenchmarkGoPowInt(b *testing.B) {
	bench1(b, func(x float64) float64 { return math.Pow(x, 3) }, 0.1, 100)
}
func BenchmarkExp(b *testing.B)        { bench1(b, Exp, -700, 700) }
func BenchmarkGoExp(b *testing.B)      { bench1(b, math.Exp, -700, 700) }
func BenchmarkLog(b *testing.B)        { bench1(b, Log, 0, 1e6) }
func BenchmarkGoLog(b *testing.B)      { bench1(b, math.Log, 0, 1e6) }
func BenchmarkLog10(b *testing.B)      { bench1(b, Log10, 0, 1e6) }
func BenchmarkGoLog10(b *testing.B)    { bench1(b, math.Log10, 0, 1e6) }
func BenchmarkSin(b *testing.B)        { bench1(b, Sin, -10, 10) }
func BenchmarkGoSin(b *testing.B)      { bench1(b, math.Sin, -10, 10) }
func BenchmarkSinLarge(b *testing.B)   { bench1(b, Sin, 1e10, 1e12) }
func BenchmarkGoSinLarge(b *testing.B) { bench1(b, math.Sin, 1e10, 1e12) }
func BenchmarkTan(b *testing.B)        { bench1(b, Tan, -10, 10) }
func BenchmarkGoTan(b *testing.B)      { bench1(b, math.Tan, -10, 10) }
func BenchmarkAtan(b *testing.B)       { bench1(b, Atan, -10, 10) }
func BenchmarkGoAtan(b *testing.B)     { bench1(b, math.Atan, -10, 10) }
func BenchmarkAsin(b *testing.B)       { bench1(b, Asin, -1, 1) }
func BenchmarkGoAsin(b *testing.B)     { bench1(b, math.Asin, -1, 1) }
func BenchmarkSinh(b *testing.B)       { bench1(b, Sinh, -10, 10) }
func BenchmarkGoSinh(b *testing.B)     { bench1(b, math.Sinh, -10, 10) }
func BenchmarkTanh(b *testing.B)       { bench1(b, Tanh, -10, 10) }
func BenchmarkGoTanh(b *testing.B)     { bench1(b, math.Tanh, -10, 10) }
