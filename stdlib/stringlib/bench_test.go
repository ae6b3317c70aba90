package stringlib

import (
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// bench calls string.name with args b.N times, the way the interpreter
// calls a Go function (no result slice).
func bench(b *testing.B, name string, args ...lua.Value) {
	L, lib := newState()
	f := lib.GetStr(name)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		L.Push(f)
		for _, a := range args {
			L.Push(a)
		}
		L.Call(len(args), 1)
		L.Pop(1)
	}
}

var page = strings.Repeat(`<tr><td class="name">$name</td><td>$price</td></tr>`+"\n", 20)

func BenchmarkFindPlain(b *testing.B) {
	bench(b, "find", S(page), S("</table>"))
}

func BenchmarkFindPlainFlag(b *testing.B) {
	bench(b, "find", S(page), S("$price"), lua.Int(1), lua.True)
}

func BenchmarkFindPattern(b *testing.B) {
	bench(b, "find", S(page), S("%$(%w+)</td></tr>%s*$"))
}

func BenchmarkMatchCaptures(b *testing.B) {
	bench(b, "match", S("2024-01-15T10:20:30"), S("(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)"))
}

func BenchmarkGsubTable(b *testing.B) {
	vars := lua.NewTable(0, 2)
	vars.SetStr("name", S("Widget"))
	vars.SetStr("price", S("9.99"))
	bench(b, "gsub", S(page), S("%$(%w+)"), lua.TableValue(vars))
}

func BenchmarkGsubString(b *testing.B) {
	bench(b, "gsub", S(page), S("<(%w+)"), S("<%1 "))
}

func BenchmarkGsubEscapeHTML(b *testing.B) {
	esc := lua.NewTable(0, 4)
	esc.SetStr("<", S("&lt;"))
	esc.SetStr(">", S("&gt;"))
	esc.SetStr("&", S("&amp;"))
	esc.SetStr(`"`, S("&quot;"))
	bench(b, "gsub", S(page), S(`[<>&"]`), lua.TableValue(esc))
}

func BenchmarkGsubNoMatch(b *testing.B) {
	bench(b, "gsub", S(page), S("%%"), S("x"))
}

func BenchmarkFormatRow(b *testing.B) {
	bench(b, "format", S(`<tr><td class="%s">%s</td><td>%d</td><td>%.2f</td></tr>`), S("name"), S("Widget"), lua.Int(42), lua.Float(9.99))
}

func BenchmarkFormatInts(b *testing.B) {
	bench(b, "format", S("%02d:%02d:%02d"), lua.Int(5), lua.Int(3), lua.Int(9))
}

func BenchmarkFormatG(b *testing.B) {
	bench(b, "format", S("%g %.14g %e"), lua.Float(0.1), lua.Float(3.141592653589793), lua.Float(6.02e23))
}

func BenchmarkFormatQ(b *testing.B) {
	bench(b, "format", S("%q"), S("line1\nline2\t\"quoted\"\\"))
}

func BenchmarkRep(b *testing.B) {
	bench(b, "rep", S("ab"), lua.Int(100), S(","))
}

func BenchmarkPackUnpack(b *testing.B) {
	bench(b, "unpack", S("<i4i4d"), S("\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\x3f"))
}

func BenchmarkGsubFunction(b *testing.B) {
	f := lua.NewGoFunction("upper", func(L *lua.State) int { L.Push(L.Arg(1)); return 1 })
	bench(b, "gsub", S(page), S("%$(%w+)"), f)
}
