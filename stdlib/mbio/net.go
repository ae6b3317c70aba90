package mbio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Listener is a listening socket created by tcplisten or locallisten.
type Listener struct {
	fd       int      // -1 once closed
	file     *os.File // owns fd, registered with the network poller
	rc       syscall.RawConn
	acceptFn func(uintptr) bool // accept4(2) inside rc.Read; made on first use
	newFd    int
	err      error
	ud       *lua.LUserData
	cn       *canceler // of the Lua state that has the listener's value
}

func listenerFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"accept":    luaAccept(false),
		"accept_nb": luaAccept(true),
		"close":     luaListenerClose,
	}
}

func (l *Listener) value(L *lua.LState) lua.LValue {
	if l.ud == nil {
		ud := L.NewUserData()
		ud.Value = l
		st := stateOf(L)
		ud.Metatable = st.listenerMT
		l.ud = ud
		l.cn = st.cancel
	}
	return l.ud
}

func checkListener(L *lua.LState, n int) *Listener {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if l, ok := ud.Value.(*Listener); ok {
			return l
		}
	}
	L.ArgError(n, "moonbridge_io listener expected, got "+typeName(L.Get(n)))
	return nil
}

// accept takes one pending connection; with nb it returns (nil, nil)
// when none is pending.
func (l *Listener) accept(nb bool) (*Handle, error) {
	for {
		var fd int
		var err error
		if nb || l.rc == nil {
			fd, err = accept4(l.fd)
		} else {
			if l.acceptFn == nil {
				l.acceptFn = func(sfd uintptr) bool {
					l.newFd, l.err = accept4(int(sfd))
					return !isAgain(l.err)
				}
			}
			if perr := l.cn.park(l.file); perr != nil {
				return nil, perr
			}
			perr := l.rc.Read(l.acceptFn)
			if l.cn.unpark() {
				return nil, ErrAborted
			}
			if perr != nil {
				return nil, perr
			}
			fd, err = l.newFd, l.err
			l.err = nil
		}
		if err == nil {
			h := newHandle(fd, true, true, false)
			h.fillAddr(true)
			return h, nil
		}
		switch {
		case isAgain(err) && nb:
			return nil, nil
		case isAgain(err):
			if _, werr := waitFd(l.cn, l.fd, pollIn, -1); werr != nil {
				return nil, werr
			}
		default:
			return nil, err
		}
	}
}

// accept4 accepts one connection as a non-blocking, close-on-exec socket;
// it retries on EINTR and on connections aborted before they were taken.
func accept4(fd int) (int, error) {
	for {
		nfd, err := rawAccept4(fd)
		if err == syscall.EINTR || err == syscall.ECONNABORTED {
			continue
		}
		return nfd, err
	}
}

func luaAccept(nb bool) lua.LGFunction {
	return func(L *lua.LState) int {
		l := checkListener(L, 1)
		if l.fd < 0 {
			L.RaiseError("Attempt to use a closed listener")
		}
		h, err := l.accept(nb)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		if h == nil {
			L.Push(lua.LFalse)
			L.Push(lua.LString("No incoming connection pending"))
			return 2
		}
		L.Push(h.Value(L))
		return 1
	}
}

func luaListenerClose(L *lua.LState) int {
	l := checkListener(L, 1)
	if l.fd < 0 {
		L.RaiseError("Attempt to close a closed listener")
	}
	l.fd = -1
	f := l.file
	l.file, l.rc, l.acceptFn = nil, nil, nil
	if err := f.Close(); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

// checkPort reads a TCP port argument (number or numeric string).
func checkPort(L *lua.LState, n int) int {
	v := L.Get(n)
	var p lua.LNumber
	switch x := v.(type) {
	case lua.LNumber:
		p = x
	case lua.LString:
		f, err := parseNumber(string(x))
		if err != nil {
			L.ArgError(n, "port number expected, got "+string(x))
		}
		p = f
	default:
		L.ArgError(n, "port number expected, got "+typeName(v))
	}
	if p != lua.LNumber(int(p)) || p < 0 || p > 65535 {
		L.ArgError(n, fmt.Sprintf("port number out of range: %v", p))
	}
	return int(p)
}

// resolve returns the addresses of host (an IP literal or a name).
func resolve(ctx context.Context, host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrAborted
		}
		return nil, err
	}
	ips := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		if a.Zone == "" {
			ips = append(ips, a.IP)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("no address found for %q", host)
	}
	return ips, nil
}

