package mbhttp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
	lua "github.com/yuin/gopher-lua"
)

// Response states, as in the original module.
const (
	stInit         = iota // nothing sent, body handling may still be configured
	stNoStatus            // body handling configured, no status sent
	stInfoSent            // a 1xx status line was sent
	stBodylessSent        // a 204/205/304 status line was sent
	stStatusSent          // a status line was sent, headers are open
	stHeadersSent         // the header section is complete
	stFinished            // the response is complete
	stFaulty              // an I/O or protocol error happened
)

// Body kinds the default body handling knows about.
const (
	formNone = iota // no Content-Type: empty post params
	formURLEncoded
	formMultipart
	formOther // post params answer 415
)

// errTimeout reports that a wait for input ran out of time.
var errTimeout = errors.New("timeout")

// errIdle reports that no request arrived within idle_timeout; errSigterm
// that the worker was told to terminate while waiting for a request.
var (
	errIdle    = errors.New("idle timeout")
	errSigterm = errors.New("SIGTERM received")
)

// outFlushSize is how much response data is collected in conn.out before
// it is handed to the socket handle.
const outFlushSize = 16384

// conn serves HTTP on one socket during one connect call. All methods run
// on the Lua state's goroutine.
type conn struct {
	L       *lua.LState
	tr      transport
	sock    lua.LValue
	opts    *options
	handler *lua.LFunction

	reqMT   *lua.LTable // metatable of request objects
	methods *lua.LTable
	plistMT *lua.LTable // metatable of params-list tables
	flagMT  *lua.LTable // metatable of headers_flags entries
	hdrMT   *lua.LTable // metatable of request.headers
	lazyMT  [4]*lua.LTable
	survive bool
	out     []byte // response bytes not yet handed to the socket handle
	// gone is set once the client ended the connection: it went away,
	// reset it, broke the protocol or did not keep up; goneMsg is the
	// message of the Lua error raised for it (clientError).
	gone    bool
	goneMsg string
	serveFn *lua.LFunction // runs serve under serveProtected's pcall
	served  int            // requests served on this connection

	// per request
	req            *lua.LTable
	reqTouched     bool           // Lua read a field of req (retireRequest)
	timeoutFn      *lua.LFunction // the global timeout when the connection began (callTimeout)
	head           requestHead
	state          int
	closeRequested bool
	rawBody        bool      // the body goes without chunked framing up to the close (HTTP/1.0, no Content-Length)
	dateSent       bool      // the response has a Date header
	status         string    // status code of the final response sent ("" none yet), for the access log
	bodyBytes      int64     // response body bytes sent, for the access log
	started        time.Time // when the request line was read (only while the access log is on)
	logBuf         []byte    // the access log line
	remote         string    // the client's address (only while the access log is on)
	closeResponded bool
	contentLength  int64 // response Content-Length, -1 when not set
	bytesSent      int64
	chunk          []byte // response data waiting to be sent as one chunk

	// request body
	bodyDone      bool  // every body byte has been read from the socket
	bodyRemaining int64 // Content-Length bytes left, or bytes left in the current chunk
	chunkedState  int   // 0: expect size line, 1: in chunk data
	bodyBudget    int64 // bytes of chunked body (with framing) still allowed
	drainMode     bool  // discard all further input
	processBody   func(chunk []byte, eof bool)
	eofDelivered  bool
	formKind      int
	defaultBody   bool   // the default body handling was set up
	formBody      []byte // collected urlencoded body
	streamParams  map[string]*lua.LFunction
	streamPattern []patternStream
	line          []byte
}

type patternStream struct {
	pattern string
	cb      *lua.LFunction
}

// --- waiting and reading -------------------------------------------------

// wait waits until the socket is readable or t runs out. With sigterm
// set it also returns errSigterm as soon as the worker was told to
// terminate.
func (c *conn) wait(t timeoutOpt, sigterm bool) (bool, error) {
	if c.opts.poll != lua.LNil {
		set := c.L.CreateTable(0, 1)
		set.RawSet(c.sock, lua.LTrue)
		args := []lua.LValue{set, lua.LNil}
		if t.set {
			args = append(args, lua.LNumber(t.secs))
		} else {
			args = append(args, lua.LNil)
		}
		if sigterm {
			args = append(args, lua.LTrue)
		}
		if err := c.L.CallByParam(lua.P{Fn: c.opts.poll, NRet: 3, Protect: false}, args...); err != nil {
			return false, err
		}
		ok := lua.LVAsBool(c.L.Get(-3))
		sig := lua.LVAsBool(c.L.Get(-1))
		c.L.Pop(3)
		if sigterm && !ok && sig {
			return false, errSigterm
		}
		return ok, nil
	}
	d := time.Duration(-1)
	if t.set {
		d = time.Duration(t.secs * float64(time.Second))
	}
	if sigterm {
		if w, ok := c.tr.(sigtermWaiter); ok {
			ready, sig, err := w.WaitReadableOrSigterm(d)
			if err == nil && sig {
				return false, errSigterm
			}
			return ready, err
		}
	}
	return c.tr.WaitReadable(d)
}

// readLine reads one line of at most limit bytes ending in LF. The status
// is "term", "maxlen" or "eof". Whenever no more data is there it calls
// wait, whose error (errTimeout, errIdle, errSigterm, ...) it returns. The
// slice is valid until the next read.
func (c *conn) readLine(limit int, wait func() error) ([]byte, string, error) {
	c.line = c.line[:0]
	for {
		if limit-len(c.line) <= 0 {
			return c.line, "maxlen", nil
		}
		data, st, err := c.tr.ReadNB(limit-len(c.line), '\n')
		if err != nil {
			return nil, "", err
		}
		if st != "block" {
			if len(c.line) == 0 {
				return data, st, nil
			}
			c.line = append(c.line, data...)
			return c.line, st, nil
		}
		c.line = append(c.line, data...)
		if err := wait(); err != nil {
			return nil, "", err
		}
	}
}

