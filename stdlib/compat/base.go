package compat

import (
	"fmt"
	"os"
	"strings"

	"github.com/moonbridge-go/moonbridge/compiler"
	"github.com/moonbridge-go/moonbridge/compiler/lua53"
	lua "github.com/yuin/gopher-lua"
)

func openBase(L *lua.LState) {
	next := L.GetGlobal("next")
	L.SetGlobal("pairs", L.NewFunction(func(L *lua.LState) int {
		v := L.CheckAny(1)
		if mm := L.GetMetaField(v, "__pairs"); mm != lua.LNil {
			L.Push(mm)
			L.Push(v)
			L.Call(1, 3)
			return 3
		}
		if _, ok := v.(*lua.LTable); !ok {
			L.TypeError(1, lua.LTTable)
		}
		L.Push(next)
		L.Push(v)
		L.Push(lua.LNil)
		return 3
	}))
	ipairsIter := L.NewFunction(func(L *lua.LState) int {
		i := checkInteger(L, 2) + 1
		v := L.GetTable(L.Get(1), lua.LNumber(i))
		if v == lua.LNil {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(i))
		L.Push(v)
		return 2
	})
	L.SetGlobal("ipairs", L.NewFunction(func(L *lua.LState) int {
		v := L.CheckAny(1)
		L.Push(ipairsIter)
		L.Push(v)
		L.Push(lua.LNumber(0))
		return 3
	}))
	L.SetGlobal("rawlen", L.NewFunction(func(L *lua.LState) int {
		switch v := L.Get(1).(type) {
		case *lua.LTable:
			L.Push(lua.LNumber(v.Len()))
		case lua.LString:
			L.Push(lua.LNumber(len(v)))
		default:
			L.ArgError(1, "table or string expected")
		}
		return 1
	}))
	L.SetGlobal("load", L.NewFunction(baseLoad))
	L.SetGlobal("loadstring", L.NewFunction(func(L *lua.LState) int {
		src := L.CheckString(1)
		name := L.OptString(2, src)
		return loadChunk(L, []byte(src), chunkDisplayName(name), "bt", nil)
	}))
	L.SetGlobal("loadfile", L.NewFunction(func(L *lua.LState) int {
		mode := L.OptString(2, "bt")
		var env lua.LValue
		if L.GetTop() >= 3 {
			env = L.Get(3)
		}
		return loadFile(L, L.OptString(1, ""), mode, env)
	}))
	L.SetGlobal("dofile", L.NewFunction(func(L *lua.LState) int {
		top := L.GetTop()
		if n := loadFile(L, L.OptString(1, ""), "bt", nil); n != 1 {
			L.RaiseError("%s", lua.LVAsString(L.Get(-1)))
		}
		fn := L.Get(-1)
		L.Pop(1)
		L.Push(fn)
		L.Call(0, lua.MultRet)
		return L.GetTop() - top
	}))
	L.SetGlobal("xpcall", L.NewFunction(func(L *lua.LState) int {
		fn := L.CheckAny(1)
		handler := L.CheckFunction(2)
		args := make([]lua.LValue, 0, L.GetTop())
		for i := 3; i <= L.GetTop(); i++ {
			args = append(args, L.Get(i))
		}
		top := L.GetTop()
		L.Push(fn)
		for _, a := range args {
			L.Push(a)
		}
		if err := L.PCall(len(args), lua.MultRet, handler); err != nil {
			L.Push(lua.LFalse)
			if aerr, ok := err.(*lua.ApiError); ok {
				L.Push(aerr.Object)
			} else {
				L.Push(lua.LString(err.Error()))
			}
			return 2
		}
		L.Insert(lua.LTrue, top+1)
		return L.GetTop() - top
	}))
	L.SetGlobal("tonumber", L.NewFunction(baseToNumber))
	L.SetGlobal("tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(toString(L, L.CheckAny(1))))
		return 1
	}))
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		var sb strings.Builder
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				sb.WriteByte('\t')
			}
			sb.WriteString(toString(L, L.Get(i)))
		}
		sb.WriteByte('\n')
		_, _ = os.Stdout.WriteString(sb.String())
		return 0
	}))
}

