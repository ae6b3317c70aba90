// Package difftest is a differential fuzzer for mblua: it generates random,
// deterministic, terminating Lua 5.3 programs from a seed and checks that
// mblua prints byte for byte what the reference interpreter lua5.3 prints.
//
// Generate builds a program from a seed. The programs are made of sections
// (each a do ... end block) that exercise one area of the language each:
// integer and float arithmetic, coercions, string functions, tables,
// closures, loops, varargs, metatables, coroutines and errors. Expressions
// come from a small typed grammar (integer, float, number, string and
// boolean expressions), so almost all of them are well-typed; inside pcall
// a few leaves (about 5%) are replaced by values of the wrong type so that
// error messages are compared too. Programs never print addresses, never
// depend on time or randomness, and every loop is bounded.
//
// TestDifferential runs a corpus of seeds and the hand-written regressions
// in testdata/*.lua through both interpreters.
package difftest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// MaxLines bounds the length of a generated program.
const MaxLines = 300

type typ int

const (
	tInt typ = iota
	tFloat
	tNum // integer or float, not known statically
	tStr
	tBool
)

type variable struct {
	name string
	t    typ
}

type gen struct {
	r      *rand.Rand
	b      bytes.Buffer
	ind    int
	lines  int
	scopes [][]variable
	next   int
	risky  bool // inside pcall: a few leaves may be of the wrong type
	loop   int  // depth of generated loops around the current statement
	budget int  // lines the program may still grow to
}

// Generate returns the Lua program for seed. The same seed always gives the
// same program.
func Generate(seed uint64) string {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.budget = 140 + g.r.IntN(120)
	g.push()
	g.prelude()
	sections := []func(){
		g.secFree, g.secFree, g.secArith, g.secFormat, g.secStrings,
		g.secTables, g.secClosures, g.secMultiAssign, g.secFor,
		g.secWhile, g.secPairs, g.secGoto, g.secVarargs, g.secMeta,
		g.secMetaIndex, g.secCoroutine, g.secErrors, g.secRisky,
		g.secRisky, g.secWrong, g.secPatterns,
	}
	n := 0
	for g.lines < g.budget {
		sec := sections[g.r.IntN(len(sections))]
		size, lines := g.b.Len(), g.lines
		g.line("print(%q)", fmt.Sprintf("-- section %d", n))
		g.open("do")
		sec()
		g.close("end")
		if g.lines >= MaxLines-1 {
			// Too long: drop this section and stop.
			g.b.Truncate(size)
			g.lines = lines
			break
		}
		n++
	}
	g.line(`print("-- end")`)
	return g.b.String()
}

// ---- output helpers ----

func (g *gen) line(format string, args ...any) {
	for i := 0; i < g.ind; i++ {
		g.b.WriteString("  ")
	}
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
	g.lines++
}

func (g *gen) open(format string, args ...any) {
	g.line(format, args...)
	g.ind++
	g.push()
}

func (g *gen) close(format string, args ...any) {
	g.pop()
	g.ind--
	g.line(format, args...)
}

// mid writes a line such as "else" between two blocks at the outer level;
// the line is made after the first block's scope has ended.
func (g *gen) mid(text func() string) {
	g.pop()
	g.ind--
	g.line("%s", text())
	g.ind++
	g.push()
}

func (g *gen) push() { g.scopes = append(g.scopes, nil) }
func (g *gen) pop()  { g.scopes = g.scopes[:len(g.scopes)-1] }

func (g *gen) fresh(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%d", prefix, g.next)
}

func (g *gen) declare(name string, t typ) {
	s := &g.scopes[len(g.scopes)-1]
	*s = append(*s, variable{name, t})
}

// vars returns the visible variables of one of the types ts.
func (g *gen) vars(ts ...typ) []string {
	var out []string
	for _, s := range g.scopes {
		for _, v := range s {
			for _, t := range ts {
				if v.t == t {
					out = append(out, v.name)
				}
			}
		}
	}
	return out
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *gen) pickInt(list []int) int    { return list[g.r.IntN(len(list))] }
func (g *gen) chance(percent int) bool   { return g.r.IntN(100) < percent }
func (g *gen) between(lo, hi int) int    { return lo + g.r.IntN(hi-lo+1) }

// ilit returns an integer literal, parenthesised when negative.
func ilit(n int) string {
	if n < 0 {
		return fmt.Sprintf("(%d)", n)
	}
	return fmt.Sprint(n)
}

// ---- the prelude: helpers every program may use ----

func (g *gen) prelude() {
	for _, l := range []string{
		`local function keys(t)`,
		`  local ks = {}`,
		`  for k in pairs(t) do ks[#ks + 1] = k end`,
		`  table.sort(ks, function(a, b)`,
		`    local ta, tb = type(a), type(b)`,
		`    if ta ~= tb then return ta < tb end`,
		`    if ta == "boolean" then return tostring(a) < tostring(b) end`,
		`    return a < b`,
		`  end)`,
		`  return ks`,
		`end`,
		`local function dump(t)`,
		`  local parts = {}`,
		`  for _, k in ipairs(keys(t)) do`,
		`    local v = t[k]`,
		`    if type(v) == "table" or type(v) == "function" or type(v) == "thread" then v = type(v) end`,
		`    parts[#parts + 1] = tostring(k) .. "=" .. tostring(v)`,
		`  end`,
		`  return "{" .. table.concat(parts, ",") .. "}"`,
		`end`,
		`local function show(ok, ...)`,
		`  local n = select("#", ...)`,
		`  local out = {tostring(ok)}`,
		`  for i = 1, n do`,
		`    local v = select(i, ...)`,
		`    if type(v) == "table" then v = "table:" .. tostring(rawget(v, "code")) elseif type(v) == "function" or type(v) == "thread" then v = type(v) end`,
		`    out[#out + 1] = tostring(v)`,
		`  end`,
		`  print(table.concat(out, " | "))`,
		`end`,
	} {
		g.line("%s", l)
	}
}

// ---- the typed expression grammar ----

