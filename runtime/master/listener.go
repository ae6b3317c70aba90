package master

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/config"
	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
)

// backlog is the listen queue length of every listener (as the original).
const backlog = 1024

// socketListener is an open tcp or local listening socket.
type socketListener struct {
	cfg   config.Listener
	index int             // position in the pool's listener list
	file  *os.File        // non-blocking, registered with Go's poller
	rc    syscall.RawConn // of file, for accept4 through the poller
	path  string          // local: the file to remove at exit
	// hold is set once a worker found the listener to serve HTTP: the
	// holder then takes its connections until their requests arrive.
	hold atomic.Pointer[ipc.HoldTimes]
}

// openListener binds the socket of a tcp or local listener.
func openListener(cfg config.Listener, index int) (*socketListener, error) {
	var fd int
	var err error
	switch cfg.Proto {
	case config.TCP:
		fd, err = listenTCP(cfg.Host, cfg.Port)
	case config.Local:
		fd, err = listenLocal(cfg.Path)
	default:
		return nil, fmt.Errorf("listener %v has no socket", cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %v: %w", cfg, err)
	}
	l := &socketListener{cfg: cfg, index: index, file: os.NewFile(uintptr(fd), cfg.String())}
	if l.rc, err = l.file.SyscallConn(); err != nil {
		l.file.Close()
		return nil, fmt.Errorf("cannot listen on %v: %w", cfg, err)
	}
	if cfg.Proto == config.Local {
		l.path = cfg.Path
	}
	return l, nil
}

func listenTCP(host string, port int) (int, error) {
	var ip net.IP
	switch host {
	case "", "::", "*":
		ip = net.IPv6unspecified
	default:
		if ip = net.ParseIP(host); ip == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
			if err != nil {
				return -1, fmt.Errorf("resolve %q: %w", host, err)
			}
			// Prefer an IPv6 address when the name has both, as the original does.
			for _, a := range addrs {
				if ip == nil || (ip.To4() != nil && a.IP.To4() == nil) {
					ip = a.IP
				}
			}
			if ip == nil {
				return -1, fmt.Errorf("%q has no address", host)
			}
		}
	}
	fd, err := bindTCP(ip, port)
	if err != nil && ip.Equal(net.IPv6unspecified) && errors.Is(err, syscall.EAFNOSUPPORT) {
		// No IPv6 on this machine: the wildcard becomes IPv4's.
		return bindTCP(net.IPv4zero, port)
	}
	return fd, err
}

func bindTCP(ip net.IP, port int) (int, error) {
	var sa syscall.Sockaddr
	family := syscall.AF_INET6
	if ip4 := ip.To4(); ip4 != nil && !ip.Equal(net.IPv6unspecified) {
		family = syscall.AF_INET
		a := &syscall.SockaddrInet4{Port: port}
		copy(a.Addr[:], ip4)
		sa = a
	} else {
		a := &syscall.SockaddrInet6{Port: port}
		copy(a.Addr[:], ip.To16())
		sa = a
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("SO_REUSEADDR: %w", err)
	}
	// Accepted connections inherit TCP_NODELAY (Linux copies the
	// listener's socket state), so workers need not set it per connection.
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("TCP_NODELAY: %w", err)
	}
	if family == syscall.AF_INET6 && ip.Equal(net.IPv6unspecified) {
		// "::" accepts IPv4 connections too.
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("bind %s: %w", net.JoinHostPort(ip.String(), strconv.Itoa(port)), err)
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("listen: %w", err)
	}
	return fd, nil
}

func listenLocal(path string) (int, error) {
	// A stale socket file from an earlier run is removed; anything else is not.
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&os.ModeSocket == 0 {
			return -1, fmt.Errorf("%s exists and is not a socket", path)
		}
		if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
			conn.Close()
			return -1, fmt.Errorf("%s: another server is listening on it", path)
		}
		if err := os.Remove(path); err != nil {
			return -1, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("bind: %w", err)
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		syscall.Close(fd)
		os.Remove(path)
		return -1, fmt.Errorf("listen: %w", err)
	}
	return fd, nil
}

// accept waits for the next connection; it returns a non-blocking,
// close-on-exec descriptor owned by the caller, or an error once the
// listener is closed. O_NONBLOCK belongs to the open file, so the worker
// that receives the descriptor finds it set and needs no fcntl.
func (l *socketListener) accept() (int, error) {
	var nfd int
	var aerr error
	err := l.rc.Read(func(fd uintptr) bool {
		nfd, aerr = rawsys.Accept4(int(fd), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		return aerr != syscall.EAGAIN
	})
	if err != nil {
		return -1, err
	}
	return nfd, aerr
}

// close stops accepting and removes a local socket's file.
func (l *socketListener) close() {
	l.file.Close()
	if l.path != "" {
		os.Remove(l.path)
	}
}

// describe names the listener for the start-up log: "tcp 127.0.0.1:8080"
// (the address the socket is bound to, so port 0 shows the port the
// system chose) or "local socket /run/app.sock".
func (l *socketListener) describe() string {
	if l.cfg.Proto == config.Local {
		return "local socket " + l.cfg.Path
	}
	var sa syscall.Sockaddr
	var err error
	if cerr := l.rc.Control(func(fd uintptr) { sa, err = syscall.Getsockname(int(fd)) }); cerr != nil {
		err = cerr
	}
	if err == nil {
		switch a := sa.(type) {
		case *syscall.SockaddrInet4:
			return "tcp " + net.JoinHostPort(net.IP(a.Addr[:]).String(), strconv.Itoa(a.Port))
		case *syscall.SockaddrInet6:
			return "tcp " + net.JoinHostPort(net.IP(a.Addr[:]).String(), strconv.Itoa(a.Port))
		}
	}
	return l.cfg.String()
}
