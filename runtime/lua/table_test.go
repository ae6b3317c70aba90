package lua

import (
	"math"
	"testing"
)

func TestTableGetSet(t *testing.T) {
	tb := NewTable(0, 0)
	keys := []Value{Int(1), Int(2), Int(-5), Int(math.MaxInt64), Float(2.5), String("a"), String(""), True, False}
	for i, k := range keys {
		if err := tb.Set(k, Int(int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		if got := tb.Get(k); !RawEqual(got, Int(int64(i))) {
			t.Errorf("t[%v] = %v, want %d", k, got, i)
		}
	}
	// 2.0 and 2 are the same key.
	if got := tb.Get(Float(2)); !RawEqual(got, Int(1)) {
		t.Errorf("t[2.0] = %v", got)
	}
	if err := tb.Set(Nil, True); err != ErrNilIndex {
		t.Errorf("nil key: %v", err)
	}
	if err := tb.Set(Float(math.NaN()), True); err != ErrNaNIndex {
		t.Errorf("NaN key: %v", err)
	}
}

func TestTableBorder(t *testing.T) {
	tests := []struct {
		name string
		fill func(t *Table)
		want int64
	}{
		{"empty", func(*Table) {}, 0},
		{"sequence", func(t *Table) {
			for i := int64(1); i <= 100; i++ {
				t.SetInt(i, Int(i))
			}
		}, 100},
		{"hash only", func(t *Table) { t.SetInt(1, True); t.SetStr("x", True) }, 1},
		{"sparse", func(t *Table) { t.SetInt(100000, True) }, 0},
	}
	for _, tc := range tests {
		tb := NewTable(0, 0)
		tc.fill(tb)
		if got := tb.Len(); got != tc.want {
			t.Errorf("%s: #t = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestTableSparseKeyIsCheap(t *testing.T) {
	tb := NewTable(0, 0)
	tb.SetInt(60000000, True)
	if len(tb.arr) != 0 || len(tb.node) != 1 {
		t.Fatalf("t[6e7]=1 made an array of %d and %d nodes", len(tb.arr), len(tb.node))
	}
}

func TestTableNextWhileClearing(t *testing.T) {
	tb := NewTable(0, 0)
	for i := 0; i < 1000; i++ {
		tb.Set(String(string(rune('a'+i%26))+string(rune(i))), Int(int64(i)))
		tb.SetInt(int64(i+1), Int(int64(i)))
	}
	n := 0
	k := Nil
	for {
		nk, _, ok, err := tb.Next(k)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		tb.Set(nk, Nil) // clearing fields during traversal is allowed
		k = nk
		n++
	}
	if n != 2000 {
		t.Errorf("traversal saw %d entries, want 2000", n)
	}
	if _, _, ok, _ := tb.Next(Nil); ok {
		t.Errorf("table not empty after clearing")
	}
	if _, _, _, err := tb.Next(String("absent")); err != ErrInvalidNextKey {
		t.Errorf("next with absent key: %v", err)
	}
}

func BenchmarkTableGetStr(b *testing.B) {
	tb := NewTable(0, 0)
	names := []string{"print", "pairs", "ipairs", "table", "string", "x", "y", "z"}
	for _, n := range names {
		tb.SetStr(n, True)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb.GetStr(names[i&7])
	}
}