var (
	specialInts = []string{
		"math.maxinteger", "math.mininteger", "9007199254740993", "0x7fffffffffffffff",
		"0xffffffffffffffff", "(1 << 63)", "(1 << 62)", "2147483647", "(-2147483648)",
		"4294967296", "(-1)", "0", "1000000007",
	}
	floatLits = []string{
		"0.5", "1.5", "2.0", "0.1", "0.2", "0.3", "1e10", "1e15", "1e16", "1e100", "3.0",
		"(-2.5)", "123.456", "1e-5", "2^53", "9223372036854775808", "0x1p4", "0xA.8p0",
		"math.pi", "(-0.0)", "100.0", "7.25", "1e300", "5e-324", "(-1e15)", "2.5e-3",
	}
	strLits = []string{
		`"abc"`, `"Hello"`, `""`, `"x y z"`, `"10"`, `"3.5"`, `"a,b,c"`, `"Lua 5.3"`,
		`"\tTab\n"`, `"quote\"d"`, `"back\\slash"`, `"MiXeD"`, `"12ab"`, `"  pad  "`,
		`"zz"`, `"0x1F"`,
	}
	numStrs = []string{`"10"`, `"-3"`, `"0x10"`, `" 7 "`, `"3.0"`, `"1e2"`, `"2.5"`, `"8"`}
	// pow lists exact cases only, so that libm differences in pow cannot
	// show: small bases with small integer exponents.
	powBases = []string{"2", "3", "0.5", "(-2)", "10", "1.5"}
)

func (g *gen) intLit() string {
	switch {
	case g.chance(12):
		return g.pick(specialInts)
	case g.chance(20):
		return ilit(g.between(-1000, 100000))
	default:
		return ilit(g.between(-10, 40))
	}
}

// wrongLeaf returns a value that makes arithmetic, concatenation or
// comparison fail.
func (g *gen) wrongLeaf() string {
	return g.pick([]string{"undefinedvar", "nil", "tb", "true", `"abc"`, "{}", "tb.field", "print"})
}

func (g *gen) wrong() bool { return g.risky && g.chance(5) }

// safe turns wrong leaves off until the function it returns is called.
func (g *gen) safe() func() {
	r := g.risky
	g.risky = false
	return func() { g.risky = r }
}

// intE returns an expression whose value is an integer.
func (g *gen) intE(d int) string {
	if g.wrong() {
		return g.wrongLeaf()
	}
	if d <= 0 || g.chance(25) {
		if vs := g.vars(tInt); len(vs) > 0 && g.chance(50) {
			return g.pick(vs)
		}
		return g.intLit()
	}
	d--
	switch g.r.IntN(17) {
	case 0, 1, 2:
		return fmt.Sprintf("(%s %s %s)", g.intE(d), g.pick([]string{"+", "-", "*"}), g.intE(d))
	case 3:
		return fmt.Sprintf("(%s %s %s)", g.intE(d), g.pick([]string{"//", "%"}), ilit(g.pickInt([]int{1, 2, 3, 7, 10, -1, -2, -3, 16})))
	case 4, 5:
		return fmt.Sprintf("(%s %s %s)", g.intE(d), g.pick([]string{"&", "|", "~", "<<", ">>"}), g.intE(d))
	case 6:
		return fmt.Sprintf("(%s %s %d)", g.intE(d), g.pick([]string{"<<", ">>"}), g.between(0, 70))
	case 7:
		return fmt.Sprintf("(%s%s)", g.pick([]string{"-", "~", "- "}), g.intE(d))
	case 8:
		return fmt.Sprintf("#%s", g.strAtom(d))
	case 9:
		return fmt.Sprintf("math.%s(%s, %s)", g.pick([]string{"max", "min"}), g.intE(d), g.intE(d))
	case 10:
		return fmt.Sprintf("math.abs(%s)", g.intE(d))
	case 11:
		return fmt.Sprintf("math.fmod(%s, %s)", g.intE(d), ilit(g.pickInt([]int{3, -3, 5, 1, -1, 100})))
	case 12:
		return fmt.Sprintf("math.tointeger(%s)", g.intE(d))
	case 13:
		return fmt.Sprintf("string.byte(%s, %d)", g.pick([]string{`"abc"`, `"Hello"`, `"~z~"`}), g.between(1, 3))
	case 14:
		return fmt.Sprintf("(%s and %s or %s)", g.boolE(d), g.intE(d), g.intE(d))
	case 15:
		return fmt.Sprintf("math.floor(%s)", g.pick([]string{"3.7", "-3.7", "0.5", "1e10", "(-0.0)", "2^40"}))
	default:
		return fmt.Sprintf("(%s // 1 | 0)", g.pick([]string{"7.0", "-8.0", "2^20", `"12"`, `"0x10"`}))
	}
}

// floatE returns an expression whose value is a float.
func (g *gen) floatE(d int) string {
	if g.wrong() {
		return g.wrongLeaf()
	}
	if d <= 0 || g.chance(25) {
		if vs := g.vars(tFloat); len(vs) > 0 && g.chance(50) {
			return g.pick(vs)
		}
		if g.chance(3) {
			return g.pick([]string{"math.huge", "(-math.huge)"})
		}
		return g.pick(floatLits)
	}
	d--
	switch g.r.IntN(14) {
	case 0, 1, 2:
		return fmt.Sprintf("(%s %s %s)", g.floatE(d), g.pick([]string{"+", "-", "*"}), g.numE(d))
	case 3:
		return fmt.Sprintf("(%s %s %s)", g.numE(d), g.pick([]string{"+", "-", "*"}), g.floatE(d))
	case 4, 5:
		return fmt.Sprintf("(%s / %s)", g.numE(d), g.pick([]string{"2", "4", "0.5", "3", "(-8)", "10", "7.0"}))
	case 6:
		if g.chance(20) {
			return fmt.Sprintf("(%s / %s)", g.numE(d), g.numE(d))
		}
		return fmt.Sprintf("(%s * 1.0)", g.intE(d))
	case 7:
		return fmt.Sprintf("(%s %s %s)", g.floatE(d), g.pick([]string{"//", "%"}), g.pick([]string{"2", "0.5", "(-3)", "1.5", "(-0.25)", "7"}))
	case 8:
		return fmt.Sprintf("(-%s)", g.floatE(d))
	case 9:
		b := g.pick(powBases)
		e := g.between(0, 12)
		if b == "2" && g.chance(30) {
			e = -g.between(1, 10)
		}
		return fmt.Sprintf("(%s ^ %s)", b, ilit(e))
	case 10:
		return fmt.Sprintf("math.sqrt(%s)", g.pick([]string{"2", "16", "0.25", "1e10", "3", "0"}))
	case 11:
		return fmt.Sprintf("(%s + %s)", g.pick([]string{`"2.5"`, `"1e2"`, `"0x10"`, `"10"`, `" 3 "`}), g.numE(d))
	case 12:
		return fmt.Sprintf("math.abs(%s)", g.floatE(d))
	default:
		return fmt.Sprintf("tonumber(%s)", g.pick([]string{`"0x1p-2"`, `"1e2"`, `"  2.5  "`, `".5"`, `"5."`, `"1E+3"`}))
	}
}

