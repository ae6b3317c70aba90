package luaconv

import (
	"math"
	"strconv"
	"testing"
)

// FuzzStringToNumber checks that StringToNumber never panics and that what
// it returns round-trips: an integer through FormatInteger, a float
// through Go's shortest formatting, and FormatFloat's output converts back
// to a float within %.14g's precision.
func FuzzStringToNumber(f *testing.F) {
	for _, c := range strCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := StringToNumber(s)
		if !ok {
			return
		}
		if !n.IsFloat {
			m, ok := StringToNumber(FormatInteger(n.I))
			if !ok || m.IsFloat || m.I != n.I {
				t.Fatalf("%q -> %d does not round-trip", s, n.I)
			}
			return
		}
		if math.IsNaN(n.F) {
			t.Fatalf("%q gave NaN", s)
		}
		if math.IsInf(n.F, 0) {
			return
		}
		g := strconv.FormatFloat(n.F, 'g', -1, 64)
		m, ok := StringToNumber(g)
		if !ok {
			t.Fatalf("%q -> %s does not convert back", s, g)
		}
		v := m.F
		if !m.IsFloat {
			v = float64(m.I)
		}
		if math.Float64bits(v) != math.Float64bits(n.F) && !(v == 0 && n.F == 0) {
			t.Fatalf("%q -> %v -> %v", s, n.F, v)
		}
		ff := FormatFloat(n.F)
		m, ok = StringToNumber(ff)
		if !ok || !m.IsFloat {
			t.Fatalf("FormatFloat(%v) = %q does not convert back to a float", n.F, ff)
		}
		if d := math.Abs(m.F - n.F); d > math.Abs(n.F)*1e-13 {
			t.Fatalf("FormatFloat(%v) = %q converts back to %v", n.F, ff, m.F)
		}
	})
}
