package mbio

import (
	"strings"
	"time"
	"unsafe"
)

// This file holds small additions for the HTTP engine (stdlib/mbhttp).

// WaitReadableOrSigterm is WaitReadable that also wakes up when the worker
// was told to terminate (NotifySigterm): it then reports sigterm = true,
// whether or not the application called catch_sigterm(). The HTTP engine
// uses it for the idle wait between two requests of a persistent
// connection, so that a SIGTERM closes idle connections promptly.
func (h *Handle) WaitReadableOrSigterm(timeout time.Duration) (ready, sigterm bool, err error) {
	return h.waitInputOrSigterm(timeout)
}

// WriteStringNB queues s and sends what the OS accepts without blocking,
// like write_nb: it returns the number of bytes still queued when the
// buffered write would have to wait (0: nothing needs to wait). Calling it
// with "" continues an interrupted send.
func (h *Handle) WriteStringNB(s string) (int, error) {
	if err := h.checkWritable(); err != nil {
		return 0, err
	}
	h.enqueue(s)
	return h.send(true, false)
}

// FlushBytesNB is WriteStringNB of b followed by FlushNB, without copying
// b: it is queued as it is, sent with what was queued before it, and only
// the part the socket did not take is copied before returning (the HTTP
// engine reuses its response buffer right after the call). It returns the
// bytes still queued.
func (h *Handle) FlushBytesNB(b []byte) (int, error) {
	if err := h.checkWritable(); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return h.send(true, true)
	}
	h.enqueue(unsafe.String(&b[0], len(b))) // borrowed until send returns
	pending, err := h.send(true, true)
	if h.wleft > 0 {
		// the unsent rest of b is the last queue entry: own it
		last := len(h.wq) - 1
		h.wq[last] = strings.Clone(h.wq[last])
	}
	return pending, err
}

// FlushNB sends queued output without blocking and returns the number of
// bytes still queued (0: all sent).
func (h *Handle) FlushNB() (int, error) {
	if err := h.checkWritable(); err != nil {
		return 0, err
	}
	return h.send(true, true)
}

// RemoteIP is the peer's IP address of a TCP connection ("" for a local
// socket or when it cannot be read), for the HTTP access log.
func (h *Handle) RemoteIP() string {
	h.resolveAddr()
	if !h.addr.hasRemote {
		return ""
	}
	return h.addr.remoteIP
}