// waitFor returns a wait function for readLine that waits at most the
// timeout t() each time.
func (c *conn) waitFor(t func() timeoutOpt) func() error {
	return func() error {
		ok, err := c.wait(t(), false)
		if err != nil {
			return err
		}
		if !ok {
			return errTimeout
		}
		return nil
	}
}

// readSome reads between 1 and n bytes (n > 0), waiting at most
// stall_timeout each time no data is there. It fails on EOF.
func (c *conn) readSome(n int) []byte {
	for {
		data, st, err := c.tr.ReadNB(n, -1)
		if err != nil {
			c.requestError(true, status400, "Read error: "+err.Error())
		}
		if len(data) > 0 {
			return data
		}
		if st == "eof" {
			c.requestError(true, status400, "Unexpected EOF while reading request body")
		}
		ok, err := c.wait(c.opts.stall, false)
		if err != nil {
			c.raise("waiting for request body: %v", err)
		}
		if !ok {
			c.requestError(true, status408, "Timeout while waiting for request body")
		}
	}
}

func (c *conn) stallTimeout() timeoutOpt { return c.opts.stall }

// readBodyLine reads one CRLF-terminated line of chunked framing.
func (c *conn) readBodyLine(what string) []byte {
	limit := 4096
	if c.bodyBudget+2 < int64(limit) {
		limit = int(c.bodyBudget + 2)
	}
	line, st, err := c.readLine(limit, c.waitFor(c.stallTimeout))
	switch {
	case errors.Is(err, mbio.ErrAborted):
		c.raise("waiting for request body: %v", err)
	case err == errTimeout:
		c.requestError(true, status408, "Timeout while waiting for request body")
	case err != nil:
		c.requestError(true, status400, "Read error: "+err.Error())
	case st == "eof":
		c.requestError(true, status400, "Unexpected EOF while reading "+what)
	case st == "maxlen":
		if int64(limit) == c.bodyBudget+2 {
			c.requestError(true, status413, "Request body size limit exceeded")
		}
		c.requestError(true, status400, what+" too long")
	}
	c.bodyBudget -= int64(len(line))
	if c.bodyBudget < 0 {
		c.requestError(true, status413, "Request body size limit exceeded")
	}
	trimmed, perr := trimLineEnd(line, what)
	if perr != nil {
		c.requestError(true, status400, perr.(*protocolError).Text)
	}
	return trimmed
}

// readBodyPiece returns the next piece of the request body, or nil once
// the body is complete (c.bodyDone).
func (c *conn) readBodyPiece() []byte {
	if c.bodyDone {
		return nil
	}
	{
		if !c.head.Chunked {
			n := c.opts.inputChunk
			if int64(n) > c.bodyRemaining {
				n = int(c.bodyRemaining)
			}
			data := c.readSome(n)
			c.bodyRemaining -= int64(len(data))
			if c.bodyRemaining == 0 {
				c.bodyDone = true
			}
			return data
		}
		if c.chunkedState == 0 {
			line := c.readBodyLine("chunk size line")
			size, err := parseChunkSize(line)
			if err != nil {
				c.requestError(true, status400, err.(*protocolError).Text)
			}
			if size > c.bodyBudget {
				c.requestError(true, status413, "Request body size limit exceeded")
			}
			c.bodyBudget -= size
			if size == 0 {
				// trailer section, discarded
				for {
					tl := c.readBodyLine("trailer section of chunked request body")
					if len(tl) == 0 {
						break
					}
					if _, err := parseHeaderLine(tl); err != nil {
						c.requestError(true, status400, "in trailer: "+err.(*protocolError).Text)
					}
				}
				c.bodyDone = true
				return nil
			}
			c.bodyRemaining = size
			c.chunkedState = 1
		}
		n := c.opts.inputChunk
		if int64(n) > c.bodyRemaining {
			n = int(c.bodyRemaining)
		}
		data := c.readSome(n)
		c.bodyRemaining -= int64(len(data))
		if c.bodyRemaining == 0 {
			// The CRLF after the data is read before the data is handed
			// out, so data must be copied out of the read buffer first.
			data = append(c.line[:0:0], data...)
			if end := c.readBodyLine("end of chunk"); len(end) != 0 {
				c.requestError(true, status400, "Encoding error while reading chunk of request body (no CRLF after chunk data)")
			}
			c.chunkedState = 0
		}
		return data
	}
}

// consumeAll reads the rest of the input: the request body through the
// body processor, or, in drain mode, everything until EOF. With a drain
// timeout it reports false when the time ran out.
func (c *conn) consumeAll(drainTimeout *timeoutOpt) bool {
	if c.drainMode {
		start := time.Now()
		for {
			data, st, err := c.tr.ReadNB(c.opts.inputChunk, -1)
			if err != nil || st == "eof" {
				return true
			}
			if len(data) > 0 {
				continue
			}
			t := c.opts.stall
			if drainTimeout != nil {
				if !drainTimeout.set {
					t = timeoutOpt{}
				} else {
					t = timeoutOpt{drainTimeout.secs - time.Since(start).Seconds(), true}
					if t.secs < 0 {
						return false
					}
				}
			}
			ok, err := c.wait(t, false)
			if err != nil {
				return true
			}
			if !ok {
				if drainTimeout != nil {
					return false
				}
				c.requestError(true, status408, "Timeout while waiting for request body")
			}
		}
	}
	for !c.bodyDone {
		data := c.readBodyPiece()
		if c.processBody != nil && len(data) > 0 {
			c.processBody(data, false)
		}
		if c.drainMode {
			return c.consumeAll(drainTimeout)
		}
	}
	if c.processBody != nil && !c.eofDelivered {
		c.eofDelivered = true
		c.processBody(nil, true)
	}
	return true
}

// --- errors --------------------------------------------------------------

// raise raises a Lua error with a formatted message.
func (c *conn) raise(format string, args ...any) {
	c.L.RaiseError(format, args...)
}

