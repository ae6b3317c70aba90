package mbio

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/moonbridge-go/moonbridge/compiler"
)

const registryKey = "moonbridge_io.state"

// moduleState is what one Lua state needs to build handle values.
type moduleState struct {
	module        *lua.LTable
	handleMethods *lua.LTable
	handleMT      *lua.LTable // metatable shared by every handle value
	childMethods  *lua.LTable
	childMT       *lua.LTable
	listenerMT    *lua.LTable
	tlsconfMT     *lua.LTable
	tostring      *lua.LFunction
	cancel        *canceler // aborts the waits of the state's objects (AbortFunc)
}

// Open loads moonbridge_io into L: package.preload["moonbridge_io"] and
// the global moonbridge_io (API.md §1).
func Open(L *lua.LState) {
	st := stateOf(L)
	L.SetGlobal("moonbridge_io", st.module)
	L.PreloadModule("moonbridge_io", func(L *lua.LState) int {
		L.Push(stateOf(L).module)
		return 1
	})
}

// stateOf returns the module state of L, creating it on first use.
func stateOf(L *lua.LState) *moduleState {
	if ud, ok := L.G.Registry.RawGetString(registryKey).(*lua.LUserData); ok {
		if st, ok := ud.Value.(*moduleState); ok {
			return st
		}
	}
	st := newModuleState(L)
	ud := L.NewUserData()
	ud.Value = st
	L.G.Registry.RawSetString(registryKey, ud)
	st.module.RawSetString("stdin", newHandle(0, isSocketFd(0), false, true).Value(L))
	st.module.RawSetString("stdout", newHandle(1, isSocketFd(1), false, true).Value(L))
	st.module.RawSetString("stderr", newHandle(2, isSocketFd(2), false, true).Value(L))
	return st
}

func newModuleState(L *lua.LState) *moduleState {
	st := &moduleState{cancel: newCanceler()}
	st.handleMethods = L.SetFuncs(L.NewTable(), handleFuncs())
	st.tostring = L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("moonbridge_io handle: %p", L.Get(1))))
		return 1
	})
	st.handleMT = L.NewTable()
	st.handleMT.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.Push(checkValueHandle(L).index(L.Get(2), st.handleMethods))
		return 1
	}))
	st.handleMT.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		h := checkValueHandle(L)
		if h.fields == nil {
			h.fields = L.NewTable()
		}
		L.RawSet(h.fields, L.Get(2), L.Get(3))
		return 0
	}))
	st.handleMT.RawSetString("__tostring", st.tostring)
	st.childMethods = L.SetFuncs(L.NewTable(), childFuncs())
	st.childMT = L.NewTable()
	st.childMT.RawSetString("__index", st.childMethods)
	st.listenerMT = L.NewTable()
	st.listenerMT.RawSetString("__index", L.SetFuncs(L.NewTable(), listenerFuncs()))
	st.listenerMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("moonbridge_io listener: %p", L.Get(1))))
		return 1
	}))
	st.tlsconfMT = L.NewTable()
	st.tlsconfMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("moonbridge_io tlsconf: %p", L.Get(1))))
		return 1
	}))
	st.module = L.SetFuncs(L.NewTable(), moduleFuncs())
	installLuaHelpers(L, st)
	return st
}

// Value returns the Lua userdata for h in L (the same value on every call).
// As in the original, every handle shares one metatable: indexing looks at
// the fields Lua stored on the handle, then at the address fields, then at
// the methods, so a handle costs no table until Lua stores a field, and
// the address of an accepted connection is not read until it is asked for.
func (h *Handle) Value(L *lua.LState) lua.LValue {
	if h.ud != nil {
		return h.ud
	}
	st := stateOf(L)
	ud := L.NewUserData()
	ud.Value = h
	ud.Metatable = st.handleMT
	h.ud = ud
	h.cn = st.cancel
	return ud
}

// checkValueHandle returns the handle of the __index/__newindex call's
// first argument.
func checkValueHandle(L *lua.LState) *Handle {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if h, ok := ud.Value.(*Handle); ok {
			return h
		}
	}
	L.ArgError(1, "moonbridge_io handle expected")
	return nil
}

