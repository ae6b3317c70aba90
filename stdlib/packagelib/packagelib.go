// Package packagelib is Lua 5.3's package library (loadlib.c) for the
// engine runtime/lua: require, package.path/cpath/config/loaded/preload/
// searchers, package.searchpath and package.loadlib. Lua modules are
// found and loaded as lua5.3 loads them; C modules are found on
// package.cpath but cannot be loaded, since the engine cannot run
// native code: loading one fails with DynamicLibMessage.
package packagelib

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Debian's lua5.3 defaults (luaconf.h with its patch).
const (
	DefaultPath  = "/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;/usr/local/lib/lua/5.3/?.lua;/usr/local/lib/lua/5.3/?/init.lua;/usr/share/lua/5.3/?.lua;/usr/share/lua/5.3/?/init.lua;./?.lua;./?/init.lua"
	DefaultCPath = "/usr/local/lib/lua/5.3/?.so;/usr/lib/x86_64-linux-gnu/lua/5.3/?.so;/usr/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so"
)

// DynamicLibMessage is the error of package.loadlib and of the C
// searchers when they find a library: the engine cannot load native code.
const DynamicLibMessage = "dynamic libraries not supported by this Lua engine (C modules cannot be loaded)"

// Config is package.config: directory separator, path separator,
// substitution mark, executable-directory mark and ignore mark.
const Config = "/\n;\n?\n!\n-\n"

// LookupEnv is how Open reads LUA_PATH and friends (tests replace it).
var LookupEnv = os.LookupEnv

// Open returns the package table and sets the global require, as
// luaopen_package does. package.loaded and package.preload are the
// registry's _LOADED and _PRELOAD tables, created if missing.
func Open(L *lua.State) *lua.Table {
	pkg := lua.NewTable(0, 8)
	pkg.SetStr("loadlib", lua.NewGoFunction("loadlib", loadlib))
	pkg.SetStr("searchpath", lua.NewGoFunction("searchpath", searchpathFn))

	searchers := lua.NewTable(4, 0)
	for i, s := range []lua.GoFunc{searcherPreload, searcherLua(pkg), searcherC(pkg), searcherCRoot(pkg)} {
		searchers.SetInt(int64(i+1), lua.NewGoFunction("", s))
	}
	pkg.SetStr("searchers", lua.TableValue(searchers))

	noEnv := L.Registry().GetStr("LUA_NOENV").Truthy()
	pkg.SetStr("path", lua.String(envPath(noEnv, "LUA_PATH", DefaultPath)))
	pkg.SetStr("cpath", lua.String(envPath(noEnv, "LUA_CPATH", DefaultCPath)))
	pkg.SetStr("config", lua.String(Config))
	pkg.SetStr("loaded", lua.TableValue(subTable(L, "_LOADED")))
	pkg.SetStr("preload", lua.TableValue(subTable(L, "_PRELOAD")))

	L.Globals().SetStr("require", lua.NewGoFunction("require", require(pkg)))
	return pkg
}

// subTable returns the registry's table named name, creating it
// (luaL_getsubtable).
func subTable(L *lua.State, name string) *lua.Table {
	reg := L.Registry()
	if t := reg.GetStr(name).AsTable(); t != nil {
		return t
	}
	t := lua.NewTable(0, 4)
	reg.SetStr(name, lua.TableValue(t))
	return t
}

// envPath computes package.path or cpath as setpath does: NAME_5_3,
// else NAME, else the default; ";;" in the variable stands for the
// default path.
func envPath(noEnv bool, name, def string) string {
	if noEnv {
		return def
	}
	p, ok := LookupEnv(name + "_5_3")
	if !ok {
		p, ok = LookupEnv(name)
	}
	if !ok {
		return def
	}
	p = strings.ReplaceAll(p, ";;", ";\x01;")
	return strings.ReplaceAll(p, "\x01", def)
}

// loadlib is package.loadlib(path, funcname): it always fails, as lua5.3
// built without dynamic library support does.
func loadlib(L *lua.State) int {
	path := L.CheckString(1)
	L.CheckString(2)
	L.PushNil()
	if _, err := os.Stat(path); err != nil {
		// What dlopen reports for a file it cannot open, as lua5.3 does.
		L.PushString(path + ": cannot open shared object file: No such file or directory")
		L.PushString("open")
		return 3
	}
	L.PushString(DynamicLibMessage)
	L.PushString("absent")
	return 3
}