// requestError answers a protocol error with a plain-text status (when no
// status was sent yet) and closes the connection. With throw it then raises
// a Lua error; otherwise it returns.
func (c *conn) requestError(throw bool, status, text string) {
	sent := false
	if c.state == stInit || c.state == stNoStatus || c.state == stInfoSent {
		c.monologue()
		if c.state == stInfoSent {
			c.send("\r\n")
			c.state = stNoStatus
		}
		c.state = stNoStatus
		c.sendStatus(status)
		c.sendHeader("Content-Type", "text/plain")
		c.sendData(status, "\n")
		if text != "" {
			c.sendData("\n", text, "\n")
		}
		c.finishResponse()
		sent = true
	}
	if !throw {
		return
	}
	msg := "Error while reading request from client: "
	if sent {
		msg = "Error while reading request from client. Error response: "
	}
	msg += status
	if text != "" {
		msg += " (" + text + ")"
	}
	c.clientError("%s", msg)
}

// clientError ends the request because of the client: it went away, reset
// the connection, broke the protocol or did not keep up. It raises a Lua
// error, so that a handler in the middle of reading or sending unwinds,
// which runHandler and serveProtected recognise (isClientError): the
// connection is over, but the worker is not at fault and goes on with its
// next job. Only errors of the application end a worker.
func (c *conn) clientError(format string, args ...any) {
	c.gone, c.goneMsg = true, fmt.Sprintf(format, args...)
	c.L.RaiseError("%s", c.goneMsg)
}

// ioError raises the error of a failed write or close: a client's error
// unless the worker's waits were aborted (a goroutine worker killed or
// out of time), which must go on as an error.
func (c *conn) ioError(format string, err error) {
	if errors.Is(err, mbio.ErrAborted) {
		c.raise(format, err)
	}
	c.clientError(format, err)
}

// logClientError logs the client's error in one line (not as an error:
// the worker goes on).
func (c *conn) logClientError() {
	mbio.Logf(c.L, "Connection closed after a client error: %s", c.goneMsg)
}

// isClientError reports whether err is the error raised by clientError,
// also when the handler caught it and raised it again unchanged.
func (c *conn) isClientError(err error) bool {
	if !c.gone {
		return false
	}
	var apiErr *lua.ApiError
	if !errors.As(err, &apiErr) {
		return false
	}
	msg, ok := apiErr.Object.(lua.LString)
	return ok && strings.HasSuffix(string(msg), c.goneMsg)
}

// --- sending -------------------------------------------------------------

// send appends s to the response bytes; large pieces go to the socket
// handle without a copy.
func (c *conn) send(s string) {
	if len(s) >= outFlushSize {
		c.pushOut()
		c.writeString(s)
		return
	}
	c.out = append(c.out, s...)
	if len(c.out) >= outFlushSize {
		c.pushOut()
	}
}

func (c *conn) sendBytes(b []byte) {
	c.out = append(c.out, b...)
	if len(c.out) >= outFlushSize {
		c.pushOut()
	}
}

// pushOut hands the collected response bytes to the socket handle (which
// copies them).
func (c *conn) pushOut() {
	if len(c.out) == 0 {
		return
	}
	s := string(c.out)
	c.out = c.out[:0]
	c.writeString(s)
}

// writeString queues s on the socket handle, sending as the handle's
// buffering requires.
func (c *conn) writeString(s string) {
	c.transmit(s, nil, false)
}

// sendFlush sends everything collected so far to the client. The output
// buffer goes to the handle as it is: the handle copies only what the
// socket does not take at once, so a small response costs no copy.
func (c *conn) sendFlush() {
	c.transmit("", c.out, true)
	c.out = c.out[:0]
}

// transmit queues s, or b, which is only read during the call (with
// flush: then sends everything). A client that accepts no data for
// stall_timeout gets its connection reset and the request handling fails.
func (c *conn) transmit(s string, b []byte, flush bool) {
	old := c.state
	c.state = stFaulty
	var err error
	if nw, ok := c.tr.(nbWriter); ok {
		var pending int
		switch {
		case flush && len(b) > 0:
			pending, err = nw.FlushBytesNB(b)
		case flush:
			if s != "" {
				_, err = nw.WriteStringNB(s)
			}
			if err == nil {
				pending, err = nw.FlushNB()
			}
		case len(b) > 0:
			pending, err = nw.WriteStringNB(string(b))
		default:
			pending, err = nw.WriteStringNB(s)
		}
		for err == nil && pending > 0 {
			var ready bool
			ready, err = nw.WaitWritable(c.stallDuration())
			if err != nil {
				break
			}
			if !ready {
				err = fmt.Errorf("client accepted no data for stall_timeout (%gs)", c.opts.stall.secs)
				break
			}
			if flush {
				pending, err = nw.FlushNB()
			} else {
				pending, err = nw.WriteStringNB("")
			}
		}
	} else {
		if len(b) > 0 {
			err = c.tr.Write(b)
		} else {
			err = c.tr.WriteString(s)
		}
		if err == nil && flush {
			err = c.tr.Flush()
		}
	}
	if err != nil {
		_ = c.tr.Reset()
		c.ioError("Could not send data to client: %v", err)
	}
	c.state = old
}

// stallDuration is stall_timeout as a wait duration (negative: none).
func (c *conn) stallDuration() time.Duration {
	if !c.opts.stall.set {
		return -1
	}
	return time.Duration(c.opts.stall.secs * float64(time.Second))
}

// sendChunk writes the buffered response data as one chunk.
func (c *conn) sendChunk() {
	if len(c.chunk) == 0 {
		return
	}
	if c.rawBody {
		c.sendBytes(c.chunk)
		c.chunk = c.chunk[:0]
		return
	}
	c.out = strconv.AppendInt(c.out, int64(len(c.chunk)), 16)
	c.out = append(c.out, '\r', '\n')
	c.sendBytes(c.chunk)
	c.send("\r\n")
	c.chunk = c.chunk[:0]
}

