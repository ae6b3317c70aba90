// Package iolib is Lua 5.3's io library (liolib.c): io.open, io.lines,
// io.read, io.write, io.popen, io.tmpfile and the rest, and the methods
// of file handles, with lua5.3's results and error messages on Linux.
//
// Files are buffered as C's stdio buffers them: one buffer per file
// shared by reads and writes, flushed before reading and seeking, fully
// buffered by default, io.stdout line-buffered when it is a terminal and
// fully buffered otherwise, io.stderr unbuffered. Bytes are read and
// written as they are ("\r" is kept).
//
// Standard output. io.stdout writes to the state's L.Stdout() (normally
// os.Stdout) through its buffer, and Open makes the state's stdout writer
// (L.SetOutput) a writer that goes through that same buffer and flushes
// it after each write, as print's fwrite and fflush do in lua5.3: print
// and io.write output thus stay in lua5.3's order. Stdout returns that
// writer. Commands run by io.popen (and os.execute) inherit the file
// behind it without flushing it, as with C's popen() and system().
//
// Flushing at exit: FlushAll flushes every open file of the state (C's
// exit() does that); the interpreter calls it when the script ends. Open
// also registers it in the registry table oslib.AtExitKey
// ("moonbridge.atexit"), which os.exit runs before exiting; with
// os.exit's 'close' argument true the files are closed as lua_close
// closes them (a pipe's command is waited for).
//
// Collection: a file handle that becomes unreachable while open is
// closed by a cleanup (runtime.AddCleanup) that touches only the
// handle's stream, never the Lua state. The __gc method exists as in
// lua5.3 but the engine does not call it.
package iolib

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/runtime/lua/luaconv"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/syserr"
)

const (
	fileHandle = "FILE*"
	ioInput    = "_IO_input"
	ioOutput   = "_IO_output"
	stateKey   = "moonbridge.iolib"
	atExitKey  = "moonbridge.atexit" // oslib.AtExitKey
	maxArgLine = 250
)

// Open returns the io library table, with io.stdin, io.stdout and
// io.stderr, and installs the shared standard output (see the package
// comment).
func Open(L *lua.State) *lua.Table {
	st := state(L)
	mt, _ := L.NewMetatable(fileHandle)
	lua.SetFuncs(mt, map[string]lua.GoFunc{
		"close":      ioClose,
		"flush":      fFlush,
		"lines":      fLines,
		"read":       fRead,
		"seek":       fSeek,
		"setvbuf":    fSetvbuf,
		"write":      fWrite,
		"__gc":       fGC,
		"__tostring": fToString,
	})
	mt.SetStr("__index", lua.TableValue(mt))

	t := lua.NewTable(0, 14)
	lua.SetFuncs(t, map[string]lua.GoFunc{
		"close":   ioClose,
		"flush":   ioFlush,
		"input":   ioInputFn,
		"lines":   ioLines,
		"open":    ioOpen,
		"output":  ioOutputFn,
		"popen":   ioPopen,
		"read":    ioRead,
		"tmpfile": ioTmpfile,
		"type":    ioType,
		"write":   ioWrite,
	})
	stdin := lua.UserdataValue(lua.NewUserdata(st.stdin, mt))
	stdout := lua.UserdataValue(lua.NewUserdata(st.stdout, mt))
	stderr := lua.UserdataValue(lua.NewUserdata(st.stderr, mt))
	reg := L.Registry()
	reg.SetStr(ioInput, stdin)
	reg.SetStr(ioOutput, stdout)
	t.SetStr("stdin", stdin)
	t.SetStr("stdout", stdout)
	t.SetStr("stderr", stderr)

	hooks := reg.GetStr(atExitKey).AsTable()
	if hooks == nil {
		hooks = lua.NewTable(1, 0)
		reg.SetStr(atExitKey, lua.TableValue(hooks))
	}
	hooks.SetInt(hooks.Len()+1, lua.NewGoFunction("flush", atExit))
	return t
}

// state returns the state's io data, creating it (and the standard
// streams) on first use.
func state(L *lua.State) *ioState {
	reg := L.Registry()
	if u := reg.GetStr(stateKey).AsUserdata(); u != nil {
		return u.Data.(*ioState)
	}
	st := &ioState{files: map[*stream]struct{}{}}
	st.stdin = newStream(st, os.Stdin, kindStd, true, false)
	if isTerminal(os.Stdin) {
		st.stdin.mode = bufLine
	}
	st.stdout = stdStream(st, L.Stdout(), bufFull)
	st.stderr = stdStream(st, L.Stderr(), bufNo)
	st.printer = &printWriter{st.stdout}
	L.SetOutput(st.printer, L.Stderr())
	reg.SetStr(stateKey, lua.UserdataValue(lua.NewUserdata(st, nil)))
	return st
}