// numE returns an expression whose value is a number of either subtype.
func (g *gen) numE(d int) string {
	if d > 0 && g.chance(30) {
		d--
		switch g.r.IntN(7) {
		case 0:
			if vs := g.vars(tNum); len(vs) > 0 {
				return g.pick(vs)
			}
			return fmt.Sprintf("(%s + %s)", g.intE(d), g.floatE(d))
		case 1:
			return fmt.Sprintf("math.%s(%s)", g.pick([]string{"floor", "ceil"}), g.floatE(d))
		case 2:
			return fmt.Sprintf("math.%s(%s, %s)", g.pick([]string{"max", "min"}), g.numE(d), g.numE(d))
		case 3:
			return fmt.Sprintf("math.fmod(%s, %s)", g.numE(d), g.pick([]string{"3", "2.5", "(-4)", "0.5"}))
		case 4:
			return fmt.Sprintf("tonumber(%s)", g.pick(numStrs))
		case 5:
			return fmt.Sprintf("(%s %s %s)", g.pick(numStrs), g.pick([]string{"+", "-", "*", "//"}), g.numE(d))
		default:
			return fmt.Sprintf("math.tointeger(%s)", g.pick([]string{"3.0", "2^53", "-0.0", `"8"`, `"3.0"`, "42"}))
		}
	}
	if g.chance(50) {
		return g.intE(d)
	}
	return g.floatE(d)
}

// strAtom returns a short string expression: a literal or a bounded
// substring of a variable (variables may grow inside loops).
func (g *gen) strAtom(d int) string {
	if g.wrong() {
		return g.wrongLeaf()
	}
	if vs := g.vars(tStr); len(vs) > 0 && g.chance(40) {
		v := g.pick(vs)
		if g.loop == 0 && g.chance(50) {
			// Inside loops only bounded substrings, so that "s = s .. s"
			// cannot grow exponentially.
			return v
		}
		return fmt.Sprintf("%s:sub(%d, %d)", v, g.between(-4, 3), g.between(1, 8))
	}
	return g.pick(strLits)
}

// strE returns an expression whose value is a string.
func (g *gen) strE(d int) string {
	if d <= 0 || g.chance(20) {
		return g.strAtom(d)
	}
	d--
	switch g.r.IntN(16) {
	case 0, 1:
		return fmt.Sprintf("(%s .. %s)", g.strE(d), g.strE(d))
	case 2:
		return fmt.Sprintf("(%s .. %s)", g.numE(d), g.strE(d))
	case 3:
		return fmt.Sprintf("(%s .. %s)", g.strE(d), g.numE(d))
	case 4:
		return fmt.Sprintf("%s:%s()", g.strAtomP(d), g.pick([]string{"upper", "lower", "reverse"}))
	case 5:
		return fmt.Sprintf("%s:sub(%d, %d)", g.strAtomP(d), g.between(-6, 4), g.between(-3, 9))
	case 6:
		if g.chance(50) {
			return fmt.Sprintf("%s:rep(%d)", g.strAtomP(d), g.between(0, 3))
		}
		return fmt.Sprintf("%s:rep(%d, %s)", g.strAtomP(d), g.between(0, 3), g.pick([]string{`","`, `"-"`, `""`}))
	case 7:
		return fmt.Sprintf("string.format(%q, %s)", g.pick([]string{"%d", "%5d", "%-5d|", "%x", "%X", "%05d", "%+d"}), g.intE(d))
	case 8:
		return fmt.Sprintf("string.format(%q, %s)", g.pick([]string{"%.17g", "%.14g", "%g", "%5.2f", "%.3f", "%e", "%.0f", "%10.4g", "%a"}), g.floatE(d))
	case 9:
		// tostring and %s would print a wrong leaf's address: no wrong
		// leaves in their arguments.
		defer g.safe()()
		return fmt.Sprintf("string.format(%q, %s, %s)", g.pick([]string{"%s|%s", "[%5s][%-5s]", "%q %s", "%s%%%s"}), g.strE(d), g.numE(d))
	case 10:
		defer g.safe()()
		return fmt.Sprintf("tostring(%s)", g.numE(d))
	case 11:
		return fmt.Sprintf("tostring(%s)", g.boolE(d))
	case 12:
		var bs []string
		for i := g.between(1, 4); i > 0; i-- {
			bs = append(bs, fmt.Sprint(g.pickInt([]int{65, 97, 48, 122, 32, 126, 10, 1, 255, 200})))
		}
		return fmt.Sprintf("string.char(%s)", strings.Join(bs, ", "))
	case 13:
		return fmt.Sprintf("(%s and %s or %s)", g.boolE(d), g.strE(d), g.strE(d))
	case 14:
		return fmt.Sprintf("string.format(\"%%q\", %s)", g.pick([]string{"1", "math.mininteger", `"a\nb"`, `"\0\1\127"`, "0", "-7"}))
	default:
		return fmt.Sprintf("(%s .. %s)", g.intE(d), g.floatE(d))
	}
}

// strAtomP is strAtom parenthesised so that a method call can follow it.
func (g *gen) strAtomP(d int) string {
	s := g.strAtom(d)
	if strings.HasPrefix(s, "\"") || s == "nil" || s == "true" || s == "{}" {
		return "(" + s + ")"
	}
	return s
}

// boolE returns an expression whose value is a boolean.
func (g *gen) boolE(d int) string {
	if d <= 0 || g.chance(15) {
		if vs := g.vars(tBool); len(vs) > 0 && g.chance(50) {
			return g.pick(vs)
		}
		if g.chance(30) {
			return g.pick([]string{"true", "false"})
		}
		d = 1
	}
	d--
	switch g.r.IntN(9) {
	case 0, 1, 2:
		return fmt.Sprintf("(%s %s %s)", g.numE(d), g.pick([]string{"<", "<=", ">", ">=", "==", "~="}), g.numE(d))
	case 3:
		return fmt.Sprintf("(%s %s %s)", g.strE(d), g.pick([]string{"<", "<=", "==", "~="}), g.strE(d))
	case 4:
		return fmt.Sprintf("(not %s)", g.boolE(d))
	case 5:
		return fmt.Sprintf("(%s %s %s)", g.boolE(d), g.pick([]string{"and", "or"}), g.boolE(d))
	case 6:
		return fmt.Sprintf("(math.type(%s) == \"integer\")", g.numE(d))
	case 7:
		return fmt.Sprintf("(%s == %s)", g.intE(d), g.floatE(d))
	default:
		return fmt.Sprintf("(%s %s %s)", g.pick([]string{"math.maxinteger", "2^53", "9007199254740993", "math.mininteger", "1", "(-0.0)"}),
			g.pick([]string{"<", "<=", "==", ">"}), g.pick([]string{"2^63", "2^53", "math.maxinteger + 0.0", "9007199254740992", "0", "1.0"}))
	}
}