// closeAfterResponse completes the connection after the response: flush,
// then either close gracefully (draining input for drain_timeout) or read
// the rest of the request body so that the next request can follow.
func (c *conn) closeAfterResponse() {
	if c.closeResponded {
		c.enableDrain()
		c.sendFlush()
		if err := c.tr.Finish(); err != nil {
			c.ioError("Could not finish sending data to client: %v", err)
		}
		// When the whole request has been read and nothing more has
		// arrived, a well-behaved client sends nothing after
		// "Connection: close": close at once instead of holding the
		// worker for the client's own close (a lingering close is only
		// needed while input may still come, as nginx does).
		if c.bodyDone {
			if data, st, err := c.tr.ReadNB(c.opts.inputChunk, -1); err == nil && st == "block" && len(data) == 0 {
				if err := c.tr.Close(); err != nil {
					c.ioError("Could not finish sending data to client: %v", err)
				}
				return
			}
		}
		if c.consumeAll(&c.opts.drain) {
			if err := c.tr.Close(); err != nil {
				c.ioError("Could not finish sending data to client: %v", err)
			}
		} else if err := c.tr.Reset(); err != nil {
			c.ioError("Could not finish sending data to client: %v", err)
		}
		return
	}
	c.sendFlush()
	c.consumeAll(nil)
}

func (c *conn) enableDrain() {
	c.drainMode = true
	c.processBody = nil
}

func (c *conn) assertNotFaulty() {
	if c.state == stFaulty {
		c.raise("Tried to use faulty request handle")
	}
}

// prepare fixes the body handling when the response starts or the body
// is first read, and answers "Expect: 100-continue".
func (c *conn) prepare() {
	c.assertNotFaulty()
	if c.state != stInit {
		return
	}
	if c.processBody == nil {
		c.defaultBodyHandling()
	}
	if c.state != stInit {
		return
	}
	c.state = stNoStatus
	if c.head.ExpectContinue && !c.bodyDone && !c.drainMode {
		c.sendStatus("100 Continue")
		c.finishHeaders(true)
	}
}

func (c *conn) monologue() {
	c.assertNotFaulty()
	if c.state == stHeadersSent || c.state == stFinished {
		c.raise("All HTTP headers have already been sent")
	}
	c.enableDrain()
	c.closeRequested = true
	if c.state == stInit {
		c.state = stNoStatus
	}
}

func (c *conn) sendStatus(status string) {
	c.prepare()
	switch c.state {
	case stInfoSent:
		c.send("\r\n")
		c.sendFlush()
	case stNoStatus:
	default:
		c.raise("HTTP status has already been sent")
	}
	if len(status) < 3 || !isDigit(status[0]) || !isDigit(status[1]) || !isDigit(status[2]) ||
		(len(status) > 3 && status[3] != ' ') || strings.ContainsAny(status, "\r\n") {
		c.raise("invalid HTTP status %q (expected a three-digit code and a reason, e.g. \"200 OK\")", status)
	}
	c.send("HTTP/1.1 ")
	c.send(status)
	c.send("\r\n")
	if len(c.opts.preamble) > 0 {
		c.sendBytes(c.opts.preamble)
	}
	if status[0] != '1' || status[:3] == "101" {
		c.status = status[:3]
	}
	switch code := status[:3]; {
	case code == "101" || code == "204" || code == "304":
		c.state = stBodylessSent
	case code == "205":
		c.state = stBodylessSent
		c.sendHeader("Content-Length", "0")
	case code[0] == '1':
		c.state = stInfoSent
	default:
		c.state = stStatusSent
	}
}

func (c *conn) sendHeader(key, value string) {
	c.assertNotFaulty()
	switch c.state {
	case stInit, stNoStatus:
		c.raise("HTTP status has not been sent yet")
	case stHeadersSent, stFinished:
		c.raise("All HTTP headers have already been sent")
	}
	if key == "" || strings.ContainsAny(key, ": \t\r\n") {
		c.raise("invalid HTTP header name %q", key)
	}
	if strings.ContainsAny(value, "\r\n") {
		c.raise("invalid value for HTTP header %q (contains a line break)", key)
	}
	switch {
	case strings.EqualFold(key, "content-length"):
		if c.state == stInfoSent {
			c.raise("Cannot set Content-Length for informational status response")
		}
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || n < 0 {
			c.raise("Invalid content-length %q", value)
		}
		if c.contentLength == -1 {
			c.contentLength = n
		} else if c.contentLength == n {
			return
		} else {
			c.raise("Content-Length has been set multiple times with different values")
		}
	case strings.EqualFold(key, "date"):
		c.dateSent = true
	case strings.EqualFold(key, "connection"):
		for _, entry := range strings.Split(value, ",") {
			if strings.EqualFold(strings.Trim(entry, " \t"), "close") {
				if c.state == stInfoSent {
					c.raise("Cannot set \"Connection: close\" for informational status response")
				}
				c.closeResponded = true
				break
			}
		}
	}
	c.send(key)
	c.send(": ")
	c.send(value)
	c.send("\r\n")
}

func (c *conn) finishHeaders(flush bool) {
	switch c.state {
	case stFinished:
		c.raise("Response has already been finished")
	case stInfoSent:
		c.send("\r\n")
		c.sendFlush()
		c.state = stNoStatus
	case stBodylessSent:
		if !c.closeRequested && mbio.SigtermReceived() {
			c.closeRequested = true
		}
		c.sendFinalHeaders()
		c.send("\r\n")
		c.state = stFaulty
		c.closeAfterResponse()
		c.state = stFinished
	case stStatusSent:
		if c.contentLength == -1 {
			if c.head.HTTP10 {
				// HTTP/1.0 knows no chunks: the body ends with the connection.
				c.rawBody = true
				c.closeRequested = true
			} else {
				c.sendHeader("Transfer-Encoding", "chunked")
			}
		}
		if !c.closeRequested && mbio.SigtermReceived() {
			// the worker is told to terminate: no further request
			c.closeRequested = true
		}
		c.sendFinalHeaders()
		c.send("\r\n")
		c.state = stHeadersSent
		if c.head.Method == "HEAD" {
			c.state = stFaulty
			c.closeAfterResponse()
			c.state = stHeadersSent
		} else if flush {
			c.sendFlush()
		}
	case stHeadersSent:
	default:
		c.raise("HTTP status has not been sent yet")
	}
}

