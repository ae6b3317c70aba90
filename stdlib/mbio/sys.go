package mbio

import (
	"errors"
	"math"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
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

// pollNow is ppoll(2) with a zero timeout: it reports which descriptors
// are ready without ever blocking, so it is issued as a raw system call
// (the Go scheduler need not hand the thread's P to another thread).
func pollNow(fds []pollFd) (int, error) {
	var ts syscall.Timespec
	var p unsafe.Pointer
	if len(fds) > 0 {
		p = unsafe.Pointer(&fds[0])
	}
	return rawsys.Retry(syscall.SYS_PPOLL, uintptr(p), uintptr(len(fds)), uintptr(unsafe.Pointer(&ts)))
}

// ppoll waits for events on fds like ppoll(2). A negative timeout waits
// without limit. It returns the number of ready descriptors (0 on timeout)
// with revents filled in.
//
// The wait itself goes through Go's network poller (see multiWaiter), so
// no OS thread is blocked while waiting; only when the descriptors cannot
// be watched that way does it fall back to a blocking ppoll(2).
//
// cn, when not nil, can abort the wait (canceler); a blocking ppoll(2)
// cannot be aborted.
func ppoll(cn *canceler, fds []pollFd, timeout time.Duration) (int, error) {
	n, err := pollNow(fds)
	if err != nil || n > 0 || timeout == 0 {
		return n, err
	}
	if len(fds) == 0 {
		return 0, cn.sleep(timeout)
	}
	w := getMultiWaiter()
	if w == nil {
		return blockingPpoll(fds, timeout)
	}
	n, err, ok := w.wait(cn, fds, timeout)
	putMultiWaiter(w)
	if !ok {
		return blockingPpoll(fds, timeout)
	}
	return n, err
}

// sleep waits for d (negative: for ever) without holding a thread.
func sleep(d time.Duration) {
	if d < 0 {
		d = math.MaxInt64
	}
	time.Sleep(d)
}

// blockingPpoll is ppoll(2) as a blocking system call, retried on EINTR
// with the remaining time. It is the fallback for descriptors the network
// poller cannot watch.
func blockingPpoll(fds []pollFd, timeout time.Duration) (int, error) {
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

// multiWaiter waits for any of several descriptors through the network
// poller: the descriptors are added (level-triggered) to an epoll instance
// of its own, and that epoll descriptor, which becomes readable whenever
// one of them has an event, is registered with Go's poller through an
// *os.File. Waiters are pooled; a waiter holds no descriptor between two
// waits.
type multiWaiter struct {
	epfd  int
	file  *os.File
	rc    syscall.RawConn
	check func(uintptr) bool // bound once: polls fds without blocking
	fds   []pollFd           // the descriptors of the current wait
	added []int32            // descriptors added to epfd by the current wait
	n     int
	err   error
	timed bool // a read deadline is set on file
	event syscall.EpollEvent
}

var multiWaiters sync.Pool

func getMultiWaiter() *multiWaiter {
	if w, ok := multiWaiters.Get().(*multiWaiter); ok {
		return w
	}
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil
	}
	f := os.NewFile(uintptr(epfd), "mbio-poll")
	if f.SetReadDeadline(time.Time{}) != nil { // not taken by the poller
		f.Close()
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	w := &multiWaiter{epfd: epfd, file: f, rc: rc}
	w.check = func(uintptr) bool {
		w.n, w.err = pollNow(w.fds)
		return w.n > 0 || w.err != nil
	}
	return w
}

func putMultiWaiter(w *multiWaiter) {
	clear(w.fds)
	w.fds = w.fds[:0]
	w.err = nil
	multiWaiters.Put(w)
}

func epollEvents(events int16) uint32 {
	var e uint32
	if events&pollIn != 0 {
		e |= syscall.EPOLLIN
	}
	if events&pollOut != 0 {
		e |= syscall.EPOLLOUT
	}
	return e
}

// wait waits until one of fds is ready or timeout (negative: no limit)
// passes. ok is false when the descriptors could not be watched through
// the poller; the caller then falls back to blockingPpoll.
func (w *multiWaiter) wait(cn *canceler, fds []pollFd, timeout time.Duration) (n int, err error, ok bool) {
	w.fds = append(w.fds[:0], fds...)
	w.added = w.added[:0]
	defer func() {
		for _, fd := range w.added {
			epollCtl(w.epfd, syscall.EPOLL_CTL_DEL, fd, &w.event)
		}
	}()
	for i, p := range w.fds {
		if p.fd < 0 {
			continue // ignored, as ppoll(2) does
		}
		w.event = syscall.EpollEvent{Events: epollEvents(p.events), Fd: p.fd}
		err := epollCtl(w.epfd, syscall.EPOLL_CTL_ADD, p.fd, &w.event)
		if err == syscall.EEXIST {
			// the same descriptor twice (input and output set): watch
			// the union of the events asked for it
			for _, q := range w.fds[:i] {
				if q.fd == p.fd {
					w.event.Events |= epollEvents(q.events)
				}
			}
			err = epollCtl(w.epfd, syscall.EPOLL_CTL_MOD, p.fd, &w.event)
		} else if err == nil {
			w.added = append(w.added, p.fd)
		}
		if err != nil {
			return 0, nil, false
		}
	}
	if timeout > 0 {
		w.file.SetReadDeadline(time.Now().Add(timeout))
		w.timed = true
	} else if w.timed {
		w.file.SetReadDeadline(time.Time{})
		w.timed = false
	}
	if err := cn.park(w.file); err != nil {
		return 0, err, true
	}
	rerr := w.rc.Read(w.check)
	if cn.unpark() {
		// the abort put the pooled file's deadline in the past
		w.file.SetReadDeadline(time.Time{})
		w.timed = false
		return 0, ErrAborted, true
	}
	switch {
	case rerr == nil:
	case errors.Is(rerr, os.ErrDeadlineExceeded):
		w.n, w.err = pollNow(w.fds)
	default:
		return 0, nil, false
	}
	for i := range fds {
		fds[i].revents = w.fds[i].revents
	}
	return w.n, w.err, true
}

// epollCtl is epoll_ctl(2); it never blocks, so it is a raw system call.
func epollCtl(epfd, op int, fd int32, ev *syscall.EpollEvent) error {
	_, err := rawsys.Retry6(syscall.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op),
		uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	return err
}

// waitFd blocks until fd has one of events (or an error condition), or
// timeout passes. It reports whether fd became ready.
func waitFd(cn *canceler, fd int, events int16, timeout time.Duration) (bool, error) {
	fds := [1]pollFd{{fd: int32(fd), events: events}}
	n, err := ppoll(cn, fds[:], timeout)
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

// The raw* calls below are for descriptors this package created or took
// over in non-blocking mode (sockets and pipes, never regular files): such
// a call returns at once, so it is made without telling the scheduler
// about a system call (see package rawsys). The process's stdio, which may
// be a regular file or a terminal, always uses readFd/writevFd.

// rawAccept4 accepts a connection on an owned non-blocking listening
// socket as a non-blocking, close-on-exec socket.
func rawAccept4(fd int) (int, error) {
	return rawsys.Accept4(fd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
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
