package syntax

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func bigTable(n int) []byte {
	var b strings.Builder
	b.WriteString("return {\n")
	for i := 0; i < n; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteString(", 'str', x.y, {k = ")
		b.WriteString(strconv.Itoa(i))
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// TestBigConstructor parses a 100,000-item table constructor and checks
// that doubling it does not much more than double the time.
func TestBigConstructor(t *testing.T) {
	src := bigTable(100000)
	start := time.Now()
	c, err := Parse(src, "=big")
	d1 := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	tab := c.Main.Body.Stmts[0].(*Return).Exprs[0].(*Table)
	if len(tab.Fields) != 400000 {
		t.Fatalf("%d fields", len(tab.Fields))
	}
	if last := tab.Fields[len(tab.Fields)-1]; last.Line != 100001 || last.SepLine != 100001 {
		t.Errorf("last field on line %d, separator %d", last.Line, last.SepLine)
	}
	src2 := bigTable(200000)
	start = time.Now()
	if _, err := Parse(src2, "=big"); err != nil {
		t.Fatal(err)
	}
	d2 := time.Since(start)
	t.Logf("100k items: %v, 200k items: %v", d1, d2)
	if d2 > 5*d1+100*time.Millisecond {
		t.Errorf("not linear: %v then %v", d1, d2)
	}
}

// oneMB is about 1 MB of ordinary code.
func oneMB() []byte {
	unit := `function f%d(a, b, ...)
  local t = {a = 1, b = "two", [3] = 0x10, 4.5e3}
  for i = 1, #t do t[i] = t[i] * 2 + a // b end
  if a and not b then return f(a):m "x" .. [[long]] elseif b then return ... end
  -- a comment
  return t
end
`
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(strings.Replace(unit, "%d", strconv.Itoa(i), 1))
	}
	return []byte(b.String())
}

func TestOneMegabyte(t *testing.T) {
	src := oneMB()
	best := time.Hour
	for i := 0; i < 3; i++ {
		start := time.Now()
		if _, err := Parse(src, "=1mb"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < best {
			best = d
		}
	}
	// Speed is measured by BenchmarkParse1MB (about 55-75 ms on a shared
	// 2-core machine), not asserted here: timings under -race and load
	// say nothing.
	t.Logf("%d bytes in %v", len(src), best)
}

func BenchmarkParse1MB(b *testing.B) {
	src := oneMB()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(src, "=1mb"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLexerAllocs checks that the lexer does not allocate per character:
// a long comment and a long string of 100 KB cost a few allocations.
func TestLexerAllocs(t *testing.T) {
	body := strings.Repeat("abcdefghij", 10000)
	src := []byte("--[[" + body + "]] x = [[" + body + "]] -- " + body + "\ny = '" + body + "'")
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := Parse(src, "=a"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 40 {
		t.Errorf("%v allocations", allocs)
	}
}

func BenchmarkBigConstructor(b *testing.B) {
	src := bigTable(100000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(src, "=big"); err != nil {
			b.Fatal(err)
		}
	}
}
