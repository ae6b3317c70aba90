package mbio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
)

const (
	readBufSize    = 16384 // bytes read from the OS per read(2)
	writeThreshold = 16384 // a buffered write sends once this much is queued
	maxQueued      = 256   // ... or once this many chunks are queued
	iovMax         = 1024  // chunks per writev(2)
	scratchKeep    = 65536 // larger scratch buffers are dropped after use
)

// Read statuses, as returned by the read and drain methods.
const (
	StatusTerm   = "term"   // the terminator byte was read (and is included)
	StatusMaxlen = "maxlen" // maxlen bytes were read
	StatusEOF    = "eof"    // the peer closed its side before maxlen/terminator
	StatusBlock  = "block"  // non-blocking form only: no more data right now
)

// stateError is an error whose text is part of the Lua API (the original's
// messages, capitalised as the original has them).
type stateError string

func (e stateError) Error() string { return string(e) }

// Errors returned by handle operations whose text Lua applications see.
const (
	ErrPreviousRead  = stateError("Previous read error")
	ErrPreviousWrite = stateError("Previous write error")
	ErrReadClosed    = stateError("Attempt to read from a closed I/O handle")
	ErrWriteClosed   = stateError("Attempt to write to a closed I/O handle")
	ErrWriteFinished = stateError("Attempt to write to a finished I/O handle")
)

// fdOwner owns a descriptor until it is handed to an *os.File, so that a
// finalizer closes it when the Handle (which forms a cycle with its Lua
// userdata) becomes unreachable.
type fdOwner struct{ fd int }

func newFdOwner(fd int) *fdOwner {
	o := &fdOwner{fd: fd}
	runtime.SetFinalizer(o, func(o *fdOwner) {
		if o.fd >= 0 {
			syscall.Close(o.fd)
			o.fd = -1
		}
	})
	return o
}

func (o *fdOwner) release() {
	if o != nil {
		o.fd = -1
		runtime.SetFinalizer(o, nil)
	}
}

// readBufs holds read buffers of closed (or idle) handles for reuse.
var readBufs = sync.Pool{New: func() any { return new([readBufSize]byte) }}

// pollFile wraps fd, which must be non-blocking, in an *os.File so that it
// is registered with Go's network poller; the file then owns fd (closing
// it, or its finalizer when it is dropped, closes fd). rc is nil when the
// poller cannot watch fd: waits then fall back to ppoll.
func pollFile(fd int, name string) (*os.File, syscall.RawConn) {
	f := os.NewFile(uintptr(fd), name)
	if f.SetReadDeadline(time.Time{}) != nil {
		return f, nil // not registered with the poller
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return f, nil
	}
	return f, rc
}

// I/O operations run inside RawConn.Read/Write (Handle.ioOp).
const (
	opRead   = iota // read(2) into ioBuf
	opWritev        // writev(2) of iov
	opPoll          // report whether fd has ioEvents, without blocking
	opFill          // fill the empty read buffer (fill)
)

// Handle is a buffered moonbridge_io handle (socket, pipe, stdio). It is
// used from one goroutine only.
type Handle struct {
	fd       int  // -1 once closed, or after finish() of a non-socket
	owned    bool // fd is ours and non-blocking (not the process's stdio)
	own      *fdOwner
	file     *os.File // owns fd once the first blocking wait needed the poller
	rc       syscall.RawConn
	ioFn     func(uintptr) bool // runs ioOp; made on first blocking use
	ioOp     int
	ioBuf    []byte
	ioEvents int16
	ioN      int
	ioErr    error
	waits    int       // waits made without the poller registration (usePoller)
	cn       *canceler // of the Lua state that has the handle's value; nil before Value
	isSock   bool
	isTCP    bool
	toggleNB bool // shared fd (stdio): O_NONBLOCK is set only during an attempt
	closed   bool
	finished bool
	readErr  bool  // sticky: a read failed
	pendRead error // a read result taken by fill: io.EOF or an errno, for the next read
	writeErr bool  // sticky: a write failed

	rbuf       []byte
	rin, rout  int
	scratch    []byte
	wq         []string // queued output, wq[wqh:] pending, wq[wqh][wqoff:] first
	wqh, wqoff int
	wleft      int // bytes queued and not yet sent
	flushLeft  int // bytes that must be sent before a flush is done
	iov        []syscall.Iovec

	addr        handleAddr
	lazyAddr    bool        // addr is read on first use (NewAcceptedSocket)
	fields      *lua.LTable // fields Lua stored on the handle's value
	connectHost string      // host name given to tcpconnect (default TLS server name)
	ud          *lua.LUserData
	tls         *tlsLink
	handoff     Handoff // of a connection the server accepted (SetHandoff)
}

