package master

import (
	"container/heap"
	"container/list"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
)

// The master holds the connections of HTTP listeners until their request
// has arrived, so that a worker never waits for a slow or idle client:
// a connection that sends its request head slowly (or never), or that
// stays open between two requests, costs the master a descriptor and a
// few hundred bytes instead of a whole worker.
//
// A listener becomes an HTTP listener when a worker reports that
// moonbridge_http serves its connections (an ipc.Hold message, sent the
// first time a worker's HTTP handler gets a connection of it). From then
// on its accept loop hands every new connection to the holder, which
// reads from it (one epoll instance, edge-triggered, for all pools) until
// the request head has arrived, with a body of up to ipc.MaxData bytes
// when its length is known, and then queues it for the pool with the
// bytes read so far, which the worker reads first. Keep-alive connections
// come back the same way between requests (ipc.Park). A connection whose
// request does not arrive in time is answered 408 by the master and
// closed, as the worker would do.

// maxBuffered bounds the request bytes the holder keeps for all held
// connections together; past it, a connection goes to a worker with what
// it has, as it would without the holder.
const maxBuffered = 64 << 20

// epollET is EPOLLET as the uint32 of syscall.EpollEvent.
const epollET = 1 << 31

// holdWait is the longest the holder's loop sleeps while it holds
// connections, and so how late a deadline may be noticed.
const holdWait = 100 * time.Millisecond

type heldConn struct {
	fd       int
	pool     *pool
	listener int
	times    ipc.HoldTimes
	buf      []byte // the bytes read so far
	scan     requestScan
	deadline time.Time     // zero: none
	index    int           // in the deadline heap; -1 when not in it
	idleElem *list.Element // in holder.idle while no byte has arrived
	polled   bool          // in the epoll set
}

// holder keeps the connections of HTTP listeners until their requests
// have arrived (see above). Its methods may be called from any goroutine.
type holder struct {
	m     *Master
	epfd  int
	file  *os.File        // epfd, registered with Go's network poller
	rc    syscall.RawConn // of file
	limit int             // most connections the master keeps (held or queued)

	count atomic.Int64 // connections held or queued for a worker

	mu       sync.Mutex
	conns    map[int]*heldConn
	timers   deadlineHeap
	idle     list.List // connections without a byte yet, oldest first
	buffered int
	stopped  bool
	readBuf  []byte // used by the loop only
}

// newHolder makes the holder and starts its loop; limit is the most
// connections it keeps at once. The loop waits for its epoll descriptor
// through Go's network poller and reads the events without blocking: a
// blocking epoll_wait would wake the runtime's sysmon thread, which then
// polls every 20 µs (measured: most of the master's CPU per request).
func newHolder(m *Master, limit int) (*holder, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll for held connections: %w", err)
	}
	if err := rawsys.SetNonblock(epfd); err != nil {
		syscall.Close(epfd)
		return nil, fmt.Errorf("epoll for held connections: %w", err)
	}
	f := os.NewFile(uintptr(epfd), "held-connections")
	rc, err := f.SyscallConn()
	if err == nil {
		err = f.SetReadDeadline(time.Time{}) // fails unless the poller took it
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("epoll for held connections: %w", err)
	}
	h := &holder{m: m, epfd: epfd, file: f, rc: rc, limit: limit, conns: map[int]*heldConn{}, readBuf: make([]byte, ipc.MaxData)}
	go h.run()
	return h, nil
}