// index looks key up on the handle's value (see Value).
func (h *Handle) index(key lua.LValue, methods *lua.LTable) lua.LValue {
	if h.fields != nil {
		if v := h.fields.RawGet(key); v != lua.LNil {
			return v
		}
	}
	name, ok := key.(lua.LString)
	if !ok {
		return lua.LNil
	}
	if v := h.addrField(string(name)); v != lua.LNil {
		return v
	}
	return methods.RawGetString(string(name))
}

// addrField returns the address field name (remote_ip4, local_tcpport, …)
// of a TCP socket, or nil.
func (h *Handle) addrField(name string) lua.LValue {
	var remote, isPort bool
	var v6 bool
	switch name {
	case "remote_ip4":
		remote = true
	case "remote_ip6":
		remote, v6 = true, true
	case "remote_tcpport":
		remote, isPort = true, true
	case "local_ip4":
	case "local_ip6":
		v6 = true
	case "local_tcpport":
		isPort = true
	default:
		return lua.LNil
	}
	h.resolveAddr()
	a := &h.addr
	has, ip, port, is6 := a.hasLocal, a.localIP, a.localPort, a.local6
	if remote {
		has, ip, port, is6 = a.hasRemote, a.remoteIP, a.remotePort, a.remote6
	}
	switch {
	case !has:
		return lua.LNil
	case isPort:
		return lua.LNumber(port)
	case is6 == v6:
		return lua.LString(ip)
	}
	return lua.LNil
}

// CheckHandle returns the handle at stack index n or raises a Lua argument
// error.
func CheckHandle(L *lua.LState, n int) *Handle {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if h, ok := ud.Value.(*Handle); ok {
			return h
		}
	}
	L.ArgError(n, "moonbridge_io handle expected, got "+typeName(L.Get(n)))
	return nil
}

func typeName(v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		switch ud.Value.(type) {
		case *Listener:
			return "moonbridge_io listener"
		case *Child:
			return "moonbridge_io child"
		}
	}
	return v.Type().String()
}

func handleFuncs() map[string]lua.LGFunction {
	m := map[string]lua.LGFunction{
		"starttls": luaStartTLS,
		"read":     luaRead(false, false),
		"read_nb":  luaRead(true, false),
		"drain":    luaRead(false, true),
		"drain_nb": luaRead(true, true),
		"write":    luaWrite(false, false),
		"write_nb": luaWrite(true, false),
		"flush":    luaWrite(false, true),
		"flush_nb": luaWrite(true, true),
		"finish":   luaFinish,
		"close":    luaClose,
		"reset":    luaReset,
	}
	addSockOptFuncs(m)
	return m
}

// pushIOError pushes nil, msg for I/O failures; misuse (closed handle)
// raises a Lua error as the original does.
func pushIOError(L *lua.LState, err error) int {
	if errors.Is(err, ErrReadClosed) || errors.Is(err, ErrWriteClosed) || errors.Is(err, ErrWriteFinished) {
		L.RaiseError("%s", err.Error())
	}
	L.Push(lua.LNil)
	L.Push(lua.LString(err.Error()))
	return 2
}

// optMaxlen reads an optional non-negative length argument (nil: no limit).
func optMaxlen(L *lua.LState, n int) int {
	v := L.Get(n)
	if v == lua.LNil {
		return -1
	}
	num, ok := v.(lua.LNumber)
	if !ok {
		if s, isStr := v.(lua.LString); isStr {
			if f, err := parseNumber(string(s)); err == nil {
				num, ok = f, true
			}
		}
	}
	if !ok {
		L.ArgError(n, "number expected, got "+typeName(v))
	}
	if num < 0 {
		return -1
	}
	return int(num)
}

func parseNumber(s string) (lua.LNumber, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return lua.LNumber(f), nil
	}
	i, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return lua.LNumber(i), nil
}

// optTerminator reads an optional one-byte terminator (nil or "": none).
func optTerminator(L *lua.LState, n int) int {
	v := L.Get(n)
	if v == lua.LNil {
		return -1
	}
	s, ok := v.(lua.LString)
	if !ok {
		L.ArgError(n, "string expected, got "+typeName(v))
	}
	switch len(s) {
	case 0:
		return -1
	case 1:
		return int(s[0])
	}
	L.ArgError(n, "single byte expected")
	return -1
}

