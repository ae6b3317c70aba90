package stringlib

import (
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// FuzzMatch checks that pattern matching never panics with a Go error and
// never runs on after cancellation: every failure is a Lua error.
func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{"hello world", "(%w+) (%w+)"},
		{"f(a(b)c)d", "%b()"},
		{"THE (quick) fox", "%f[%a]%a+"},
		{"abcabc", "(abc)%1"},
		{"  x  ", "^%s*(.-)%s*$"},
		{"a,b,,c", "([^,]*)"},
		{"x", "[%"},
		{"x", "[a-%%]"},
		{"x", "%f[]"},
		{"x", "(()"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "(.-)(.-)(.-)(.-)c"},
		{"\x00\xff", "[\x00-\xff]%z"},
		{"x", "[]"},
		{"x", "[^]"},
		{"x", "%b"},
		{"a", strings.Repeat("(", 33)},
		{strings.Repeat("a", 300), strings.Repeat("a?", 300)},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], int64(1))
	}
	f.Fuzz(func(t *testing.T, subject, pattern string, init int64) {
		if len(subject) > 256 || len(pattern) > 64 {
			return
		}
		for _, fn := range []string{"find", "match", "gsub", "gmatch"} {
			fuzzOne(t, fn, subject, pattern, init)
		}
	})
}

func fuzzOne(t *testing.T, fn, subject, pattern string, init int64) {
	L, lib := newState()
	timer := time.AfterFunc(20*time.Millisecond, func() { L.Cancel(S("timeout")) })
	defer timer.Stop()
	start := time.Now()
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				e, ok := r.(*lua.Error)
				if !ok || !e.Cancelled() {
					panic(r)
				}
			}
		}()
		switch fn {
		case "gmatch":
			it := L.Call1(lib.GetStr("gmatch"), S(subject), S(pattern))
			for i := 0; i < 1000 && err == nil; i++ {
				var r []lua.Value
				r, err = L.PCallValue(it)
				if len(r) == 0 || r[0].IsNil() {
					break
				}
			}
		case "gsub":
			_, err = call(L, lib, fn, S(subject), S(pattern), S("<%0>"))
		default:
			_, err = call(L, lib, fn, S(subject), S(pattern), lua.Int(init))
		}
	}()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("%s(%q, %q) ran %v", fn, subject, pattern, d)
	}
	if err != nil && strings.Contains(err.Error(), "internal error") {
		t.Fatalf("%s(%q, %q): %v", fn, subject, pattern, err)
	}
}

// FuzzFormat checks that format never fails with a Go error.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{"%d", "%5.2f", "%-#10x", "%q", "%+.3e", "%#.0a", "%s %s", "%%", "%0-+ #5.3g", "%c", "%99.99f"} {
		f.Add(s, int64(42), 3.14159, "str")
	}
	f.Fuzz(func(t *testing.T, format string, i int64, x float64, s string) {
		if len(format) > 64 {
			return
		}
		L, lib := newState()
		for _, args := range [][]lua.Value{
			{S(format), lua.Int(i), lua.Float(x), S(s)},
			{S(format), lua.Float(x), S(s), lua.Int(i)},
			{S(format), S(s), lua.Int(i), lua.Float(x)},
		} {
			_, err := call(L, lib, "format", args...)
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("format(%q): %v", format, err)
			}
		}
	})
}

// FuzzPack checks that pack, packsize and unpack never fail with a Go
// error.
func FuzzPack(f *testing.F) {
	for _, s := range []string{"i4", "!8i1d", "<s2z", ">I16", "c3Xi4", "j n", "i9", "!3i4"} {
		f.Add(s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", int64(1))
	}
	f.Fuzz(func(t *testing.T, format, data string, pos int64) {
		if len(format) > 32 || strings.ContainsAny(format, "123456789") && strings.Contains(format, "c") {
			return // large 'c' sizes would allocate gigabytes
		}
		L, lib := newState()
		for _, c := range []struct {
			fn   string
			args []lua.Value
		}{
			{"packsize", []lua.Value{S(format)}},
			{"unpack", []lua.Value{S(format), S(data), lua.Int(pos)}},
			{"pack", []lua.Value{S(format), lua.Int(pos), S(data), lua.Float(1.5), S(data), lua.Int(-pos)}},
		} {
			_, err := call(L, lib, c.fn, c.args...)
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%s(%q): %v", c.fn, format, err)
			}
		}
	})
}
