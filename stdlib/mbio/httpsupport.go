package mbio

import (
	"syscall"
	"time"
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
// b when nothing is queued before it and the socket takes all of it at once
// (the HTTP engine reuses its response buffer right after the call). Only
// what remains queued is copied. It returns the bytes still queued.
func (h *Handle) FlushBytesNB(b []byte) (int, error) {
	if err := h.checkWritable(); err != nil {
		return 0, err
	}
	if h.wleft == 0 && h.owned && h.fd >= 0 && len(b) > 0 {
		h.writeErr = true // sticky if the write fails, as in send
		iov := [1]syscall.Iovec{{Base: &b[0]}}
		iov[0].SetLen(len(b))
		n, err := rawWritev(h.fd, iov[:])
		switch {
		case err == nil:
			b = b[n:]
		case isAgain(err):
		default:
			return 0, h.ioError("write", err)
		}
		h.writeErr = false
	}
	if len(b) > 0 {
		h.enqueue(string(b))
	}
	return h.send(true, true)
}

// FlushNB sends queued output without blocking and returns the number of
// bytes still queued (0: all sent).
func (h *Handle) FlushNB() (int, error) {
	if err := h.checkWritable(); err != nil {
		return 0, err
	}
	return h.send(true, true)
}
