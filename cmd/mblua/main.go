// Command mblua runs plain Lua 5.3 scripts on the product's own engine,
// with the command line of lua5.3:
//
//	mblua [options] [script [args]]
//
//	-e stat  execute string 'stat'
//	-l name  require library 'name' into global 'name'
//	-v       show version information
//	-E       ignore environment variables (LUA_INIT, LUA_PATH, ...)
//	--       stop handling options
//	-        stop handling options and execute stdin
//
// The interactive mode (-i) of lua5.3 is not provided. Exit status: 0 on
// success, 1 when a script or option fails, or the value given to os.exit.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/baselib"
	"github.com/moonbridge-go/moonbridge/stdlib/iolib"
	"github.com/moonbridge-go/moonbridge/stdlib/lualibs"
)

const version = "Lua 5.3 (mblua, the Moonbridge for Go engine)"

func main() {
	os.Exit(run(os.Args))
}

// interp holds one run of the interpreter.
type interp struct {
	progname string
	L        *lua.State
}

func run(argv []string) int {
	in := &interp{progname: "mblua"}
	if len(argv) > 0 && argv[0] != "" {
		in.progname = argv[0]
	}
	opts, scriptIdx, ok := parseArgs(argv)
	if !ok {
		in.usage(argv, scriptIdx)
		return 1
	}
	if opts.ignoreEnv {
		os.Setenv("LUA_NOENV", "1")
	}
	L := lualibs.NewState()
	in.L = L
	defer iolib.FlushAll(L)
	// As lua.c does, everything runs inside a Go function called in
	// protected mode, so tracebacks end with its "[C]: in ?" frame.
	status := 0
	pmain := lua.NewGoFunction("pmain", func(L *lua.State) int {
		status = in.pmain(argv, opts, scriptIdx)
		return 0
	})
	if _, err := L.PCallValue(pmain); err != nil {
		in.report(err)
		return 1
	}
	return status
}

func (in *interp) pmain(argv []string, opts options, scriptIdx int) int {
	in.createArgTable(argv, scriptIdx)
	if opts.version {
		fmt.Fprintln(in.L.Stdout(), version)
	}
	if !opts.ignoreEnv && !in.handleInit() {
		return 1
	}
	if !in.runOptions(argv, scriptIdx) {
		return 1
	}
	if scriptIdx < len(argv) {
		if !in.runScript(argv, scriptIdx) {
			return 1
		}
	} else if !opts.exec && !opts.version {
		// No script: run standard input, as lua5.3 does when it is not a terminal.
		if !in.runFile("", nil) {
			return 1
		}
	}
	return 0
}

type options struct {
	exec, version, ignoreEnv bool
}

// parseArgs checks the options (lua.c's collectargs); it returns the
// index of the script (len(argv) if none) and false with the index of the
// bad option.
func parseArgs(argv []string) (options, int, bool) {
	var o options
	i := 1
	for ; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") {
			return o, i, true
		}
		switch {
		case a == "--":
			if len(a) != 2 {
				return o, i, false
			}
			return o, i + 1, true
		case a == "-":
			return o, i, true
		case a == "-E":
			o.ignoreEnv = true
		case a == "-i":
			// Interactive mode is not provided: treat as -v plus stdin.
			return o, i, false
		case a == "-v":
			o.version = true
		case strings.HasPrefix(a, "-e"), strings.HasPrefix(a, "-l"):
			if a[0:2] == "-e" {
				o.exec = true
			}
			if len(a) == 2 {
				i++
				if i >= len(argv) || strings.HasPrefix(argv[i], "-") {
					return o, i - 1, false
				}
			}
		default:
			return o, i, false
		}
	}
	return o, i, true
}

func (in *interp) usage(argv []string, bad int) {
	w := os.Stderr
	if bad < len(argv) {
		a := argv[bad]
		if a == "-e" || a == "-l" {
			fmt.Fprintf(w, "%s: '%s' needs argument\n", in.progname, a)
		} else if a == "-i" {
			fmt.Fprintf(w, "%s: interactive mode (-i) is not supported\n", in.progname)
		} else {
			fmt.Fprintf(w, "%s: unrecognized option '%s'\n", in.progname, a)
		}
	}
	fmt.Fprintf(w, "usage: %s [options] [script [args]]\n"+
		"Available options are:\n"+
		"  -e stat  execute string 'stat'\n"+
		"  -l name  require library 'name'\n"+
		"  -v       show version information\n"+
		"  -E       ignore environment variables\n"+
		"  --       stop handling options\n"+
		"  -        stop handling options and execute stdin\n", in.progname)
}