func luaRead(nb, drain bool) lua.LGFunction {
	return func(L *lua.LState) int {
		h := CheckHandle(L, 1)
		maxlen := optMaxlen(L, 2)
		term := optTerminator(L, 3)
		view, n, status, err := h.read(maxlen, term, nb, drain)
		if err != nil {
			return pushIOError(L, err)
		}
		if drain {
			L.Push(lua.LNumber(n))
		} else {
			L.Push(lua.LString(view))
		}
		L.Push(lua.LString(status))
		return 2
	}
}

func luaWrite(nb, flush bool) lua.LGFunction {
	return func(L *lua.LState) int {
		h := CheckHandle(L, 1)
		top := L.GetTop()
		for i := 2; i <= top; i++ {
			switch L.Get(i).(type) {
			case lua.LString, lua.LNumber:
			default:
				L.ArgError(i, "string expected, got "+typeName(L.Get(i)))
			}
		}
		if err := h.checkWritable(); err != nil {
			return pushIOError(L, err)
		}
		for i := 2; i <= top; i++ {
			h.enqueue(L.Get(i).String())
		}
		left, err := h.send(nb, flush)
		if err != nil {
			return pushIOError(L, err)
		}
		if nb {
			L.Push(lua.LNumber(left))
		} else {
			L.Push(L.Get(1))
		}
		return 1
	}
}

