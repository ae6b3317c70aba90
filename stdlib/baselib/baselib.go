// Package baselib is Lua 5.3's basic library (lbaselib.c): print, pcall,
// error, load, pairs, tostring, select and the other global functions.
// It only uses the engine's public API.
package baselib

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Open installs the basic functions in the globals table and returns it.
func Open(L *lua.State) *lua.Table {
	g := L.Globals()
	lua.SetFuncs(g, map[string]lua.GoFunc{
		"assert":         luaAssert,
		"collectgarbage": collectGarbage,
		"dofile":         doFile,
		"error":          luaError,
		"getmetatable":   getMetatable,
		"ipairs":         ipairs,
		"load":           load,
		"loadfile":       loadFile,
		"pairs":          pairs,
		"pcall":          pcall,
		"print":          print,
		"rawequal":       rawEqual,
		"rawget":         rawGet,
		"rawlen":         rawLen,
		"rawset":         rawSet,
		"select":         selectFn,
		"setmetatable":   setMetatable,
		"tonumber":       toNumber,
		"tostring":       toString,
		"type":           typeFn,
		"xpcall":         xpcall,
	})
	g.SetStr("next", nextFn) // the value pairs returns, as in lua5.3
	g.SetStr("_G", lua.TableValue(g))
	g.SetStr("_VERSION", lua.String("Lua 5.3"))
	return g
}

// Output returns the writer print uses: the state's stdout unless a
// library (io) installed a shared buffer through SetOutput.
func output(L *lua.State) io.Writer { return L.Stdout() }

