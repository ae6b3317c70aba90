package mbio

import (
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/rawsys"
)

// HTTPTimes are the waits of an HTTP connection between requests: Idle
// until the first byte of the next request, Header from that byte until
// its head is complete. Negative means no limit.
type HTTPTimes struct {
	Idle, Header time.Duration
}

// Handoff connects an accepted connection with the server that accepted
// it (the worker sets it; see SetHandoff), so that moonbridge_http can let
// the server's master wait for requests instead of the worker.
type Handoff interface {
	// ServesHTTP reports that HTTP with these times is spoken on the
	// connection's listener: the master may then hold each new connection
	// of it until its request has arrived.
	ServesHTTP(times HTTPTimes)
	// Park gives the connection, fd, back to the master between two
	// requests. On success the ownership of fd has passed to the callee.
	Park(fd int, times HTTPTimes) error
	// Crowded reports whether other clients wait for a worker: a worker
	// waiting for the next request of a connection should park it.
	Crowded() bool
}

// SetHandoff attaches the server's handoff to a connection it accepted.
func (h *Handle) SetHandoff(x Handoff) { h.handoff = x }

// Preload puts bytes read from the connection before the handle got it
// (by the master, while the request arrived) in front of its input. The
// handle may keep data.
func (h *Handle) Preload(data []byte) {
	if len(data) == 0 {
		return
	}
	if len(data) <= readBufSize {
		h.rbuf = readBufs.Get().(*[readBufSize]byte)[:]
		copy(h.rbuf, data)
	} else {
		h.rbuf = data // not from readBufs: releaseReadBuf drops it
	}
	h.rin, h.rout = len(data), 0
}

// ServesHTTP tells the server that HTTP is spoken on the handle's
// listener (see Handoff). It does nothing for other handles, and for TLS,
// whose bytes only the handle can read.
func (h *Handle) ServesHTTP(times HTTPTimes) {
	if h.handoff != nil && h.tls == nil && !h.closed {
		h.handoff.ServesHTTP(times)
	}
}

// Crowded reports whether other clients of the server wait for a worker
// (see Handoff); false for handles the server did not accept.
func (h *Handle) Crowded() bool { return h.handoff != nil && h.handoff.Crowded() }

// Park gives the connection back to the server's master between two
// requests and closes the handle, if it can: the handle must be an
// accepted connection without TLS, with no input buffered, nothing left
// to send and no error. It reports whether the connection was parked;
// if not, the handle is unchanged and the caller goes on with it.
func (h *Handle) Park(times HTTPTimes) bool {
	if h.handoff == nil || h.tls != nil || h.closed || h.fd < 0 || h.finished ||
		h.readErr || h.writeErr || h.pendRead != nil || h.rin > h.rout || h.wleft > 0 {
		return false
	}
	if h.file == nil {
		// The descriptor is the handle's own: it passes as it is.
		if h.handoff.Park(h.fd, times) != nil {
			return false
		}
		h.own.release()
		h.own = nil
		h.fd = -1
	} else {
		// An *os.File owns it (the poller's registration): pass a copy,
		// then close the file as usual.
		dup, err := dupCloexec(h.fd)
		if err != nil {
			return false
		}
		if h.handoff.Park(dup, times) != nil {
			rawsys.Close(dup)
			return false
		}
		h.closeFd()
	}
	h.closed = true
	h.dropBuffers()
	return true
}

func dupCloexec(fd int) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0) // cannot block: no sysmon wake-up
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}
