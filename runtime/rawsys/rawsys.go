// Package rawsys makes the system calls of the request path that can never
// block — on non-blocking sockets and pipes, or calls that return at once
// such as getsockname, shutdown and fcntl — as raw system calls.
//
// A call through syscall.Syscall tells Go's scheduler that the thread may
// block (entersyscall/exitsyscall). When the process was idle, that wakes
// the runtime's sysmon thread, which then polls every 20 µs until the
// process is idle again: a futex wake-up, several context switches and a
// sleep per request in every worker process. A raw call costs only the
// system call itself. It must therefore never be used for a call that can
// wait (a blocking descriptor, a regular file on a slow disk, a terminal).
//
// Every function retries on EINTR and returns syscall.Errno errors, like
// the syscall package.
package rawsys

import (
	"syscall"
	"unsafe"
)

// Retry issues trap as a raw system call, repeating it when a signal
// interrupted it.
func Retry(trap, a1, a2, a3 uintptr) (int, error) {
	return Retry6(trap, a1, a2, a3, 0, 0, 0)
}

// Retry6 is Retry for calls with more than three arguments.
func Retry6(trap, a1, a2, a3, a4, a5, a6 uintptr) (int, error) {
	for {
		r, _, e := syscall.RawSyscall6(trap, a1, a2, a3, a4, a5, a6)
		switch e {
		case 0:
			return int(r), nil
		case syscall.EINTR:
			continue
		}
		return 0, e
	}
}

// Read is read(2).
func Read(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	return Retry(syscall.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
}

// Write is write(2).
func Write(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	return Retry(syscall.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
}

// Writev is writev(2); iov must not be empty.
func Writev(fd int, iov []syscall.Iovec) (int, error) {
	return Retry(syscall.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
}

// Close is close(2). It is not retried on EINTR: Linux releases the
// descriptor even then, and a retry could close a descriptor that another
// goroutine has just been given.
func Close(fd int) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Shutdown is shutdown(2).
func Shutdown(fd, how int) error {
	_, err := Retry(syscall.SYS_SHUTDOWN, uintptr(fd), uintptr(how), 0)
	return err
}

// Accept4 is accept4(2) without the peer's address.
func Accept4(fd, flags int) (int, error) {
	return Retry6(syscall.SYS_ACCEPT4, uintptr(fd), 0, 0, uintptr(flags), 0, 0)
}

// SetNonblock sets O_NONBLOCK on fd, with one fcntl(2) when it is set
// already (a socket accepted with SOCK_NONBLOCK).
func SetNonblock(fd int) error {
	fl, err := Retry(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if err != nil || fl&syscall.O_NONBLOCK != 0 {
		return err
	}
	_, err = Retry(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFL, uintptr(fl|syscall.O_NONBLOCK))
	return err
}

// SetsockoptInt is setsockopt(2) with an int value.
func SetsockoptInt(fd, level, opt, value int) error {
	v := int32(value)
	_, err := Retry6(syscall.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(unsafe.Pointer(&v)), 4, 0)
	return err
}

// Getsockname is getsockname(2); the address is an IPv4, IPv6 or Unix
// address, or nil for other families.
func Getsockname(fd int) (syscall.Sockaddr, error) {
	return sockname(syscall.SYS_GETSOCKNAME, fd)
}

// Getpeername is getpeername(2), with results as for Getsockname.
func Getpeername(fd int) (syscall.Sockaddr, error) {
	return sockname(syscall.SYS_GETPEERNAME, fd)
}

func sockname(trap uintptr, fd int) (syscall.Sockaddr, error) {
	var rsa syscall.RawSockaddrAny
	n := uint32(syscall.SizeofSockaddrAny)
	if _, err := Retry(trap, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&n))); err != nil {
		return nil, err
	}
	return sockaddr(&rsa, n), nil
}

// sockaddr converts the n bytes of rsa that the kernel filled in.
func sockaddr(rsa *syscall.RawSockaddrAny, n uint32) syscall.Sockaddr {
	switch rsa.Addr.Family {
	case syscall.AF_INET:
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(rsa))
		sa := &syscall.SockaddrInet4{Port: int(p.Port>>8 | p.Port<<8), Addr: p.Addr}
		return sa
	case syscall.AF_INET6:
		p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(rsa))
		return &syscall.SockaddrInet6{Port: int(p.Port>>8 | p.Port<<8), ZoneId: p.Scope_id, Addr: p.Addr}
	case syscall.AF_UNIX:
		p := (*syscall.RawSockaddrUnix)(unsafe.Pointer(rsa))
		pathLen := int(n) - int(unsafe.Offsetof(p.Path))
		if pathLen < 0 {
			pathLen = 0
		}
		if pathLen > len(p.Path) {
			pathLen = len(p.Path)
		}
		b := make([]byte, 0, pathLen)
		for i := 0; i < pathLen; i++ {
			if p.Path[i] == 0 && i > 0 { // abstract names start with a NUL byte
				break
			}
			b = append(b, byte(p.Path[i]))
		}
		if len(b) > 0 && b[0] == 0 {
			b[0] = '@'
		}
		return &syscall.SockaddrUnix{Name: string(b)}
	}
	return nil
}

// Sendmsg is sendmsg(2) of the bytes p with the control data oob
// (syscall.UnixRights, say). It returns the number of bytes of p sent.
func Sendmsg(fd int, p, oob []byte, flags int) (int, error) {
	var msg syscall.Msghdr
	var iov syscall.Iovec
	var one byte
	if len(p) > 0 {
		iov.Base = &p[0]
	} else {
		iov.Base = &one // a message of no bytes still carries its control data
	}
	iov.SetLen(len(p))
	msg.Iov = &iov
	msg.Iovlen = 1
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	return Retry(syscall.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags))
}

// Recvmsg is recvmsg(2) into p, with control data into oob. It returns the
// bytes and control bytes received and the message's flags.
func Recvmsg(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, err error) {
	var msg syscall.Msghdr
	var iov syscall.Iovec
	if len(p) > 0 {
		iov.Base = &p[0]
		iov.SetLen(len(p))
	}
	msg.Iov = &iov
	msg.Iovlen = 1
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	n, err = Retry(syscall.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags))
	if err != nil {
		return 0, 0, 0, err
	}
	return n, int(msg.Controllen), int(msg.Flags), nil
}

// CloseOnExec sets FD_CLOEXEC on fd.
func CloseOnExec(fd int) error {
	_, err := Retry(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, syscall.FD_CLOEXEC)
	return err
}
