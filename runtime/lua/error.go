package lua

import (
	"fmt"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// Error is a Lua error: any value raised by error() or by the engine.
// Traceback is set when the error passed through a traceback handler of
// the caller's choosing (see PCallTraceback).
type Error struct {
	Value     Value
	Traceback string
	cancelled bool
}

// Error returns the error value as a message, as lua.c prints it: a
// string or number as is, a value with __tostring through it is left to
// the caller (Message does that), anything else named by its type.
func (e *Error) Error() string {
	if s, ok := e.Value.ToString(); ok {
		return s
	}
	return fmt.Sprintf("(error object is a %s value)", e.Value.TypeName())
}

// Cancelled reports whether the error is a state's cancellation
// (State.Cancel), which pcall does not catch.
func (e *Error) Cancelled() bool { return e.cancelled }

// Throw raises v as a Lua error. It does not return.
func (L *State) Throw(v Value) {
	if L.errFunc != 0 {
		v = L.callMessageHandler(v)
	}
	panic(&Error{Value: v})
}

// callMessageHandler runs the message handler of the innermost xpcall at
// the point of the error, so that it sees the stack that raised it.
func (L *State) callMessageHandler(v Value) Value {
	h := L.stack[L.errFunc]
	L.errFunc = 0 // an error in the handler is not handled again by it
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok || e.cancelled {
				panic(r)
			}
			// A failing handler (including C stack overflow inside it)
			// turns into LUA_ERRERR.
			panic(&Error{Value: String("error in error handling")})
		}
	}()
	L.ensureStack(2)
	L.stack[L.top] = h
	L.stack[L.top+1] = v
	L.top += 2
	L.call(L.top-2, 1)
	L.top--
	return L.stack[L.top]
}

// RuntimeError raises a message prefixed with the position of the running
// Lua function ("chunk:line: "), as the interpreter's own errors are.
func (L *State) RuntimeError(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ci := L.ci; ci.lf != nil {
		msg = L.chunkLine(ci) + msg
	}
	L.Throw(String(msg))
}

// Errorf raises a message prefixed with the position of the Lua code that
// called the running Go function (luaL_error).
func (L *State) Errorf(format string, args ...any) {
	L.Throw(String(L.Where(1) + fmt.Sprintf(format, args...)))
}

// Where returns "chunk:line: " for the function at the given level (0 is
// the running function, 1 its caller), or "" when that is not a Lua
// function (luaL_where).
func (L *State) Where(level int) string {
	ci := L.ciAt(level)
	if ci == nil || ci.lf == nil {
		return ""
	}
	return L.chunkLine(ci)
}

func (L *State) chunkLine(ci *callInfo) string {
	p := ci.lf.proto
	line := p.LineAt(ci.pc - 1)
	return fmt.Sprintf("%s:%d: ", chunkID(p.Source), line)
}

// ciAt returns the frame at the given level (0: running), or nil.
func (L *State) ciAt(level int) *callInfo {
	ci := L.ci
	for ; level > 0 && ci != &L.base0; level-- {
		ci = ci.prev
	}
	if level > 0 || ci == &L.base0 {
		return nil
	}
	return ci
}

// ArgError raises "bad argument #arg to 'fname' (msg)" (luaL_argerror).
func (L *State) ArgError(arg int, msg string) {
	name, namewhat := L.funcNameAt(L.ci)
	if namewhat == "method" {
		arg--
		if arg == 0 {
			L.Errorf("calling '%s' on bad self (%s)", name, msg)
		}
	}
	if name == "" {
		name = L.globalFuncName(L.ci)
		if name == "" {
			name = "?"
		}
	}
	L.Errorf("bad argument #%d to '%s' (%s)", arg, name, msg)
}

// TypeError raises a "bad argument" error saying what type was expected
// (luaL_typeerror).
func (L *State) TypeError(arg int, expected string) {
	var actual string
	v := L.Get(arg)
	if mt := L.Metatable(v); mt != nil && mt.GetStr("__name").IsString() {
		actual, _ = mt.GetStr("__name").AsString()
	} else if arg > L.Top() {
		actual = "no value"
	} else {
		actual = v.TypeName()
	}
	L.ArgError(arg, fmt.Sprintf("%s expected, got %s", expected, actual))
}

// chunkID shortens a chunk name for messages as luaO_chunkid does.
func chunkID(source string) string { return code.ChunkID(source) }
