package stringlib

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/runtime/lua/luaconv"
)

// The table-driven tests: testdata/cases.txt lists calls "name args" (args
// in a small subset of Lua's expression syntax); testdata/expected.txt
// holds what lua5.3 returns for each, as testdata/gen.lua prints it.
// Regenerate with: go test ./stdlib/stringlib -run TestCases -update

var update = flag.Bool("update", false, "regenerate testdata/expected.txt with lua5.3")

// newState returns a state with the library open and registered in
// package.loaded, so that errors name functions as lua5.3 names them when
// they are called through pcall ("string.format").
func newState() (*lua.State, *lua.Table) {
	L := lua.NewState()
	lib := Open(L)
	loaded := lua.NewTable(0, 2)
	loaded.SetStr("string", lua.TableValue(lib))
	L.Registry().SetStr("_LOADED", lua.TableValue(loaded))
	return L, lib
}

type testCase struct {
	line int
	name string
	args string
}

func readCases(t testing.TB) []testCase {
	f, err := os.Open("testdata/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []testCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, args, _ := strings.Cut(line, " ")
		cases = append(cases, testCase{n, name, args})
	}
	return cases
}

func esc(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == '\\' {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isAlpha(c byte) bool { return ctype[c]&cAlpha != 0 }

func ser1(v lua.Value) string {
	switch v.Type() {
	case lua.TypeNil:
		return "nil"
	case lua.TypeBoolean:
		if v.Truthy() {
			return "true"
		}
		return "false"
	case lua.TypeNumber:
		if i, ok := v.AsInt(); ok {
			return "i:" + strconv.FormatInt(i, 10)
		}
		f, _ := v.AsFloat()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
		return fmt.Sprintf("f:%x", b)
	case lua.TypeString:
		s, _ := v.AsString()
		return "s:" + esc(s)
	}
	return v.TypeName()
}

func ser(vs []lua.Value) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = ser1(v)
	}
	return strings.Join(out, " ")
}

// gmatchAll collects gmatch's results as gen.lua's gmatchall does.
func gmatchAll(L *lua.State) int {
	it := L.Call1(L.Registry().GetStr("_LOADED").AsTable().GetStr("string").AsTable().GetStr("gmatch"), L.Arg(1), L.Arg(2))
	var out []string
	for len(out) < 100 {
		r := L.CallValue(it, lua.MultRet)
		if len(r) == 0 || r[0].IsNil() {
			break
		}
		out = append(out, ser(r))
	}
	L.PushString(strings.Join(out, ";"))
	return 1
}

// run calls the case and returns its result line.
func run(L *lua.State, lib *lua.Table, c testCase) (string, error) {
	args, err := parseArgs(c.args)
	if err != nil {
		return "", err
	}
	var f lua.Value
	if c.name == "gmatchall" {
		f = lua.NewGoFunction("gmatchall", gmatchAll)
	} else {
		f = lib.GetStr(c.name)
	}
	res, perr := L.PCallValue(f, args...)
	if perr != nil {
		return "E:" + esc(perr.Error()), nil
	}
	return "ok " + ser(res), nil
}

