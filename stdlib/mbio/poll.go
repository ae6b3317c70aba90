package mbio

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
)

var (
	sigtermCaught   atomic.Bool
	sigtermReceived atomic.Bool
	wakeOnce        sync.Once
	wakeRead        = -1 // read end of the SIGTERM wake-up pipe
	wakeWrite       = -1
)

func initWakePipe() {
	wakeOnce.Do(func() {
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err == nil {
			wakeRead, wakeWrite = p[0], p[1]
		}
	})
}

// NotifySigterm is called by the runtime when the worker process received
// SIGTERM; after catch_sigterm() it makes poll(..., true) return
// false, "SIGTERM received", true. It is safe to call from any goroutine.
func NotifySigterm() {
	initWakePipe()
	if sigtermReceived.Swap(true) {
		return
	}
	if wakeWrite >= 0 {
		syscall.Write(wakeWrite, []byte{1})
	}
	sigtermWaitMu.Lock()
	for h := range sigtermWaiters {
		h.file.SetReadDeadline(pastDeadline)
	}
	sigtermWaitMu.Unlock()
}

// Handles in waitInputOrSigterm, which NotifySigterm wakes by setting a
// read deadline in the past.
var (
	sigtermWaitMu  sync.Mutex
	sigtermWaiters = map[*Handle]struct{}{}
	pastDeadline   = time.Unix(1, 0)
)

// waitInputOrSigterm waits until data is buffered or h is readable
// (including EOF and errors), at most timeout (negative: no limit), or
// until NotifySigterm is called (sigterm = true). A handle watched by the
// network poller waits through it alone: the SIGTERM wake-up is a read
// deadline NotifySigterm puts in the past, so the wait registers no
// descriptor anywhere. Other handles wait on the SIGTERM pipe as well.
func (h *Handle) waitInputOrSigterm(timeout time.Duration) (ready, sigterm bool, err error) {
	if h.closed {
		return false, false, ErrReadClosed
	}
	if h.inputReady() {
		return true, false, nil
	}
	if sigtermReceived.Load() {
		return false, true, nil
	}
	usePoller := timeout != 0 && h.usePoller()
	if h.owned && !usePoller {
		if h.fill(h.fd) {
			return true, false, nil
		}
		if timeout == 0 {
			return false, false, nil
		}
	}
	if !usePoller {
		if timeout != 0 {
			h.waits++
		}
		initWakePipe()
		var deadline time.Time
		if timeout > 0 {
			deadline = time.Now().Add(timeout)
		}
		for {
			fds := [2]pollFd{{fd: int32(h.fd), events: pollIn}, {fd: int32(wakeRead), events: pollIn}}
			if _, err := ppoll(h.cn, fds[:], timeout); err != nil {
				return false, false, fmt.Errorf("mbio: wait readable: %w", err)
			}
			if fds[0].revents != 0 {
				if h.owned {
					h.fill(h.fd)
				}
				return true, false, nil
			}
			if fds[1].revents == 0 || sigtermReceived.Load() || timeout == 0 {
				return false, sigtermReceived.Load(), nil
			}
			// The pipe stays readable once written; without the flag
			// (cleared by a test) that is not a SIGTERM: wait on.
			if timeout > 0 {
				if timeout = time.Until(deadline); timeout <= 0 {
					return false, false, nil
				}
			}
			var b [8]byte
			rawsys.Read(wakeRead, b[:])
		}
	}
	sigtermWaitMu.Lock()
	sigtermWaiters[h] = struct{}{}
	sigtermWaitMu.Unlock()
	// NotifySigterm sets the flag before it moves the deadlines: either it
	// moves ours after this point, or the check below sees the flag.
	var d time.Time
	if timeout > 0 {
		d = time.Now().Add(timeout)
	}
	h.file.SetReadDeadline(d)
	sig := sigtermReceived.Load()
	op := opPoll
	if h.owned {
		op = opFill // read at once what the wake-up announced
	}
	if !sig {
		h.ioEvents = pollIn
		err = h.ioCall(op, false)
	}
	sigtermWaitMu.Lock()
	delete(sigtermWaiters, h)
	sigtermWaitMu.Unlock()
	h.file.SetReadDeadline(time.Time{})
	if sig {
		return false, true, nil
	}
	switch {
	case err == nil && op == opFill:
		return true, false, nil
	case err == nil:
		if h.ioErr != nil {
			return false, false, fmt.Errorf("mbio: wait readable: %w", h.ioErr)
		}
		return h.ioN > 0, false, nil
	case errors.Is(err, os.ErrDeadlineExceeded):
	default:
		return false, false, fmt.Errorf("mbio: wait readable: %w", err)
	}
	if sigtermReceived.Load() {
		return false, true, nil
	}
	// ready at the deadline still counts
	if op == opFill {
		return h.fill(h.fd), false, nil
	}
	ok, err := waitFd(h.cn, h.fd, pollIn, 0)
	return ok, false, err
}

// SigtermCaught reports whether the application called catch_sigterm(),
// i.e. wants SIGTERM reported through poll instead of ending the worker.
func SigtermCaught() bool { return sigtermCaught.Load() }