// chunkDisplayName turns a load() chunk name into the source name Lua
// shows in messages.
func chunkDisplayName(name string) string {
	if strings.HasPrefix(name, "=") || strings.HasPrefix(name, "@") {
		return name[1:]
	}
	line := name
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i] + "..."
	} else if len(line) > 45 {
		line = line[:45] + "..."
	}
	return `[string "` + line + `"]`
}

func baseLoad(L *lua.LState) int {
	chunk := L.Get(1)
	mode := L.OptString(3, "bt")
	var env lua.LValue
	if L.GetTop() >= 4 {
		env = L.Get(4)
	}
	var src []byte
	defName := "=(load)"
	switch c := chunk.(type) {
	case lua.LString:
		src = []byte(c)
		defName = string(c)
	case *lua.LFunction:
		var sb strings.Builder
		for {
			L.Push(c)
			L.Call(0, 1)
			piece := L.Get(-1)
			L.Pop(1)
			if piece == lua.LNil {
				break
			}
			s, ok := piece.(lua.LString)
			if !ok {
				L.Push(lua.LNil)
				L.Push(lua.LString("reader function must return a string"))
				return 2
			}
			if len(s) == 0 {
				break
			}
			sb.WriteString(string(s))
		}
		src = []byte(sb.String())
	default:
		L.ArgError(1, fmt.Sprintf("string expected, got %s", chunk.Type().String()))
	}
	name := L.OptString(2, defName)
	return loadChunk(L, src, chunkDisplayName(name), mode, env)
}

// loadChunk compiles src with the Lua 5.3 front end and pushes the
// function, or nil and the message, as load does. env, when not nil, is
// the chunk's environment (an explicit nil environment is an empty table
// whose every access fails).
func loadChunk(L *lua.LState, src []byte, name, mode string, env lua.LValue) int {
	if len(src) > 0 && src[0] == 0x1b {
		L.Push(lua.LNil)
		if !strings.Contains(mode, "b") {
			L.Push(lua.LString(fmt.Sprintf("attempt to load a binary chunk (mode is '%s')", mode)))
		} else {
			L.Push(lua.LString(name + ": binary chunks are not supported by this VM"))
		}
		return 2
	}
	if !strings.Contains(mode, "t") {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("attempt to load a text chunk (mode is '%s')", mode)))
		return 2
	}
	proto, err := compiler.Compile(src, "="+name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	fn := L.NewFunctionFromProto(proto)
	if env != nil {
		switch e := env.(type) {
		case *lua.LTable:
			fn.Env = e
		case *lua.LNilType:
			fn.Env = nilEnv(L)
		default:
			L.ArgError(4, "environment must be a table or nil")
		}
	}
	L.Push(fn)
	return 1
}

// nilEnv stands in for a nil _ENV: any global access raises an error.
func nilEnv(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	mt := L.NewTable()
	fail := L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("attempt to index a nil value (upvalue '_ENV')")
		return 0
	})
	mt.RawSetString("__index", fail)
	mt.RawSetString("__newindex", fail)
	L.SetMetatable(t, mt)
	return t
}

func loadFile(L *lua.LState, path, mode string, env lua.LValue) int {
	var src []byte
	var err error
	name := "stdin"
	if path == "" {
		src, err = readAll(os.Stdin)
	} else {
		name = path
		src, err = os.ReadFile(path)
	}
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("cannot open %s", path)))
		return 2
	}
	// A "#" first line (a shebang) is skipped by the lexer.
	return loadChunk(L, src, lua53.DisplayName(name), mode, env)
}

func readAll(f *os.File) ([]byte, error) {
	var sb strings.Builder
	buf := make([]byte, 32*1024)
	for {
		n, err := f.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			if sb.Len() > 0 || n == 0 {
				return []byte(sb.String()), nil
			}
			return nil, err
		}
	}
}