// exprOf returns an expression of type t.
func (g *gen) exprOf(t typ, d int) string {
	switch t {
	case tInt:
		return g.intE(d)
	case tFloat:
		return g.floatE(d)
	case tNum:
		return g.numE(d)
	case tStr:
		return g.strE(d)
	default:
		return g.boolE(d)
	}
}

// printVar prints a variable with details that depend on its type.
func (g *gen) printVar(name string, t typ) {
	switch t {
	case tInt, tFloat, tNum:
		g.line("print(%q, %s, math.type(%s))", name, name, name)
	case tStr:
		g.line("print(%q, %s, #%s)", name, name, name)
	default:
		g.line("print(%q, %s)", name, name)
	}
}

func (g *gen) randType() typ {
	return []typ{tInt, tInt, tFloat, tNum, tStr, tBool}[g.r.IntN(6)]
}

// ---- free-form statements over typed variables ----

func (g *gen) localDecl(d int) {
	t := g.randType()
	name := g.fresh("v")
	g.line("local %s = %s", name, g.exprOf(t, d))
	g.declare(name, t)
	g.printVar(name, t)
}

// assignable lists the variables assignable in the current block (not the
// loop control variables, which are declared with the loop prefix "i").
func (g *gen) assignable() []variable {
	var out []variable
	for _, s := range g.scopes {
		for _, v := range s {
			if v.name[0] == 'v' {
				out = append(out, v)
			}
		}
	}
	return out
}

func (g *gen) stmt(depth int) {
	vs := g.assignable()
	switch k := g.r.IntN(10); {
	case k <= 2 || len(vs) == 0:
		g.localDecl(3)
	case k <= 4:
		v := vs[g.r.IntN(len(vs))]
		g.line("%s = %s", v.name, g.exprOf(v.t, 3))
		g.printVar(v.name, v.t)
	case k == 5 && depth < 2:
		g.open("if %s then", g.boolE(2))
		g.stmt(depth + 1)
		if g.chance(50) {
			g.mid(func() string { return "elseif " + g.boolE(2) + " then" })
			g.stmt(depth + 1)
		}
		if g.chance(50) {
			g.mid(func() string { return "else" })
			g.stmt(depth + 1)
		}
		g.close("end")
	case k == 6 && depth < 2:
		iv := g.fresh("i")
		if g.chance(70) {
			a := g.between(-3, 3)
			step := g.pickInt([]int{1, 1, 2, -1, -2, 3})
			b := a + step*g.between(0, 4)
			g.open("for %s = %d, %d, %d do", iv, a, b, step)
			g.declare(iv, tInt)
		} else {
			g.open("for %s = %s, %s, %s do", iv, g.pick([]string{"0.5", "1", "-1.5", "2.0"}), g.pick([]string{"2", "3.5", "0"}), g.pick([]string{"0.5", "0.75", "-0.5", "1.25"}))
			g.declare(iv, tFloat)
		}
		g.loop++
		g.stmt(depth + 1)
		if g.chance(50) {
			g.stmt(depth + 1)
		}
		g.loop--
		g.close("end")
	case k == 7 && depth < 2:
		c := g.fresh("i")
		g.line("local %s = 0", c)
		g.open("while %s < %d do", c, g.between(1, 4))
		g.line("%s = %s + 1", c, c)
		g.declare(c, tInt)
		g.loop++
		g.stmt(depth + 1)
		g.loop--
		g.close("end")
	case k == 8 && len(vs) >= 2:
		a, b := vs[g.r.IntN(len(vs))], vs[g.r.IntN(len(vs))]
		if a.t == b.t && a.name != b.name {
			g.line("%s, %s = %s, %s", a.name, b.name, b.name, a.name)
			g.line("print(%s, %s)", a.name, b.name)
			return
		}
		fallthrough
	default:
		var es []string
		for i := g.between(1, 4); i > 0; i-- {
			es = append(es, g.exprOf(g.randType(), 2))
		}
		g.line("print(%s)", strings.Join(es, ", "))
	}
}

// ---- sections ----

func (g *gen) secFree() {
	for i := g.between(3, 8); i > 0; i-- {
		g.stmt(0)
	}
}

func (g *gen) secArith() {
	for i := g.between(2, 5); i > 0; i-- {
		a, b := g.fresh("v"), g.fresh("v")
		g.line("local %s, %s = %s, %s", a, b, g.numE(2), g.numE(2))
		g.declare(a, tNum)
		g.declare(b, tNum)
		g.line("print(%s, %s, math.type(%s), math.type(%s))", a, b, a, b)
		g.line("print(%s + %s, %s - %s, %s * %s, %s / %s)", a, b, a, b, a, b, a, b)
		g.line("print(%s == %s, %s < %s, %s <= %s, -%s, %s ^ 2)", a, b, a, b, a, b, a, a)
		g.line("show(pcall(function() return %s // %s, %s %% %s end))", a, b, a, b)
		g.line("show(pcall(function() return %s & %s, %s | %s, %s ~ %s, ~%s end))", a, b, a, b, a, b, a)
		g.line("print(%s %s %s, math.tointeger(%s), %s .. \"\")", g.pick(numStrs), g.pick([]string{"+", "-", "*", "/", "//", "%"}), a, b, a)
	}
	g.line("print(math.maxinteger + 1 == math.mininteger, math.mininteger - 1, math.maxinteger * 2, math.mininteger // -1, math.mininteger %% -1)")
}

func (g *gen) secFormat() {
	for i := g.between(3, 7); i > 0; i-- {
		f := g.floatE(2)
		n := g.intE(2)
		g.line("print(string.format(\"%%.17g|%%.14g|%%g\", %s, %s, %s))", f, f, f)
		g.line("print(string.format(\"%%d|%%5d|%%-4d|%%x\", %s, %s, %s, %s))", n, n, n, n)
		g.line("print(tostring(%s), math.tointeger(%s), math.type(%s), %s)", f, f, f, g.numE(2))
		g.line("show(pcall(string.format, \"%%d\", %s))", g.numE(1))
	}
}

