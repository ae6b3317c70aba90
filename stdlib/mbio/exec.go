package mbio

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	lua "github.com/yuin/gopher-lua"
)

// procOwner owns a child process so that a finalizer can kill and reap it
// when the Child (which forms a cycle with its Lua userdata) is dropped.
type procOwner struct {
	pid    int
	pidfd  int // -1 when the kernel has no pidfd
	reaped bool
	status int       // exit status, or negative signal number
	cn     *canceler // of the Lua state that has the child's value
}

func (p *procOwner) cleanup() {
	if !p.reaped {
		syscall.Kill(p.pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(p.pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		p.reaped = true
	}
	p.closePidfd()
}

func (p *procOwner) closePidfd() {
	if p.pidfd >= 0 {
		syscall.Close(p.pidfd)
		p.pidfd = -1
	}
}

// Child is a process started by exec.
type Child struct {
	proc                *procOwner
	stdin, stdout, stde *Handle
	ud                  *lua.LUserData
}

func childFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"kill":    luaKill,
		"wait":    luaWait(false),
		"wait_nb": luaWait(true),
	}
}

// startChild runs path with argv, its stdio connected to new pipes.
func startChild(path string, argv []string) (*Child, error) {
	var pipes [3][2]int
	closeAll := func() {
		for _, p := range pipes {
			if p[0] > 0 {
				syscall.Close(p[0])
				syscall.Close(p[1])
			}
		}
	}
	for i := range pipes {
		if err := syscall.Pipe2(pipes[i][:], syscall.O_CLOEXEC); err != nil {
			closeAll()
			return nil, fmt.Errorf("create pipe: %w", err)
		}
	}
	pidfd := -1
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{uintptr(pipes[0][0]), uintptr(pipes[1][1]), uintptr(pipes[2][1])},
		Sys:   &syscall.SysProcAttr{PidFD: &pidfd},
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if err != nil {
		closeAll()
		return nil, err
	}
	syscall.Close(pipes[0][0])
	syscall.Close(pipes[1][1])
	syscall.Close(pipes[2][1])
	proc := &procOwner{pid: pid, pidfd: pidfd}
	runtime.SetFinalizer(proc, (*procOwner).cleanup)
	c := &Child{proc: proc}
	mk := func(fd int) *Handle {
		setNonblock(fd, true)
		return newHandle(fd, false, true, false)
	}
	c.stdin, c.stdout, c.stde = mk(pipes[0][1]), mk(pipes[1][0]), mk(pipes[2][0])
	return c, nil
}

// wait collects the child's exit status; with nb it reports done = false
// while the child runs.
func (c *Child) wait(nb bool) (status int, done bool, err error) {
	p := c.proc
	for {
		var ws syscall.WaitStatus
		flags := syscall.WNOHANG
		if !nb && p.pidfd < 0 {
			flags = 0
		}
		pid, err := syscall.Wait4(p.pid, &ws, flags, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, false, err
		}
		if pid == p.pid {
			switch {
			case ws.Exited():
				p.status = ws.ExitStatus()
			case ws.Signaled():
				p.status = -int(ws.Signal())
			default:
				continue // stopped or continued: keep waiting
			}
			p.reaped = true
			p.closePidfd()
			runtime.SetFinalizer(p, nil)
			return p.status, true, nil
		}
		if nb {
			return 0, false, nil
		}
		if _, err := waitFd(p.cn, p.pidfd, pollIn, -1); err != nil {
			return 0, false, err
		}
	}
}

func (c *Child) value(L *lua.LState) lua.LValue {
	if c.ud != nil {
		return c.ud
	}
	st := stateOf(L)
	c.proc.cn = st.cancel
	pub := L.CreateTable(0, 4)
	pub.Metatable = st.childMT
	pub.RawSetString("pid", lua.LNumber(c.proc.pid))
	pub.RawSetString("stdin", c.stdin.Value(L))
	pub.RawSetString("stdout", c.stdout.Value(L))
	pub.RawSetString("stderr", c.stde.Value(L))
	mt := L.CreateTable(0, 3)
	mt.RawSetString("__index", pub)
	mt.RawSetString("__newindex", pub)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("moonbridge_io child: %p", L.Get(1))))
		return 1
	}))
	ud := L.NewUserData()
	ud.Value = c
	ud.Metatable = mt
	c.ud = ud
	return ud
}

func checkChild(L *lua.LState, n int) *Child {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if c, ok := ud.Value.(*Child); ok {
			return c
		}
	}
	L.ArgError(n, "moonbridge_io child expected, got "+typeName(L.Get(n)))
	return nil
}

func luaExec(L *lua.LState) int {
	top := L.GetTop()
	if top < 1 {
		L.ArgError(1, "command expected")
	}
	argv := make([]string, top)
	for i := 1; i <= top; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString, lua.LNumber:
			argv[i-1] = v.String()
		default:
			L.ArgError(i, "string expected, got "+typeName(v))
		}
	}
	path := argv[0]
	if !strings.Contains(path, "/") {
		found, err := exec.LookPath(path)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(fmt.Sprintf("could not execute %q: %s", path, err)))
			return 2
		}
		path = found
	}
	c, err := startChild(path, argv)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("could not execute %q: %s", argv[0], err)))
		return 2
	}
	L.Push(c.value(L))
	return 1
}

// signalNames maps the names kill() accepts to signals.
var signalNames = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
	"KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2, "STOP": syscall.SIGSTOP, "CONT": syscall.SIGCONT,
	"ALRM": syscall.SIGALRM, "PIPE": syscall.SIGPIPE,
}

func luaKill(L *lua.LState) int {
	c := checkChild(L, 1)
	sig := syscall.SIGKILL
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LNumber:
		if v < 1 || v > 64 || v != lua.LNumber(int(v)) {
			L.ArgError(2, fmt.Sprintf("signal number out of range: %v", v))
		}
		sig = syscall.Signal(int(v))
	case lua.LString:
		s, ok := signalNames[strings.TrimPrefix(strings.ToUpper(string(v)), "SIG")]
		if !ok {
			L.ArgError(2, "unknown signal name "+string(v))
		}
		sig = s
	default:
		L.ArgError(2, "signal number expected, got "+typeName(v))
	}
	if c.proc.reaped {
		L.RaiseError("Attempt to kill an already collected child process")
	}
	if err := syscall.Kill(c.proc.pid, sig); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(L.Get(1))
	return 1
}

func luaWait(nb bool) lua.LGFunction {
	return func(L *lua.LState) int {
		c := checkChild(L, 1)
		if c.proc.reaped {
			L.RaiseError("Attempt to wait for an already collected child process")
		}
		status, done, err := c.wait(nb)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		if !done {
			L.Push(lua.LFalse)
			L.Push(lua.LString("Process is still running"))
			return 2
		}
		L.Push(lua.LNumber(status))
		return 1
	}
}
