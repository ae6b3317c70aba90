package mbhttp

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// protocolError is a malformed or unacceptable request. Status is the full
// status line text sent to the client (for example "400 Bad Request").
type protocolError struct {
	Status string
	Text   string
}

func (e *protocolError) Error() string {
	if e.Text == "" {
		return e.Status
	}
	return e.Status + " (" + e.Text + ")"
}

func badRequest(format string, args ...any) *protocolError {
	return &protocolError{Status: "400 Bad Request", Text: fmt.Sprintf(format, args...)}
}

// Status lines used for protocol errors.
const (
	status400 = "400 Bad Request"
	status408 = "408 Request Timeout"
	status413 = "413 Request Entity Too Large"
	status414 = "414 Request-URI Too Long"
	status415 = "415 Unsupported Media Type"
	status417 = "417 Expectation Failed"
	status431 = "431 Request Header Fields Too Large"
	status505 = "505 HTTP Version Not Supported"
)

// headerField is one header line as received.
type headerField struct {
	Lower string // lower-cased field name
	Value string // value with surrounding blanks removed
}

// requestHead is a parsed and validated request line plus header section.
type requestHead struct {
	Method string
	Target string
	Path   string // without leading slash; valid only if HasPath
	Query  string // with leading "?" or ""
	// HasPath is false for the asterisk form ("OPTIONS *").
	HasPath bool
	Host    string
	Fields  []headerField

	ContentLength  int64 // -1 when absent
	Chunked        bool
	ExpectContinue bool
	Close          bool // the client sent "Connection: close"

	HTTP10    bool // an HTTP/1.0 request
	KeepAlive bool // the client sent "Connection: keep-alive" (what an HTTP/1.0 client must say to keep the connection)
}

// tokenChars marks the bytes allowed in a header name or method (RFC 9110 tchar).
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// trimLineEnd removes the CRLF that ends a line. A line ending with a bare
// LF, or containing a CR or NUL elsewhere, is rejected: those shapes are used
// for request smuggling.
func trimLineEnd(line []byte, what string) ([]byte, error) {
	n := len(line)
	if n < 2 || line[n-1] != '\n' || line[n-2] != '\r' {
		return nil, badRequest("%s does not end with CRLF", what)
	}
	line = line[:n-2]
	if i := bytes.IndexAny(line, "\r\x00"); i >= 0 {
		return nil, badRequest("%s contains a CR or NUL byte at position %d", what, i+1)
	}
	return line, nil
}

// parseRequestLine parses "METHOD SP target SP HTTP/1.1" or "... HTTP/1.0"
// (line without CRLF); http10 reports the latter.
func parseRequestLine(line []byte) (method, target string, http10 bool, err error) {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return "", "", false, badRequest("malformed request line")
	}
	for _, c := range line[:sp1] {
		if !tokenChars[c] {
			return "", "", false, badRequest("invalid character in request method")
		}
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	var proto []byte
	if sp2 < 0 {
		// "GET /" without a version is HTTP/0.9.
		proto = nil
		sp2 = len(rest)
	} else {
		proto = rest[sp2+1:]
	}
	tgt := rest[:sp2]
	if len(tgt) == 0 {
		return "", "", false, badRequest("empty request target")
	}
	for _, c := range tgt {
		if c <= ' ' || c == 0x7f {
			return "", "", false, badRequest("invalid character in request target")
		}
	}
	if string(proto) == "HTTP/1.0" {
		http10 = true
	} else if string(proto) != "HTTP/1.1" {
		if proto == nil || (len(proto) == 8 && bytes.HasPrefix(proto, []byte("HTTP/")) &&
			isDigit(proto[5]) && proto[6] == '.' && isDigit(proto[7])) {
			return "", "", false, &protocolError{Status: status505}
		}
		return "", "", false, badRequest("malformed protocol version in request line")
	}
	return string(line[:sp1]), string(tgt), http10, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseHeaderLine parses "Name: value" (line without CRLF).
func parseHeaderLine(line []byte) (headerField, error) {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return headerField{}, badRequest("obsolete line folding in header section")
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return headerField{}, badRequest("malformed header line")
	}
	name := line[:colon]
	for _, c := range name {
		if !tokenChars[c] {
			return headerField{}, badRequest("invalid character in header name %q", truncate(name))
		}
	}
	value := bytes.Trim(line[colon+1:], " \t")
	for _, c := range value {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return headerField{}, badRequest("control character in value of header %q", truncate(name))
		}
	}
	return headerField{Lower: lowerASCII(name), Value: string(value)}, nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// lowerASCII returns b lower-cased as a string, without allocating twice.
func lowerASCII(b []byte) string {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return strings.ToLower(string(b))
		}
	}
	return string(b)
}

// csvValues splits the comma-separated values of every field named lower,
// trimming blanks and dropping empty entries (like the original module).
func csvValues(fields []headerField, lower string) []string {
	var out []string
	for _, f := range fields {
		if f.Lower != lower {
			continue
		}
		out = appendCSV(out, f.Value)
	}
	return out
}

