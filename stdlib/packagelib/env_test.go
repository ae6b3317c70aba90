package packagelib

import (
	"os"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/luactest"
)

// TestPaths: package.path and cpath from the environment, as lua5.3
// computes them (expectations from `LUA_PATH=... lua5.3 -e
// 'print(package.path)'`).
func TestPaths(t *testing.T) {
	for _, c := range []struct {
		env         map[string]string
		noEnv       bool
		path, cpath string
	}{
		{nil, false, DefaultPath, DefaultCPath},
		{map[string]string{"LUA_PATH": "x;;y", "LUA_CPATH_5_3": ";;"}, false,
			"x;" + DefaultPath + ";y", ";" + DefaultCPath + ";"},
		{map[string]string{"LUA_PATH_5_3": "", "LUA_PATH": "z"}, false, "", DefaultCPath},
		{map[string]string{"LUA_PATH_5_3": "v", "LUA_PATH": "z", "LUA_CPATH": "c"}, false, "v", "c"},
		{map[string]string{"LUA_PATH": "a;;;b"}, false, "a;" + DefaultPath + ";;b", DefaultCPath},
		{map[string]string{"LUA_PATH": "a;;;b"}, true, DefaultPath, DefaultCPath},
	} {
		saved := LookupEnv
		LookupEnv = func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
		L := lua.NewState()
		if c.noEnv {
			L.Registry().SetStr("LUA_NOENV", lua.True)
		}
		p := Open(L)
		LookupEnv = saved
		if s, _ := p.GetStr("path").AsString(); s != c.path {
			t.Errorf("%v: path %q, want %q", c.env, s, c.path)
		}
		if s, _ := p.GetStr("cpath").AsString(); s != c.cpath {
			t.Errorf("%v: cpath %q, want %q", c.env, s, c.cpath)
		}
	}
}

func TestOpen(t *testing.T) {
	L := lua.NewState()
	loaded := lua.NewTable(0, 0)
	L.Registry().SetStr("_LOADED", lua.TableValue(loaded))
	p := Open(L)
	if p.GetStr("loaded").AsTable() != loaded {
		t.Error("package.loaded is not the registry's _LOADED")
	}
	if p.GetStr("preload").AsTable() != L.Registry().GetStr("_PRELOAD").AsTable() || p.GetStr("preload").AsTable() == nil {
		t.Error("package.preload is not the registry's _PRELOAD")
	}
	if !L.Globals().GetStr("require").IsFunction() {
		t.Error("require is not set")
	}
	if s, _ := p.GetStr("config").AsString(); s != "/\n;\n?\n!\n-\n" {
		t.Errorf("config %q", s)
	}
	L2 := lua.NewState()
	p2 := Open(L2)
	if p2.GetStr("loaded").AsTable() != L2.Registry().GetStr("_LOADED").AsTable() {
		t.Error("_LOADED not created")
	}
}

// TestCModules: C libraries are found on cpath but cannot be loaded
// (lua5.3 would dlopen them).
func TestCModules(t *testing.T) {
	src := `package.path = "testdata/mods/?.lua"
package.cpath = "testdata/mods/?.so"
print(pcall(require, "clib"))
print(pcall(require, "croot.x"))
print(package.loadlib("testdata/mods/clib.so", "luaopen_clib"))
print(package.loadlib("x", "*"))
print(pcall(package.loadlib, "x"))
`
	want := "false\terror loading module 'clib' from file 'testdata/mods/clib.so':\n\t" + DynamicLibMessage + "\n" +
		"false\terror loading module 'croot.x' from file 'testdata/mods/croot.so':\n\t" + DynamicLibMessage + "\n" +
		"nil\t" + DynamicLibMessage + "\tabsent\n" +
		"nil\tx: cannot open shared object file: No such file or directory\topen\n" +
		"false\tbad argument #2 to 'package.loadlib' (string expected, got no value)\n"
	got := luactest.Run(newState(), src)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSkipPrefix(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"return 1", "return 1"},
		{"\xEF\xBB\xBFreturn 1", "return 1"},
		{"\xEF\xBBreturn 1", "\xEF\xBBreturn 1"},
		{"#!/bin/lua\nreturn 1", "\nreturn 1"},
		{"#!/bin/lua", "\n"},
		{"#\n", "\n"},
		{"\xEF\xBB\xBF#x\ny", "\ny"},
		{"#!x\n\x1bLua", "\x1bLua"},
		{"\x1bLua", "\x1bLua"},
		{" #x\n", " #x\n"},
	} {
		if got := string(SkipPrefix([]byte(c.in))); got != c.want {
			t.Errorf("SkipPrefix(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	L := lua.NewState()
	for _, c := range []struct{ file, want string }{
		{"testdata/nonexistent.lua", "cannot open testdata/nonexistent.lua: No such file or directory"},
		{"testdata/mods/isdir.lua", "cannot read testdata/mods/isdir.lua: Is a directory"},
	} {
		_, err := LoadFile(L, c.file, "bt")
		if err == nil || err.Error() != c.want {
			t.Errorf("LoadFile(%s): %v, want %s", c.file, err, c.want)
		}
	}
	if os.Getuid() != 0 {
		f := t.TempDir() + "/noperm.lua"
		os.WriteFile(f, []byte("return 1"), 0)
		_, err := LoadFile(L, f, "bt")
		if err == nil || !strings.HasSuffix(err.Error(), ": Permission denied") || !strings.HasPrefix(err.Error(), "cannot open ") {
			t.Errorf("unreadable file: %v", err)
		}
	}
}