func stdStream(st *ioState, w interface{ Write([]byte) (int, error) }, mode int) *stream {
	s := newStream(st, nil, kindStd, false, true)
	if f, ok := w.(*os.File); ok {
		s.f = f
		if mode == bufFull && isTerminal(f) {
			mode = bufLine
		}
	} else {
		s.w = w
	}
	s.mode = mode
	return s
}

// printWriter is the state's stdout once the io library is open: it
// writes through io.stdout's buffer and flushes it, as print does.
type printWriter struct{ s *stream }

func (p *printWriter) Write(b []byte) (int, error) {
	if err := p.s.write(b); err != nil {
		return 0, err
	}
	if err := p.s.flush(); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Underlying returns the file (or writer) behind the buffer, for child
// processes (see syserr.Underlying).
func (p *printWriter) Underlying() any {
	if p.s.f != nil {
		return p.s.f
	}
	return p.s.w
}

// Flush flushes io.stdout's buffer.
func (p *printWriter) Flush() error { return p.s.flush() }

// Stdout returns the writer that io.stdout writes through: print uses it
// (it is also the state's L.Stdout() once Open has run). Each Write is
// followed by a flush of the buffer, as print's lua_writeline does.
func Stdout(L *lua.State) interface {
	Write([]byte) (int, error)
	Flush() error
} {
	return state(L).printer
}

// FlushAll flushes io.stdout, io.stderr and every open file of the
// state, as C's exit() flushes every stdio stream. It returns the first
// error.
func FlushAll(L *lua.State) error {
	st := state(L)
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	st.mu.Lock()
	files := make([]*stream, 0, len(st.files))
	for s := range st.files {
		files = append(files, s)
	}
	st.mu.Unlock()
	for _, s := range files {
		if !s.closed {
			keep(s.flush())
		}
	}
	keep(st.stdout.flush())
	keep(st.stderr.flush())
	return first
}

// closeAll closes every open file of the state (lua_close's collection
// of the file handles) and flushes the standard ones.
func closeAll(L *lua.State) {
	st := state(L)
	st.mu.Lock()
	files := make([]*stream, 0, len(st.files))
	for s := range st.files {
		files = append(files, s)
	}
	st.mu.Unlock()
	for _, s := range files {
		if !s.closed {
			s.closeFile()
		}
	}
	st.stdout.flush()
	st.stderr.flush()
}

func atExit(L *lua.State) int {
	if L.Arg(1).Truthy() {
		closeAll(L)
	} else {
		FlushAll(L)
	}
	return 0
}

// Handles.

// newFile returns a new handle for s, registered for FlushAll and closed
// when collected.
func newFile(L *lua.State, s *stream) lua.Value {
	mt, _ := L.NewMetatable(fileHandle)
	u := lua.NewUserdata(s, mt)
	if s.kind != kindStd {
		s.owner.add(s)
		runtime.AddCleanup(u, finalize, s)
	}
	return lua.UserdataValue(u)
}

// toStream returns argument i as a file handle's stream (tolstream).
func toStream(L *lua.State, i int) *stream {
	return L.CheckUserdata(i, fileHandle).Data.(*stream)
}

// toFile returns argument i as an open file's stream (tofile).
func toFile(L *lua.State, i int) *stream {
	s := toStream(L, i)
	if s.closed {
		L.Errorf("attempt to use a closed file")
	}
	return s
}

func fileResult(L *lua.State, err error, fname string) int {
	if err == nil {
		L.PushBool(true)
		return 1
	}
	return syserr.FileResult(L, err, fname)
}

func ioType(L *lua.State) int {
	L.CheckAny(1)
	u := L.TestUserdata(1, fileHandle)
	switch {
	case u == nil:
		L.PushNil()
	case u.Data.(*stream).closed:
		L.PushString("closed file")
	default:
		L.PushString("file")
	}
	return 1
}

func fToString(L *lua.State) int {
	s := toStream(L, 1)
	if s.closed {
		L.PushString("file (closed)")
	} else {
		L.PushString(fmt.Sprintf("file (%p)", s))
	}
	return 1
}

// auxClose closes the file at index 1 (aux_close) and pushes the results.
func auxClose(L *lua.State, s *stream) int {
	switch s.kind {
	case kindStd:
		L.PushNil()
		L.PushString("cannot close standard file")
		return 2
	case kindPipe:
		signaled, code, err := s.closeFile()
		if err != nil {
			return syserr.FileResult(L, err, "")
		}
		return syserr.ExecResult(L, signaled, code)
	}
	_, _, err := s.closeFile()
	return fileResult(L, err, "")
}

func ioClose(L *lua.State) int {
	if L.NArgs() == 0 {
		L.Push(L.Registry().GetStr(ioOutput))
	}
	return auxClose(L, toFile(L, 1))
}

func fGC(L *lua.State) int {
	s := toStream(L, 1)
	if !s.closed && s.kind != kindStd {
		auxClose(L, s)
	}
	return 0
}

// Opening.

// checkMode is l_checkmode: [rwa]%+?b*
func checkMode(mode string) bool {
	if mode == "" || !strings.ContainsRune("rwa", rune(mode[0])) {
		return false
	}
	mode = mode[1:]
	if mode != "" && mode[0] == '+' {
		mode = mode[1:]
	}
	return strings.Trim(mode, "b") == ""
}

// openFile is fopen.
func openFile(L *lua.State, name, mode string) (*stream, error) {
	plus := strings.Contains(mode, "+")
	var flags int
	readable, writable := true, true
	switch mode[0] {
	case 'r':
		flags = os.O_RDONLY
		writable = plus
	case 'w':
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		readable = plus
	case 'a':
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		readable = plus
	}
	if plus {
		flags = flags&^os.O_WRONLY | os.O_RDWR
	}
	f, err := os.OpenFile(cstr(name), flags, 0o666)
	if err != nil {
		return nil, err
	}
	if mode[0] == 'a' && !plus {
		// glibc starts a write-only append stream at the end.
		f.Seek(0, io.SeekEnd)
	}
	return newStream(state(L), f, kindFile, readable, writable), nil
}

// cstr is s up to its first zero byte, as C sees a file name.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func ioOpen(L *lua.State) int {
	name := L.CheckString(1)
	mode := L.OptString(2, "r")
	if !checkMode(mode) {
		L.ArgError(2, "invalid mode")
	}
	s, err := openFile(L, name, mode)
	if err != nil {
		return syserr.FileResult(L, err, cstr(name))
	}
	L.Push(newFile(L, s))
	return 1
}