// SigtermReceived reports whether NotifySigterm was called.
func SigtermReceived() bool { return sigtermReceived.Load() }

func moduleFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"poll":            luaPoll,
		"timeref":         luaTimeref,
		"getpid":          luaGetpid,
		"catch_sigterm":   luaCatchSigterm,
		"tcpconnect":      luaTCPConnect(false),
		"tcpconnect_nb":   luaTCPConnect(true),
		"localconnect":    luaLocalConnect(false),
		"localconnect_nb": luaLocalConnect(true),
		"tcplisten":       luaTCPListen,
		"locallisten":     luaLocalListen,
		"exec":            luaExec,
		"tlsconf":         luaTLSConf,
	}
}

func luaTimeref(L *lua.LState) int {
	now := monotonic()
	if v := L.Get(1); v != lua.LNil {
		start := L.CheckNumber(1)
		L.Push(lua.LNumber(now - float64(start)))
		return 1
	}
	L.Push(lua.LNumber(now))
	return 1
}

func luaGetpid(L *lua.LState) int {
	L.Push(lua.LNumber(os.Getpid()))
	return 1
}

func luaCatchSigterm(L *lua.LState) int {
	initWakePipe()
	sigtermCaught.Store(true)
	return 0
}

// pollSet collects the descriptors of one poll call.
type pollSet struct {
	fds   []pollFd
	ready bool
}

func (ps *pollSet) add(fd int, events int16) {
	ps.fds = append(ps.fds, pollFd{fd: int32(fd), events: events})
}

// addEntry adds one key of the input (out = false) or output set.
func (ps *pollSet) addEntry(L *lua.LState, arg int, key lua.LValue, out bool) {
	ud, ok := key.(*lua.LUserData)
	if !ok {
		L.ArgError(arg, "table keys must be handles, listeners or children, got "+typeName(key))
	}
	switch v := ud.Value.(type) {
	case *Handle:
		if v.closed {
			L.RaiseError("Attempt to poll a closed I/O handle")
		}
		if out {
			if v.fd < 0 || v.finished || v.writeErr {
				ps.ready = true
				return
			}
			ps.add(v.fd, pollOut)
			return
		}
		if v.inputReady() {
			ps.ready = true
			return
		}
		ps.add(v.fd, pollIn)
	case *Listener:
		if v.fd < 0 {
			L.RaiseError("Attempt to poll a closed listener")
		}
		ps.add(v.fd, pollIn)
	case *Child:
		if out {
			L.ArgError(arg, "a child process cannot be in the output set")
		}
		if v.proc.reaped || v.proc.pidfd < 0 {
			ps.ready = true
			return
		}
		ps.add(v.proc.pidfd, pollIn)
	default:
		L.ArgError(arg, "table keys must be handles, listeners or children, got "+typeName(key))
	}
}

func luaPoll(L *lua.LState) int {
	var stack [16]pollFd
	ps := pollSet{fds: stack[:0]}
	for arg, out := range []bool{false, true} {
		v := L.Get(arg + 1)
		if v == lua.LNil {
			continue
		}
		t, ok := v.(*lua.LTable)
		if !ok {
			L.ArgError(arg+1, "table or nil expected, got "+typeName(v))
		}
		t.ForEach(func(k, val lua.LValue) {
			if lua.LVAsBool(val) {
				ps.addEntry(L, arg+1, k, out)
			}
		})
	}
	timeout := time.Duration(-1)
	if v := L.Get(3); v != lua.LNil {
		n, ok := v.(lua.LNumber)
		if !ok {
			L.ArgError(3, "number or nil expected, got "+typeName(v))
		}
		if n < 0 {
			timeout = 0
		} else {
			timeout = time.Duration(float64(n) * 1e9)
		}
	}
	sigArg := L.GetTop() >= 4 && L.Get(4) != lua.LNil
	wake := lua.LVAsBool(L.Get(4)) && sigtermCaught.Load()
	if wake && sigtermReceived.Load() {
		return pushSigterm(L)
	}
	if ps.ready {
		L.Push(lua.LTrue)
		return 1
	}
	if wake && wakeRead >= 0 {
		ps.add(wakeRead, pollIn)
	}
	n, err := ppoll(stateOf(L).cancel, ps.fds, timeout)
	if err != nil {
		L.Push(lua.LFalse)
		L.Push(lua.LString("poll failed: " + err.Error()))
		return 2
	}
	if wake && sigtermReceived.Load() {
		return pushSigterm(L)
	}
	if n > 0 {
		L.Push(lua.LTrue)
		return 1
	}
	L.Push(lua.LFalse)
	L.Push(lua.LString("Timeout"))
	if sigArg {
		L.Push(lua.LFalse)
		return 3
	}
	return 2
}

func pushSigterm(L *lua.LState) int {
	L.Push(lua.LFalse)
	L.Push(lua.LString("SIGTERM received"))
	L.Push(lua.LTrue)
	return 3
}

// isSocketFd reports whether fd is a socket.
func isSocketFd(fd int) bool {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return false
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFSOCK
}
