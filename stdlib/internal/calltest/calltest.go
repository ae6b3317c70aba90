// Package calltest is the test harness of the standard library packages:
// it runs a file of library calls written as Lua calls with literal
// arguments (one per line, e.g. `table.concat({1, 2.5, "x"}, ", ")`)
// through a library's Go functions and compares what each call returned,
// what it did to its first argument and what the helper functions logged
// with the same file run through lua5.3.
//
// Until the compiler can run Lua snippets, the arguments are built by a
// small parser of Lua literals (numbers, strings, table constructors,
// nil/true/false, names and calls of helper functions); lua5.3 evaluates
// the same text as Lua. Helper functions (comparators that log their
// calls, proxies with logging metamethods, ...) exist twice: in Lua in
// prelude.lua and in Go in this package, and must behave alike.
//
// Each line's output has the form
//
//	<call> --> <results> | <first argument after the call>[ log: <entries>]
//
// where results are "true, v1, v2..." or "false, message" as pcall
// returns them. The expected outputs are kept in testdata/<name>.golden;
// Run regenerates them with lua5.3 when MB_UPDATE_GOLDEN=1 and, when
// lua5.3 is on PATH, checks that the golden file still matches it.
package calltest

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

//go:embed prelude.lua
var prelude string

//go:embed driver.lua
var driver string

// Lib is a library under test: its global name and its Open function.
type Lib struct {
	Name string
	Open func(L *lua.State) *lua.Table
}

// Run runs testdata/<name>.cases through the libraries and compares with
// testdata/<name>.golden.
func Run(t *testing.T, name string, libs ...Lib) {
	t.Helper()
	casesPath := filepath.Join("testdata", name+".cases")
	goldenPath := filepath.Join("testdata", name+".golden")
	cases := readCases(t, casesPath)

	lua53, _ := exec.LookPath("lua5.3")
	if os.Getenv("MB_UPDATE_GOLDEN") == "1" {
		if lua53 == "" {
			t.Fatal("MB_UPDATE_GOLDEN=1 needs lua5.3 on PATH")
		}
		out := runLua53(t, lua53, casesPath)
		if err := os.WriteFile(goldenPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goldenBytes, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (regenerate with MB_UPDATE_GOLDEN=1)", err)
	}
	golden := strings.Split(strings.TrimSuffix(string(goldenBytes), "\n"), "\n")
	if len(golden) != len(cases) {
		t.Fatalf("%s has %d lines for %d cases: regenerate with MB_UPDATE_GOLDEN=1", goldenPath, len(golden), len(cases))
	}
	if lua53 != "" {
		live := strings.Split(strings.TrimSuffix(runLua53(t, lua53, casesPath), "\n"), "\n")
		for i := range golden {
			if i >= len(live) || live[i] != golden[i] {
				t.Errorf("golden file is stale at line %d:\ngolden: %s\nlua5.3: %s", i+1, golden[i], live[i])
			}
		}
	}

	h := newHarness(libs)
	for i, c := range cases {
		got := h.runCase(c)
		if got != golden[i] {
			t.Errorf("case %d:\n got: %s\nwant: %s", i+1, got, golden[i])
		}
	}
	t.Logf("%d cases", len(cases))
}

func readCases(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		cases = append(cases, line)
	}
	return cases
}

func runLua53(t *testing.T, lua53, casesPath string) string {
	dir := t.TempDir()
	pre := filepath.Join(dir, "prelude.lua")
	drv := filepath.Join(dir, "driver.lua")
	if err := os.WriteFile(pre, []byte(prelude), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(drv, []byte(driver), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lua53, drv, pre, casesPath)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.3: %v", err)
	}
	return string(out)
}

type harness struct {
	L    *lua.State
	libs map[string]*lua.Table
	env  map[string]lua.Value
	log  []string
}

