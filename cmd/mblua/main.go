// Command mblua runs Lua 5.3 scripts on the product's own engine, with
// the command line of lua5.3:
//
//	mblua [options] [script [args]]
//
//	-e stat  execute string 'stat'
//	-i       enter interactive mode after executing 'script'
//	-l name  require library 'name' into global 'name'
//	-v       show version information
//	-E       ignore environment variables (LUA_INIT, LUA_PATH, ...)
//	--       stop handling options
//	-        stop handling options and execute stdin
//
// Without a script it runs standard input, or the interactive mode when
// standard input is a terminal. MBLUA_CPUPROFILE=FILE writes a CPU
// profile of the run. Exit status: 0 on success, 1 when a
// script or option fails, or the value given to os.exit.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"

	"github.com/moonbridge-go/moonbridge/compiler/codegen"
	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/baselib"
	"github.com/moonbridge-go/moonbridge/stdlib/iolib"
	"github.com/moonbridge-go/moonbridge/stdlib/lualibs"
)

const version = "Lua 5.3 (mblua, the Moonbridge for Go engine)"

func main() {
	// One Lua state, one goroutine at a time: fewer collections pay
	// more than the memory they save (as for the server's workers).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	// MBLUA_CPUPROFILE=FILE writes a CPU profile for go tool pprof.
	if path := os.Getenv("MBLUA_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				status := run(os.Args)
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(status)
			}
		}
	}
	os.Exit(run(os.Args))
}

// interp holds one run of the interpreter.
type interp struct {
	progname string // "" in interactive mode: messages carry no prefix
	L        *lua.State
}

// options are the flags lua.c's collectargs finds.
type options struct {
	exec, version, interactive, ignoreEnv bool
}

func run(argv []string) int {
	in := &interp{progname: "mblua"}
	if len(argv) > 0 && argv[0] != "" {
		in.progname = argv[0]
	}
	opts, script, ok := parseArgs(argv)
	if !ok {
		in.usage(argv[script])
		return 1
	}
	L := lua.NewState()
	L.SetCompiler(codegen.Compile)
	if opts.ignoreEnv {
		L.Registry().SetStr("LUA_NOENV", lua.True)
	}
	lualibs.OpenAll(L)
	in.L = L
	defer func() {
		iolib.FlushAll(L)
		L.Close() // runs the remaining __gc metamethods, as lua_close does
	}()
	if opts.version {
		in.printVersion()
	}
	// As lua.c does, everything runs inside a Go function called in
	// protected mode, so tracebacks end with its "[C]: in ?" frame.
	status := 0
	pmain := lua.NewGoFunction("pmain", func(L *lua.State) int {
		status = in.pmain(argv, opts, script)
		return 0
	})
	if _, err := L.PCallValue(pmain); err != nil {
		in.report(err)
		return 1
	}
	return status
}

func (in *interp) pmain(argv []string, opts options, script int) int {
	in.createArgTable(argv, script)
	if !opts.ignoreEnv && !in.handleInit() {
		return 1
	}
	if !in.runOptions(argv, script) {
		return 1
	}
	if script < len(argv) && !in.runScript(argv, script) {
		return 1
	}
	switch {
	case opts.interactive:
		in.repl()
	case script == len(argv) && !opts.exec && !opts.version:
		if stdinIsTerminal() {
			in.printVersion()
			in.repl()
		} else if !in.runFile("", nil) {
			return 1
		}
	}
	return 0
}

func (in *interp) printVersion() {
	fmt.Fprintln(in.L.Stdout(), version)
}