// openCheckFile opens a file or raises "cannot open file" (opencheckfile).
func openCheckFile(L *lua.State, name, mode string) lua.Value {
	s, err := openFile(L, name, mode)
	if err != nil {
		L.Errorf("cannot open file '%s' (%s)", cstr(name), syserr.Strerror(err))
	}
	return newFile(L, s)
}

func ioTmpfile(L *lua.State) int {
	f, err := os.CreateTemp("", "tmpf")
	if err != nil {
		return syserr.FileResult(L, err, "")
	}
	os.Remove(f.Name())
	L.Push(newFile(L, newStream(state(L), f, kindFile, true, true)))
	return 1
}

func ioPopen(L *lua.State) int {
	prog := L.CheckString(1)
	mode := L.OptString(2, "r")
	if mode != "r" && mode != "w" {
		L.ArgError(2, "invalid mode")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return syserr.FileResult(L, err, prog)
	}
	cmd := exec.Command("/bin/sh", "-c", cstr(prog))
	cmd.Stderr = writerOf(L.Stderr())
	var ours *os.File
	if mode == "r" {
		cmd.Stdin = os.Stdin
		cmd.Stdout = w
		ours = r
	} else {
		cmd.Stdin = r
		cmd.Stdout = writerOf(L.Stdout())
		ours = w
	}
	err = cmd.Start()
	if mode == "r" {
		w.Close()
	} else {
		r.Close()
	}
	if err != nil {
		ours.Close()
		return syserr.FileResult(L, err, prog)
	}
	s := newStream(state(L), ours, kindPipe, mode == "r", mode == "w")
	s.cmd = cmd
	L.Push(newFile(L, s))
	return 1
}

// writerOf returns the file (or writer) behind w for a child process.
func writerOf(w interface{ Write([]byte) (int, error) }) interface{ Write([]byte) (int, error) } {
	if u, ok := syserr.Unwrap(w).(interface{ Write([]byte) (int, error) }); ok {
		return u
	}
	return w
}

func statusOf(ps *os.ProcessState) (bool, int) { return syserr.Status(ps) }

// Default files.

// getIOFile returns the default input or output's stream (getiofile).
func getIOFile(L *lua.State, key string) (*stream, lua.Value) {
	v := L.Registry().GetStr(key)
	s := v.AsUserdata().Data.(*stream)
	if s.closed {
		L.Errorf("standard %s file is closed", strings.TrimPrefix(key, "_IO_"))
	}
	return s, v
}