func (g *gen) secStrings() {
	s := g.fresh("v")
	g.line("local %s = %s", s, g.strE(2))
	g.declare(s, tStr)
	g.line("print(%s, #%s, %s:upper(), %s:lower(), %s:len())", s, s, s, s, s)
	g.line("print(%s:sub(%d, %d), %s:sub(%d), %s:rep(%d, \"/\"))", s, g.between(-5, 5), g.between(-5, 8), s, g.between(-5, 5), s, g.between(0, 3))
	g.line("print(%s:byte(1, -1))", s)
	g.line("print(string.char(%s:byte(1, 3)))", s)
	g.line("print(%s:reverse(), (\"x\"):rep(%d), %s .. %s)", s, g.between(0, 5), s, g.numE(1))
	for i := g.between(1, 4); i > 0; i-- {
		g.line("print(%s)", g.strE(3))
	}
	g.line("print(%s == %s, %s < %s)", s, g.strE(1), s, g.strE(1))
	g.line("print(string.format(\"%%q\", %s))", s)
	g.line("print(string.format(\"%%s=%%s %%5.1f\", %s, %s, %s))", s, g.intE(1), g.floatE(1))
}

func (g *gen) secTables() {
	t := g.fresh("t")
	var elems []string
	for i := g.between(0, 6); i > 0; i-- {
		elems = append(elems, g.intE(1))
	}
	g.line("local %s = {%s}", t, strings.Join(elems, ", "))
	g.line("print(#%s, table.concat(%s, \",\"))", t, t)
	for i := g.between(3, 7); i > 0; i-- {
		switch g.r.IntN(11) {
		case 0:
			g.line("table.insert(%s, %s)", t, g.intE(1))
		case 1:
			g.line("table.insert(%s, 1, %s)", t, g.intE(1))
		case 2:
			g.line("print(table.remove(%s))", t)
		case 3:
			g.line("print(table.remove(%s, 1))", t)
		case 4:
			g.line("table.sort(%s)", t)
		case 5:
			g.line("table.sort(%s, function(a, b) return a > b end)", t)
		case 6:
			g.line("%s[#%s + 1] = %s", t, t, g.intE(1))
		case 7:
			g.line("print(table.unpack(%s, 1, %d))", t, g.between(0, 4))
		case 8:
			g.line("print(%s[1], %s[1.0], %s[#%s], %s[0])", t, t, t, t, t)
		case 9:
			g.line("print(select(\"#\", table.unpack(%s)), table.concat(%s, \" \", 2))", t, t)
		default:
			g.line("print(table.concat(%s, \", \", 1, #%s))", t, t)
		}
		g.line("print(#%s, dump(%s))", t, t)
	}
	h := g.fresh("t")
	g.line("local %s = {x = %s, [\"y z\"] = %s, [1] = %s, [2.0] = %s, [%s] = true, [-1] = \"neg\"}", h, g.numE(1), g.strE(1), g.intE(1), g.floatE(1), g.pick([]string{"2^53", "1.5", "3", "0.5", "1e100"}))
	g.line("%s[1.0] = %s; %s[2^53] = \"big\"; %s.x = nil", h, g.intE(1), h, h)
	g.line("print(dump(%s), %s[1], %s[2], %s[2.0])", h, h, h, h)
	g.line("print(rawlen(%s), rawequal(%s, %s), next({}))", t, t, h)
}

func (g *gen) secClosures() {
	k := g.intE(1)
	g.line("local function counter(start, step)")
	g.line("  local n = start")
	g.line("  return function() n = n + step return n end, function() return n end")
	g.line("end")
	g.line("local c1, get1 = counter(%s, %s)", g.intE(1), g.numE(1))
	g.line("local c2 = counter(%s, %s)", g.floatE(1), k)
	g.line("print(c1(), c1(), c2(), c1(), get1(), c2())")
	n := g.between(2, 6)
	g.line("local fs = {}")
	g.line("for i = 1, %d do fs[i] = function(x) return i * %s + (x or 0) end end", n, g.intE(1))
	g.line("print(fs[1](), fs[%d](), fs[%d](%s))", n, g.between(1, n), g.intE(1))
	g.line("local gs, j = {}, 0")
	g.line("while j < %d do j = j + 1 local k = j * 2 gs[j] = function() k = k + 1 return k end end", n)
	g.line("print(gs[1](), gs[1](), gs[%d](), j)", n)
	g.line("local shared = 0")
	g.line("local function inc() shared = shared + 1 return shared end")
	g.line("local function twice(f) return f() + f() end")
	g.line("print(twice(inc), twice(inc), shared)")
	g.line("local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end")
	g.line("print(fact(%d), fact(%d))", g.between(0, 20), g.between(21, 25))
	g.line("local fib; fib = function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end")
	g.line("print(fib(%d))", g.between(0, 15))
	g.line("local cnt = 0")
	g.line("local function bump() cnt = cnt + 1 if cnt %% %d == 0 then error(\"bump \" .. cnt) end return cnt end", g.between(2, 3))
	g.line("for _ = 1, 4 do show(pcall(bump)) end")
	g.line("print(cnt)")
}

func (g *gen) secMultiAssign() {
	a, b := g.fresh("v"), g.fresh("v")
	g.line("local %s, %s = %s, %s", a, b, g.intE(1), g.intE(1))
	g.line("for i = 1, %d do %s, %s = %s, %s + %s end", g.between(1, 20), a, b, b, a, b)
	g.line("print(%s, %s)", a, b)
	g.line("local x, y, z = %s, %s", g.numE(1), g.strE(1))
	g.line("print(x, y, z)")
	g.line("x, y = y, x")
	g.line("print(x, y)")
	g.line("x, y, z = (function() return 1, 2, 3 end)()")
	g.line("print(x, y, z)")
	g.line("x, y, z = (function() return 1, 2, 3 end)(), 10")
	g.line("print(x, y, z)")
	var elems []string
	for i := 0; i < 5; i++ {
		elems = append(elems, g.intE(1))
	}
	g.line("local t = {%s}", strings.Join(elems, ", "))
	g.line("local i, j = %d, %d", g.between(1, 5), g.between(1, 5))
	g.line("t[i], t[j] = t[j], t[i]")
	g.line("print(table.concat(t, \",\"))")
	g.line("i, t[i] = i + 1, %s", g.intE(1))
	g.line("print(i, table.concat(t, \",\"))")
	g.line("for k = 1, #t - 1 do t[k], t[k + 1] = t[k + 1], t[k] end")
	g.line("print(table.concat(t, \",\"))")
	g.line("local p, q, r = %s", g.pick([]string{"1", "1, 2", "1, 2, 3, 4", "(function() end)()", "select(2, 7, 8, 9)"}))
	g.line("print(p, q, r)")
}