// room reports whether the master may take one more connection; at the
// limit it first closes the connection that has waited longest for its
// first byte, as a server short of descriptors drops an idle keep-alive
// connection.
func (h *holder) room() bool {
	if h.count.Load() < int64(h.limit) {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e := h.idle.Front(); e != nil {
		h.drop(e.Value.(*heldConn))
		return true
	}
	return false
}

// add holds fd, a connection of listener of p, until its request has
// arrived. It takes the ownership of fd. A fresh connection (just
// accepted, not parked) is read from first.
func (h *holder) add(fd int, p *pool, listener int, times ipc.HoldTimes, fresh bool) {
	h.count.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		h.closeFd(fd)
		return
	}
	c := &heldConn{fd: fd, pool: p, listener: listener, times: times, index: -1}
	now := time.Now()
	// Most clients send their request right after connecting: it is often
	// there already, and the connection needs no registration.
	if fresh && h.readFrom(c, now) != waiting {
		return
	}
	h.conns[fd] = c
	if len(c.buf) == 0 {
		c.idleElem = h.idle.PushBack(c)
		if times.Idle >= 0 {
			h.setDeadline(c, now.Add(times.Idle))
		}
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET, Fd: int32(fd)}
	if err := syscall.EpollCtl(h.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		h.m.log.Errorf("pool #%d: cannot hold a connection: %v", p.index+1, err)
		h.drop(c)
		return
	}
	c.polled = true
}

func (h *holder) setDeadline(c *heldConn, t time.Time) {
	c.deadline = t
	if c.index >= 0 {
		heap.Fix(&h.timers, c.index)
	} else {
		heap.Push(&h.timers, c)
	}
}

func (h *holder) clearDeadline(c *heldConn) {
	if c.index >= 0 {
		heap.Remove(&h.timers, c.index)
	}
	c.deadline = time.Time{}
}

// forget removes c from the holder's sets (not from the count).
func (h *holder) forget(c *heldConn) {
	if c.polled {
		syscall.EpollCtl(h.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
		c.polled = false
	}
	if h.conns[c.fd] == c {
		delete(h.conns, c.fd)
	}
	h.clearDeadline(c)
	if c.idleElem != nil {
		h.idle.Remove(c.idleElem)
		c.idleElem = nil
	}
	h.buffered -= len(c.buf)
}

// drop closes a held connection.
func (h *holder) drop(c *heldConn) {
	h.forget(c)
	h.closeFd(c.fd)
}

func (h *holder) closeFd(fd int) {
	rawsys.Close(fd)
	h.count.Add(-1)
}

// release hands c to its pool: the request has arrived.
func (h *holder) release(c *heldConn) {
	h.forget(c)
	c.pool.addReady(job{kind: ipc.Conn, listener: c.listener, fd: c.fd, data: c.buf, held: true})
}

// dispatched is called when a connection the holder released has been
// given to a worker or closed.
func (h *holder) dispatched() { h.count.Add(-1) }

// stop closes every held connection; connections handed over later are
// closed at once.
func (h *holder) stop() {
	h.mu.Lock()
	h.stopped = true
	for _, c := range h.conns {
		h.drop(c)
	}
	h.mu.Unlock()
	h.file.Close() // ends the loop
}

// run is the holder's loop; it ends when stop closes the epoll file.
func (h *holder) run() {
	events := make([]syscall.EpollEvent, 256)
	var n int
	var werr error
	check := func(fd uintptr) bool {
		n, werr = epollWaitNow(int(fd), events)
		return n > 0 || werr != nil
	}
	for {
		h.mu.Lock()
		// A connection held meanwhile has a deadline at least its idle
		// timeout away: waking every holdWait notices it soon enough.
		wait := holdWait
		if len(h.timers) > 0 {
			wait = min(max(time.Until(h.timers[0].deadline), 0), holdWait)
		}
		h.mu.Unlock()
		n, werr = 0, nil
		h.file.SetReadDeadline(time.Now().Add(wait))
		err := h.rc.Read(check)
		switch {
		case err == nil, errors.Is(err, os.ErrDeadlineExceeded):
		case h.isStopped():
			return // stop closed the file
		default:
			h.m.log.Errorf("waiting for held connections: %v", err)
			time.Sleep(holdWait)
			continue
		}
		if werr != nil {
			h.m.log.Errorf("waiting for held connections: %v", werr)
			time.Sleep(holdWait)
			continue
		}
		now := time.Now()
		h.mu.Lock()
		for _, ev := range events[:n] {
			fd := int(ev.Fd)
			// An event of a connection dropped meanwhile finds nothing, or
			// a new connection with the same number, which reads nothing.
			if c := h.conns[fd]; c != nil {
				h.readFrom(c, now)
			}
		}
		for len(h.timers) > 0 && !h.timers[0].deadline.After(now) {
			h.expire(heap.Pop(&h.timers).(*heldConn))
		}
		h.mu.Unlock()
	}
}

func (h *holder) isStopped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopped
}