func ipSockaddr(ip net.IP, port int) (int, syscall.Sockaddr) {
	if ip4 := ip.To4(); ip4 != nil {
		sa := &syscall.SockaddrInet4{Port: port}
		copy(sa.Addr[:], ip4)
		return syscall.AF_INET, sa
	}
	sa := &syscall.SockaddrInet6{Port: port}
	copy(sa.Addr[:], ip.To16())
	return syscall.AF_INET6, sa
}

// tcpConnect connects to host:port. With nb the connection is only
// started (errors show on first read or write) and the first address is
// used; otherwise each address is tried in turn.
func tcpConnect(cn *canceler, host string, port int, nb bool) (*Handle, error) {
	ips, err := resolve(cn.context(), host)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, ip := range ips {
		family, sa := ipSockaddr(ip, port)
		fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		h := newHandle(fd, true, true, false)
		h.cn = cn
		h.connectHost = host
		err = syscall.Connect(fd, sa)
		if err == syscall.EINPROGRESS || err == syscall.EINTR {
			if nb {
				h.fillAddr(false)
				return h, nil
			}
			err = h.finishConnect()
		}
		if err == nil {
			h.fillAddr(!nb)
			return h, nil
		}
		h.Reset()
		lastErr = err
		if nb {
			break
		}
	}
	return nil, lastErr
}

// finishConnect waits for a non-blocking connect to complete.
func (h *Handle) finishConnect() error {
	if _, err := h.waitReady(pollOut, -1); err != nil {
		return err
	}
	soerr, err := syscall.GetsockoptInt(h.fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
	if err != nil {
		return err
	}
	if soerr != 0 {
		return syscall.Errno(soerr)
	}
	return nil
}

func luaTCPConnect(nb bool) lua.LGFunction {
	return func(L *lua.LState) int {
		host := L.CheckString(1)
		port := checkPort(L, 2)
		h, err := tcpConnect(stateOf(L).cancel, host, port, nb)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		L.Push(h.Value(L))
		return 1
	}
}

func unixSockaddr(L *lua.LState, n int) *syscall.SockaddrUnix {
	path := L.CheckString(n)
	if len(path) == 0 || len(path) >= 108 {
		L.ArgError(n, "path must have 1 to 107 bytes")
	}
	return &syscall.SockaddrUnix{Name: path}
}

// localConnect connects to a Unix stream socket.
func localConnect(sa *syscall.SockaddrUnix, nb bool) (*Handle, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	h := newHandle(fd, true, true, false)
	for {
		err = syscall.Connect(fd, sa)
		if err == nil {
			return h, nil
		}
		if err == syscall.EINPROGRESS && !nb {
			if err = h.finishConnect(); err == nil {
				return h, nil
			}
		}
		if (err == syscall.EINPROGRESS) && nb {
			return h, nil
		}
		if isAgain(err) && !nb {
			// backlog full: wait a little and retry
			time.Sleep(10 * time.Millisecond)
			continue
		}
		h.Reset()
		return nil, err
	}
}

func luaLocalConnect(nb bool) lua.LGFunction {
	return func(L *lua.LState) int {
		sa := unixSockaddr(L, 1)
		h, err := localConnect(sa, nb)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		L.Push(h.Value(L))
		return 1
	}
}

// listenFd creates a listening socket bound to sa.
func listenFd(family int, sa syscall.Sockaddr) (*Listener, error) {
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if family != syscall.AF_UNIX {
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	if err := syscall.Listen(fd, 1024); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	l := &Listener{fd: fd}
	l.file, l.rc = pollFile(fd, "mbio-listener")
	return l, nil
}

func luaTCPListen(L *lua.LState) int {
	host := L.CheckString(1)
	port := checkPort(L, 2)
	ips, err := resolve(stateOf(L).cancel.context(), host)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	// prefer IPv6 when a name resolves to both, as the original does
	ip := ips[0]
	for _, c := range ips {
		if c.To4() == nil {
			ip = c
			break
		}
	}
	family, sa := ipSockaddr(ip, port)
	l, err := listenFd(family, sa)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("listen on %s: %s", net.JoinHostPort(host, portString(port)), err)))
		return 2
	}
	L.Push(l.value(L))
	return 1
}

func luaLocalListen(L *lua.LState) int {
	sa := unixSockaddr(L, 1)
	l, err := listenFd(syscall.AF_UNIX, sa)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w (remove the stale socket file %s first)", err, sa.Name)
		}
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(l.value(L))
	return 1
}
