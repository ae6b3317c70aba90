package rawsys

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSocknames compares Getsockname and Getpeername with what the net
// package reports for TCP over IPv4 and IPv6 and for a Unix socket.
func TestSocknames(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		network, addr string
	}{
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
		{"unix", filepath.Join(dir, "s")},
	}
	for _, tt := range tests {
		t.Run(tt.network, func(t *testing.T) {
			ln, err := net.Listen(tt.network, tt.addr)
			if err != nil {
				t.Skipf("cannot listen on %s: %v", tt.addr, err)
			}
			defer ln.Close()
			c, err := net.Dial(tt.network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fd := connFd(t, c)
			local, err := Getsockname(fd)
			if err != nil {
				t.Fatal(err)
			}
			peer, err := Getpeername(fd)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := addrString(local), c.LocalAddr().String(); tt.network != "unix" && got != want {
				t.Errorf("Getsockname = %s, want %s", got, want)
			}
			if got, want := addrString(peer), c.RemoteAddr().String(); got != want {
				t.Errorf("Getpeername = %s, want %s", got, want)
			}
		})
	}
	if _, err := Getsockname(-1); err != syscall.EBADF {
		t.Errorf("Getsockname(-1) error = %v, want EBADF", err)
	}
}

func addrString(sa syscall.Sockaddr) string {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return (&net.TCPAddr{IP: a.Addr[:], Port: a.Port}).String()
	case *syscall.SockaddrInet6:
		return (&net.TCPAddr{IP: a.Addr[:], Port: a.Port}).String()
	case *syscall.SockaddrUnix:
		return a.Name
	}
	return "?"
}

// connFd returns the descriptor of c; c keeps owning it.
func connFd(t *testing.T, c net.Conn) int {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// TestMessages passes bytes and a descriptor over a SOCK_SEQPACKET pair
// with Sendmsg and Recvmsg, and checks EAGAIN on an empty socket.
func TestMessages(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(fds[0])
	defer Close(fds[1])
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	buf := make([]byte, 16)
	oob := make([]byte, syscall.CmsgSpace(4))
	if _, _, _, err := Recvmsg(fds[1], buf, oob, 0); err != syscall.EAGAIN {
		t.Fatalf("Recvmsg on an empty socket: %v, want EAGAIN", err)
	}
	tests := []struct {
		name string
		data []byte
		fd   int // -1: none
	}{
		{"bytes", []byte("c\x01\x00"), -1},
		{"bytes and descriptor", []byte("x"), int(w.Fd())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rights []byte
			if tt.fd >= 0 {
				rights = syscall.UnixRights(tt.fd)
			}
			n, err := Sendmsg(fds[0], tt.data, rights, syscall.MSG_NOSIGNAL)
			if err != nil || n != len(tt.data) {
				t.Fatalf("Sendmsg = %d, %v", n, err)
			}
			n, oobn, flags, err := Recvmsg(fds[1], buf, oob, syscall.MSG_CMSG_CLOEXEC)
			if err != nil || !bytes.Equal(buf[:n], tt.data) || flags&(syscall.MSG_TRUNC|syscall.MSG_CTRUNC) != 0 {
				t.Fatalf("Recvmsg = %q, flags %#x, %v", buf[:n], flags, err)
			}
			if tt.fd < 0 {
				if oobn != 0 {
					t.Fatalf("control data %d bytes, want none", oobn)
				}
				return
			}
			msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
			if err != nil || len(msgs) != 1 {
				t.Fatalf("control data: %v, %d messages", err, len(msgs))
			}
			got, err := syscall.ParseUnixRights(&msgs[0])
			if err != nil || len(got) != 1 {
				t.Fatalf("rights: %v %v", got, err)
			}
			defer Close(got[0])
			// the received descriptor is the pipe's write end
			iov := []syscall.Iovec{{Base: &[]byte("ok")[0], Len: 2}}
			if n, err := Writev(got[0], iov); n != 2 || err != nil {
				t.Fatalf("Writev on the received descriptor = %d, %v", n, err)
			}
			rb := make([]byte, 2)
			if n, err := Read(int(r.Fd()), rb); n != 2 || err != nil || string(rb) != "ok" {
				t.Fatalf("Read = %q, %v", rb[:n], err)
			}
		})
	}
}

// TestAcceptAndOptions accepts with flags and checks the descriptor state
// SetNonblock, CloseOnExec, SetsockoptInt and Shutdown leave.
func TestAcceptAndOptions(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lfd := connFdListener(t, ln)
	var fd int
	for i := 0; i < 1000; i++ { // the connection is queued by now; bounded retries
		fd, err = Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err != syscall.EAGAIN {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer Close(fd)
	fl := fcntl(t, fd, syscall.F_GETFL)
	if fl&syscall.O_NONBLOCK == 0 || fcntl(t, fd, syscall.F_GETFD)&syscall.FD_CLOEXEC == 0 {
		t.Fatalf("accepted socket flags %#x: want non-blocking, close-on-exec", fl)
	}
	if err := SetNonblock(fd); err != nil { // already set: a no-op
		t.Fatal(err)
	}
	if err := SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		t.Fatal(err)
	}
	if v, err := syscall.GetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY); err != nil || v == 0 {
		t.Fatalf("TCP_NODELAY = %d, %v", v, err)
	}
	if err := Shutdown(fd, syscall.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("client read after shutdown = %d, %v; want EOF", n, err)
	}

	// SetNonblock and CloseOnExec on a blocking, inheritable descriptor
	p := make([]int, 2)
	if err := syscall.Pipe(p); err != nil {
		t.Fatal(err)
	}
	defer Close(p[0])
	defer Close(p[1])
	if err := SetNonblock(p[0]); err != nil {
		t.Fatal(err)
	}
	if err := CloseOnExec(p[0]); err != nil {
		t.Fatal(err)
	}
	if fcntl(t, p[0], syscall.F_GETFL)&syscall.O_NONBLOCK == 0 || fcntl(t, p[0], syscall.F_GETFD)&syscall.FD_CLOEXEC == 0 {
		t.Fatal("pipe not switched to non-blocking, close-on-exec")
	}
	if _, err := Read(p[0], make([]byte, 1)); err != syscall.EAGAIN {
		t.Fatalf("Read on an empty non-blocking pipe: %v, want EAGAIN", err)
	}
	if err := Close(-1); err != syscall.EBADF {
		t.Fatalf("Close(-1) = %v, want EBADF", err)
	}
}

func connFdListener(t *testing.T, ln net.Listener) int {
	t.Helper()
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

func fcntl(t *testing.T, fd, cmd int) int {
	t.Helper()
	r, err := Retry(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if err != nil {
		t.Fatalf("fcntl(%d, %d): %v", fd, cmd, err)
	}
	return r
}