func gIOFile(L *lua.State, key, mode string) int {
	if !L.IsNoneOrNil(1) {
		v := L.Arg(1)
		if name, ok := v.ToString(); ok {
			v = openCheckFile(L, name, mode)
		} else {
			toFile(L, 1)
		}
		L.Registry().SetStr(key, v)
	}
	L.Push(L.Registry().GetStr(key))
	return 1
}

func ioInputFn(L *lua.State) int  { return gIOFile(L, ioInput, "r") }
func ioOutputFn(L *lua.State) int { return gIOFile(L, ioOutput, "w") }

// Lines.

// auxLines returns the iterator over the file at index 1 with the
// formats at 2.. (aux_lines).
func auxLines(L *lua.State, toClose bool) lua.Value {
	n := L.NArgs() - 1
	if n > maxArgLine {
		L.ArgError(maxArgLine+2, "too many arguments")
	}
	file := L.Arg(1)
	formats := make([]lua.Value, n)
	for i := range formats {
		formats[i] = L.Arg(i + 2)
	}
	return lua.NewGoFunction("lines", func(L *lua.State) int {
		s := file.AsUserdata().Data.(*stream)
		if s.closed {
			L.Errorf("file is already closed")
		}
		L.SetTop(1)
		for _, f := range formats {
			L.Push(f)
		}
		res := gRead(L, s, 2)
		if res[0].Truthy() {
			for _, v := range res {
				L.Push(v)
			}
			return len(res)
		}
		if len(res) > 1 {
			// An error: the second result is its message.
			msg, _ := res[1].ToString()
			L.Errorf("%s", msg)
		}
		if toClose {
			L.SetTop(0)
			auxClose(L, s)
		}
		return 0
	})
}

func fLines(L *lua.State) int {
	toFile(L, 1)
	L.Push(auxLines(L, false))
	return 1
}

func ioLines(L *lua.State) int {
	if L.NArgs() == 0 {
		L.PushNil()
	}
	toClose := false
	if L.Arg(1).IsNil() {
		L.Set(1, L.Registry().GetStr(ioInput))
		toFile(L, 1)
	} else {
		name := L.CheckString(1)
		L.Set(1, openCheckFile(L, name, "r"))
		toClose = true
	}
	L.Push(auxLines(L, toClose))
	return 1
}

// Reading.

// maxRead is the largest count read(n) accepts; beyond it lua5.3 fails
// to allocate its buffer.
const maxRead = 1 << 40

// gRead reads with the formats at indices first.. and returns the
// results (g_read): the values read, nil for the first that failed, or
// nil, message, errno on an error.
func gRead(L *lua.State, s *stream, first int) []lua.Value {
	nargs := L.NArgs() - first + 1
	s.err = nil
	var res []lua.Value
	success := true
	if nargs <= 0 {
		line, ok := s.readLine(true)
		res = append(res, lua.Bytes(line))
		success = ok
	} else {
		for n := first; n < first+nargs && success; n++ {
			if L.Arg(n).Type() == lua.TypeNumber {
				l := L.CheckInteger(n)
				if l < 0 || l >= maxRead {
					L.Throw(lua.String("not enough memory for buffer allocation"))
				}
				if l == 0 {
					c := s.getc()
					s.ungetc(c)
					res = append(res, lua.String(""))
					success = c >= 0
				} else {
					b := s.readChars(l)
					res = append(res, lua.Bytes(b))
					success = len(b) > 0
				}
				continue
			}
			p := strings.TrimPrefix(L.CheckString(n), "*")
			var c byte
			if p != "" {
				c = p[0]
			}
			switch c {
			case 'n':
				v, ok := readNumber(s)
				res = append(res, v)
				success = ok
			case 'l', 'L':
				line, ok := s.readLine(c == 'l')
				res = append(res, lua.Bytes(line))
				success = ok
			case 'a':
				res = append(res, lua.Bytes(s.readAll()))
			default:
				L.ArgError(n, "invalid format")
			}
		}
	}
	if s.err != nil {
		return []lua.Value{lua.Nil, lua.String(syserr.Strerror(s.err)), lua.Int(int64(syserr.Errno(s.err)))}
	}
	if !success {
		res[len(res)-1] = lua.Nil
	}
	return res
}

func pushAll(L *lua.State, vals []lua.Value) int {
	for _, v := range vals {
		L.Push(v)
	}
	return len(vals)
}