func appendCSV(out []string, value string) []string {
	for value != "" {
		var entry string
		if i := strings.IndexByte(value, ','); i >= 0 {
			entry, value = value[:i], value[i+1:]
		} else {
			entry, value = value, ""
		}
		entry = strings.Trim(entry, " \t")
		if entry != "" {
			out = append(out, entry)
		}
	}
	return out
}

// validateHead checks the framing headers and the request target and fills
// the derived fields of h. bodyLimit is request_body_size_limit.
func validateHead(h *requestHead, bodyLimit int64) error {
	h.ContentLength = -1
	var teCount, clCount, hostCount int
	var scratch [4]string // the entries of one header value, mostly on the stack
	for i := range h.Fields {
		f := &h.Fields[i]
		switch f.Lower {
		case "content-length":
			for _, v := range appendCSV(scratch[:0], f.Value) {
				clCount++
				n, err := parseContentLength(v)
				if err != nil {
					return err
				}
				if h.ContentLength >= 0 && h.ContentLength != n {
					return badRequest("differing Content-Length values")
				}
				h.ContentLength = n
			}
			if f.Value == "" || strings.Trim(f.Value, " \t,") == "" {
				return badRequest("empty Content-Length header")
			}
		case "transfer-encoding":
			for _, v := range appendCSV(scratch[:0], f.Value) {
				teCount++
				if !strings.EqualFold(v, "chunked") {
					return badRequest("unexpected Transfer-Encoding %q", v)
				}
				h.Chunked = true
			}
			if teCount == 0 {
				return badRequest("empty Transfer-Encoding header")
			}
		case "expect":
			for _, v := range appendCSV(scratch[:0], f.Value) {
				if !strings.EqualFold(v, "100-continue") {
					return &protocolError{Status: status417, Text: "unexpected Expect header"}
				}
				h.ExpectContinue = true
			}
		case "connection":
			for _, v := range appendCSV(scratch[:0], f.Value) {
				if strings.EqualFold(v, "close") {
					h.Close = true
				} else if strings.EqualFold(v, "keep-alive") {
					h.KeepAlive = true
				}
			}
		case "host":
			hostCount += len(appendCSV(scratch[:0], f.Value))
			h.Host = f.Value
		}
	}
	if h.HTTP10 {
		// RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means
		// faulty framing. An HTTP/1.0 client expects no 100 Continue
		// (RFC 9110 §10.1.1), and may leave out Host.
		if teCount > 0 {
			return badRequest("Transfer-Encoding in an HTTP/1.0 request")
		}
		h.ExpectContinue = false
		if hostCount == 0 {
			hostCount = 1
		}
	}
	if teCount > 1 {
		return badRequest("unexpected Transfer-Encoding (chunked given more than once)")
	}
	if h.Chunked && clCount > 0 {
		return badRequest("both Content-Length and Transfer-Encoding given")
	}
	if h.ContentLength > bodyLimit {
		return &protocolError{Status: status413, Text: "announced request body size is too big"}
	}
	if hostCount != 1 {
		return badRequest("no valid Host header")
	}
	t := h.Target
	switch {
	case strings.HasPrefix(t, "/"):
		h.HasPath = true
		h.Path, h.Query = splitTarget(t[1:])
	case len(t) > 7 && strings.EqualFold(t[:7], "http://"):
		rest := t[7:]
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		if end == 0 || rest[:end] != h.Host {
			return badRequest("no valid Host header (differs from request target)")
		}
		rest = rest[end:]
		rest = strings.TrimPrefix(rest, "/")
		h.HasPath = true
		h.Path, h.Query = splitTarget(rest)
	case t == "*" && h.Method == "OPTIONS":
	default:
		return badRequest("invalid request target")
	}
	return nil
}

func splitTarget(s string) (path, query string) {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func parseContentLength(v string) (int64, error) {
	if v == "" {
		return 0, badRequest("empty Content-Length value")
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return 0, badRequest("Content-Length header invalid")
		}
	}
	t := strings.TrimLeft(v, "0")
	if len(t) > 18 {
		return 0, &protocolError{Status: status413, Text: "announced request body size is too big"}
	}
	if t == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, badRequest("Content-Length header invalid")
	}
	return n, nil
}

// parseChunkSize parses a chunk-size line (without CRLF): hex digits,
// optionally followed by chunk extensions, which are ignored.
func parseChunkSize(line []byte) (int64, error) {
	i := 0
	for i < len(line) && line[i] == '0' {
		i++
	}
	zeros := i
	start := i
	for i < len(line) && isHex(line[i]) {
		i++
	}
	digits := line[start:i]
	if zeros == 0 && len(digits) == 0 {
		return 0, badRequest("encoding error while reading chunk of request body (missing chunk size)")
	}
	if len(digits) > 13 {
		return 0, badRequest("encoding error while reading chunk of request body (chunk size too large)")
	}
	if i < len(line) {
		rest := line[i:]
		r := bytes.TrimLeft(rest, " \t")
		if len(r) == 0 || r[0] != ';' {
			return 0, badRequest("encoding error while reading chunk of request body (invalid chunk size)")
		}
	}
	var n int64
	for _, c := range digits {
		n = n<<4 | int64(unhex(c))
	}
	return n, nil
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