// sendFinalHeaders adds the headers the engine owes every final response:
// Date (unless the application sent one) and the connection's fate.
func (c *conn) sendFinalHeaders() {
	if !c.dateSent {
		c.sendHeader("Date", httpDate(time.Now()))
	}
	switch {
	case c.closeRequested && !c.closeResponded:
		c.sendHeader("Connection", "close")
	case c.head.HTTP10 && !c.closeResponded:
		// An HTTP/1.0 client asked for keep-alive: confirm it.
		c.sendHeader("Connection", "keep-alive")
	}
}

// dateCache holds the Date header value of one second.
type dateCache struct {
	sec  int64
	text string
}

var lastDate atomic.Pointer[dateCache]

// httpDate is t as an HTTP date (RFC 9110 §5.6.7), formatted once a second.
func httpDate(t time.Time) string {
	sec := t.Unix()
	if d := lastDate.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateCache{sec: sec, text: t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	lastDate.Store(d)
	return d.text
}

func (c *conn) sendData(parts ...string) {
	c.assertNotFaulty()
	switch c.state {
	case stInfoSent:
		c.raise("No (non-informational) HTTP status has been sent yet")
	case stBodylessSent:
		c.raise("Cannot send response data for body-less status message")
	}
	c.finishHeaders(false)
	if c.state != stHeadersSent {
		c.raise("Unexpected internal status in HTTP engine")
	}
	if c.head.Method == "HEAD" {
		return
	}
	for _, s := range parts {
		if s == "" {
			continue
		}
		c.bodyBytes += int64(len(s))
		if c.contentLength >= 0 {
			if c.bytesSent+int64(len(s)) > c.contentLength {
				c.raise("Content length exceeded")
			}
			c.send(s)
			c.bytesSent += int64(len(s))
		} else if c.rawBody {
			c.send(s)
		} else if len(c.chunk) == 0 && len(s) >= c.opts.outputChunk {
			// a big piece becomes a chunk of its own without copies
			c.out = strconv.AppendInt(c.out, int64(len(s)), 16)
			c.send("\r\n")
			c.send(s)
			c.send("\r\n")
		} else {
			c.chunk = append(c.chunk, s...)
		}
	}
	if len(c.chunk) >= c.opts.outputChunk {
		c.sendChunk()
	}
}

func (c *conn) flush() {
	c.assertNotFaulty()
	c.sendChunk()
	c.sendFlush()
}

// finishResponse completes the response (request:finish()).
func (c *conn) finishResponse() {
	c.assertNotFaulty()
	switch c.state {
	case stFinished:
		return
	case stInfoSent:
		c.raise("Informational HTTP response can be finished with :finish_headers() method")
	}
	c.finishHeaders(false)
	if c.state == stHeadersSent {
		if c.head.Method != "HEAD" {
			c.state = stFaulty
			if c.contentLength >= 0 {
				if c.bytesSent != c.contentLength {
					c.raise("Content length not used")
				}
			} else {
				c.sendChunk()
				if !c.rawBody {
					c.send("0\r\n\r\n")
				}
			}
			c.closeAfterResponse()
		}
		c.state = stFinished
	} else if c.state != stFinished {
		c.raise("Unexpected internal status in HTTP engine")
	}
}

// --- request body handling ------------------------------------------------

// streamRequestBody installs cb as the receiver of the request body. A
// callback that reads more of the body re-entrantly gets the data
// afterwards instead of nested calls, as in the original module.
func (c *conn) streamRequestBody(cb func(chunk []byte, eof bool)) {
	if c.state != stInit {
		c.raise("Cannot setup request body streamer at this stage anymore")
	}
	inProgress, eof := false, false
	var pending []byte
	c.processBody = func(chunk []byte, isEOF bool) {
		if inProgress {
			if isEOF {
				eof = true
			} else {
				pending = append(pending, chunk...)
			}
			return
		}
		inProgress = true
		cb(chunk, isEOF)
		for len(pending) > 0 {
			p := pending
			pending = nil
			cb(p, false)
		}
		if eof {
			eof = false
			cb(nil, true)
		}
		inProgress = false
	}
}

// contentType returns the request's Content-Type if sent exactly once.
func (c *conn) contentType() (string, bool) {
	var v string
	n := 0
	for _, f := range c.head.Fields {
		if f.Lower == "content-type" {
			v = f.Value
			n++
		}
	}
	return v, n == 1 && v != ""
}

func (c *conn) classifyBody() (kind int, boundary string) {
	ct, ok := c.contentType()
	if !ok {
		return formNone, ""
	}
	typ, params := mediaType(ct)
	switch typ {
	case "application/x-www-form-urlencoded":
		return formURLEncoded, ""
	case "multipart/form-data":
		if b := params["boundary"]; b != "" && len(b) <= 200 {
			return formMultipart, b
		}
	}
	return formOther, ""
}

// defaultBodyHandling sets up the filling of post_params for form bodies;
// other bodies are discarded unless the application reads them.
func (c *conn) defaultBodyHandling() {
	L := c.L
	kind, boundary := c.classifyBody()
	c.formKind = kind
	c.defaultBody = true
	switch kind {
	case formURLEncoded:
		c.streamRequestBody(func(chunk []byte, eof bool) {
			if !eof {
				c.formBody = append(c.formBody, chunk...)
				return
			}
			body := string(c.formBody)
			c.formBody = c.formBody[:0]
			if cap(c.formBody) > 1<<16 {
				c.formBody = nil
			}
			n := strings.Count(body, "&") + 1
			if n > 64 {
				n = 64
			}
			list, first := c.newParamsSized(n)
			parseURLEncoded(body, func(k, v string) { addParam(L, list, first, k, v) })
			c.req.RawSetString("body", lua.LString(body))
			c.setPostTables(list, first, nil, nil)
		})
	case formMultipart:
		sink := &formSink{c: c}
		sink.list, sink.first = c.newParams()
		sink.metaList, sink.metaFirst = c.newParams()
		parser := newMultipartParser(boundary, sink)
		c.streamRequestBody(func(chunk []byte, eof bool) {
			if err := parser.feed(chunk, eof); err != nil {
				var pe *protocolError
				if errors.As(err, &pe) {
					c.requestError(true, pe.Status, pe.Text)
				}
				c.raise("multipart/form-data: %v", err)
			}
			if eof {
				c.setPostTables(sink.list, sink.first, sink.metaList, sink.metaFirst)
			}
		})
	case formNone:
		// empty post tables are made when the application reads them
	}
}

func (c *conn) setPostTables(list, first, metaList, metaFirst *lua.LTable) {
	c.req.RawSetString("post_params_list", list)
	c.req.RawSetString("post_params", first)
	if metaList != nil {
		c.req.RawSetString("post_metadata_list", metaList)
		c.req.RawSetString("post_metadata", metaFirst)
	}
}

// formSink collects or streams the fields of a multipart body.
type formSink struct {
	c                                *conn
	list, first, metaList, metaFirst *lua.LTable
	stream                           *lua.LFunction
	collect                          bool
	hasName                          bool
	name                             string
	meta                             *lua.LTable
	value                            bytes.Buffer
}

func (s *formSink) begin(name string, hasName bool, fileName string, hasFile bool, contentType string, hasType bool) error {
	L := s.c.L
	s.name, s.hasName = name, hasName
	s.meta = L.CreateTable(0, 2)
	if hasFile {
		s.meta.RawSetString("file_name", lua.LString(fileName))
	}
	if hasType {
		s.meta.RawSetString("content_type", lua.LString(contentType))
	}
	s.stream = nil
	if hasName {
		s.stream = s.c.findStreamer(name)
	}
	s.value.Reset()
	if s.stream == nil {
		s.collect = true
		return nil
	}
	s.collect = false
	// The first call carries the field name and metadata (and maybe "").
	L.Push(s.stream)
	L.Push(lua.LString(""))
	L.Push(lua.LString(name))
	L.Push(s.meta)
	L.Call(3, 0)
	return nil
}

func (s *formSink) data(chunk []byte) error {
	if len(chunk) == 0 {
		return nil
	}
	if s.collect {
		s.value.Write(chunk)
		return nil
	}
	L := s.c.L
	L.Push(s.stream)
	L.Push(lua.LString(chunk))
	L.Call(1, 0)
	return nil
}

func (s *formSink) end() error {
	L := s.c.L
	if !s.collect {
		L.Push(s.stream)
		L.Call(0, 0)
		return nil
	}
	if s.hasName {
		addParam(L, s.list, s.first, s.name, s.value.String())
		ml := listFor(L, s.metaList, s.name)
		ml.Append(s.meta)
		if s.metaFirst.RawGetString(s.name) == lua.LNil {
			s.metaFirst.RawSetString(s.name, s.meta)
		}
	}
	s.value.Reset()
	if s.value.Cap() > 1<<20 {
		s.value = bytes.Buffer{}
	}
	return nil
}

func (c *conn) findStreamer(name string) *lua.LFunction {
	if cb, ok := c.streamParams[name]; ok {
		return cb
	}
	for _, p := range c.streamPattern {
		if luaMatch(c.L, p.pattern, name) {
			return p.cb
		}
	}
	return nil
}

// --- the request loop -----------------------------------------------------

// resetRequest starts a new request on the connection.
func (c *conn) resetRequest() {
	c.retireRequest()
	c.req = c.L.CreateTable(0, 0)
	c.req.Metatable = c.reqMT
	c.reqTouched = false
	fields := c.head.Fields
	for i := range fields {
		fields[i] = headerField{}
	}
	c.head = requestHead{Fields: fields[:0]}
	c.defaultBody = false
	c.state = stInit
	c.closeRequested = false
	c.closeResponded = false
	c.rawBody = false
	c.dateSent = false
	c.status = ""
	c.bodyBytes = 0
	c.started = time.Time{}
	c.remote = ""
	c.contentLength = -1
	c.bytesSent = 0
	c.chunk = c.chunk[:0]
	c.bodyDone = false
	c.bodyRemaining = 0
	c.chunkedState = 0
	c.bodyBudget = c.opts.bodyLimit
	c.drainMode = false
	c.processBody = nil
	c.eofDelivered = false
	c.formKind = formNone
	c.formBody = nil
	c.streamParams = nil
	c.streamPattern = nil
}

// readHead reads and parses the request line and header section. It
// returns false when the connection ended or an error was answered.
func (c *conn) readHead() bool {
	limit := c.opts.headerLimit
	start := time.Now()
	timeout := func() timeoutOpt {
		t := c.opts.stall
		if c.opts.headerTimeout.set {
			left := c.opts.headerTimeout.secs - time.Since(start).Seconds()
			if left < 0 {
				left = 0
			}
			if !t.set || left < t.secs {
				t = timeoutOpt{left, true}
			}
		}
		return t
	}
	// The first line: while nothing of it has arrived, the connection is
	// idle (idle_timeout; a SIGTERM ends the wait); then the header
	// timeouts apply.
	waitHeader := c.waitFor(timeout)
	idle := true
	waitIdle := func() error {
		if idle && len(c.line) == 0 {
			ok, err := c.wait(c.opts.idle, true)
			if err != nil {
				return err
			}
			if !ok {
				return errIdle
			}
			if mbio.SigtermReceived() {
				return errSigterm
			}
			return nil
		}
		if idle {
			idle = false
			start = time.Now()
		}
		return waitHeader()
	}
	if c.served > 0 {
		// After a response the next request has rarely arrived yet:
		// wait first (at once when it is already buffered) instead of
		// a read that fails.
		if err := waitIdle(); err != nil {
			c.readHeadFailed(err)
			return false
		}
	}
	line, st, err := c.readLine(limit, waitIdle)
	switch {
	case err != nil:
		c.readHeadFailed(err)
		return false
	case st == "eof":
		if len(line) > 0 {
			c.requestError(false, status400, "Unexpected EOF")
		}
		return false
	case st == "maxlen":
		c.requestError(false, status414, "")
		return false
	}
	limit -= len(line)
	if accessLog.Load() != nil {
		c.started = time.Now()
		c.remote = "-"
		if r, ok := c.tr.(remoteIPer); ok {
			// now: the connection may be closed when the line is written
			if ip := r.RemoteIP(); ip != "" {
				c.remote = ip
			}
		}
	}
	rl, perr := trimLineEnd(line, "request line")
	if perr == nil {
		c.head.Method, c.head.Target, c.head.HTTP10, perr = parseRequestLine(rl)
	}
	if perr != nil {
		c.answer(perr)
		return false
	}
	for {
		if limit <= 0 {
			c.requestError(false, status431, "")
			return false
		}
		line, st, err := c.readLine(limit, waitHeader)
		switch {
		case err == errTimeout:
			c.requestError(false, status408, "Timeout while receiving headers")
			return false
		case err != nil:
			return false
		case st == "eof":
			c.requestError(false, status400, "Unexpected EOF")
			return false
		case st == "maxlen":
			c.requestError(false, status431, "")
			return false
		}
		limit -= len(line)
		hl, perr := trimLineEnd(line, "header line")
		if perr != nil {
			c.answer(perr)
			return false
		}
		if len(hl) == 0 {
			break
		}
		f, perr := parseHeaderLine(hl)
		if perr != nil {
			c.answer(perr)
			return false
		}
		c.head.Fields = append(c.head.Fields, f)
	}
	if perr := validateHead(&c.head, c.opts.bodyLimit); perr != nil {
		c.answer(perr)
		return false
	}
	return true
}

// readHeadFailed answers a failed wait for a request head: 408 on a
// timeout, nothing when the connection broke or the worker terminates.
func (c *conn) readHeadFailed(err error) {
	switch err {
	case errIdle:
		c.requestError(false, status408, "Idle connection timed out")
	case errTimeout:
		c.requestError(false, status408, "Timeout while receiving headers")
	}
}

func (c *conn) answer(err error) {
	var pe *protocolError
	if errors.As(err, &pe) {
		c.requestError(false, pe.Status, pe.Text)
		return
	}
	c.requestError(false, status400, err.Error())
}

// callTimeout calls the runtime's global timeout(seconds) if it exists.
func (c *conn) callTimeout(secs float64) {
	fn := c.timeoutFn
	if fn == nil {
		return
	}
	c.L.Push(fn)
	c.L.Push(lua.LNumber(secs))
	c.L.Call(1, 0)
}

// serve runs the request loop and returns whether the worker may survive.
func (c *conn) serve() bool {
	for {
		c.resetRequest()
		if mbio.SigtermReceived() {
			// the worker is told to terminate: no new request
			return c.survive
		}
		if c.served == 0 && c.parkUnread() {
			return c.survive
		}
		if !c.readHead() {
			c.logAccess() // an error answered to a malformed request
			return c.survive
		}
		c.startRequest()
		if c.opts.response.set {
			c.callTimeout(c.opts.response.secs)
		} else {
			c.callTimeout(0)
		}
		c.runHandler()
		if c.gone {
			_ = c.tr.Reset() // nothing when the error response closed it
			return c.survive
		}
		c.finishResponse()
		c.logAccess()
		c.served++
		c.callTimeout(0)
		if c.closeResponded || c.park() {
			return c.survive
		}
	}
}

// When a worker gives a keep-alive connection back to the master (park):
// after parkGrace without a request when other clients wait for a worker,
// else when no request has come for parkIdle. Meanwhile the worker looks
// every parkSlice whether clients have begun to wait (so a client that
// finds every worker on an idle keep-alive connection waits that long). A client that sends
// its requests one after another (a browser loading a page's resources,
// a benchmark) is served on by the same worker, which costs nothing more;
// a request after a pause passes through the master, which costs both
// processes a few system calls more (see README.md).
const (
	parkGrace = 2 * time.Millisecond
	parkSlice = 25 * time.Millisecond
	parkIdle  = time.Second
)

// parkUnread parks a connection that reached the worker before any byte
// of its request did (it was accepted before the master knew that the
// listener serves HTTP, or the master does not hold connections): unless
// the request comes soon, the master waits for it instead of the worker.
// Connections that the master held come with their request read.
func (c *conn) parkUnread() bool {
	h, ok := c.tr.(handoffer)
	return ok && h.Buffered() == 0 && c.park()
}

// park waits for the next request of a keep-alive connection and gives
// the connection back to the server's master when the wait would hold a
// worker that others need, or for long: the master waits for that
// request (idle_timeout, request_header_timeout) and then hands the
// connection to a free worker. It reports whether the connection is the
// master's now; if not, the next request has arrived, or the worker is
// told to terminate.
func (c *conn) park() bool {
	h, ok := c.tr.(handoffer)
	if !ok || !c.opts.hold {
		return false
	}
	limit := parkIdle
	if c.opts.idle.set {
		limit = min(limit, time.Duration(c.opts.idle.secs*float64(time.Second)))
	}
	for waited := time.Duration(0); ; {
		step := parkSlice
		if h.Crowded() {
			step = parkGrace
		}
		ready, err := c.wait(timeoutOpt{step.Seconds(), true}, true)
		if ready || err != nil {
			return false
		}
		waited += step
		if waited >= limit || h.Crowded() {
			return h.Park(c.opts.httpTimes())
		}
	}
}

// serveProtected runs serve. A client's error (clientError) ends the
// connection, which is reset, and connect returns as after a normal end;
// any other error goes on with its traceback.
func (c *conn) serveProtected() bool {
	L := c.L
	if c.serveFn == nil {
		c.serveFn = L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LBool(c.serve()))
			return 1
		})
	}
	L.Push(c.serveFn)
	err := L.PCall(0, 1, nil)
	if err == nil {
		ok := L.Get(-1) == lua.LTrue
		L.Pop(1)
		return ok
	}
	if c.isClientError(err) {
		c.logClientError()
		c.logAccess()
		_ = c.tr.Reset()
		return c.survive
	}
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) {
		panic(apiErr) // unchanged, with its traceback (see runHandler)
	}
	L.RaiseError("%s", err.Error())
	return false
}

