package mbio

import (
	"errors"
	"syscall"

	lua "github.com/yuin/gopher-lua"
)

// withSockFd runs fn with the descriptor of the handle's real socket (for a
// TLS handle the network connection, not the socketpair).
func (h *Handle) withSockFd(fn func(fd int) error) error {
	if h.closed || h.fd < 0 {
		return stateError("Attempt to set an option of a closed I/O handle")
	}
	if !h.isSock {
		return errors.New("I/O handle is not a socket")
	}
	if h.tls != nil {
		return h.tls.control(fn)
	}
	return fn(h.fd)
}

// sockOpt describes one boolean or integer socket option.
type sockOpt struct {
	level, name int
	boolean     bool
	tcpOnly     bool
}

var sockOpts = map[string]sockOpt{
	"keepalive": {syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, true, false},
	"nodelay":   {syscall.IPPROTO_TCP, syscall.TCP_NODELAY, true, true},
	"rcvbuf":    {syscall.SOL_SOCKET, syscall.SO_RCVBUF, false, false},
	"sndbuf":    {syscall.SOL_SOCKET, syscall.SO_SNDBUF, false, false},
}

// addSockOptFuncs adds set_<name> and get_<name> for every option.
func addSockOptFuncs(m map[string]lua.LGFunction) {
	for name, opt := range sockOpts {
		opt := opt
		m["set_"+name] = func(L *lua.LState) int {
			h := CheckHandle(L, 1)
			var val int
			if opt.boolean {
				if L.Get(2).Type() != lua.LTBool {
					L.ArgError(2, "boolean expected, got "+typeName(L.Get(2)))
				}
				if L.ToBool(2) {
					val = 1
				}
			} else {
				n, ok := L.Get(2).(lua.LNumber)
				if !ok || n < 0 || n != lua.LNumber(int(n)) {
					L.ArgError(2, "non-negative integer expected")
				}
				val = int(n)
			}
			if opt.tcpOnly && !h.isTCP {
				return pushIOError(L, errors.New("option needs a TCP socket"))
			}
			err := h.withSockFd(func(fd int) error {
				return syscall.SetsockoptInt(fd, opt.level, opt.name, val)
			})
			if err != nil {
				return pushIOError(L, err)
			}
			L.Push(lua.LTrue)
			return 1
		}
		m["get_"+name] = func(L *lua.LState) int {
			h := CheckHandle(L, 1)
			if opt.tcpOnly && !h.isTCP {
				return pushIOError(L, errors.New("option needs a TCP socket"))
			}
			var val int
			err := h.withSockFd(func(fd int) error {
				var err error
				val, err = syscall.GetsockoptInt(fd, opt.level, opt.name)
				return err
			})
			if err != nil {
				return pushIOError(L, err)
			}
			if opt.boolean {
				L.Push(lua.LBool(val != 0))
			} else {
				L.Push(lua.LNumber(val))
			}
			return 1
		}
	}
}
