package mbio

import (
	"errors"
	"syscall"
	"time"
	"unsafe"
)

// pollFd mirrors struct pollfd of poll(2).
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const (
	pollIn   = 0x1
	pollOut  = 0x4
	pollErr  = 0x8
	pollHup  = 0x10
	pollNval = 0x20
)

// ppoll waits for events on fds. A negative timeout waits without limit.
// It returns the number of ready descriptors (0 on timeout) and retries
// on EINTR with the remaining time.
func ppoll(fds []pollFd, timeout time.Duration) (int, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		var tsp *syscall.Timespec
		var ts syscall.Timespec
		if timeout >= 0 {
			ts = syscall.NsecToTimespec(int64(timeout))
			tsp = &ts
		}
		var p unsafe.Pointer
		if len(fds) > 0 {
			p = unsafe.Pointer(&fds[0])
		}
		r, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(p), uintptr(len(fds)),
			uintptr(unsafe.Pointer(tsp)), 0, 0, 0)
		if e == 0 {
			return int(r), nil
		}
		if e != syscall.EINTR {
			return 0, e
		}
		if timeout > 0 {
			timeout = time.Until(deadline)
			if timeout < 0 {
				timeout = 0
			}
		}
	}
}

// waitFd blocks until fd has one of events (or an error condition), or
// timeout passes. It reports whether fd became ready.
func waitFd(fd int, events int16, timeout time.Duration) (bool, error) {
	fds := [1]pollFd{{fd: int32(fd), events: events}}
	n, err := ppoll(fds[:], timeout)
	if err != nil {
		return false, err
	}
	return n > 0, nil
}

func isAgain(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK)
}

// readFd is read(2) retried on EINTR.
func readFd(fd int, p []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, p)
		if err == syscall.EINTR {
			continue
		}
		return n, err
	}
}

// writevFd writes the chunks with writev(2), at most iovMax of them,
// starting off bytes into the first one. It retries on EINTR.
func writevFd(fd int, iov []syscall.Iovec) (int, error) {
	for {
		r, _, e := syscall.Syscall(syscall.SYS_WRITEV, uintptr(fd),
			uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

// monotonic returns CLOCK_MONOTONIC in seconds.
func monotonic() float64 {
	var ts syscall.Timespec
	const clockMonotonic = 1
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

// setNonblock switches O_NONBLOCK on fd.
func setNonblock(fd int, on bool) error {
	return syscall.SetNonblock(fd, on)
}