// startRequest fills the eager fields of the request object.
func (c *conn) startRequest() {
	h := &c.head
	if h.Close || (h.HTTP10 && !h.KeepAlive) {
		c.closeRequested = true
	}
	switch {
	case h.Chunked:
		c.bodyDone = false
	case h.ContentLength > 0:
		c.bodyRemaining = h.ContentLength
	default:
		c.bodyDone = true
	}
}

// basicFields are the request fields requestIndex serves from the parsed
// head while the request is current (see retireRequest).
var basicFields = [...]string{"socket", "method", "host", "path", "query"}

// basicField returns the value of one of basicFields for the current
// request; ok is false for other keys.
func (c *conn) basicField(key string) (v lua.LValue, ok bool) {
	h := &c.head
	switch key {
	case "socket":
		return c.sock, true
	case "method":
		return lua.LString(h.Method), true
	case "host":
		return lua.LString(h.Host), true
	case "path", "query":
		if !h.HasPath {
			return lua.LNil, true
		}
		if key == "path" {
			return lua.LString(h.Path), true
		}
		return lua.LString(h.Query), true
	}
	return lua.LNil, false
}

// retireRequest is called when c.req stops being the current request.
// Its basic fields were served from the connection, which costs no table
// slots (gopher-lua gives a table its first string key at the price of
// two maps and a slice). A request object that Lua used — it read a field
// or stored one — gets them copied in, so that it keeps them should Lua
// keep it.
func (c *conn) retireRequest() {
	t := c.req
	if t == nil {
		return
	}
	if !c.reqTouched {
		if k, _ := t.Next(lua.LNil); k == lua.LNil {
			return
		}
	}
	for _, k := range basicFields {
		if v, _ := c.basicField(k); v != lua.LNil && t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, v)
		}
	}
}