func TestCases(t *testing.T) {
	cases := readCases(t)
	if *update {
		out, err := exec.Command("lua5.3", "testdata/gen.lua", "testdata/cases.txt").Output()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/expected.txt", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("testdata/expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(want) != len(cases) {
		t.Fatalf("%d cases but %d expectations: run with -update", len(cases), len(want))
	}
	L, lib := newState()
	fails := 0
	for i, c := range cases {
		t0 := time.Now()
		got, err := run(L, lib, c)
		if d := time.Since(t0); d > 100*time.Millisecond {
			t.Logf("cases.txt:%d: slow (%v)", c.line, d)
		}
		if err != nil {
			t.Errorf("cases.txt:%d: %v", c.line, err)
			continue
		}
		if got != want[i] {
			fails++
			if fails <= 60 {
				t.Errorf("cases.txt:%d: %s %s\n got %s\nwant %s", c.line, c.name, c.args, got, want[i])
			}
		}
	}
	t.Logf("%d cases, %d failures", len(cases), fails)
}

// parseArgs evaluates a comma-separated list of literals: strings (with
// Lua's escapes), numbers, nil, true, false, 1/0, -1/0, 0/0, math.huge,
// math.pi, math.mininteger, math.maxinteger, R(s, n) (string.rep), print
// (some Go function) and tables {k=v, ...} with name keys.
func parseArgs(s string) ([]lua.Value, error) {
	p := &argParser{s: s}
	var vs []lua.Value
	p.skip()
	if p.i == len(p.s) {
		return nil, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
		p.skip()
		if p.i == len(p.s) {
			return vs, nil
		}
		if p.s[p.i] != ',' {
			return nil, fmt.Errorf("expected ',' at %q", p.s[p.i:])
		}
		p.i++
		p.skip()
	}
}

type argParser struct {
	s string
	i int
}

func (p *argParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *argParser) lit(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *argParser) value() (lua.Value, error) {
	switch {
	case p.lit("nil"):
		return lua.Nil, nil
	case p.lit("true"):
		return lua.True, nil
	case p.lit("false"):
		return lua.False, nil
	case p.lit("1/0"), p.lit("math.huge"):
		return lua.Float(math.Inf(1)), nil
	case p.lit("-1/0"), p.lit("-math.huge"):
		return lua.Float(math.Inf(-1)), nil
	case p.lit("-(0/0)"):
		return lua.Float(math.Float64frombits(0x7ff8000000000000)), nil
	case p.lit("0/0"):
		return lua.Float(math.Float64frombits(0xfff8000000000000)), nil
	case p.lit("-math.pi"):
		return lua.Float(-math.Pi), nil
	case p.lit("math.pi"):
		return lua.Float(math.Pi), nil
	case p.lit("math.mininteger"):
		return lua.Int(math.MinInt64), nil
	case p.lit("math.maxinteger"):
		return lua.Int(math.MaxInt64), nil
	case p.lit("print"):
		return lua.NewGoFunction("print", func(*lua.State) int { return 0 }), nil
	case p.lit("R("):
		sv, err := p.value()
		if err != nil {
			return lua.Nil, err
		}
		p.skip()
		if !p.lit(",") {
			return lua.Nil, fmt.Errorf("R: expected ','")
		}
		p.skip()
		nv, err := p.value()
		if err != nil {
			return lua.Nil, err
		}
		if !p.lit(")") {
			return lua.Nil, fmt.Errorf("R: expected ')'")
		}
		str, _ := sv.AsString()
		n, _ := nv.AsInt()
		return lua.String(strings.Repeat(str, int(n))), nil
	case p.lit("{"):
		t := lua.NewTable(0, 0)
		for {
			p.skip()
			if p.lit("}") {
				return lua.TableValue(t), nil
			}
			j := p.i
			for j < len(p.s) && (isAlpha(p.s[j]) || p.s[j] == '_') {
				j++
			}
			key := p.s[p.i:j]
			p.i = j
			if !p.lit("=") {
				return lua.Nil, fmt.Errorf("table: expected '='")
			}
			v, err := p.value()
			if err != nil {
				return lua.Nil, err
			}
			t.SetStr(key, v)
			p.skip()
			p.lit(",")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == '"' || p.s[p.i] == '\'') {
		return p.str()
	}
	j := p.i
	for j < len(p.s) && p.s[j] != ',' && p.s[j] != ' ' && p.s[j] != ')' && p.s[j] != '}' {
		j++
	}
	n, ok := luaconv.StringToNumber(p.s[p.i:j])
	if !ok {
		return lua.Nil, fmt.Errorf("bad value at %q", p.s[p.i:])
	}
	p.i = j
	if n.IsFloat {
		return lua.Float(n.F), nil
	}
	return lua.Int(n.I), nil
}

func (p *argParser) str() (lua.Value, error) {
	q := p.s[p.i]
	p.i++
	var b []byte
	for {
		if p.i >= len(p.s) {
			return lua.Nil, fmt.Errorf("unfinished string")
		}
		c := p.s[p.i]
		p.i++
		if c == q {
			return lua.Bytes(b), nil
		}
		if c != '\\' {
			b = append(b, c)
			continue
		}
		c = p.s[p.i]
		p.i++
		switch c {
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'a':
			b = append(b, '\a')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'v':
			b = append(b, '\v')
		case 'x':
			v, err := strconv.ParseUint(p.s[p.i:p.i+2], 16, 8)
			if err != nil {
				return lua.Nil, err
			}
			b = append(b, byte(v))
			p.i += 2
		default:
			if isDigit(c) {
				v := int(c - '0')
				for k := 0; k < 2 && p.i < len(p.s) && isDigit(p.s[p.i]); k++ {
					v = v*10 + int(p.s[p.i]-'0')
					p.i++
				}
				b = append(b, byte(v))
			} else {
				b = append(b, c)
			}
		}
	}
}

// TestCasesLive checks, when lua5.3 is on PATH, that testdata/expected.txt
// is what lua5.3 prints for testdata/cases.txt today.
func TestCasesLive(t *testing.T) {
	if _, err := exec.LookPath("lua5.3"); err != nil {
		t.Skip("lua5.3 not on PATH")
	}
	out, err := exec.Command("lua5.3", "testdata/gen.lua", "testdata/cases.txt").Output()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/expected.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(data) {
		t.Error("testdata/expected.txt differs from lua5.3's output: run with -update")
	}
}
