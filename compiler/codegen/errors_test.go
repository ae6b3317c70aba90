package codegen

import (
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

func manyUpvalues() string {
	var b strings.Builder
	for i := 1; i <= 150; i++ {
		b.WriteString("local a" + itoa(i) + "\n")
	}
	b.WriteString("function f()\n")
	for i := 1; i <= 150; i++ {
		b.WriteString("local b" + itoa(i) + "\n")
	}
	b.WriteString("return function() return \n")
	for i := 1; i <= 150; i++ {
		b.WriteString("a" + itoa(i) + "+\n")
	}
	for i := 1; i <= 150; i++ {
		b.WriteString("b" + itoa(i) + "+\n")
	}
	b.WriteString("0 end end")
	return b.String()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestCompileErrors checks the errors the code generator reports against
// lua5.3's messages (load(src, "=src")). lua5.3 ends the messages of
// limits with " near <token>"; the syntax tree has no tokens, so ours stop
// before it (nearLua holds lua5.3's full text).
func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		src, want, nearLua string
	}{
		{"goto x", "src:1: no visible label 'x' for <goto> at line 1", ""},
		{"do goto x; local y; ::x:: print(y) end", "src:1: <goto x> at line 1 jumps into the scope of local 'y'", ""},
		{"x=1\nbreak", "src:2: <break> at line 2 not inside a loop", ""},
		{"local function f()\n goto y\nend\n", "src:4: no visible label 'y' for <goto> at line 2", ""},
		{"repeat\n goto c\n local x\n ::c::\nuntil x\n", "src:5: <goto c> at line 2 jumps into the scope of local 'x'", ""},
		{"do goto l end ::l:: local a ::l2:: goto l3", "src:1: no visible label 'l3' for <goto> at line 1", ""},
		{"for i=1,2 do end break", "src:1: <break> at line 1 not inside a loop", ""},
		{"goto continue\nlocal a\n::continue::\nprint(a)", "src:4: <goto continue> at line 1 jumps into the scope of local 'a'", ""},
		{"if x then goto nope end", "src:1: no visible label 'nope' for <goto> at line 1", ""},
		{"local function f() break end", "src:1: <break> at line 1 not inside a loop", ""},
		{manyUpvalues(), "src:558: too many upvalues (limit is 255) in function at line 302", " near '+'"},
		{"local t = f(" + strings.Repeat("1,", 300) + "1)", "src:1: function or expression needs too many registers", " near '1'"},
		{"while x do " + strings.Repeat("a = 1 ", 140000) + " end", "src:1: control structure too long", " near 'end'"},
	} {
		_, err := Compile([]byte(c.src), "=src")
		if err == nil || err.Error() != c.want {
			src := c.src
			if len(src) > 60 {
				src = src[:60] + "..."
			}
			t.Errorf("Compile(%q): %v, want %s", src, err, c.want)
		}
	}
	// Code that compiles.
	for _, src := range []string{
		"local a\n::l::\ngoto l\n",
		"while true do local x\n goto l\n end ::l::",
		"repeat local x; goto c; ::c:: until x",
		"do goto e; local q; ::e:: end",
	} {
		if _, err := Compile([]byte(src), "=src"); err != nil {
			t.Errorf("Compile(%q): %v", src, err)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"local a, b = 1, 2 print(a + b)",
		"for i = 1, 10 do goto c; local x; ::c:: end",
		"local t = {1, 2, x = 3, ...} return t",
		"local function f(...) return f(...) end",
		"while a and b or c do repeat local x until x > 1 end",
		"a.b.c, d[1] = 1 // 0, 2 ^ 3 & 4",
		"if a then goto x elseif b then break end ::x::",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Compile(src, "=fuzz")
		if err != nil {
			return
		}
		if p == nil {
			t.Fatal("no function and no error")
		}
		// The interpreter trusts compiled code as it trusts undumped code.
		if _, err := code.Undump(code.Dump(p, false), "=fuzz"); err != nil {
			t.Fatalf("compiled code fails Undump's checks: %v", err)
		}
	})
}