// runHandler calls the Lua handler. On an error it answers 500 if no
// status was sent yet, closes the connection and raises the handler's
// error again, with its traceback.
func (c *conn) runHandler() {
	L := c.L
	L.Push(c.handler)
	L.Push(c.req)
	err := L.PCall(1, 1, nil)
	if err == nil {
		if L.Get(-1) != lua.LTrue {
			c.survive = false
		}
		L.Pop(1)
		if c.state == stInit || c.state == stNoStatus {
			c.internalError("request handler returned without sending a response status")
		}
		return
	}
	if c.isClientError(err) {
		// The client ended the request (an error response was sent if
		// it could be): serve ends the connection.
		c.logClientError()
		c.logAccess()
		return
	}
	if c.state == stInit || c.state == stNoStatus || c.state == stInfoSent {
		func() {
			// Answering may fail (client gone); the handler's error is
			// the one to report.
			defer func() { _ = recover() }()
			c.requestError(false, "500 Internal Server Error", "")
		}()
	}
	c.logAccess()
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.StackTrace != "" {
		// The same error goes on, message and traceback untouched: the
		// caller's pcall keeps a traceback that is already there, so the
		// log shows the handler's one traceback, not a second one of
		// the frames around it.
		panic(apiErr)
	}
	L.RaiseError("%s", err.Error())
}