func newHarness(libs []Lib) *harness {
	h := &harness{L: lua.NewState(), libs: map[string]*lua.Table{}}
	loaded := lua.NewTable(0, 4)
	h.L.Registry().SetStr("_LOADED", lua.TableValue(loaded))
	for _, l := range libs {
		tbl := l.Open(h.L)
		h.libs[l.Name] = tbl
		loaded.SetStr(l.Name, lua.TableValue(tbl))
	}
	h.env = h.helpers()
	return h
}

func (h *harness) resolve(name string) lua.Value {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		if t := h.libs[name[:i]]; t != nil {
			return t.GetStr(name[i+1:])
		}
	}
	if v, ok := h.env[name]; ok {
		return v
	}
	panic(fmt.Sprintf("calltest: unknown name %q", name))
}

// runCase runs one line and formats its outcome as driver.lua does.
func (h *harness) runCase(line string) (out string) {
	open := strings.IndexByte(line, '(')
	if open < 0 || !strings.HasSuffix(line, ")") {
		return line + " --> malformed case"
	}
	fname := line[:open]
	h.log = nil
	p := &parser{s: line[open+1 : len(line)-1], h: h}
	args := p.list()
	if p.peek() != 0 {
		p.fail("unexpected text")
	}
	f := h.resolve(fname)
	res, err := h.L.PCallValue(f, args...)
	var parts []string
	if err != nil {
		e, _ := err.(*lua.Error)
		msg := lua.String(err.Error())
		if e != nil {
			msg = e.Value
		}
		parts = []string{"false", show(msg, nil)}
	} else {
		parts = append(parts, "true")
		for _, v := range res {
			parts = append(parts, show(v, nil))
		}
	}
	first := lua.Nil
	if len(args) > 0 {
		first = args[0]
	}
	out = line + " --> " + strings.Join(parts, ", ") + " | " + show(first, nil)
	if len(h.log) > 0 {
		out += " log: " + strings.Join(h.log, " ")
	}
	return out
}