func ioRead(L *lua.State) int {
	s, _ := getIOFile(L, ioInput)
	return pushAll(L, gRead(L, s, 1))
}

func fRead(L *lua.State) int {
	return pushAll(L, gRead(L, toFile(L, 1), 2))
}

// maxLenNum is L_MAXLENNUM: the longest numeral read("n") reads.
const maxLenNum = 200

// numReader is liolib.c's RN: the numeral read so far and the look-ahead.
type numReader struct {
	s    *stream
	c    int
	buf  []byte
	fail bool
}

func (rn *numReader) next() bool {
	if len(rn.buf) >= maxLenNum {
		rn.fail = true
		return false
	}
	rn.buf = append(rn.buf, byte(rn.c))
	rn.c = rn.s.getc()
	return true
}

func (rn *numReader) test2(set string) bool {
	if rn.c == int(set[0]) || rn.c == int(set[1]) {
		return rn.next()
	}
	return false
}

func isDigit(c int) bool { return c >= '0' && c <= '9' }

func isXDigit(c int) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (rn *numReader) digits(hex bool) int {
	count := 0
	for (hex && isXDigit(rn.c) || !hex && isDigit(rn.c)) && rn.next() {
		count++
	}
	return count
}

// readNumber is read_number: it reads the longest prefix that can start
// a numeral (at most 200 characters) and converts it.
func readNumber(s *stream) (lua.Value, bool) {
	rn := numReader{s: s}
	for {
		rn.c = s.getc()
		if !(rn.c == ' ' || rn.c >= '\t' && rn.c <= '\r') {
			break
		}
	}
	count := 0
	hex := false
	rn.test2("-+")
	if rn.test2("00") {
		if rn.test2("xX") {
			hex = true
		} else {
			count = 1
		}
	}
	count += rn.digits(hex)
	if rn.test2("..") {
		count += rn.digits(hex)
	}
	if count > 0 {
		exp := "eE"
		if hex {
			exp = "pP"
		}
		if rn.test2(exp) {
			rn.test2("-+")
			rn.digits(false)
		}
	}
	s.ungetc(rn.c)
	if rn.fail {
		return lua.Nil, false
	}
	n, ok := luaconv.StringToNumber(string(rn.buf))
	if !ok {
		return lua.Nil, false
	}
	if n.IsFloat {
		return lua.Float(n.F), true
	}
	return lua.Int(n.I), true
}

// Writing.

// gWrite writes the arguments from index arg on (g_write); it returns
// the error of the first write that failed.
func gWrite(L *lua.State, s *stream, arg int) error {
	var first error
	for i := arg; i <= L.NArgs(); i++ {
		v := L.Arg(i)
		var b string
		if iv, ok := v.AsInt(); ok {
			b = luaconv.FormatInteger(iv)
		} else if fv, ok := v.AsFloat(); ok {
			b = luaconv.FormatG(fv, 14)
		} else {
			b = L.CheckString(i)
		}
		if first == nil {
			if err := s.write([]byte(b)); err != nil {
				first = err
			}
		}
	}
	return first
}

func ioWrite(L *lua.State) int {
	s, v := getIOFile(L, ioOutput)
	if err := gWrite(L, s, 1); err != nil {
		return syserr.FileResult(L, err, "")
	}
	L.Push(v)
	return 1
}

func fWrite(L *lua.State) int {
	s := toFile(L, 1)
	v := L.Arg(1)
	if err := gWrite(L, s, 2); err != nil {
		return syserr.FileResult(L, err, "")
	}
	L.Push(v)
	return 1
}

// Other methods.

func fSeek(L *lua.State) int {
	s := toFile(L, 1)
	op := L.CheckOption(2, "cur", []string{"set", "cur", "end"})
	off := L.OptInteger(3, 0)
	pos, err := s.seek(off, op)
	if err != nil {
		return syserr.FileResult(L, err, "")
	}
	L.PushInt(pos)
	return 1
}

func fSetvbuf(L *lua.State) int {
	s := toFile(L, 1)
	op := L.CheckOption(2, "", []string{"no", "full", "line"})
	size := L.OptInteger(3, bufferSize)
	mode := [...]int{bufNo, bufFull, bufLine}[op]
	if size <= 0 || size > 1<<30 {
		size = bufferSize
	}
	s.setvbuf(mode, int(size))
	L.PushBool(true)
	return 1
}

func ioFlush(L *lua.State) int {
	s, _ := getIOFile(L, ioOutput)
	return fileResult(L, s.flush(), "")
}

func fFlush(L *lua.State) int {
	return fileResult(L, toFile(L, 1).flush(), "")
}