// internalError answers 500 and raises an error with msg.
func (c *conn) internalError(msg string) {
	func() {
		defer func() { _ = recover() }()
		c.requestError(false, "500 Internal Server Error", "")
	}()
	c.raise("%s", msg)
}

// newParams returns a params-list table (name → list of values, unknown
// names give a fresh empty list) and a params table (name → first value).
func (c *conn) newParams() (list, first *lua.LTable) {
	return c.newParamsSized(4)
}

// newParamsSized is newParams with room for n names.
func (c *conn) newParamsSized(n int) (list, first *lua.LTable) {
	list = c.L.CreateTable(0, n)
	list.Metatable = c.paramsListMT()
	return list, c.L.CreateTable(0, n)
}

func (c *conn) paramsListMT() *lua.LTable {
	if c.plistMT == nil {
		c.plistMT = c.L.CreateTable(0, 1)
		c.plistMT.RawSetString("__index", c.L.NewFunction(func(L *lua.LState) int {
			L.Push(L.CreateTable(0, 0))
			return 1
		}))
	}
	return c.plistMT
}

func listFor(L *lua.LState, list *lua.LTable, key string) *lua.LTable {
	if t, ok := list.RawGetString(key).(*lua.LTable); ok {
		return t
	}
	t := L.CreateTable(1, 0)
	list.RawSetString(key, t)
	return t
}

func addParam(L *lua.LState, list, first *lua.LTable, key, value string) {
	v := lua.LValue(lua.LString(value)) // boxed once for both tables
	if t, ok := list.RawGetString(key).(*lua.LTable); ok {
		t.Append(v)
		return
	}
	t := L.CreateTable(1, 0)
	t.Append(v)
	list.RawSetString(key, t)
	first.RawSetString(key, v)
}

func (c *conn) String() string { return fmt.Sprintf("http connection (state %d)", c.state) }