// handleAddr holds the address fields of a TCP socket.
type handleAddr struct {
	remoteIP, localIP     string
	remote6, local6       bool
	remotePort, localPort int
	hasRemote, hasLocal   bool
}

// newHandle wraps fd (already non-blocking unless toggle is set).
func newHandle(fd int, isSock, owned, toggle bool) *Handle {
	h := &Handle{fd: fd, isSock: isSock, toggleNB: toggle, owned: owned}
	if owned {
		h.own = newFdOwner(fd)
	}
	return h
}

// poller reports whether h can wait through Go's network poller. On the
// first call for an owned descriptor, the descriptor is taken over by an
// *os.File registered with the poller; until a blocking form needs to
// wait, a handle costs no registration (a short connection often never
// waits: its request is there when it is accepted).
func (h *Handle) poller() bool {
	if h.rc != nil {
		return true
	}
	if h.own == nil || h.fd < 0 {
		return false
	}
	h.own.release()
	h.own = nil
	name := "mbio-pipe"
	if h.isSock {
		name = "mbio-socket"
	}
	h.file, h.rc = pollFile(h.fd, name)
	return h.rc != nil
}

// pooledWaits is how many times a handle waits through a pooled epoll
// waiter (waitFd) before it is registered with the network poller. A
// registration costs an *os.File, and its fcntl and close are system calls
// that wake the Go runtime's sysmon thread; a connection that is closed
// after one request rarely waits more than once, while a persistent one
// soon waits for its third request and then waits more cheaply.
const pooledWaits = 2

// usePoller reports whether a blocking operation should wait through the
// handle's poller registration, registering it after pooledWaits waits.
// When it returns false the caller waits with waitPooled, which counts
// the wait.
func (h *Handle) usePoller() bool {
	if h.rc != nil {
		return true
	}
	if h.waits < pooledWaits {
		return false
	}
	return h.poller()
}

// waitPooled waits for events on h through a pooled epoll waiter (waitFd)
// and counts the wait toward the poller registration (usePoller).
func (h *Handle) waitPooled(events int16, timeout time.Duration) (bool, error) {
	if timeout != 0 {
		h.waits++
	}
	return waitFd(h.cn, h.fd, events, timeout)
}

// ioCall runs the operation op inside the poller's RawConn: the attempt
// is made first and repeated whenever the poller reports fd ready, until
// it no longer reports EAGAIN, so no readiness edge is lost. write
// selects the write side (and its deadline). It returns the poller's
// error (a deadline, a closed file); the operation's result is in ioN and
// ioErr.
func (h *Handle) ioCall(op int, write bool) error {
	if h.ioFn == nil {
		h.ioFn = func(fd uintptr) bool { return h.runOp(int(fd)) }
	}
	h.ioOp = op
	if err := h.cn.park(h.file); err != nil {
		return err
	}
	var err error
	if write {
		err = h.rc.Write(h.ioFn)
	} else {
		err = h.rc.Read(h.ioFn)
	}
	h.ioBuf = nil
	if h.cn.unpark() {
		return ErrAborted
	}
	return err
}

func (h *Handle) runOp(fd int) bool {
	switch h.ioOp {
	case opRead:
		h.ioN, h.ioErr = rawsys.Read(fd, h.ioBuf)
	case opWritev:
		h.ioN, h.ioErr = rawsys.Writev(fd, h.iov)
	case opFill:
		return h.fill(fd)
	default:
		fds := [1]pollFd{{fd: int32(fd), events: h.ioEvents}}
		h.ioN, h.ioErr = pollNow(fds[:])
		return h.ioN > 0 || h.ioErr != nil
	}
	return !isAgain(h.ioErr)
}

