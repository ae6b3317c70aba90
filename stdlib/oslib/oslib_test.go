package oslib

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/runtime/lua/luaconv"
)

// newState returns a state with the os library registered as os and
// package.loaded.os, so that messages name functions as lua5.3's
// pcall(os.f, ...) does.
func newState(t *testing.T) (*lua.State, *lua.Table) {
	t.Helper()
	L := lua.NewState()
	lib := Open(L)
	loaded := lua.NewTable(0, 4)
	loaded.SetStr("os", lua.TableValue(lib))
	L.Registry().SetStr("_LOADED", lua.TableValue(loaded))
	L.Globals().SetStr("os", lua.TableValue(lib))
	return L, lib
}

// show formats values as print does (tostring of each, tab-separated).
func show(vals []lua.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = showValue(v)
	}
	return strings.Join(parts, "\t")
}

func showValue(v lua.Value) string {
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
			return luaconv.FormatInteger(i)
		}
		f, _ := v.AsFloat()
		return luaconv.FormatFloat(f)
	case lua.TypeString:
		s, _ := v.AsString()
		return s
	}
	return v.TypeName()
}

func setZone(t *testing.T, name string) {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("zone %s: %v", name, err)
	}
	zone = loc
	t.Cleanup(func() { zone = nil })
}

func TestDate(t *testing.T) {
	f, err := os.Open("testdata/date.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	L, lib := newState(t)
	const fmtAll = "%a|%A|%b|%B|%c|%C|%d|%D|%e|%F|%g|%G|%h|%H|%I|%j|%m|%M|%n|%p|%r|%R|%S|%t|%T|%u|%U|%V|%w|%W|%x|%X|%y|%Y|%z|%Z|%%|%Ec|%EC|%Ex|%EX|%Ey|%EY|%Od|%Oe|%OH|%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy"
	sc := bufio.NewScanner(f)
	cur := ""
	n, bad := 0, 0
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 4)
		if len(fields) < 4 {
			t.Fatalf("bad line %q", sc.Text())
		}
		zoneName, prefix, ts, want := fields[0], fields[1], fields[2], fields[3]
		if zoneName != cur {
			setZone(t, zoneName)
			cur = zoneName
		}
		tv, _ := lua.StringToNumber(ts)
		var got string
		if strings.HasSuffix(prefix, "*t") {
			res, err := L.PCallValue(lib.GetStr("date"), lua.String(prefix), tv)
			if err != nil {
				got = "(command line):1: " + err.Error()
				want = strings.Replace(want, "gen_date.lua:22: ", "(command line):1: ", 1)
				got = strings.TrimPrefix(got, "(command line):1: ")
				want = strings.TrimPrefix(want, "(command line):1: ")
			} else {
				tb := res[0].AsTable()
				var parts []string
				for _, k := range []string{"year", "month", "day", "hour", "min", "sec", "wday", "yday", "isdst"} {
					parts = append(parts, showValue(tb.GetStr(k)))
				}
				got = strings.Join(parts, "\t")
			}
		} else {
			res, err := L.PCallValue(lib.GetStr("date"), lua.String(prefix+fmtAll), tv)
			if err != nil {
				got = err.Error()
			} else {
				s, _ := res[0].AsString()
				got = strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(s)
			}
		}
		n++
		if got != want {
			bad++
			if bad <= 20 {
				t.Errorf("%s os.date(%q, %s):\n got %s\nwant %s", zoneName, prefix, ts, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, n)
	}
}

// pcallShow renders pcall(lib[name], args...) as print shows it.
func pcallShow(L *lua.State, lib *lua.Table, name string, args ...lua.Value) string {
	res, err := L.PCallValue(lib.GetStr(name), args...)
	if err != nil {
		return "false\t" + err.Error()
	}
	return show(append([]lua.Value{lua.True}, res...))
}

func TestTime(t *testing.T) {
	data, err := os.ReadFile("testdata/time.txt")
	if err != nil {
		t.Fatal(err)
	}
	L, lib := newState(t)
	cur := ""
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		fields := strings.SplitN(line, "\t", 3)
		zoneName, desc, want := fields[0], fields[1], fields[2]
		if zoneName != cur {
			setZone(t, zoneName)
			cur = zoneName
		}
		tb := lua.NewTable(0, 8)
		for _, kv := range strings.Split(strings.Trim(desc, "{}"), ",") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			var val lua.Value
			switch {
			case v == "true" || v == "false":
				val = lua.Bool(v == "true")
			case strings.HasPrefix(v, `"`):
				val = lua.String(strings.Trim(v, `"`))
			default:
				val, _ = lua.StringToNumber(v)
			}
			tb.SetStr(k, val)
		}
		var got string
		res, err := L.PCallValue(lib.GetStr("time"), lua.TableValue(tb))
		if err != nil {
			got = err.Error()
		} else {
			parts := []string{showValue(res[0])}
			for _, k := range []string{"year", "month", "day", "hour", "min", "sec", "wday", "yday", "isdst"} {
				parts = append(parts, showValue(tb.GetStr(k)))
			}
			got = strings.Join(parts, "\t")
		}
		if got != want {
			t.Errorf("%s os.time(%s):\n got %s\nwant %s", zoneName, desc, got, want)
		}
	}
}

