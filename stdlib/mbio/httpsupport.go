package mbio

import (
	"fmt"
	"time"
)

// This file holds small additions for the HTTP engine (stdlib/mbhttp).

// WaitReadableOrSigterm is WaitReadable that also wakes up when the worker
// was told to terminate (NotifySigterm): it then reports sigterm = true,
// whether or not the application called catch_sigterm(). The HTTP engine
// uses it for the idle wait between two requests of a persistent
// connection, so that a SIGTERM closes idle connections promptly.
func (h *Handle) WaitReadableOrSigterm(timeout time.Duration) (ready, sigterm bool, err error) {
	if h.closed {
		return false, false, ErrReadClosed
	}
	if h.rin > h.rout || h.fd < 0 || h.readErr {
		return true, false, nil
	}
	initWakePipe()
	if sigtermReceived.Load() {
		return false, true, nil
	}
	fds := [2]pollFd{{fd: int32(h.fd), events: pollIn}, {fd: int32(wakeRead), events: pollIn}}
	n := 2
	if wakeRead < 0 {
		n = 1
	}
	if _, err := ppoll(fds[:n], timeout); err != nil {
		return false, false, fmt.Errorf("mbio: wait readable: %w", err)
	}
	if fds[0].revents != 0 {
		return true, false, nil
	}
	return false, sigtermReceived.Load(), nil
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

// FlushNB sends queued output without blocking and returns the number of
// bytes still queued (0: all sent).
func (h *Handle) FlushNB() (int, error) {
	if err := h.checkWritable(); err != nil {
		return 0, err
	}
	return h.send(true, true)
}
