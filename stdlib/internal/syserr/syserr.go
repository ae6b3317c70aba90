// Package syserr turns Go's operating-system errors into what C's
// library reports for them: errno and strerror's text (glibc's, in the C
// locale). The io and os libraries use it for their "nil, message,
// errno" failures (luaL_fileresult).
package syserr

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Errno returns the errno carried by err, or 0 when it carries none.
func Errno(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT
	case errors.Is(err, fs.ErrPermission):
		return syscall.EACCES
	case errors.Is(err, fs.ErrExist):
		return syscall.EEXIST
	}
	return 0
}

// Strerror returns strerror(errno)'s text for err. Go's texts for errno
// values are glibc's with the first letter in lower case.
func Strerror(err error) string {
	if e := Errno(err); e != 0 {
		return Text(e)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return capitalize(err.Error())
}

// Text returns strerror(e).
func Text(e syscall.Errno) string {
	if e == 0 {
		return "Success"
	}
	return capitalize(e.Error())
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// FileResult pushes luaL_fileresult's failure: nil, the message
// ("fname: text" when fname is not empty) and the errno; it returns 3.
func FileResult(L *lua.State, err error, fname string) int {
	msg := Strerror(err)
	if fname != "" {
		msg = fname + ": " + msg
	}
	L.PushNil()
	L.PushString(msg)
	L.PushInt(int64(Errno(err)))
	return 3
}

// ExecResult pushes luaL_execresult's results for a finished command:
// true or nil, "exit" or "signal", and the exit code or signal number.
func ExecResult(L *lua.State, signaled bool, code int) int {
	what := "exit"
	if signaled {
		what = "signal"
	}
	if !signaled && code == 0 {
		L.PushBool(true)
	} else {
		L.PushNil()
	}
	L.PushString(what)
	L.PushInt(int64(code))
	return 3
}

// Status returns how a waited-for command ended: killed by a signal
// (and which) or exited (and its code).
func Status(ps *os.ProcessState) (signaled bool, code int) {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return true, int(ws.Signal())
	}
	return false, ps.ExitCode()
}

// Underlying is implemented by writers that buffer in front of another
// (the io library's standard output): commands run by os.execute and
// io.popen get the underlying writer, an *os.File that they inherit as
// C's system() and popen() make children inherit the process's files.
type Underlying interface {
	Underlying() any
}

// Unwrap returns the *os.File-or-writer behind w when w buffers in front
// of one, or w itself.
func Unwrap(w any) any {
	for {
		u, ok := w.(Underlying)
		if !ok {
			return w
		}
		w = u.Underlying()
	}
}