func TestFunctions(t *testing.T) {
	L, lib := newState(t)
	S, I, F := lua.String, lua.Int, lua.Float
	T := func() lua.Value { return lua.TableValue(lua.NewTable(0, 0)) }
	cases := []struct {
		fn   string
		args []lua.Value
		want string
	}{
		{"date", []lua.Value{S("%Ez abc"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%Ez abc')"},
		{"date", []lua.Value{S("%"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%')"},
		{"date", []lua.Value{S("%E"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%E')"},
		{"date", []lua.Value{S("%O"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%O')"},
		{"date", []lua.Value{S("%Oz"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%Oz')"},
		{"date", []lua.Value{S("%s"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%s')"},
		{"date", []lua.Value{S("a%5"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%5')"},
		{"date", []lua.Value{S("x\x00%Q"), I(0)}, "false\tbad argument #1 to 'os.date' (invalid conversion specifier '%Q')"},
		{"date", []lua.Value{S("!%H\x00%M"), I(3600)}, "true\t01\x0000"},
		{"date", []lua.Value{I(12), I(0)}, "true\t12"},
		{"date", []lua.Value{S("!*t\x00x"), I(0)}, "true\ttable"},
		{"date", []lua.Value{S("!x"), S("10")}, "true\tx"},
		{"date", []lua.Value{S("!%c"), F(1)}, "true\tThu Jan  1 00:00:01 1970"},
		{"date", []lua.Value{S("!%c"), F(1.5)}, "false\tbad argument #2 to 'os.date' (number has no integer representation)"},
		{"date", []lua.Value{S("!%c"), S("x")}, "false\tbad argument #2 to 'os.date' (number expected, got string)"},
		{"date", []lua.Value{T(), F(1)}, "false\tbad argument #1 to 'os.date' (string expected, got table)"},
		{"date", []lua.Value{S("!%Y"), I(1 << 60)}, "false\ttime result cannot be represented in this installation"},
		{"difftime", []lua.Value{I(10), I(3)}, "true\t7.0"},
		{"difftime", []lua.Value{S("10"), I(3)}, "true\t7.0"},
		{"difftime", []lua.Value{F(10.5), I(3)}, "false\tbad argument #1 to 'os.difftime' (number has no integer representation)"},
		{"difftime", []lua.Value{I(10)}, "false\tbad argument #2 to 'os.difftime' (number expected, got no value)"},
		{"difftime", nil, "false\tbad argument #1 to 'os.difftime' (number expected, got no value)"},
		{"difftime", []lua.Value{I(9223372036854775807), I(-9223372036854775808)}, "true\t1.844674407371e+19"},
		{"getenv", nil, "false\tbad argument #1 to 'os.getenv' (string expected, got no value)"},
		{"getenv", []lua.Value{S("NO_SUCH_VAR_XYZ")}, "true\tnil"},
		{"setlocale", nil, "true\tC"},
		{"setlocale", []lua.Value{S("C")}, "true\tC"},
		{"setlocale", []lua.Value{S("POSIX")}, "true\tC"},
		{"setlocale", []lua.Value{S("")}, "true\tC"},
		{"setlocale", []lua.Value{S("en_US.UTF-8")}, "true\tnil"},
		{"setlocale", []lua.Value{lua.Nil, S("numeric")}, "true\tC"},
		{"setlocale", []lua.Value{S("C"), S("time")}, "true\tC"},
		{"setlocale", []lua.Value{S("C"), S("bogus")}, "false\tbad argument #2 to 'os.setlocale' (invalid option 'bogus')"},
		{"setlocale", []lua.Value{T()}, "false\tbad argument #1 to 'os.setlocale' (string expected, got table)"},
		{"remove", nil, "false\tbad argument #1 to 'os.remove' (string expected, got no value)"},
		{"remove", []lua.Value{S("/nonexistent/file")}, "true\tnil\t/nonexistent/file: No such file or directory\t2"},
		{"remove", []lua.Value{S("/")}, "true\tnil\t/: Device or resource busy\t16"},
		{"rename", []lua.Value{S("/nonexistent/file"), S("/tmp/x")}, "true\tnil\tNo such file or directory\t2"},
		{"rename", []lua.Value{S("/nonexistent/file")}, "false\tbad argument #2 to 'os.rename' (string expected, got no value)"},
		{"time", []lua.Value{T()}, "false\tfield 'day' missing in date table"},
		{"time", []lua.Value{S("x")}, "false\tbad argument #1 to 'os.time' (table expected, got string)"},
		{"execute", []lua.Value{S("exit 7")}, "true\tnil\texit\t7"},
		{"execute", []lua.Value{S("kill -9 $$")}, "true\tnil\tsignal\t9"},
		{"execute", []lua.Value{S("true")}, "true\ttrue\texit\t0"},
		{"execute", nil, "true\ttrue"},
		{"execute", []lua.Value{T()}, "false\tbad argument #1 to 'os.execute' (string expected, got table)"},
		{"exit", []lua.Value{S("x")}, "false\tbad argument #1 to 'os.exit' (number expected, got string)"},
		{"exit", []lua.Value{F(1.5)}, "false\tbad argument #1 to 'os.exit' (number has no integer representation)"},
	}
	for _, c := range cases {
		if got := pcallShow(L, lib, c.fn, c.args...); got != c.want {
			t.Errorf("os.%s%v:\n got %q\nwant %q", c.fn, c.args, got, c.want)
		}
	}
}

func TestFiles(t *testing.T) {
	L, lib := newState(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := pcallShow(L, lib, "rename", lua.String(a), lua.String(b)); got != "true\ttrue" {
		t.Errorf("rename: %q", got)
	}
	if got := pcallShow(L, lib, "remove", lua.String(b)); got != "true\ttrue" {
		t.Errorf("remove: %q", got)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "f"), nil, 0o644)
	if got, want := pcallShow(L, lib, "remove", lua.String(sub)), "true\tnil\t"+sub+": Directory not empty\t39"; got != want {
		t.Errorf("remove dir: %q want %q", got, want)
	}
	os.Remove(filepath.Join(sub, "f"))
	if got := pcallShow(L, lib, "remove", lua.String(sub)); got != "true\ttrue" {
		t.Errorf("remove empty dir: %q", got)
	}
	res, err := L.PCallValue(lib.GetStr("tmpname"))
	if err != nil {
		t.Fatal(err)
	}
	name, _ := res[0].AsString()
	if len(name) != len("/tmp/lua_XXXXXX") || !strings.HasPrefix(name, "/tmp/lua_") {
		t.Errorf("tmpname %q", name)
	}
	if st, err := os.Stat(name); err != nil || st.Size() != 0 {
		t.Errorf("tmpname file: %v", err)
	}
	os.Remove(name)
}

func TestGetenvClock(t *testing.T) {
	L, lib := newState(t)
	t.Setenv("OSLIB_TEST_VAR", "a=b")
	if got := pcallShow(L, lib, "getenv", lua.String("OSLIB_TEST_VAR")); got != "true\ta=b" {
		t.Errorf("getenv: %q", got)
	}
	res, err := L.PCallValue(lib.GetStr("clock"))
	if err != nil || len(res) != 1 || !res[0].IsFloat() {
		t.Fatalf("clock: %v %v", res, err)
	}
	c0, _ := res[0].AsFloat()
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
	}
	res, _ = L.PCallValue(lib.GetStr("clock"))
	if c1, _ := res[0].AsFloat(); c1 <= c0 {
		t.Errorf("clock did not advance: %v %v", c0, c1)
	}
	res, _ = L.PCallValue(lib.GetStr("time"))
	if n, ok := res[0].AsInt(); !ok || n < time.Now().Unix()-5 {
		t.Errorf("time() = %v", res)
	}
}

func TestExit(t *testing.T) {
	L, lib := newState(t)
	var calls []string
	AtExit(L, lua.NewGoFunction("hook", func(L *lua.State) int {
		calls = append(calls, "atexit "+showValue(L.Arg(1)))
		return 0
	}))
	L.Registry().SetStr(ExitKey, lua.NewGoFunction("exit", func(L *lua.State) int {
		calls = append(calls, "exit "+showValue(L.Arg(1)))
		return 0
	}))
	for _, args := range [][]lua.Value{nil, {lua.True}, {lua.False, lua.True}, {lua.Int(3)}, {lua.Int(256 + 7), lua.Int(0)}} {
		if _, err := L.PCallValue(lib.GetStr("exit"), args...); err != nil {
			t.Fatal(err)
		}
	}
	want := "atexit false|exit 0|atexit false|exit 0|atexit true|exit 1|atexit false|exit 3|atexit true|exit 263"
	if got := strings.Join(calls, "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestExecuteOutput checks that a command's output goes to the state's
// standard output.
func TestExecuteOutput(t *testing.T) {
	L, lib := newState(t)
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	errf, err := os.CreateTemp(t.TempDir(), "err")
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	L.SetOutput(out, errf)
	if got := pcallShow(L, lib, "execute", lua.String("echo hello; echo err >&2")); got != "true\ttrue\texit\t0" {
		t.Errorf("execute: %q", got)
	}
	data, _ := os.ReadFile(out.Name())
	if string(data) != "hello\n" {
		t.Errorf("output %q", data)
	}
	if data, _ := os.ReadFile(errf.Name()); string(data) != "err\n" {
		t.Errorf("error output %q", data)
	}
}

// TestLive compares a few results with lua5.3's when it is installed.
func TestLive(t *testing.T) {
	lua53, err := exec.LookPath("lua5.3")
	if err != nil {
		t.Skip("lua5.3 not installed")
	}
	const fmtAll = "%a|%A|%b|%B|%c|%C|%d|%D|%e|%F|%g|%G|%h|%H|%I|%j|%m|%M|%p|%r|%R|%S|%T|%u|%U|%V|%w|%W|%x|%X|%y|%Y|%z|%Z"
	L, lib := newState(t)
	for _, z := range []string{"Europe/Paris", "America/Sao_Paulo", "Pacific/Chatham"} {
		setZone(t, z)
		for _, ts := range []int64{0, 1700000000, -5000000000, 20000000000} {
			cmd := exec.Command(lua53, "-e", `io.write(os.date(os.getenv("F"), tonumber(os.getenv("T"))))`)
			cmd.Env = append(os.Environ(), "TZ="+z, "F="+fmtAll, "T="+luaconv.FormatInteger(ts))
			want, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			res, err := L.PCallValue(lib.GetStr("date"), lua.String(fmtAll), lua.Int(ts))
			if err != nil {
				t.Fatal(err)
			}
			if got := showValue(res[0]); got != string(want) {
				t.Errorf("%s %d:\n got %s\nwant %s", z, ts, got, want)
			}
		}
	}
}