// waitReady waits until fd has events or timeout (negative: no limit)
// passes, through the network poller when the handle has one.
func (h *Handle) waitReady(events int16, timeout time.Duration) (bool, error) {
	if timeout == 0 || !h.usePoller() {
		return h.waitPooled(events, timeout)
	}
	write := events&pollOut != 0
	if timeout > 0 {
		d := time.Now().Add(timeout)
		if write {
			h.file.SetWriteDeadline(d)
		} else {
			h.file.SetReadDeadline(d)
		}
	}
	h.ioEvents = events
	err := h.ioCall(opPoll, write)
	if timeout > 0 {
		if write {
			h.file.SetWriteDeadline(time.Time{})
		} else {
			h.file.SetReadDeadline(time.Time{})
		}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// ready at the deadline still counts
		return waitFd(h.cn, h.fd, events, 0)
	}
	if err != nil {
		return false, err
	}
	return h.ioN > 0, h.ioErr
}

// NewSocket takes ownership of fd, a connected stream socket (TCP or Unix)
// received from the master, and returns its handle; address fields are
// filled from getpeername/getsockname.
func NewSocket(fd int) (*Handle, error) {
	if fd < 0 {
		return nil, fmt.Errorf("mbio: new socket: invalid descriptor %d", fd)
	}
	if err := rawsys.SetNonblock(fd); err != nil {
		return nil, fmt.Errorf("mbio: new socket: set non-blocking on fd %d: %w", fd, err)
	}
	if err := rawsys.CloseOnExec(fd); err != nil {
		return nil, fmt.Errorf("mbio: new socket: set close-on-exec on fd %d: %w", fd, err)
	}
	h := newHandle(fd, true, true, false)
	h.fillAddr(true)
	return h, nil
}

// NewAcceptedSocket takes ownership of fd, a connection the master
// accepted on one of the application's listeners: accept4 made it
// non-blocking and close-on-exec, and a TCP connection inherited
// TCP_NODELAY from its listener. It costs no system call; the addresses
// are read when Lua first asks for them. tcp tells a TCP connection from
// a local (Unix) one.
func NewAcceptedSocket(fd int, tcp bool) (*Handle, error) {
	if fd < 0 {
		return nil, fmt.Errorf("mbio: accepted socket: invalid descriptor %d", fd)
	}
	h := newHandle(fd, true, true, false)
	h.isTCP = tcp
	h.lazyAddr = tcp
	return h, nil
}

// resolveAddr reads the addresses of a NewAcceptedSocket handle if that
// has not been done yet.
func (h *Handle) resolveAddr() {
	if h.lazyAddr {
		h.lazyAddr = false
		if h.fd >= 0 {
			h.fillAddr(true)
		}
	}
}

// fillAddr reads the local (and, when remote is set, the peer's) address.
func (h *Handle) fillAddr(remote bool) {
	if sa, err := rawsys.Getsockname(h.fd); err == nil {
		ip, port, v6, ok := sockaddrIP(sa)
		if ok {
			h.isTCP = true
			h.addr.localIP, h.addr.localPort, h.addr.local6, h.addr.hasLocal = ip, port, v6, true
			rawsys.SetsockoptInt(h.fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		}
	}
	if !remote || !h.isTCP {
		return
	}
	if sa, err := rawsys.Getpeername(h.fd); err == nil {
		ip, port, v6, ok := sockaddrIP(sa)
		if ok {
			h.addr.remoteIP, h.addr.remotePort, h.addr.remote6, h.addr.hasRemote = ip, port, v6, true
		}
	}
}

func sockaddrIP(sa syscall.Sockaddr) (ip string, port int, v6 bool, ok bool) {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return net.IP(a.Addr[:]).String(), a.Port, false, true
	case *syscall.SockaddrInet6:
		s := net.IP(a.Addr[:]).To16().String()
		if ip4 := net.IP(a.Addr[:]).To4(); ip4 != nil {
			// keep the IPv6 spelling of a mapped address, as the family says
			s = "::ffff:" + ip4.String()
		}
		return s, a.Port, true, true
	}
	return "", 0, false, false
}