func tostr(v lua.Value) string {
	switch v.Type() {
	case lua.TypeNil:
		return "nil"
	case lua.TypeBoolean:
		if v.Truthy() {
			return "true"
		}
		return "false"
	case lua.TypeNumber, lua.TypeString:
		s, _ := v.ToString()
		return s
	}
	return v.TypeName()
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 32 && c <= 126 && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// show formats a value as driver.lua's show does.
func show(v lua.Value, seen map[*lua.Table]bool) string {
	switch v.Type() {
	case lua.TypeString:
		s, _ := v.AsString()
		return quote(s)
	case lua.TypeTable:
		t := v.AsTable()
		if seen[t] {
			return "<cycle>"
		}
		if seen == nil {
			seen = map[*lua.Table]bool{}
		}
		seen[t] = true
		defer delete(seen, t)
		var keys []lua.Value
		k := lua.Nil
		for {
			nk, _, ok, _ := t.Next(k)
			if !ok {
				break
			}
			keys = append(keys, nk)
			k = nk
		}
		sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = show(k, seen) + "=" + show(t.Get(k), seen)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return tostr(v)
}

func keyLess(a, b lua.Value) bool {
	ta, tb := a.TypeName(), b.TypeName()
	if ta != tb {
		return ta < tb
	}
	switch a.Type() {
	case lua.TypeNumber:
		x, _ := a.ToFloat()
		y, _ := b.ToFloat()
		if x != y {
			return x < y
		}
		xi, _ := a.AsInt()
		yi, _ := b.AsInt()
		return xi < yi
	case lua.TypeString:
		x, _ := a.AsString()
		y, _ := b.AsString()
		return x < y
	}
	return tostr(a) < tostr(b)
}

// parser reads the Lua literals of a case's argument list.
type parser struct {
	s   string
	pos int
	h   *harness
}

func (p *parser) fail(msg string) {
	panic(fmt.Sprintf("calltest: %s at %d in %q", msg, p.pos, p.s))
}

func (p *parser) skip() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *parser) peek() byte {
	p.skip()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

// list reads comma-separated expressions up to the end of the input or a
// closing parenthesis (not consumed).
func (p *parser) list() []lua.Value {
	var vs []lua.Value
	if c := p.peek(); c == 0 || c == ')' {
		return vs
	}
	for {
		vs = append(vs, p.expr())
		if p.peek() != ',' {
			return vs
		}
		p.pos++
	}
}

func isAlpha(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// expr reads sums and differences of products (numbers only).
func (p *parser) expr() lua.Value {
	v := p.term()
	for {
		c := p.peek()
		if c != '+' && c != '-' {
			return v
		}
		p.pos++
		w := p.term()
		if c == '-' {
			w = p.negate(w)
		}
		v = p.arith(v, w, func(a, b int64) int64 { return a + b }, func(a, b float64) float64 { return a + b })
	}
}

func (p *parser) term() lua.Value {
	v := p.unary()
	for p.peek() == '*' {
		p.pos++
		w := p.unary()
		v = p.arith(v, w, func(a, b int64) int64 { return a * b }, func(a, b float64) float64 { return a * b })
	}
	return v
}

func (p *parser) arith(a, b lua.Value, fi func(a, b int64) int64, ff func(a, b float64) float64) lua.Value {
	x, ok1 := a.AsInt()
	y, ok2 := b.AsInt()
	if ok1 && ok2 {
		return lua.Int(fi(x, y))
	}
	fx, ok1 := a.ToFloat()
	fy, ok2 := b.ToFloat()
	if !ok1 || !ok2 || !a.IsNumber() || !b.IsNumber() {
		p.fail("arithmetic on a non-number")
	}
	return lua.Float(ff(fx, fy))
}

func (p *parser) negate(v lua.Value) lua.Value {
	if i, ok := v.AsInt(); ok {
		return lua.Int(-i)
	}
	if f, ok := v.AsFloat(); ok {
		return lua.Float(-f)
	}
	p.fail("minus on a non-number")
	return lua.Nil
}

func (p *parser) unary() lua.Value {
	c := p.peek()
	switch {
	case c == '{':
		return p.table()
	case c == '"' || c == '\'':
		return lua.String(p.str())
	case c == '-':
		p.pos++
		return p.negate(p.unary())
	case c == '(':
		p.pos++
		v := p.expr()
		if p.peek() != ')' {
			p.fail("')' expected")
		}
		p.pos++
		return v
	case isDigit(c) || c == '.':
		start := p.pos
		for p.pos < len(p.s) {
			d := p.s[p.pos]
			if isDigit(d) || isAlpha(d) || d == '.' {
				p.pos++
			} else if (d == '+' || d == '-') && strings.IndexByte("eEpP", p.s[p.pos-1]) >= 0 &&
				!(strings.HasPrefix(strings.ToLower(p.s[start:]), "0x") && (p.s[p.pos-1] == 'e' || p.s[p.pos-1] == 'E')) {
				p.pos++
			} else {
				break
			}
		}
		v, ok := lua.StringToNumber(p.s[start:p.pos])
		if !ok {
			p.fail("bad number")
		}
		return v
	case isAlpha(c):
		start := p.pos
		for p.pos < len(p.s) && (isAlpha(p.s[p.pos]) || isDigit(p.s[p.pos]) || p.s[p.pos] == '.') {
			p.pos++
		}
		name := p.s[start:p.pos]
		switch name {
		case "nil":
			return lua.Nil
		case "true":
			return lua.True
		case "false":
			return lua.False
		}
		f := p.h.resolve(name)
		if p.peek() == '(' {
			p.pos++
			args := p.list()
			if p.peek() != ')' {
				p.fail("')' expected")
			}
			p.pos++
			res := p.h.L.CallValue(f, 1, args...)
			return res[0]
		}
		return f
	}
	p.fail("unexpected character")
	return lua.Nil
}

func (p *parser) table() lua.Value {
	p.pos++ // {
	var items []lua.Value
	type kv struct{ k, v lua.Value }
	var fields []kv
	for {
		c := p.peek()
		if c == '}' {
			p.pos++
			break
		}
		switch {
		case c == '[':
			p.pos++
			k := p.expr()
			if p.peek() != ']' {
				p.fail("']' expected")
			}
			p.pos++
			if p.peek() != '=' {
				p.fail("'=' expected")
			}
			p.pos++
			fields = append(fields, kv{k, p.expr()})
		case isAlpha(c):
			save := p.pos
			for p.pos < len(p.s) && (isAlpha(p.s[p.pos]) || isDigit(p.s[p.pos])) {
				p.pos++
			}
			name := p.s[save:p.pos]
			if p.peek() == '=' && (p.pos+1 >= len(p.s) || p.s[p.pos+1] != '=') {
				p.pos++
				fields = append(fields, kv{lua.String(name), p.expr()})
			} else {
				p.pos = save
				items = append(items, p.expr())
			}
		default:
			items = append(items, p.expr())
		}
		if c := p.peek(); c == ',' || c == ';' {
			p.pos++
		} else if c != '}' {
			p.fail("'}' expected")
		}
	}
	t := lua.NewTable(len(items), len(fields))
	for _, f := range fields {
		if err := t.Set(f.k, f.v); err != nil {
			p.fail(err.Error())
		}
	}
	for i, v := range items {
		t.SetInt(int64(i)+1, v)
	}
	return lua.TableValue(t)
}

func (p *parser) str() string {
	q := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.s) {
			p.fail("unfinished string")
		}
		c := p.s[p.pos]
		p.pos++
		if c == q {
			return b.String()
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		e := p.s[p.pos]
		p.pos++
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			n, err := strconv.ParseUint(p.s[p.pos:p.pos+2], 16, 8)
			if err != nil {
				p.fail("bad \\x escape")
			}
			p.pos += 2
			b.WriteByte(byte(n))
		case 'u':
			end := strings.IndexByte(p.s[p.pos:], '}')
			n, err := strconv.ParseUint(p.s[p.pos+1:p.pos+end], 16, 32)
			if err != nil {
				p.fail("bad \\u escape")
			}
			p.pos += end + 1
			b.WriteString(utf8Encode(n))
		default:
			if isDigit(e) {
				n := int(e - '0')
				for k := 0; k < 2 && p.pos < len(p.s) && isDigit(p.s[p.pos]); k++ {
					n = n*10 + int(p.s[p.pos]-'0')
					p.pos++
				}
				b.WriteByte(byte(n))
			} else {
				b.WriteByte(e)
			}
		}
	}
}

// utf8Encode encodes x as Lua's \u{XXX} escape does (up to 2^31).
func utf8Encode(x uint64) string {
	if x < 0x80 {
		return string([]byte{byte(x)})
	}
	var buf [8]byte
	n := 1
	mfb := uint64(0x3f)
	for {
		buf[8-n] = byte(0x80 | (x & 0x3f))
		n++
		x >>= 6
		mfb >>= 1
		if x <= mfb {
			break
		}
	}
	buf[8-n] = byte((^mfb << 1) | x)
	return string(buf[8-n:])
}

// helpers returns the Go versions of prelude.lua's functions and values.
func (h *harness) helpers() map[string]lua.Value {
	L := h.L
	env := map[string]lua.Value{
		"nan":    lua.Float(math.NaN()),
		"inf":    lua.Float(math.Inf(1)),
		"maxint": lua.Int(math.MaxInt64),
		"minint": lua.Int(math.MinInt64),
		"two31":  lua.Int(1 << 31),
		"two32":  lua.Int(1 << 32),
		"two53":  lua.Float(1 << 53),
		"two63":  lua.Float(1 << 63),
	}
	// nan in lua5.3 is 0/0, whose sign bit is set on x86.
	env["nan"] = lua.Float(math.Float64frombits(0xfff8000000000000))
	fn := func(name string, f lua.GoFunc) { env[name] = lua.NewGoFunction(name, f) }
	logf := func(format string, args ...any) { h.log = append(h.log, fmt.Sprintf(format, args...)) }
	cmp := func(name, sym string, f func(a, b lua.Value) bool) {
		fn(name, func(L *lua.State) int {
			a, b := L.Arg(1), L.Arg(2)
			logf("%s%s%s", tostr(a), sym, tostr(b))
			L.PushBool(f(a, b))
			return 1
		})
	}
	cmp("cmp_lt", "<", func(a, b lua.Value) bool { return L.LessThan(a, b) })
	cmp("cmp_gt", ">", func(a, b lua.Value) bool { return L.LessThan(b, a) })
	cmp("cmp_le", "<=", func(a, b lua.Value) bool { return L.LessEqual(a, b) })
	cmp("cmp_true", "?", func(a, b lua.Value) bool { return true })
	cmp("cmp_false", "!", func(a, b lua.Value) bool { return false })
	fn("cmp_err", func(L *lua.State) int {
		L.Throw(lua.String("boom"))
		return 0
	})
	// cmp_mod(m) returns a comparator ordering by value % m only.
	fn("cmp_mod", func(L *lua.State) int {
		m := L.CheckInteger(1)
		L.Push(lua.NewGoFunction("cmp_mod", func(L *lua.State) int {
			a, b := L.CheckInteger(1), L.CheckInteger(2)
			logf("%d~%d", a, b)
			L.PushBool(pmod(a, m) < pmod(b, m))
			return 1
		}))
		return 1
	})
	fn("setmetatable", func(L *lua.State) int {
		t := L.CheckTable(1)
		t.SetMetatable(L.Arg(2).AsTable())
		L.Push(L.Arg(1))
		return 1
	})
	// proxy(t): an empty table whose reads, writes and length go to t
	// through logging metamethods.
	fn("proxy", func(L *lua.State) int {
		back := L.Arg(1)
		mt := lua.NewTable(0, 3)
		mt.SetStr("__index", lua.NewGoFunction("__index", func(L *lua.State) int {
			k := L.Arg(2)
			logf("get(%s)", tostr(k))
			L.Push(back.AsTable().Get(k))
			return 1
		}))
		mt.SetStr("__newindex", lua.NewGoFunction("__newindex", func(L *lua.State) int {
			k, v := L.Arg(2), L.Arg(3)
			logf("set(%s,%s)", tostr(k), tostr(v))
			L.RawSet(back.AsTable(), k, v)
			return 0
		}))
		mt.SetStr("__len", lua.NewGoFunction("__len", func(L *lua.State) int {
			n := back.AsTable().Len()
			logf("len=%d", n)
			L.PushInt(n)
			return 1
		}))
		p := lua.NewTable(0, 0)
		p.SetMetatable(mt)
		L.Push(lua.TableValue(p))
		return 1
	})
	// withlen(t, n): t with a __len returning n (any value).
	fn("withlen", func(L *lua.State) int {
		n := L.Arg(2)
		mt := lua.NewTable(0, 1)
		mt.SetStr("__len", lua.NewGoFunction("__len", func(L *lua.State) int {
			L.Push(n)
			return 1
		}))
		L.CheckTable(1).SetMetatable(mt)
		L.Push(L.Arg(1))
		return 1
	})
	// collect(f, ...): the generic for protocol of f(...), each step in
	// protected mode.
	fn("collect", func(L *lua.State) int {
		res := L.CallValue(L.Arg(1), 3, argsFrom(L, 2)...)
		it, s, ctl := res[0], res[1], res[2]
		out := lua.NewTable(0, 0)
		n := int64(0)
		for {
			r, err := L.PCallValue(it, s, ctl)
			n++
			if err != nil {
				msg := err.Error()
				if e, ok := err.(*lua.Error); ok {
					msg = tostr(e.Value)
				}
				out.SetInt(n, lua.String("error: "+msg))
				break
			}
			if len(r) == 0 || r[0].IsNil() {
				break
			}
			ctl = r[0]
			parts := make([]string, len(r))
			for j, v := range r {
				parts[j] = tostr(v)
			}
			out.SetInt(n, lua.String(strings.Join(parts, " ")))
		}
		L.Push(lua.TableValue(out))
		return 1
	})
	// doubler(): an empty table whose __index returns the key doubled.
	fn("doubler", func(L *lua.State) int {
		mt := lua.NewTable(0, 1)
		mt.SetStr("__index", lua.NewGoFunction("__index", func(L *lua.State) int {
			L.PushInt(2 * L.CheckInteger(2))
			return 1
		}))
		t := lua.NewTable(0, 0)
		t.SetMetatable(mt)
		L.Push(lua.TableValue(t))
		return 1
	})
	// range(n, a, m): {(a*i) % m for i = 1..n} (i itself when a is nil).
	fn("range", func(L *lua.State) int {
		n := L.CheckInteger(1)
		t := lua.NewTable(int(n), 0)
		for i := int64(1); i <= n; i++ {
			v := i
			if !L.IsNoneOrNil(2) {
				v = pmod(L.CheckInteger(2)*i, L.CheckInteger(3))
			}
			t.SetInt(i, lua.Int(v))
		}
		L.Push(lua.TableValue(t))
		return 1
	})
	// rep(f, n, ...): {f(...) x n}, each call's results joined by spaces.
	fn("rep", func(L *lua.State) int {
		f := L.Arg(1)
		n := L.CheckInteger(2)
		args := make([]lua.Value, 0, L.NArgs())
		for i := 3; i <= L.NArgs(); i++ {
			args = append(args, L.Arg(i))
		}
		t := lua.NewTable(int(n), 0)
		for i := int64(1); i <= n; i++ {
			res := L.CallValue(f, lua.MultRet, args...)
			parts := make([]string, len(res))
			for j, r := range res {
				parts[j] = tostr(r)
			}
			t.SetInt(i, lua.String(strings.Join(parts, " ")))
		}
		L.Push(lua.TableValue(t))
		return 1
	})
	// str(...): the values converted with tostring and joined by spaces
	// (to show floats exactly, e.g. str(math.pi) is "3.1415926535898").
	fn("mtype", func(L *lua.State) int {
		v := L.Arg(1)
		switch {
		case v.IsInt():
			L.PushString("integer")
		case v.IsFloat():
			L.PushString("float")
		default:
			L.PushNil()
		}
		return 1
	})
	// hex(f, ...): f's first result as "%a"-free exact text: "%.17g".
	fn("g17", func(L *lua.State) int {
		res := L.CallValue(L.Arg(1), lua.MultRet, argsFrom(L, 2)...)
		parts := make([]string, len(res))
		for j, r := range res {
			if f, ok := r.AsFloat(); ok {
				parts[j] = fmtG17(f)
			} else {
				parts[j] = tostr(r)
			}
		}
		L.PushString(strings.Join(parts, " "))
		return 1
	})
	fn("tostring", func(L *lua.State) int {
		L.PushString(L.ToStringMeta(L.Arg(1)))
		return 1
	})
	return env
}

func argsFrom(L *lua.State, first int) []lua.Value {
	var args []lua.Value
	for i := first; i <= L.NArgs(); i++ {
		args = append(args, L.Arg(i))
	}
	return args
}

// fmtG17 formats f as C's "%.17g".
func fmtG17(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f != f:
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	// Go writes exponents as e+06; C as e+06 too, but Go may drop the
	// trailing zeros that %g also drops: both remove them.
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := exp[0]
		digits := exp[1:]
		if len(digits) < 2 {
			digits = "0" + digits
		}
		s = mant + "e" + string(sign) + digits
	}
	return s
}

func pmod(a, m int64) int64 {
	r := a % m
	if r != 0 && (r^m) < 0 {
		r += m
	}
	return r
}