// epollWaitNow is epoll_wait(2) without waiting: a raw system call
// (epoll_pwait with no signal mask, which every architecture has).
func epollWaitNow(epfd int, events []syscall.EpollEvent) (int, error) {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		if errno == syscall.EINTR {
			return 0, nil
		}
		return 0, errno
	}
	return int(r), nil
}

// Results of readFrom.
const (
	waiting  = iota // the request has not arrived yet
	released        // c went to its pool
	dropped         // c was closed
)

// readFrom reads what c's client has sent (all of it: the epoll set is
// edge-triggered) and releases c once its request has arrived.
func (h *holder) readFrom(c *heldConn, now time.Time) int {
	eof, had := false, len(c.buf)
	for len(c.buf) < ipc.MaxData {
		room := ipc.MaxData - len(c.buf)
		n, err := rawsys.Read(c.fd, h.readBuf[:room])
		if err == syscall.EAGAIN {
			break
		}
		if err != nil {
			h.drop(c) // reset by the client
			return dropped
		}
		if n == 0 {
			eof = true
			break
		}
		c.buf = append(c.buf, h.readBuf[:n]...)
		h.buffered += n
		if n < room {
			// All there was: more data makes a new edge, so the read
			// that would say EAGAIN can be spared.
			break
		}
	}
	ready := c.scan.update(c.buf, ipc.MaxData)
	switch {
	case eof && !ready:
		// Closed between requests, or before its request was complete:
		// there is nothing to answer, nor anyone to read it.
		h.drop(c)
		return dropped
	case ready, len(c.buf) >= ipc.MaxData, h.buffered > maxBuffered:
		h.release(c)
		return released
	}
	if had == 0 && len(c.buf) > 0 {
		// The first bytes: from now on the request must arrive within
		// the header timeout.
		if c.idleElem != nil {
			h.idle.Remove(c.idleElem)
			c.idleElem = nil
		}
		if c.times.Header >= 0 {
			h.setDeadline(c, now.Add(c.times.Header))
		} else {
			h.clearDeadline(c)
		}
	}
	return waiting
}

// expire handles a connection whose deadline has passed (already out of
// the heap): one whose head has arrived goes to a worker, which waits for
// the rest of its body as usual; the others are answered 408, as the
// worker would answer them, and closed.
func (h *holder) expire(c *heldConn) {
	if c.scan.headEnd > 0 {
		h.release(c)
		return
	}
	text := "Timeout while receiving headers"
	if len(c.buf) == 0 {
		text = "Idle connection timed out"
	}
	h.forget(c)
	rawsys.Write(c.fd, timeoutResponse(text))
	rawsys.Shutdown(c.fd, syscall.SHUT_WR)
	h.closeFd(c.fd)
}

// timeoutResponse is the 408 response of a held connection, in the form
// moonbridge_http gives its own error responses.
func timeoutResponse(text string) []byte {
	body := "408 Request Timeout\n\n" + text + "\n"
	return fmt.Appendf(nil, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// deadlineHeap orders held connections by deadline.
type deadlineHeap []*heldConn

func (d deadlineHeap) Len() int           { return len(d) }
func (d deadlineHeap) Less(i, j int) bool { return d[i].deadline.Before(d[j].deadline) }
func (d deadlineHeap) Swap(i, j int) {
	d[i], d[j] = d[j], d[i]
	d[i].index = i
	d[j].index = j
}
func (d *deadlineHeap) Push(x any) {
	c := x.(*heldConn)
	c.index = len(*d)
	*d = append(*d, c)
}
func (d *deadlineHeap) Pop() any {
	old := *d
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*d = old[:len(old)-1]
	c.index = -1
	return c
}