func (g *gen) secFor() {
	for i := g.between(2, 4); i > 0; i-- {
		switch g.r.IntN(5) {
		case 0:
			a := g.between(-5, 5)
			st := g.pickInt([]int{1, 2, 3, -1, -2, -3})
			b := a + st*g.between(-1, 6)
			g.line("for i = %d, %d, %d do print(\"for\", i, math.type(i)) end", a, b, st)
		case 1:
			g.line("for i = %s, %s, %s do print(\"ffor\", i) end",
				g.pick([]string{"0", "1.0", "0.1", "-1", "10"}), g.pick([]string{"1", "2.5", "0", "-1.0", "9"}),
				g.pick([]string{"0.1", "0.25", "-0.5", "0.3", "1.5", "-1"}))
		case 2:
			g.line("for i = %d, %s do print(\"lim\", i) end", g.between(-2, 2), g.pick([]string{"3.5", "2.9", "-0.5", "1e0", "\"3\""}))
		case 3:
			g.line("local s = 0")
			g.line("for i = %d, %d do for j = i, %d, -1 do s = s + i * j end end", g.between(1, 3), g.between(3, 6), g.between(0, 2))
			g.line("print(\"nested\", s)")
		default:
			g.line("for i = math.maxinteger - 2, math.maxinteger - 1 do print(\"big\", i) end")
			g.line("for i = math.mininteger, math.mininteger + 2 do print(\"small\", i) end")
			g.line("for i = 3, 1 do print(\"never\") end")
		}
	}
}

func (g *gen) secWhile() {
	n := g.fresh("v")
	acc := g.fresh("v")
	g.line("local %s, %s = 0, %s", n, acc, g.intE(1))
	g.line("while %s < %d do", n, g.between(2, 8))
	g.line("  %s = %s + 1", n, n)
	g.line("  %s = %s %s %s", acc, acc, g.pick([]string{"+", "*", "-", "~", "//"}), g.pick([]string{"3", "2", "7", n + " + 1"}))
	g.line("  if %s == %d then break end", n, g.between(3, 10))
	g.line("  print(\"w\", %s, %s)", n, acc)
	g.line("end")
	g.line("repeat")
	g.line("  local m = %s * 2", n)
	g.line("  %s = %s - 1", n, n)
	g.line("  print(\"r\", %s, m)", n)
	g.line("until m < %d", g.between(-4, 6))
	g.line("print(%s, %s)", n, acc)
}

func (g *gen) secPairs() {
	var fields []string
	for i := g.between(1, 6); i > 0; i-- {
		switch g.r.IntN(4) {
		case 0:
			fields = append(fields, fmt.Sprintf("%s = %s", g.pick([]string{"a", "b", "c", "name", "x", "y"}), g.numE(1)))
		case 1:
			fields = append(fields, g.intE(1))
		case 2:
			fields = append(fields, fmt.Sprintf("[%s] = %s", g.pick([]string{"1.5", "10", "-2", "\"k\"", "true", "false"}), g.strE(1)))
		default:
			fields = append(fields, g.strE(1))
		}
	}
	g.line("local t = {%s}", strings.Join(fields, ", "))
	g.line("for i, v in ipairs(t) do print(\"ip\", i, v) end")
	g.line("for _, k in ipairs(keys(t)) do print(\"kv\", k, t[k]) end")
	g.line("local n = 0")
	g.line("for k, v in pairs(t) do n = n + 1 end")
	g.line("print(\"count\", n, dump(t))")
	g.line("local sum = 0")
	g.line("for _, v in ipairs({%s, %s, %s}) do sum = sum + v end", g.numE(1), g.numE(1), g.numE(1))
	g.line("print(\"sum\", sum)")
	g.line("for k, v in next, {%s} do print(\"next\", k, v) end", g.intE(1))
}

func (g *gen) secGoto() {
	g.line("local s = 0")
	g.line("for i = 1, %d do", g.between(3, 12))
	g.line("  if i %% %d == 0 then goto continue end", g.between(2, 4))
	g.line("  s = s + i * %s", g.intE(1))
	g.line("  print(\"g\", i, s)")
	g.line("  ::continue::")
	g.line("end")
	g.line("local k = 0")
	g.line("::top::")
	g.line("k = k + 1")
	g.line("if k < %d then goto top end", g.between(1, 5))
	g.line("print(\"goto\", s, k)")
}

func (g *gen) secVarargs() {
	g.line("local function f(...)")
	g.line("  local n = select(\"#\", ...)")
	g.line("  local a, b = ...")
	g.line("  if n == 0 then return 0 end")
	g.line("  return n, a, b, select(-1, ...)")
	g.line("end")
	g.line("local function id(...) return ... end")
	g.line("local function pack2(...) return {n = select(\"#\", ...), ...} end")
	var args []string
	for i := g.between(0, 4); i > 0; i-- {
		args = append(args, g.pick([]string{g.intE(1), "nil", g.strE(1), g.floatE(0)}))
	}
	as := strings.Join(args, ", ")
	g.line("print(f(%s))", as)
	g.line("print(f(id(%s)), (id(%s)))", as, as)
	g.line("print(id(1, 2), id(3, 4))")
	g.line("print(select(\"#\", id(%s)), select(\"#\", nil, nil))", as)
	g.line("local p = table.pack(%s)", as)
	g.line("print(p.n, pack2(%s).n)", as)
	g.line("print(select(%d, \"a\", \"b\", \"c\", \"d\"))", g.pickInt([]int{1, 2, 4, 5, -1, -2}))
	g.line("show(pcall(select, %d, 1, 2))", g.pickInt([]int{0, -3, 1}))
	g.line("local function sum(...) local s = 0 for i = 1, select(\"#\", ...) do s = s + (select(i, ...)) end return s end")
	g.line("print(sum(%s, %s, %s), sum())", g.numE(1), g.numE(1), g.intE(1))
	g.line("print(table.unpack({1, 2, 3}, 2), table.unpack({1, 2}, 1, 3))")
}

