package mbhttp

import (
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// AccessLogFunc receives one access log line, which ends with a newline.
// The slice is reused after the call.
type AccessLogFunc func(line []byte)

var accessLog atomic.Pointer[AccessLogFunc]

// SetAccessLog makes the HTTP engine of this process report every request
// to f, in the combined log format followed by the request time in
// microseconds and the worker's pid:
//
//	127.0.0.1 - - [01/Dec/2026:13:07:43 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8.0" 153 4242
//
// nil turns it off (the default), which then costs one pointer load per
// request. f is called on the goroutine of the worker's Lua state, so
// with goroutine workers it must be safe for concurrent use.
func SetAccessLog(f AccessLogFunc) {
	if f == nil {
		accessLog.Store(nil)
		return
	}
	accessLog.Store(&f)
}

// remoteIPer is implemented by transports that know the peer's address
// (*mbio.Handle).
type remoteIPer interface{ RemoteIP() string }

var pidText = strconv.Itoa(os.Getpid())

// logAccess writes the access log line of the current request, if any
// status was sent and the log is on.
func (c *conn) logAccess() {
	f := accessLog.Load()
	if f == nil || c.status == "" {
		return
	}
	now := time.Now()
	b := c.logBuf[:0]
	if c.remote == "" {
		c.remote = "-"
	}
	b = append(b, c.remote...)
	b = append(b, " - - ["...)
	b = now.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	if c.head.Method == "" {
		b = append(b, '-')
	} else {
		b = appendEscaped(b, c.head.Method)
		b = append(b, ' ')
		b = appendEscaped(b, c.head.Target)
		if c.head.HTTP10 {
			b = append(b, " HTTP/1.0"...)
		} else {
			b = append(b, " HTTP/1.1"...)
		}
	}
	b = append(b, "\" "...)
	b = append(b, c.status...)
	b = append(b, ' ')
	if c.bodyBytes == 0 {
		b = append(b, '-')
	} else {
		b = strconv.AppendInt(b, c.bodyBytes, 10)
	}
	b = append(b, " \""...)
	b = appendEscaped(b, c.headerValue("referer"))
	b = append(b, "\" \""...)
	b = appendEscaped(b, c.headerValue("user-agent"))
	b = append(b, "\" "...)
	us := int64(0)
	if !c.started.IsZero() {
		us = now.Sub(c.started).Microseconds()
	}
	b = strconv.AppendInt(b, us, 10)
	b = append(b, ' ')
	b = append(b, pidText...)
	b = append(b, '\n')
	c.logBuf = b
	(*f)(b)
}

// headerValue is the first value of a request header, or "-".
func (c *conn) headerValue(lower string) string {
	for _, f := range c.head.Fields {
		if f.Lower == lower {
			return f.Value
		}
	}
	return "-"
}

// appendEscaped appends s with '"', '\\' and control bytes escaped, as
// Apache does in its log, so that a line cannot be forged by a client.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '"' || ch == '\\':
			b = append(b, '\\', ch)
		case ch < 0x20 || ch >= 0x7f:
			b = append(b, '\\', 'x', hex[ch>>4], hex[ch&15])
		default:
			b = append(b, ch)
		}
	}
	return b
}
