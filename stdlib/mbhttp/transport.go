package mbhttp

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
)

// transport is what the HTTP engine needs from a moonbridge_io socket
// handle. *mbio.Handle provides it; the engine reads only through the
// non-blocking form so that every wait has a deadline.
type transport interface {
	// ReadNB reads up to maxlen bytes without blocking, stopping after the
	// byte terminator (-1: none). Status is "term", "maxlen", "eof" or
	// "block". The returned slice is valid until the next call.
	ReadNB(maxlen int, terminator int) ([]byte, string, error)
	// WaitReadable waits until data (or EOF) can be read; a negative
	// timeout waits forever. It reports false on timeout.
	WaitReadable(timeout time.Duration) (bool, error)
	Write(p []byte) error
	WriteString(s string) error
	Flush() error
	// Finish flushes and half-closes the connection for writing.
	Finish() error
	Close() error
	// Reset closes the connection at once with a TCP RST.
	Reset() error
}

// transportFor returns the transport behind the socket argument n of
// connect: a moonbridge_io handle (userdata whose value implements
// transport).
func transportFor(L *lua.LState, n int) (transport, error) {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if t, ok := ud.Value.(transport); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("moonbridge_io socket expected, got %s", L.Get(n).Type())
}

// handoffer is implemented by transports of connections that the server
// accepted (*mbio.Handle with a handoff): the server's master can wait
// for their requests instead of a worker.
type handoffer interface {
	ServesHTTP(times mbio.HTTPTimes)
	Park(times mbio.HTTPTimes) bool
	Crowded() bool
	Buffered() int
}

// sigtermWaiter is implemented by transports that can also wake up when
// the worker is told to terminate (*mbio.Handle).
type sigtermWaiter interface {
	WaitReadableOrSigterm(timeout time.Duration) (ready, sigterm bool, err error)
}

// nbWriter is implemented by transports that can write without blocking
// (*mbio.Handle); the engine then bounds every wait for the client to
// accept data by stall_timeout.
type nbWriter interface {
	WriteStringNB(s string) (pending int, err error)
	FlushNB() (pending int, err error)
	// FlushBytesNB queues b and flushes; b is read only during the call.
	FlushBytesNB(b []byte) (pending int, err error)
	WaitWritable(timeout time.Duration) (bool, error)
}