// readable reports whether a file can be opened for reading (as fopen
// with "r" succeeds, also for a directory).
func readable(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// SearchPath looks for name in the ';'-separated templates of path,
// after replacing each sep in name by dirsep (when sep is not empty),
// and returns the first readable file name. When none is readable, it
// returns "" and the "\n\tno file '...'" lines of the names tried.
func SearchPath(name, path, sep, dirsep string) (string, string) {
	var msg strings.Builder
	if sep != "" {
		name = strings.ReplaceAll(name, sep, dirsep)
	}
	for _, tmpl := range strings.Split(path, ";") {
		if tmpl == "" {
			continue
		}
		filename := strings.ReplaceAll(tmpl, "?", name)
		if readable(filename) {
			return filename, ""
		}
		msg.WriteString("\n\tno file '")
		msg.WriteString(filename)
		msg.WriteString("'")
	}
	return "", msg.String()
}

func searchpathFn(L *lua.State) int {
	name := L.CheckString(1)
	path := L.CheckString(2)
	sep := L.OptString(3, ".")
	rep := L.OptString(4, "/")
	f, msg := SearchPath(name, path, sep, rep)
	if f == "" {
		L.PushNil()
		L.PushString(msg)
		return 2
	}
	L.PushString(f)
	return 1
}

// findFile searches package[pname] for name.
func findFile(L *lua.State, pkg *lua.Table, name, pname string) (string, string) {
	path, ok := L.Index(lua.TableValue(pkg), lua.String(pname)).ToString()
	if !ok {
		L.Errorf("'package.%s' must be a string", pname)
	}
	return SearchPath(name, path, ".", "/")
}

// checkLoad returns the loader and its file name, or raises the error of
// a module that was found but could not be loaded.
func checkLoad(L *lua.State, f lua.Value, err error, filename string) int {
	if err == nil {
		L.Push(f)
		L.PushString(filename)
		return 2
	}
	L.Errorf("error loading module '%s' from file '%s':\n\t%s", L.CheckString(1), filename, errorText(err))
	return 0
}

func errorText(err error) string {
	var le *lua.Error
	if errors.As(err, &le) {
		if s, ok := le.Value.ToString(); ok {
			return s
		}
		return "(null)"
	}
	return err.Error()
}

func searcherPreload(L *lua.State) int {
	name := L.CheckString(1)
	preload := L.Registry().GetStr("_PRELOAD")
	v := L.Index(preload, lua.String(name))
	if v.IsNil() {
		L.PushString(fmt.Sprintf("\n\tno field package.preload['%s']", name))
		return 1
	}
	L.Push(v)
	return 1
}

func searcherLua(pkg *lua.Table) lua.GoFunc {
	return func(L *lua.State) int {
		name := L.CheckString(1)
		filename, msg := findFile(L, pkg, name, "path")
		if filename == "" {
			L.PushString(msg)
			return 1
		}
		f, err := LoadFile(L, filename, "bt")
		return checkLoad(L, f, err, filename)
	}
}

func searcherC(pkg *lua.Table) lua.GoFunc {
	return func(L *lua.State) int {
		name := L.CheckString(1)
		filename, msg := findFile(L, pkg, name, "cpath")
		if filename == "" {
			L.PushString(msg)
			return 1
		}
		return checkLoad(L, lua.Nil, errors.New(DynamicLibMessage), filename)
	}
}

func searcherCRoot(pkg *lua.Table) lua.GoFunc {
	return func(L *lua.State) int {
		name := L.CheckString(1)
		root, _, isSub := strings.Cut(name, ".")
		if !isSub {
			return 0
		}
		filename, msg := findFile(L, pkg, root, "cpath")
		if filename == "" {
			L.PushString(msg)
			return 1
		}
		return checkLoad(L, lua.Nil, errors.New(DynamicLibMessage), filename)
	}
}

// require is the global require(name) of Lua 5.3.
func require(pkg *lua.Table) lua.GoFunc {
	return func(L *lua.State) int {
		name := L.CheckString(1)
		loaded := L.Registry().GetStr("_LOADED")
		if v := L.Index(loaded, lua.String(name)); v.Truthy() {
			L.Push(v)
			return 1
		}
		loader, extra := findLoader(L, pkg, name)
		res := L.Call1(loader, lua.String(name), extra)
		if !res.IsNil() {
			L.SetIndex(loaded, lua.String(name), res)
		}
		v := L.Index(loaded, lua.String(name))
		if v.IsNil() {
			v = lua.True
			L.SetIndex(loaded, lua.String(name), v)
		}
		L.Push(v)
		return 1
	}
}

// findLoader asks each of package.searchers for a loader of name.
func findLoader(L *lua.State, pkg *lua.Table, name string) (loader, extra lua.Value) {
	searchers := L.Index(lua.TableValue(pkg), lua.String("searchers")).AsTable()
	if searchers == nil {
		L.Errorf("'package.searchers' must be a table")
	}
	var msg strings.Builder
	for i := int64(1); ; i++ {
		s := searchers.GetInt(i)
		if s.IsNil() {
			L.Errorf("module '%s' not found:%s", name, msg.String())
		}
		res := L.CallValue(s, 2, lua.String(name))
		if res[0].IsFunction() {
			return res[0], res[1]
		}
		if str, ok := res[0].ToString(); ok {
			msg.WriteString(str)
		}
	}
}

// LoadFile loads a Lua source or binary file as luaL_loadfilex does: the
// chunk is named "@"+filename; a UTF-8 byte-order mark and a first line
// starting with '#' are skipped (the line is kept empty so that line
// numbers stay right). Errors are lua5.3's ("cannot open ...",
// "cannot read ...", or the compiler's message).
func LoadFile(L *lua.State, filename, mode string) (lua.Value, error) {
	data, err := os.ReadFile(filename)
	if err != nil {
		what := "read"
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "open" {
			what = "open"
		}
		return lua.Nil, &lua.Error{Value: lua.String(fmt.Sprintf("cannot %s %s: %s", what, filename, strerror(err)))}
	}
	return L.LoadChunk(SkipPrefix(data), "@"+filename, mode, nil)
}

// SkipPrefix removes what luaL_loadfilex skips at the start of a file: a
// UTF-8 BOM, then a first line starting with '#', which is replaced by
// an empty line (but by nothing when a binary chunk follows it).
func SkipPrefix(data []byte) []byte {
	data = skipBOM(data)
	if len(data) == 0 || data[0] != '#' {
		return data
	}
	rest := data[len(data):]
	if i := strings.IndexByte(string(data), '\n'); i >= 0 {
		rest = data[i+1:]
	}
	if len(rest) > 0 && rest[0] == 0x1b {
		return rest
	}
	return append([]byte{'\n'}, rest...)
}

func skipBOM(data []byte) []byte {
	if len(data) >= 3 && string(data[:3]) == "\xEF\xBB\xBF" {
		return data[3:]
	}
	return data
}

// strerror gives the C library's text for an error: Go's text of the
// errno with a capital first letter.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