func baseToNumber(L *lua.LState) int {
	if L.Get(2) == lua.LNil {
		switch v := L.CheckAny(1).(type) {
		case lua.LNumber:
			L.Push(v)
		case lua.LString:
			if f, ok := lua53.StringToNumber(string(v)); ok {
				L.Push(lua.LNumber(f))
			} else {
				L.Push(lua.LNil)
			}
		default:
			L.Push(lua.LNil)
		}
		return 1
	}
	base := checkInteger(L, 2)
	s, ok := L.Get(1).(lua.LString)
	if !ok {
		L.ArgError(1, fmt.Sprintf("string expected, got %s", L.Get(1).Type().String()))
	}
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	str := strings.ToLower(trimSpace(string(s)))
	neg := false
	if strings.HasPrefix(str, "-") {
		neg, str = true, str[1:]
	}
	if str == "" {
		L.Push(lua.LNil)
		return 1
	}
	var n int64
	for i := 0; i < len(str); i++ {
		c := str[i]
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c >= 'a' && c <= 'z':
			d = int64(c-'a') + 10
		default:
			d = 99
		}
		if d >= base {
			L.Push(lua.LNil)
			return 1
		}
		n = n*base + d
	}
	if neg {
		n = -n
	}
	L.Push(lua.LNumber(n))
	return 1
}

func openCoroutine(L *lua.LState) {
	co := libTable(L, "coroutine")
	co.RawSetString("running", L.NewFunction(func(L *lua.LState) int {
		L.Push(L)
		L.Push(lua.LBool(L == L.G.MainThread || L.Parent == nil))
		return 2
	}))
	co.RawSetString("isyieldable", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LBool(L != L.G.MainThread && L.Parent != nil))
		return 1
	}))
}

func openOS(L *lua.LState) {
	osTable := libTable(L, "os")
	osTable.RawSetString("exit", L.NewFunction(func(L *lua.LState) int {
		code := 0
		switch v := L.Get(1).(type) {
		case lua.LBool:
			if !v {
				code = 1
			}
		case *lua.LNilType:
		default:
			code = int(checkInteger(L, 1))
		}
		os.Stdout.Sync()
		os.Exit(code)
		return 0
	}))
}

// SearchPath finds module name along a Lua search path ("a/?.lua;b/?.lua")
// as Lua's package.searchpath does. It returns the file found, or "" and
// the places tried, each as "no file '...'".
func SearchPath(name, path string) (string, []string) {
	file := strings.ReplaceAll(name, ".", string(os.PathSeparator))
	var tried []string
	for _, pattern := range strings.Split(path, ";") {
		if pattern == "" {
			continue
		}
		candidate := strings.ReplaceAll(pattern, "?", file)
		if st, err := os.Stat(candidate); err == nil && !st.IsDir() {
			return candidate, nil
		}
		tried = append(tried, "no file '"+candidate+"'")
	}
	return "", tried
}

// openPackage makes require's Lua file searcher use the 5.3 front end.
func openPackage(L *lua.LState) {
	pkg, ok := L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	loaders, ok := pkg.RawGetString("loaders").(*lua.LTable)
	if !ok {
		return
	}
	searcher := L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		path, _ := L.GetField(pkg, "path").(lua.LString)
		candidate, tried := SearchPath(name, string(path))
		if candidate == "" {
			L.Push(lua.LString(strings.Join(tried, "\n\t")))
			return 1
		}
		src, err := os.ReadFile(candidate)
		if err != nil {
			L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, candidate, err.Error())
		}
		if n := loadChunk(L, src, candidate, "t", nil); n == 2 {
			L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, candidate, lua.LVAsString(L.Get(-1)))
		}
		L.Push(lua.LString(candidate))
		return 2
	})
	loaders.RawSetInt(2, searcher)
	if s, ok := pkg.RawGetString("searchers").(*lua.LTable); ok {
		s.RawSetInt(2, searcher)
	} else {
		pkg.RawSetString("searchers", loaders)
	}
}

// toString converts a value as Lua 5.3's tostring does: __tostring, then
// __name, then numbers in Lua's format.
func toString(L *lua.LState, v lua.LValue) string {
	if mm := L.GetMetaField(v, "__tostring"); mm != lua.LNil {
		L.Push(mm)
		L.Push(v)
		L.Call(1, 1)
		r := L.Get(-1)
		L.Pop(1)
		s, ok := r.(lua.LString)
		if !ok {
			if n, isNum := r.(lua.LNumber); isNum {
				return numberString(float64(n))
			}
			L.RaiseError("'__tostring' must return a string")
		}
		return string(s)
	}
	switch x := v.(type) {
	case lua.LNumber:
		return numberString(float64(x))
	case *lua.LTable, *lua.LUserData:
		if name, ok := L.GetMetaField(v, "__name").(lua.LString); ok {
			return fmt.Sprintf("%s: %p", string(name), x)
		}
	}
	return v.String()
}