func (g *gen) secMeta() {
	g.line("local V = {}")
	g.line("V.__index = V")
	g.line("local function new(x) return setmetatable({x = x}, V) end")
	g.line("V.__add = function(a, b) return new(a.x + b.x) end")
	g.line("V.__eq = function(a, b) return a.x == b.x end")
	hasLt, hasLe := g.chance(80), g.chance(60)
	if hasLt {
		g.line("V.__lt = function(a, b) return a.x < b.x end")
	}
	if hasLe {
		g.line("V.__le = function(a, b) return a.x <= b.x end")
	}
	g.line("V.__concat = function(a, b)")
	g.line("  local ax = type(a) == \"table\" and \"V\" .. a.x or a")
	g.line("  local bx = type(b) == \"table\" and \"V\" .. b.x or b")
	g.line("  return ax .. \"&\" .. bx")
	g.line("end")
	g.line("V.__call = function(self, k) return self.x * k end")
	g.line("V.__len = function(self) return self.x end")
	g.line("V.__tostring = function(self) return \"V<\" .. tostring(self.x) .. \">\" end")
	g.line("V.__unm = function(a) return new(-a.x) end")
	g.line("function V:get() return self.x end")
	g.line("function V.scale(self, k) self.x = self.x * k return self end")
	g.line("local a, b = new(%s), new(%s)", g.intE(1), g.numE(1))
	g.line("print((a + b).x, a == b, a ~= b, a == new(a.x), rawequal(a, a))")
	g.line("show(pcall(function() return a < b, a > b end))")
	g.line("show(pcall(function() return a <= b, a >= b end))")
	g.line("print(a .. b, a .. \"s\", 3 .. a, a .. b .. \"!\")")
	g.line("print(a(%s), #a, tostring(a), (-a).x, a:get(), a:scale(%s):get())", g.intE(1), g.intE(1))
	g.line("print(a, getmetatable(a) == V, getmetatable(\"s\").__index == string)")
	g.line("local B = setmetatable({}, {__index = V})")
	g.line("B.__index = B")
	g.line("function B:get() return \"B\" .. V.get(self) end")
	g.line("local o = setmetatable({x = %s}, B)", g.intE(1))
	g.line("print(o:get(), o.scale ~= nil, rawget(o, \"get\"))")
}

func (g *gen) secMetaIndex() {
	g.line("local log = {}")
	g.line("local t = setmetatable({}, {__index = function(t, k) return tostring(k) .. \"!\" end,")
	g.line("  __newindex = function(t, k, v) log[#log + 1] = tostring(k); rawset(t, k, v * 2) end})")
	g.line("print(t.foo, t[1], t[%s])", g.intE(1))
	g.line("t.a = %s", g.numE(1))
	g.line("t.a = %s", g.numE(1))
	g.line("t[%d] = %s", g.between(1, 3), g.intE(1))
	g.line("print(t.a, rawget(t, \"a\"), table.concat(log, \",\"), dump(t))")
	g.line("local store = {}")
	g.line("local proxy = setmetatable({}, {__index = store, __newindex = store, __len = function() return #store end})")
	g.line("proxy[1] = %s; proxy[2] = %s; proxy.k = %s", g.intE(1), g.intE(1), g.strE(1))
	g.line("print(#proxy, proxy[1], proxy.k, rawget(proxy, 1), dump(store))")
	g.line("local def = setmetatable({}, {__index = setmetatable({a = 1}, {__index = function(_, k) return k end})})")
	g.line("print(def.a, def.zz, def[5])")
	g.line("local mt = {__index = function(t, k) if k > %d then return nil end return k * k end}", g.between(2, 8))
	g.line("local sq = setmetatable({}, mt)")
	g.line("local n = 0 while sq[n + 1] do n = n + 1 end")
	g.line("print(\"sq\", n, sq[3])")
}

func (g *gen) secCoroutine() {
	switch g.r.IntN(3) {
	case 0:
		g.line("local co = coroutine.create(function(a, b)")
		g.line("  print(\"co start\", a, b)")
		g.line("  local c = coroutine.yield(a + b)")
		g.line("  print(\"co got\", c)")
		g.line("  local d, e = coroutine.yield(c * 2, \"x\")")
		g.line("  print(\"co got2\", d, e)")
		if g.chance(30) {
			g.line("  error(\"co fail \" .. tostring(d))")
		}
		g.line("  return \"done\", d")
		g.line("end)")
		g.line("print(coroutine.status(co))")
		g.line("print(coroutine.resume(co, %s, %s))", g.numE(1), g.intE(1))
		g.line("print(coroutine.status(co))")
		g.line("print(coroutine.resume(co, %s))", g.intE(1))
		g.line("print(coroutine.resume(co, %s, %s))", g.strE(1), g.numE(1))
		g.line("print(coroutine.status(co))")
		g.line("print(coroutine.resume(co))")
		g.line("print(coroutine.isyieldable(), select(2, coroutine.running()))")
	case 1:
		n := g.between(1, 6)
		g.line("local gen = coroutine.wrap(function(k)")
		g.line("  for i = 1, %d do k = coroutine.yield(i * k) or k end", n)
		g.line("  return \"last\"")
		g.line("end)")
		g.line("print(gen(%s))", g.intE(1))
		for i := 0; i < n; i++ {
			g.line("print(gen(%s))", g.pick([]string{"nil", g.intE(1)}))
		}
		g.line("show(pcall(gen))")
		g.line("local function range(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end) end")
		g.line("local s = 0 for i in range(%d) do s = s + i print(\"rng\", i) end print(s)", g.between(0, 6))
	default:
		g.line("local co = coroutine.create(function()")
		g.line("  local ok, v = pcall(function()")
		g.line("    local x = coroutine.yield(\"in pcall\")")
		g.line("    if x > %d then error(\"big \" .. x) end", g.between(0, 10))
		g.line("    return x")
		g.line("  end)")
		g.line("  print(\"pcall in co\", ok, v)")
		g.line("  local M = setmetatable({}, {__add = function(a, b) return coroutine.yield(\"add\") end,")
		g.line("    __index = function(t, k) return coroutine.yield(\"idx \" .. k) end})")
		g.line("  local r = M + 1")
		g.line("  local q = M.key")
		g.line("  print(\"meta in co\", r, q)")
		g.line("  return r + q")
		g.line("end)")
		g.line("print(coroutine.resume(co))")
		g.line("print(coroutine.resume(co, %d))", g.between(0, 10))
		g.line("print(coroutine.resume(co, %s))", g.intE(1))
		g.line("print(coroutine.resume(co, %s))", g.intE(1))
		g.line("print(coroutine.status(co), coroutine.resume(co))")
		// No yield inside a table.sort comparator: lua5.3 refuses it, our
		// engine allows it on purpose (see README).
	}
}