// Closed reports whether the handle was closed (or reset).
func (h *Handle) Closed() bool { return h.closed }

// Buffered returns the number of bytes already read from the OS and not
// yet consumed.
func (h *Handle) Buffered() int { return h.rin - h.rout }

// inputReady reports whether a read would return at once without a system
// call: data is buffered, a result is pending, or reading is over.
func (h *Handle) inputReady() bool {
	return h.rin > h.rout || h.pendRead != nil || h.fd < 0 || h.readErr
}

// fill reads what the socket has into the empty read buffer and reports
// whether a read can now return at once. End of file and errors are kept
// in pendRead for the next read, which then returns them as if it had made
// the system call itself; on EAGAIN the buffer goes back to the pool, so a
// handle waiting for input holds none. It serves waits for input, which
// would otherwise ask the kernel twice: once whether data is there, then
// for the data.
func (h *Handle) fill(fd int) bool {
	if h.rbuf == nil {
		h.rbuf = readBufs.Get().(*[readBufSize]byte)[:]
	}
	n, err := rawsys.Read(fd, h.rbuf)
	switch {
	case err == nil && n > 0:
		h.rin, h.rout = n, 0
		return true
	case err == nil:
		h.pendRead = io.EOF
	case isAgain(err):
		h.releaseReadBuf()
		return false
	default:
		h.pendRead = err
	}
	h.releaseReadBuf()
	return true
}

// Fd returns the descriptor the handle reads and writes (-1 when closed).
// It is meant for poll-style waiting only.
func (h *Handle) Fd() int { return h.fd }

// attempt runs op on the descriptor in non-blocking mode.
func (h *Handle) attempt(op func() (int, error)) (int, error) {
	if !h.toggleNB {
		return op()
	}
	if err := setNonblock(h.fd, true); err != nil {
		return 0, err
	}
	n, err := op()
	setNonblock(h.fd, false)
	return n, err
}

// read implements read and drain in both forms. The returned view is valid
// until the next operation on h. count is the number of bytes consumed.
func (h *Handle) read(maxlen, term int, nb, drain bool) (view []byte, count int64, status string, err error) {
	if h.closed {
		return nil, 0, "", ErrReadClosed
	}
	if h.readErr {
		return nil, 0, "", ErrPreviousRead
	}
	if h.fd < 0 {
		return nil, 0, StatusEOF, nil // finished non-socket: fake EOF
	}
	h.readErr = true
	acc := h.scratch[:0]
	var n int64
	defer func() {
		if cap(acc) > cap(h.scratch) && cap(acc) <= scratchKeep {
			h.scratch = acc[:0]
		} else if cap(h.scratch) > scratchKeep {
			h.scratch = nil
		}
	}()
	for {
		avail := h.rbuf[h.rout:h.rin]
		remaining := -1
		found := false
		if maxlen >= 0 && int64(len(avail)) >= int64(maxlen)-n {
			remaining = int(int64(maxlen) - n)
			if term >= 0 {
				if i := bytes.IndexByte(avail[:remaining], byte(term)); i >= 0 {
					remaining, found = i+1, true
				}
			}
		} else if term >= 0 {
			if i := bytes.IndexByte(avail, byte(term)); i >= 0 {
				remaining, found = i+1, true
			}
		}
		if remaining >= 0 {
			piece := avail[:remaining]
			h.rout += remaining
			if h.rout == h.rin {
				h.rin, h.rout = 0, 0
			}
			if !drain {
				if len(acc) == 0 {
					view = piece
				} else {
					acc = append(acc, piece...)
					view = acc
				}
			}
			h.readErr = false
			if found {
				return view, n + int64(remaining), StatusTerm, nil
			}
			return view, n + int64(remaining), StatusMaxlen, nil
		}
		if !drain {
			acc = append(acc, avail...)
		}
		n += int64(len(avail))
		h.rin, h.rout = 0, 0
		if h.rbuf == nil {
			h.rbuf = readBufs.Get().(*[readBufSize]byte)[:]
		}
		var got int
		var rerr error
		wait := !nb && h.usePoller()
		if h.pendRead != nil {
			rerr, h.pendRead = h.pendRead, nil
			if rerr == io.EOF {
				rerr = nil
			}
		} else if h.owned && !wait {
			got, rerr = rawsys.Read(h.fd, h.rbuf)
		} else if !wait {
			fd, buf := h.fd, h.rbuf
			got, rerr = h.attempt(func() (int, error) { return readFd(fd, buf) })
		} else {
			h.ioBuf = h.rbuf
			if perr := h.ioCall(opRead, false); perr != nil {
				return nil, 0, "", h.ioError("read", perr)
			}
			got, rerr = h.ioN, h.ioErr
		}
		switch {
		case rerr == nil && got == 0:
			if h.tls != nil {
				if terr := h.tls.failure(); terr != nil {
					return nil, 0, "", terr
				}
			}
			h.readErr = false
			h.releaseReadBuf()
			return acc, n, StatusEOF, nil
		case rerr == nil:
			h.rin = got
		case isAgain(rerr) && nb:
			// the buffer is empty and no view points into it: an idle
			// handle does not keep it
			h.readErr = false
			h.releaseReadBuf()
			return acc, n, StatusBlock, nil
		case isAgain(rerr):
			if _, werr := h.waitPooled(pollIn, -1); werr != nil {
				return nil, 0, "", h.ioError("read", werr)
			}
		default:
			return nil, 0, "", h.ioError("read", rerr)
		}
	}
}

