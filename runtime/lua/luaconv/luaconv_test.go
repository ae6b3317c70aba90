package luaconv

import (
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestFormatFloat(t *testing.T) {
	for _, c := range floatCases {
		f, err := strconv.ParseFloat(c.hex, 64)
		if err != nil && !isRangeErr(err) {
			t.Fatalf("bad case %q: %v", c.hex, err)
		}
		if got := FormatFloat(f); got != c.want {
			t.Errorf("FormatFloat(%s) = %q, want %q", c.hex, got, c.want)
		}
	}
}

func TestFormatFloatNaN(t *testing.T) {
	neg := math.Float64frombits(0xFFF8000000000000) // what 0/0 yields on x86
	pos := math.Float64frombits(0x7FF8000000000000)
	for _, c := range []struct {
		f    float64
		want string
	}{{neg, "-nan"}, {pos, "nan"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}} {
		if got := FormatFloat(c.f); got != c.want {
			t.Errorf("FormatFloat(%x) = %q, want %q", math.Float64bits(c.f), got, c.want)
		}
	}
}

func TestFormatInteger(t *testing.T) {
	for _, c := range []struct {
		i    int64
		want string
	}{{0, "0"}, {-1, "-1"}, {math.MaxInt64, "9223372036854775807"}, {math.MinInt64, "-9223372036854775808"}} {
		if got := FormatInteger(c.i); got != c.want {
			t.Errorf("FormatInteger(%d) = %q", c.i, got)
		}
	}
}

func describe(n Number, ok bool) string {
	switch {
	case !ok:
		return "nil"
	case !n.IsFloat:
		return fmt.Sprintf("int %d", n.I)
	case math.IsNaN(n.F):
		return "float nan"
	}
	return "float " + hexFloat(n.F)
}

// hexFloat formats f as glibc's "%a" does for the values in strCases.
func hexFloat(f float64) string {
	if math.IsInf(f, 0) {
		if f > 0 {
			return "inf"
		}
		return "-inf"
	}
	return strconv.FormatFloat(f, 'x', -1, 64)
}

func TestStringToNumber(t *testing.T) {
	for _, c := range strCases {
		n, ok := StringToNumber(c.in)
		got := describe(n, ok)
		want := c.want
		if strings.HasPrefix(want, "float ") && want != "float inf" && want != "float -inf" {
			f, err := strconv.ParseFloat(want[6:], 64)
			if err != nil {
				t.Fatalf("bad case %q", want)
			}
			want = "float " + hexFloat(f)
		}
		if got != want {
			t.Errorf("StringToNumber(%q) = %s, want %s", c.in, got, want)
		}
	}
}

func TestFloatToInteger(t *testing.T) {
	two63 := math.Ldexp(1, 63)
	for _, c := range []struct {
		f                  float64
		exact, floor, ceil string
	}{
		{3.0, "3", "3", "3"},
		{3.5, "-", "3", "4"},
		{-3.5, "-", "-4", "-3"},
		{math.Copysign(0, -1), "0", "0", "0"},
		{two63, "-", "-", "-"},
		{-two63, "-9223372036854775808", "-9223372036854775808", "-9223372036854775808"},
		{math.Nextafter(two63, 0), "9223372036854774784", "9223372036854774784", "9223372036854774784"},
		{math.NaN(), "-", "-", "-"},
		{math.Inf(1), "-", "-", "-"},
		{math.Inf(-1), "-", "-", "-"},
		{1e-300, "-", "0", "1"},
	} {
		show := func(i int64, ok bool) string {
			if !ok {
				return "-"
			}
			return strconv.FormatInt(i, 10)
		}
		if got := show(FloatToInteger(c.f)); got != c.exact {
			t.Errorf("FloatToInteger(%g) = %s, want %s", c.f, got, c.exact)
		}
		if got := show(FloatToIntegerFloor(c.f)); got != c.floor {
			t.Errorf("FloatToIntegerFloor(%g) = %s, want %s", c.f, got, c.floor)
		}
		if got := show(FloatToIntegerCeil(c.f)); got != c.ceil {
			t.Errorf("FloatToIntegerCeil(%g) = %s, want %s", c.f, got, c.ceil)
		}
	}
}

// TestLiveLua checks a sample of conversions against lua5.3 when it is on
// PATH.
func TestLiveLua(t *testing.T) {
	lua, err := exec.LookPath("lua5.3")
	if err != nil {
		t.Skip("lua5.3 not on PATH")
	}
	var b strings.Builder
	for _, c := range strCases {
		if strings.ContainsRune(c.in, 0) {
			continue
		}
		fmt.Fprintf(&b, "%q\n", c.in)
	}
	script := `for l in io.lines() do local s = load("return " .. l)(); local v = tonumber(s)
  local t = math.type(v)
  if t == "integer" then print(string.format("int %d", v))
  elseif t == "float" then print("float " .. (v ~= v and "nan" or string.format("%a", v)))
  else print("nil") end end`
	cmd := exec.Command(lua, "-e", script)
	cmd.Stdin = strings.NewReader(b.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	i := 0
	for _, c := range strCases {
		if strings.ContainsRune(c.in, 0) {
			continue
		}
		if i >= len(lines) {
			t.Fatal("short output from lua5.3")
		}
		want := lines[i]
		i++
		if want != c.want {
			t.Errorf("lua5.3 says tonumber(%q) = %s, table says %s", c.in, want, c.want)
		}
	}
}