func (g *gen) secErrors() {
	g.line("local function thrower(kind, v)")
	g.line("  if kind == 1 then error(\"msg \" .. v)")
	g.line("  elseif kind == 2 then error({code = v})")
	g.line("  elseif kind == 3 then error(\"lvl0 \" .. v, 0)")
	g.line("  elseif kind == 4 then error(\"lvl2 \" .. v, 2)")
	g.line("  elseif kind == 5 then local x = nil; return x.field")
	g.line("  elseif kind == 6 then error(v)")
	g.line("  elseif kind == 7 then error()")
	g.line("  end")
	g.line("  return v")
	g.line("end")
	g.line("for k = 1, 8 do show(pcall(thrower, k, %s)) end", g.intE(1))
	g.line("local function caller() thrower(4, \"from caller\") end")
	g.line("show(pcall(caller))")
	g.line("show(pcall(pcall, error, \"x\"))")
	g.line("show(pcall(error))")
	g.line("show(xpcall(thrower, function(m) return \"handled: \" .. tostring(m) end, 1, %s))", g.intE(1))
	g.line("show(xpcall(thrower, function(m) return m end, 0, \"fine\"))")
	g.line("show(pcall(function() local ok, e = pcall(error, \"inner\") error(e .. \"+outer\", 0) end))")
	g.line("show(pcall(function() local ok, e = pcall(error, {code = %d}) error(e) end))", g.between(0, 99))
	g.line("show(pcall(error, setmetatable({}, {__tostring = function() return \"custom\" end})))")
	g.line("show(select(\"#\", pcall(error, nil)))")
}

// secRisky evaluates typed expressions inside pcall, with a few leaves of
// the wrong type.
func (g *gen) secRisky() {
	g.line("local tb = {field = %s}", g.intE(1))
	g.risky = true
	defer func() { g.risky = false }()
	for i := g.between(2, 6); i > 0; i-- {
		g.line("show(pcall(function() return %s end))", g.exprOf(g.randType(), 3))
	}
}

// secWrong performs deliberately wrong operations inside pcall.
func (g *gen) secWrong() {
	wrongs := []string{
		"local x return x + 1",
		"return undefinedglobal.field",
		"local t = {} return t.a.b",
		"local t = {} t.x.y = 1",
		"return #nil",
		"local n = 5 return #n",
		"return {} .. \"x\"",
		"local t = {} return \"x\" .. t",
		"return 1 < \"2\"",
		"return {} < {}",
		"return {} <= 1",
		"local s = \"abc\" return s + 1",
		"return \"abc\" * 2",
		"return 1 // 0",
		"return 1 % 0",
		"local z = 0 return 10 // z",
		"return 3.5 | 1",
		"return \"3.5\" | 1",
		"return 2^64 | 0",
		"return \"abc\" | 1",
		"return math.floor(\"x\")",
		"return string.rep()",
		"return (\"x\"):bad()",
		"local f return f()",
		"return undefinedfn(1, 2)",
		"local t = {} return t.method()",
		"local t = {} return t:method()",
		"return string.format(\"%d\", 1.5)",
		"return string.format(\"%d\", \"x\")",
		"return tostring()",
		"return setmetatable(1, {})",
		"return string.char(256)",
		"for i = 1, 10, 0 do end",
		"for i = 1, \"x\" do end",
		"for i = {}, 2 do end",
		"return select(0)",
		"return table.insert({}, 1, 2, 3)",
		"return table.concat({1, {}, 3})",
		"return ipairs()",
		"return ({}).x.y.z",
		"local a = {} a = a.b.c",
		"return math.tointeger()",
		"return (\"abc\"):sub()",
		"return (\"abc\"):rep(\"x\")",
		"return -{}",
		"return ~1.5",
		"return 1 & {}",
		"local up = nil; return (function() return up.x end)()",
		"return coroutine.resume(coroutine.create(function() end), 1) and coroutine.yield()",
		"return setmetatable({}, {__index = function(t, k) error(\"no \" .. k) end}).foo",
		"return setmetatable({}, {__add = function() error(\"add failed\", 2) end}) + 1",
		"error(\"plain\")",
		"error(\"level0\", 0)",
		"error({code = 7})",
		"return rawlen(5)",
		"return next({}, \"missing\")",
		"return math.max()",
		"return tonumber(\"10\", 99)",
		"return (\"x\"):format(1, 2) .. nil",
	}
	for i := g.between(3, 8); i > 0; i-- {
		g.line("show(pcall(function() %s end))", g.pick(wrongs))
	}
}

func (g *gen) secPatterns() {
	s := g.pick([]string{`"hello world from lua"`, `"key=value; a=1; b=22"`, `"  trim me  "`, `"2024-01-15"`, `"a1b2c3"`, `"The Quick Brown Fox"`})
	g.line("local s = %s", s)
	g.line("print(s:find(%s), s:find(%s, %d, true))", g.pick([]string{`"o"`, `"%d+"`, `"(%a+)"`, `"="`, `"x"`}), g.pick([]string{`"o"`, `"."`, `"a"`}), g.between(1, 5))
	g.line("print(s:match(%s))", g.pick([]string{`"^%s*(.-)%s*$"`, `"(%d+)-(%d+)-(%d+)"`, `"(%a+)=(%w+)"`, `"%u%l+"`, `"()o()"`}))
	g.line("print(s:gsub(%s, %s))", g.pick([]string{`"%a+"`, `"o"`, `"%d"`, `"%s+"`, `"(%w+)=(%w+)"`}), g.pick([]string{`"<%0>"`, `string.upper`, `"%%"`, `{a = "A", hello = 1}`, `function(x) return #x end`, `"[%1]"`}))
	g.line("print(s:gsub(\"(%%w+)=(%%w+)\", \"%%2=%%1\", %d))", g.between(0, 3))
	g.line("local parts = {}")
	g.line("for w in s:gmatch(%s) do parts[#parts + 1] = w end", g.pick([]string{`"%a+"`, `"%d+"`, `"[^;]+"`, `"."`}))
	g.line("print(#parts, table.concat(parts, \"|\"))")
	g.line("print(s:len(), s:upper(), (\"%%d\"):format(%s))", g.intE(1))
}