// ioError turns an OS error into the error a caller sees; on a TLS handle a
// failure of the TLS layer takes precedence.
func (h *Handle) ioError(op string, err error) error {
	if h.tls != nil {
		if terr := h.tls.failure(); terr != nil {
			return terr
		}
	}
	if errno, ok := err.(syscall.Errno); ok {
		return errnoError{op: op, errno: errno}
	}
	return err
}

// errnoError is an OS error of a read or write.
type errnoError struct {
	op    string
	errno syscall.Errno
}

func (e errnoError) Error() string { return e.errno.Error() }
func (e errnoError) Unwrap() error { return e.errno }

// Read reads up to maxlen bytes (maxlen < 0: no limit; 0 returns at once
// with "maxlen") or up to and including the byte terminator (terminator < 0:
// none), blocking as needed. status is StatusTerm, StatusMaxlen or
// StatusEOF. The returned slice is the caller's.
func (h *Handle) Read(maxlen int, terminator int) (data []byte, status string, err error) {
	view, _, status, err := h.read(maxlen, terminator, false, false)
	if err != nil {
		return nil, "", err
	}
	return append([]byte{}, view...), status, nil
}

// ReadNB is Read without blocking: it may return partial data with
// StatusBlock. To save a copy on the HTTP hot path, the returned slice
// points into the handle's buffers: it is valid only until the next
// operation on h.
func (h *Handle) ReadNB(maxlen int, terminator int) (data []byte, status string, err error) {
	view, _, status, err := h.read(maxlen, terminator, true, false)
	if err != nil {
		return nil, "", err
	}
	return view, status, nil
}

// Drain reads and discards like Read and returns the number of bytes
// discarded.
func (h *Handle) Drain(maxlen int, terminator int) (n int64, status string, err error) {
	_, n, status, err = h.read(maxlen, terminator, false, true)
	return n, status, err
}

// WaitReadable waits until data is buffered or the descriptor is readable
// (including EOF and errors), at most timeout (negative: no limit).
func (h *Handle) WaitReadable(timeout time.Duration) (bool, error) {
	if h.closed {
		return false, ErrReadClosed
	}
	if h.inputReady() {
		return true, nil
	}
	ok, err := h.waitReady(pollIn, timeout)
	if err != nil {
		return false, fmt.Errorf("mbio: wait readable: %w", err)
	}
	return ok, nil
}