func luaFinish(L *lua.LState) int {
	h := CheckHandle(L, 1)
	if h.closed {
		L.RaiseError("Attempt to finish a closed I/O handle")
	}
	if h.finished {
		L.RaiseError("Attempt to finish a finished I/O handle")
	}
	if err := h.Finish(); err != nil {
		return pushIOError(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

func luaClose(L *lua.LState) int {
	h := CheckHandle(L, 1)
	linger := -1
	if v := L.Get(2); v != lua.LNil {
		t, ok := v.(lua.LNumber)
		if !ok || t < 0 {
			L.ArgError(2, "non-negative number expected")
		}
		linger = int(t + 0.999999)
	}
	if h.closed {
		L.RaiseError("Attempt to close a closed I/O handle")
	}
	h.resolveAddr() // Lua may still ask for them
	if err := h.closeLinger(linger); err != nil {
		return pushIOError(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

func luaReset(L *lua.LState) int {
	h := CheckHandle(L, 1)
	if h.closed {
		L.RaiseError("Attempt to reset a closed I/O handle")
	}
	h.resolveAddr() // Lua may still ask for them
	if err := h.Reset(); err != nil {
		return pushIOError(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// helperSource defines the _call and _yield forms in Lua, so that a wait
// function (coroutine.yield in particular) is called from Lua code and may
// yield: gopher-lua cannot yield across a Go function.
const helperSource = `
local handle, child, yield, concat, tonumber, checkwait = ...
local read_nb, drain_nb = handle.read_nb, handle.drain_nb
local write_nb, flush_nb, wait_nb = handle.write_nb, handle.flush_nb, child.wait_nb

local function read_call(self, waitfn, maxlen, terminator)
  checkwait("read_call", waitfn)
  local data, status = read_nb(self, maxlen, terminator)
  if data == nil or status ~= "block" then return data, status end
  local parts, n = { data }, 1
  maxlen = tonumber(maxlen)
  while true do
    if maxlen and maxlen >= 0 then maxlen = maxlen - #data end
    waitfn(self, "r")
    data, status = read_nb(self, maxlen, terminator)
    if data == nil then return nil, status end
    n = n + 1
    parts[n] = data
    if status ~= "block" then return concat(parts), status end
  end
end

local function drain_call(self, waitfn, maxlen, terminator)
  checkwait("drain_call", waitfn)
  local total = 0
  maxlen = tonumber(maxlen)
  while true do
    local count, status = drain_nb(self, maxlen, terminator)
    if count == nil then return nil, status end
    total = total + count
    if status ~= "block" then return total, status end
    if maxlen and maxlen >= 0 then maxlen = maxlen - count end
    waitfn(self, "r")
  end
end

local function write_call(self, waitfn, ...)
  checkwait("write_call", waitfn)
  local left, err = write_nb(self, ...)
  while left ~= 0 do
    if left == nil then return nil, err end
    waitfn(self, "w")
    left, err = write_nb(self)
  end
  return self
end

local function flush_call(self, waitfn, ...)
  checkwait("flush_call", waitfn)
  local left, err = flush_nb(self, ...)
  while left ~= 0 do
    if left == nil then return nil, err end
    waitfn(self, "w")
    left, err = flush_nb(self)
  end
  return self
end

local function wait_call(self, waitfn)
  checkwait("wait_call", waitfn)
  local status, err = wait_nb(self)
  while status == false do
    waitfn(self, "r")
    status, err = wait_nb(self)
  end
  return status, err
end

handle.read_call, handle.drain_call = read_call, drain_call
handle.write_call, handle.flush_call = write_call, flush_call
child.wait_call = wait_call
handle.read_yield = function(self, ...) return read_call(self, yield, ...) end
handle.drain_yield = function(self, ...) return drain_call(self, yield, ...) end
handle.write_yield = function(self, ...) return write_call(self, yield, ...) end
handle.flush_yield = function(self, ...) return flush_call(self, yield, ...) end
child.wait_yield = function(self) return wait_call(self, yield) end
`

var (
	helperOnce  sync.Once
	helperProto *lua.FunctionProto
	helperErr   error
)

// installLuaHelpers runs helperSource (compiled once per process) in L.
func installLuaHelpers(L *lua.LState, st *moduleState) {
	helperOnce.Do(func() {
		chunk, err := parse.Parse(strings.NewReader(helperSource), "=moonbridge_io")
		if err != nil {
			helperErr = fmt.Errorf("mbio: parse helpers: %w", err)
			return
		}
		helperProto, helperErr = lua.Compile(chunk, "=moonbridge_io")
		if helperErr == nil {
			compiler.Trim(helperProto)
		}
	})
	if helperErr != nil {
		L.RaiseError("%s", helperErr.Error())
	}
	fn := L.NewFunctionFromProto(helperProto)
	L.Push(fn)
	L.Push(st.handleMethods)
	L.Push(st.childMethods)
	L.Push(L.NewFunction(luaYield))
	L.Push(L.NewFunction(luaConcat))
	L.Push(L.NewFunction(luaToNumber))
	L.Push(L.NewFunction(luaCheckWait))
	L.Call(6, 0)
}

// luaYield is coroutine.yield (a Go function returning -1 yields its
// arguments in gopher-lua).
func luaYield(L *lua.LState) int {
	if L.Parent == nil {
		L.RaiseError("attempt to yield from outside a coroutine")
	}
	return -1
}

// luaConcat concatenates the strings of the array table at 1.
func luaConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	n := t.Len()
	size := 0
	for i := 1; i <= n; i++ {
		size += len(t.RawGetInt(i).String())
	}
	var b strings.Builder
	b.Grow(size)
	for i := 1; i <= n; i++ {
		b.WriteString(t.RawGetInt(i).String())
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// luaToNumber converts a number or numeric string, else returns nil.
func luaToNumber(L *lua.LState) int {
	switch v := L.Get(1).(type) {
	case lua.LNumber:
		L.Push(v)
	case lua.LString:
		if f, err := parseNumber(string(v)); err == nil {
			L.Push(f)
		} else {
			L.Push(lua.LNil)
		}
	default:
		L.Push(lua.LNil)
	}
	return 1
}

// luaCheckWait checks the wait function argument of a _call method.
func luaCheckWait(L *lua.LState) int {
	name := L.CheckString(1)
	switch v := L.Get(2).(type) {
	case *lua.LFunction, *lua.LTable, *lua.LUserData:
	default:
		L.RaiseError("bad argument #1 to '%s' (function expected, got %s)", name, typeName(v))
	}
	return 0
}

// Logf writes one line to moonbridge_io.stderr of L: in a worker, a line
// of the master's log with the worker's name. It is a log line: write
// errors are ignored.
func Logf(L *lua.LState, format string, args ...any) {
	ud, ok := stateOf(L).module.RawGetString("stderr").(*lua.LUserData)
	if !ok {
		return
	}
	h, ok := ud.Value.(*Handle)
	if !ok || h.Closed() {
		return
	}
	_ = h.WriteString(fmt.Sprintf(format, args...) + "\n")
	_ = h.Flush()
}

// SetStderr makes moonbridge_io.stderr of L write to descriptor fd, which
// stays owned by the caller (a goroutine worker's own stderr pipe).
func SetStderr(L *lua.LState, fd int) {
	stateOf(L).module.RawSetString("stderr", newHandle(fd, false, false, true).Value(L))
}