// createArgTable sets the global 'arg': the script at 0, its arguments
// at 1.., the interpreter and options at negative indices.
func (in *interp) createArgTable(argv []string, script int) {
	if script == len(argv) {
		script = 0
	}
	t := lua.NewTable(len(argv)-script, script+1)
	for i, a := range argv {
		t.SetInt(int64(i-script), lua.String(a))
	}
	in.L.Globals().SetStr("arg", lua.TableValue(t))
}

func (in *interp) handleInit() bool {
	name := "=LUA_INIT_5_3"
	init, ok := os.LookupEnv("LUA_INIT_5_3")
	if !ok {
		name = "=LUA_INIT"
		init, ok = os.LookupEnv("LUA_INIT")
	}
	if !ok {
		return true
	}
	if strings.HasPrefix(init, "@") {
		return in.runFile(init[1:], nil)
	}
	return in.runString(init, name)
}

// runOptions runs the -e and -l options in order.
func (in *interp) runOptions(argv []string, script int) bool {
	for i := 1; i < script; i++ {
		a := argv[i]
		if len(a) < 2 || (a[:2] != "-e" && a[:2] != "-l") {
			continue
		}
		val := a[2:]
		if val == "" {
			i++
			val = argv[i]
		}
		if a[:2] == "-e" {
			if !in.runString(val, "=(command line)") {
				return false
			}
		} else if !in.requireLib(val) {
			return false
		}
	}
	return true
}

func (in *interp) runString(src, name string) bool {
	f, err := in.L.LoadChunk([]byte(src), name, "bt", nil)
	if err != nil {
		in.report(err)
		return false
	}
	return in.docall(f, nil)
}

func (in *interp) requireLib(name string) bool {
	req := in.L.Globals().GetStr("require")
	res, err := in.L.PCallValue(req, lua.String(name))
	if err != nil {
		in.report(err)
		return false
	}
	v := lua.Nil
	if len(res) > 0 {
		v = res[0]
	}
	in.L.Globals().SetStr(name, v)
	return true
}

func (in *interp) runScript(argv []string, script int) bool {
	fname := argv[script]
	if fname == "-" && (script == 0 || argv[script-1] != "--") {
		fname = ""
	}
	args := make([]lua.Value, 0, len(argv)-script-1)
	for _, a := range argv[script+1:] {
		args = append(args, lua.String(a))
	}
	return in.runFile(fname, args)
}

func (in *interp) runFile(fname string, args []lua.Value) bool {
	src, chunkName, err := baselib.ReadChunkFile(fname)
	if err != nil {
		in.report(err)
		return false
	}
	f, err := in.L.LoadChunk(src, chunkName, "bt", nil)
	if err != nil {
		in.report(err)
		return false
	}
	return in.docall(f, args)
}

// docall runs f with a message handler that adds a traceback.
func (in *interp) docall(f lua.Value, args []lua.Value) bool {
	L := in.L
	L.Push(lua.NewGoFunction("msghandler", msgHandler))
	L.Push(f)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), 0, -len(args)-2)
	L.Pop(1)
	if err != nil {
		in.report(err)
		return false
	}
	return true
}

// msgHandler turns an error value into a message with a traceback
// (lua.c's msghandler).
func msgHandler(L *lua.State) int {
	v := L.Arg(1)
	msg, ok := v.AsString()
	if !ok {
		if v.IsNumber() {
			msg, _ = v.ToString()
		} else if h := L.MetaField(v, "__tostring"); !h.IsNil() {
			s, isStr := L.Call1(h, v).AsString()
			if isStr {
				L.PushString(s)
				return 1
			}
			msg = fmt.Sprintf("(error object is a %s value)", v.TypeName())
		} else {
			msg = fmt.Sprintf("(error object is a %s value)", v.TypeName())
		}
	}
	L.PushString(L.Traceback(msg, 1))
	return 1
}

// report prints an error as lua.c does: "progname: message".
func (in *interp) report(err error) {
	iolib.FlushAll(in.L)
	msg := err.Error()
	if e, ok := err.(*lua.Error); ok {
		if s, isStr := e.Value.ToString(); isStr {
			msg = s
		} else {
			msg = fmt.Sprintf("(error object is a %s value)", e.Value.TypeName())
		}
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", in.progname, msg)
}