// WaitWritable waits until the descriptor accepts data, at most timeout
// (negative: no limit).
func (h *Handle) WaitWritable(timeout time.Duration) (bool, error) {
	if h.closed {
		return false, ErrWriteClosed
	}
	if h.fd < 0 || h.writeErr {
		return true, nil
	}
	ok, err := h.waitReady(pollOut, timeout)
	if err != nil {
		return false, fmt.Errorf("mbio: wait writable: %w", err)
	}
	return ok, nil
}

// checkWritable returns the error for writing to a closed or finished
// handle or after a failed write.
func (h *Handle) checkWritable() error {
	switch {
	case h.closed:
		return ErrWriteClosed
	case h.finished:
		return ErrWriteFinished
	case h.writeErr:
		return ErrPreviousWrite
	}
	return nil
}

func (h *Handle) enqueue(s string) {
	if len(s) == 0 {
		return
	}
	h.wq = append(h.wq, s)
	h.wleft += len(s)
}

func (h *Handle) mustSend() bool {
	return h.flushLeft > 0 || h.wleft >= writeThreshold || len(h.wq)-h.wqh >= maxQueued
}

// trySend writes queued data until the queue is empty or, unless wait is
// set and the handle is watched by the network poller, the OS would block
// (blocked = true).
func (h *Handle) trySend(wait bool) (blocked bool, err error) {
	for h.wleft > 0 {
		iov := h.iov[:0]
		off := h.wqoff
		for _, s := range h.wq[h.wqh:] {
			if len(iov) == iovMax {
				break
			}
			b := s[off:]
			off = 0
			v := syscall.Iovec{Base: unsafe.StringData(b)}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
		h.iov = iov
		var n int
		var werr error
		if wait && h.usePoller() {
			if perr := h.ioCall(opWritev, true); perr != nil {
				werr = perr
			} else {
				n, werr = h.ioN, h.ioErr
			}
		} else if h.owned {
			n, werr = rawsys.Writev(h.fd, iov)
		} else {
			fd := h.fd
			n, werr = h.attempt(func() (int, error) { return writevFd(fd, iov) })
		}
		for i := range iov {
			iov[i].Base = nil // do not keep strings alive from the iovec cache
		}
		if werr != nil {
			if isAgain(werr) {
				return true, nil
			}
			return false, h.ioError("write", werr)
		}
		h.consume(n)
	}
	return false, nil
}

// consume drops n sent bytes from the queue.
func (h *Handle) consume(n int) {
	h.wleft -= n
	if h.flushLeft > n {
		h.flushLeft -= n
	} else {
		h.flushLeft = 0
	}
	for n > 0 {
		s := h.wq[h.wqh]
		rest := len(s) - h.wqoff
		if n < rest {
			h.wqoff += n
			return
		}
		n -= rest
		h.wq[h.wqh] = ""
		h.wqh++
		h.wqoff = 0
	}
	if h.wqh == len(h.wq) {
		h.wq = h.wq[:0]
		h.wqh = 0
	}
}

// send runs the write algorithm on already queued data. With flush set
// everything queued so far must go out. It returns the number of bytes
// still queued when the non-blocking form would block, else 0.
func (h *Handle) send(nb, flush bool) (int, error) {
	h.writeErr = true
	if flush {
		h.flushLeft = h.wleft
	}
	for h.mustSend() {
		blocked, err := h.trySend(!nb)
		if err != nil {
			return 0, err
		}
		if !blocked || !h.mustSend() {
			break
		}
		if nb {
			h.writeErr = false
			return h.wleft, nil
		}
		if _, err := h.waitReady(pollOut, -1); err != nil {
			return 0, h.ioError("write", err)
		}
	}
	h.writeErr = false
	return 0, nil
}

// WriteString queues s and sends when enough output has accumulated,
// blocking as needed.
func (h *Handle) WriteString(s string) error {
	if err := h.checkWritable(); err != nil {
		return err
	}
	h.enqueue(s)
	_, err := h.send(false, false)
	return err
}

// Write is WriteString for a byte slice (the bytes are copied).
func (h *Handle) Write(p []byte) error {
	return h.WriteString(string(p))
}

// Flush sends all queued output, blocking as needed.
func (h *Handle) Flush() error {
	if err := h.checkWritable(); err != nil {
		return err
	}
	_, err := h.send(false, true)
	return err
}

// Pending returns the number of bytes queued and not yet sent.
func (h *Handle) Pending() int { return h.wleft }

// Finish flushes, then shuts down the write side of a socket (TCP FIN) or
// closes a pipe.
func (h *Handle) Finish() error {
	if err := h.checkWritable(); err != nil {
		return err
	}
	if _, err := h.send(false, true); err != nil {
		return err
	}
	h.finished = true
	if h.isSock {
		if err := rawsys.Shutdown(h.fd, syscall.SHUT_WR); err != nil {
			return h.ioError("shutdown", err)
		}
		return nil
	}
	return h.closeFd()
}

func (h *Handle) closeFd() error {
	if h.fd < 0 {
		return nil
	}
	fd := h.fd
	h.fd = -1
	h.releaseReadBuf()
	if h.tls != nil {
		h.tls.stop()
	}
	var err error
	if h.file != nil {
		err = h.file.Close()
		h.file, h.rc, h.ioFn = nil, nil, nil
	} else {
		h.own.release()
		h.own = nil
		err = rawsys.Close(fd)
	}
	if err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// releaseReadBuf gives the (empty) read buffer back to the pool.
func (h *Handle) releaseReadBuf() {
	h.rin, h.rout = 0, 0
	if h.rbuf != nil {
		if cap(h.rbuf) == readBufSize {
			readBufs.Put((*[readBufSize]byte)(h.rbuf))
		}
		h.rbuf = nil
	}
}

// dropBuffers releases buffers and queued output of a closed handle.
func (h *Handle) dropBuffers() {
	h.releaseReadBuf()
	h.scratch, h.iov = nil, nil
	for i := range h.wq {
		h.wq[i] = ""
	}
	h.wq, h.wqh, h.wqoff, h.wleft, h.flushLeft = nil, 0, 0, 0, 0
}

// Close flushes pending output and closes the handle gracefully. Closing
// a closed handle does nothing.
func (h *Handle) Close() error {
	return h.closeLinger(-1)
}

// closeLinger closes; linger >= 0 sets SO_LINGER to that many seconds.
func (h *Handle) closeLinger(linger int) error {
	if h.closed {
		return nil
	}
	var ferr error
	if h.fd >= 0 && h.wleft > 0 && !h.finished && !h.writeErr {
		_, ferr = h.send(false, true)
	}
	if ferr == nil && linger >= 0 && h.isSock && h.fd >= 0 {
		syscall.SetsockoptLinger(h.fd, syscall.SOL_SOCKET, syscall.SO_LINGER,
			&syscall.Linger{Onoff: 1, Linger: int32(linger)})
	}
	h.closed = true
	if ferr != nil {
		// what could not be sent is lost: do not make the peer wait for it
		h.resetLinger()
	}
	cerr := h.closeFd()
	h.dropBuffers()
	if ferr != nil {
		return ferr
	}
	return cerr
}

func (h *Handle) resetLinger() {
	if h.isSock && h.fd >= 0 {
		syscall.SetsockoptLinger(h.fd, syscall.SOL_SOCKET, syscall.SO_LINGER,
			&syscall.Linger{Onoff: 1, Linger: 0})
	}
	if h.tls != nil {
		h.tls.reset()
	}
}

// Reset closes the handle at once, discarding pending output; a TCP peer
// gets a RST. Resetting a closed handle does nothing.
func (h *Handle) Reset() error {
	if h.closed {
		return nil
	}
	h.closed = true
	h.resetLinger()
	err := h.closeFd()
	h.dropBuffers()
	return err
}

// portString is used for address fields and error messages.
func portString(p int) string { return strconv.Itoa(p) }