func print(L *lua.State) int {
	n := L.NArgs()
	w := output(L)
	tostring := L.Globals().GetStr("tostring")
	var b strings.Builder
	for i := 1; i <= n; i++ {
		s, ok := L.Call1(tostring, L.Arg(i)).AsString()
		if !ok {
			L.Errorf("'tostring' must return a string to 'print'")
		}
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(s)
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
	return 0
}

func luaAssert(L *lua.State) int {
	if L.Arg(1).Truthy() {
		return L.NArgs()
	}
	L.CheckAny(1)
	msg := lua.String("assertion failed!")
	if L.NArgs() >= 2 {
		msg = L.Arg(2)
	}
	raise(L, msg, 1)
	return 0
}

func luaError(L *lua.State) int {
	level := L.OptInteger(2, 1)
	raise(L, L.Arg(1), int(level))
	return 0
}

// raise throws msg, prefixed with the position at level when it is a string.
func raise(L *lua.State, msg lua.Value, level int) {
	if s, ok := msg.AsString(); ok && level > 0 {
		msg = lua.String(L.Where(level) + s)
	}
	L.Throw(msg)
}

var gcOptions = []string{"stop", "restart", "collect", "count", "step", "setpause", "setstepmul", "isrunning"}

// gcState is what collectgarbage reports for the options Go's collector
// has no equivalent for: they are kept per process, as values only.
var gcState = struct {
	stopped        bool
	pause, stepmul int64
}{pause: 200, stepmul: 200}

func collectGarbage(L *lua.State) int {
	switch gcOptions[L.CheckOption(1, "collect", gcOptions)] {
	case "stop":
		gcState.stopped = true
		L.PushInt(0)
	case "restart":
		gcState.stopped = false
		L.PushInt(0)
	case "collect":
		L.Collect() // runs the __gc of what it collected before returning
		L.PushInt(0)
	case "count":
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		L.PushFloat(float64(ms.HeapAlloc) / 1024)
	case "step":
		// Every step is a whole cycle: Go's collector has no smaller unit
		// that could be asked for.
		L.Collect()
		L.PushBool(true)
	case "setpause":
		prev := gcState.pause
		gcState.pause = L.OptInteger(2, 0)
		L.PushInt(prev)
	case "setstepmul":
		prev := gcState.stepmul
		gcState.stepmul = L.OptInteger(2, 0)
		L.PushInt(prev)
	case "isrunning":
		L.PushBool(!gcState.stopped)
	}
	return 1
}

func getMetatable(L *lua.State) int {
	v := L.CheckAny(1)
	mt := L.Metatable(v)
	if mt == nil {
		L.PushNil()
		return 1
	}
	if p := mt.GetStr("__metatable"); !p.IsNil() {
		L.Push(p)
		return 1
	}
	L.Push(lua.TableValue(mt))
	return 1
}

func setMetatable(L *lua.State) int {
	t := L.CheckTable(1)
	mv := L.Arg(2)
	if L.NArgs() < 2 || (!mv.IsNil() && !mv.IsTable()) {
		L.ArgError(2, "nil or table expected")
	}
	if mt := t.Metatable(); mt != nil && !mt.GetStr("__metatable").IsNil() {
		L.Errorf("cannot change a protected metatable")
	}
	L.SetMetatable(L.Arg(1), mv.AsTable()) // applies __mode and marks for __gc
	L.Push(L.Arg(1))
	return 1
}

func ipairsAux(L *lua.State) int {
	i := L.CheckInteger(2) + 1
	v := L.Index(L.Arg(1), lua.Int(i))
	if v.IsNil() {
		L.PushNil()
		return 1
	}
	L.PushInt(i)
	L.Push(v)
	return 2
}

var ipairsAuxFn = lua.NewGoFunction("ipairs_aux", ipairsAux)

func ipairs(L *lua.State) int {
	// Debian's lua5.3 is built with LUA_COMPAT_5_2: __ipairs is honoured.
	return pairsMeta(L, "__ipairs", true, ipairsAuxFn)
}

var nextFn = lua.NewGoFunction("next", next)

func pairs(L *lua.State) int { return pairsMeta(L, "__pairs", false, nextFn) }

func pairsMeta(L *lua.State, event string, isIpairs bool, iter lua.Value) int {
	v := L.CheckAny(1)
	if h := L.MetaField(v, event); !h.IsNil() {
		res := L.CallValue(h, 3, v)
		for _, r := range res {
			L.Push(r)
		}
		return 3
	}
	L.Push(iter)
	L.Push(v)
	if isIpairs {
		L.PushInt(0)
	} else {
		L.PushNil()
	}
	return 3
}

func next(L *lua.State) int {
	t := L.CheckTable(1)
	k, v, ok, err := t.Next(L.Arg(2))
	if err != nil {
		L.RuntimeError("%s", err.Error())
	}
	if !ok {
		L.PushNil()
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func pcall(L *lua.State) int {
	L.CheckAny(1)
	n := L.NArgs()
	L.Insert(1, lua.True)
	if err := L.PCall(n-1, lua.MultRet, 0); err != nil {
		return pushError(L, err)
	}
	return L.NArgs()
}

// pushError leaves false and the error value as the only results.
func pushError(L *lua.State, err error) int {
	L.SetTop(0)
	L.Push(lua.False)
	if e, ok := err.(*lua.Error); ok {
		L.Push(e.Value)
	} else {
		L.PushString(err.Error())
	}
	return 2
}

func xpcall(L *lua.State) int {
	n := L.NArgs()
	L.CheckType(2, lua.TypeFunction)
	// f, h, true, f, args...: the results follow true.
	L.Insert(3, lua.True)
	L.Insert(4, L.Arg(1))
	if err := L.PCall(n-2, lua.MultRet, 2); err != nil {
		return pushError(L, err)
	}
	return L.NArgs() - 2
}

func rawEqual(L *lua.State) int {
	L.CheckAny(1)
	L.CheckAny(2)
	L.PushBool(lua.RawEqual(L.Arg(1), L.Arg(2)))
	return 1
}

func rawGet(L *lua.State) int {
	t := L.CheckTable(1)
	L.CheckAny(2)
	L.Push(t.Get(L.Arg(2)))
	return 1
}

func rawSet(L *lua.State) int {
	t := L.CheckTable(1)
	L.CheckAny(2)
	L.CheckAny(3)
	L.RawSet(t, L.Arg(2), L.Arg(3))
	L.Push(L.Arg(1))
	return 1
}

func rawLen(L *lua.State) int {
	v := L.Arg(1)
	if t := v.AsTable(); t != nil {
		L.PushInt(t.Len())
		return 1
	}
	if s, ok := v.AsString(); ok {
		L.PushInt(int64(len(s)))
		return 1
	}
	L.ArgError(1, "table or string expected")
	return 0
}

func selectFn(L *lua.State) int {
	n := L.NArgs()
	if s, ok := L.Arg(1).AsString(); ok && s == "#" {
		L.PushInt(int64(n - 1))
		return 1
	}
	i := L.CheckInteger(1)
	if i < 0 {
		i = int64(n) + i
	} else if i > int64(n) {
		i = int64(n)
	}
	if i < 1 {
		L.ArgError(1, "index out of range")
	}
	return n - int(i)
}

func toNumber(L *lua.State) int {
	if L.IsNoneOrNil(2) {
		v := L.Arg(1)
		if v.IsNumber() {
			L.Push(v)
			return 1
		}
		if s, ok := v.AsString(); ok {
			if n, ok := lua.StringToNumber(s); ok {
				L.Push(n)
				return 1
			}
		}
		L.CheckAny(1)
		L.PushNil()
		return 1
	}
	base := L.CheckInteger(2)
	L.CheckType(1, lua.TypeString)
	s, _ := L.Arg(1).AsString()
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	if n, ok := parseBase(s, base); ok {
		L.PushInt(n)
		return 1
	}
	L.PushNil()
	return 1
}

// parseBase converts an integer numeral in base (2..36) as tonumber
// does: optional spaces and '-', at least one digit, wrap-around.
func parseBase(s string, base int64) (int64, bool) {
	s = strings.TrimLeft(s, " \f\n\r\t\v")
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	var n int64
	digits := 0
	for len(s) > 0 {
		c := s[0]
		var d int64
		switch {
		case '0' <= c && c <= '9':
			d = int64(c - '0')
		case 'a' <= c && c <= 'z':
			d = int64(c-'a') + 10
		case 'A' <= c && c <= 'Z':
			d = int64(c-'A') + 10
		default:
			d = 99
		}
		if d >= base {
			break
		}
		n = n*base + d
		digits++
		s = s[1:]
	}
	s = strings.TrimLeft(s, " \f\n\r\t\v")
	if digits == 0 || len(s) > 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func toString(L *lua.State) int {
	L.CheckAny(1)
	L.PushString(L.ToStringMeta(L.Arg(1)))
	return 1
}

func typeFn(L *lua.State) int {
	if L.NArgs() < 1 {
		L.ArgError(1, "value expected")
	}
	L.PushString(L.Arg(1).TypeName())
	return 1
}

// load(chunk [, chunkname [, mode [, env]]])
func load(L *lua.State) int {
	chunk := L.Arg(1)
	mode := L.OptString(3, "bt")
	var env *lua.Value
	if L.NArgs() >= 4 {
		e := L.Arg(4)
		env = &e
	}
	var src []byte
	var name string
	if s, ok := chunk.ToString(); ok {
		src = []byte(s)
		name = L.OptString(2, s)
	} else {
		name = L.OptString(2, "=(load)")
		L.CheckType(1, lua.TypeFunction)
		// The reader runs protected, as lua_load runs it: its errors
		// become load's "nil, message".
		var b []byte
		for {
			res, err := L.PCallValue(chunk)
			if err != nil {
				L.PushNil()
				L.Push(err.(*lua.Error).Value)
				return 2
			}
			if len(res) == 0 || res[0].IsNil() {
				break
			}
			s, ok := res[0].AsString()
			if !ok {
				return L.PushFail(L.Where(1) + "reader function must return a string")
			}
			if s == "" {
				break
			}
			b = append(b, s...)
		}
		src = b
	}
	f, err := L.LoadChunk(src, name, mode, env)
	if err != nil {
		return L.PushFail(err.Error())
	}
	L.Push(f)
	return 1
}

// ReadChunkFile reads a Lua file for loading as luaL_loadfilex does: a
// UTF-8 byte order mark and a first line starting with '#' are dropped
// (the line break stays, keeping line numbers). An empty name reads
// standard input. The error message is lua5.3's.
func ReadChunkFile(name string) ([]byte, string, error) {
	var data []byte
	var err error
	chunkName := "@" + name
	if name == "" {
		chunkName = "=stdin"
		data, err = io.ReadAll(os.Stdin)
		if err != nil {
			return nil, "", fmt.Errorf("cannot read stdin: %s", errText(err))
		}
	} else {
		data, err = os.ReadFile(name)
		if err != nil {
			return nil, "", fmt.Errorf("cannot open %s: %s", name, errText(err))
		}
	}
	data = SkipPrefix(data)
	return data, chunkName, nil
}

// SkipPrefix drops a UTF-8 byte order mark and a '#' first line.
func SkipPrefix(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	if len(data) > 0 && data[0] == '#' {
		i := 0
		for i < len(data) && data[i] != '\n' {
			i++
		}
		data = data[i:]
	}
	return data
}

// errText is strerror's text for an OS error.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

func loadFile(L *lua.State) int {
	fname := L.OptString(1, "")
	mode := L.OptString(2, "bt")
	var env *lua.Value
	if L.NArgs() >= 3 {
		e := L.Arg(3)
		env = &e
	}
	src, name, err := ReadChunkFile(fname)
	if err != nil {
		return L.PushFail(err.Error())
	}
	f, err := L.LoadChunk(src, name, mode, env)
	if err != nil {
		return L.PushFail(err.Error())
	}
	L.Push(f)
	return 1
}

func doFile(L *lua.State) int {
	fname := L.OptString(1, "")
	src, name, err := ReadChunkFile(fname)
	if err != nil {
		L.Throw(lua.String(err.Error()))
	}
	f, err := L.LoadChunk(src, name, "bt", nil)
	if err != nil {
		L.Throw(err.(*lua.Error).Value)
	}
	L.SetTop(0)
	L.Push(f)
	L.Call(0, lua.MultRet)
	return L.NArgs()
}
