package lua

import "testing"

// Benchmarks of the ordinary-table paths that weak tables must not slow
// down (the weak check sits on the miss paths only).

func BenchmarkTableGetInt(b *testing.B) {
	tb := NewTable(0, 0)
	for i := int64(1); i <= 64; i++ {
		tb.SetInt(i, Int(i))
	}
	tb.SetInt(1000, True) // a hash-part integer key
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb.GetInt(int64(i&63) + 1)
		tb.GetInt(1000)
	}
}

func BenchmarkTableGetMiss(b *testing.B) {
	tb := NewTable(0, 0)
	for _, n := range []string{"print", "pairs", "ipairs", "table"} {
		tb.SetStr(n, True)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb.GetStr("absent")
		tb.GetInt(int64(i&7) + 100)
	}
}

func BenchmarkTableSetInt(b *testing.B) {
	tb := NewTable(64, 4)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tb.SetInt(int64(i&63)+1, Int(int64(i)))
		tb.SetInt(int64(i&3)+1000, Int(int64(i)))
	}
}