// parseArgs checks the options as lua.c's collectargs does. It returns
// the index of the script (len(argv) if there is none), or false and the
// index of the bad option.
func parseArgs(argv []string) (options, int, bool) {
	var o options
	i := 1
	for ; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") {
			return o, i, true
		}
		if len(a) == 1 { // "-": the script is standard input
			return o, i, true
		}
		switch a[1] {
		case '-':
			if len(a) != 2 {
				return o, i, false
			}
			return o, i + 1, true
		case 'E':
			if len(a) != 2 {
				return o, i, false
			}
			o.ignoreEnv = true
		case 'i', 'v':
			if len(a) != 2 {
				return o, i, false
			}
			o.interactive = o.interactive || a[1] == 'i'
			o.version = true // -i implies -v
		case 'e', 'l':
			o.exec = o.exec || a[1] == 'e'
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

func (in *interp) usage(bad string) {
	w := os.Stderr
	if len(bad) >= 2 && (bad[1] == 'e' || bad[1] == 'l') {
		fmt.Fprintf(w, "%s: '%s' needs argument\n", in.progname, bad)
	} else {
		fmt.Fprintf(w, "%s: unrecognized option '%s'\n", in.progname, bad)
	}
	fmt.Fprintf(w, "usage: %s [options] [script [args]]\n"+
		"Available options are:\n"+
		"  -e stat  execute string 'stat'\n"+
		"  -i       enter interactive mode after executing 'script'\n"+
		"  -l name  require library 'name' into global 'name'\n"+
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
	_, ok := in.docall(f, nil, 0)
	return ok
}

// requireLib runs require(name) and stores the result in global name.
func (in *interp) requireLib(name string) bool {
	req := in.L.Globals().GetStr("require")
	res, ok := in.docall(req, []lua.Value{lua.String(name)}, 1)
	if ok {
		in.L.Globals().SetStr(name, res[0])
	}
	return ok
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
	_, ok := in.docall(f, args, 0)
	return ok
}

// docall runs f with a message handler that adds a traceback and
// returns nresults results (all with lua.MultRet); errors are reported.
func (in *interp) docall(f lua.Value, args []lua.Value, nresults int) ([]lua.Value, bool) {
	L := in.L
	base := L.Top()
	L.Push(lua.NewGoFunction("msghandler", msgHandler))
	L.Push(f)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), nresults, base+1)
	if err != nil {
		L.SetTop(base)
		in.report(err)
		return nil, false
	}
	res := make([]lua.Value, L.Top()-base-1)
	for i := range res {
		res[i] = L.Get(base + 2 + i)
	}
	L.SetTop(base)
	return res, true
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
			if s, isStr := L.Call1(h, v).AsString(); isStr {
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
	if in.progname != "" {
		fmt.Fprintf(os.Stderr, "%s: ", in.progname)
	}
	fmt.Fprintf(os.Stderr, "%s\n", msg)
}

func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// repl is lua.c's interactive mode: read a line (more lines while the
// statement is incomplete), run it, print its results.
func (in *interp) repl() {
	saved := in.progname
	in.progname = ""
	defer func() { in.progname = saved }()
	for {
		f, ok, eof := in.loadLine()
		if eof {
			break
		}
		if !ok {
			continue
		}
		res, ok := in.docall(f, nil, lua.MultRet)
		if ok && len(res) > 0 {
			print := in.L.Globals().GetStr("print")
			if _, err := in.L.PCallValue(print, res...); err != nil {
				in.report(fmt.Errorf("error calling 'print' (%s)", err.Error()))
			}
		}
	}
	io.WriteString(in.L.Stdout(), "\n")
}

// loadLine reads and compiles one statement: first as "return <line>",
// then as a statement, reading more lines while the error says the chunk
// ended too early.
func (in *interp) loadLine() (f lua.Value, ok, eof bool) {
	line, more := in.readLine(true)
	if !more {
		return lua.Nil, false, true
	}
	if strings.HasPrefix(line, "=") {
		line = "return " + line[1:]
	}
	if f, err := in.L.LoadChunk([]byte("return "+line), "=stdin", "t", nil); err == nil {
		return f, true, false
	}
	for {
		f, err := in.L.LoadChunk([]byte(line), "=stdin", "t", nil)
		if err == nil {
			return f, true, false
		}
		if !strings.HasSuffix(err.Error(), "<eof>") {
			in.report(err)
			return lua.Nil, false, false
		}
		next, more := in.readLine(false)
		if !more {
			in.report(err)
			return lua.Nil, false, false
		}
		line += "\n" + next
	}
}

// readLine prints the prompt (_PROMPT or _PROMPT2) and reads a line from
// standard input byte by byte, so that nothing is read past it.
func (in *interp) readLine(first bool) (string, bool) {
	name, def := "_PROMPT", "> "
	if !first {
		name, def = "_PROMPT2", ">> "
	}
	prompt := def
	if s, ok := in.L.Globals().GetStr(name).ToString(); ok {
		prompt = s
	}
	w := iolib.Stdout(in.L)
	io.WriteString(w, prompt)
	w.Flush()
	var b []byte
	var c [1]byte
	for {
		n, err := os.Stdin.Read(c[:])
		if n == 0 || err != nil {
			if len(b) == 0 {
				return "", false
			}
			break
		}
		if c[0] == '\n' {
			break
		}
		b = append(b, c[0])
	}
	return string(b), true
}
