package master

import (
	"bytes"
	"strconv"
)

// requestScan follows the arrival of an HTTP request in the bytes the
// master has read from a held connection, so that the connection goes to
// a worker only once the worker will not have to wait for its client.
// It does not validate the request: a worker parses it again and answers
// any error; the scan only needs to find where the request ends.
type requestScan struct {
	scanned int // bytes searched for the end of the head (a resume point)
	headEnd int // > 0 once the head is complete: its length
	need    int // with headEnd: bytes to wait for (head and a small body)
}

// update looks at b, every byte read so far from the connection, of which
// the master reads at most limit, and reports whether the connection is
// ready for a worker:
//   - its head has arrived and it has no body, or a body of at most the
//     bytes left before limit that has arrived as well;
//   - its head has arrived and its body cannot be waited for here: a
//     chunked body, one larger than the room left, or a request that
//     expects "100 Continue" before it sends its body;
//   - the bytes cannot be the start of a request (no method token
//     first), so that the worker answers the error at once;
//   - limit bytes have arrived without the end of the head (the worker
//     answers 414 or 431).
func (s *requestScan) update(b []byte, limit int) bool {
	if s.headEnd > 0 {
		return len(b) >= s.need
	}
	// Empty lines before a request line are ignored (RFC 9112 §2.2).
	start := 0
	for start < len(b) && (b[start] == '\r' || b[start] == '\n') {
		start++
	}
	if start == len(b) {
		return len(b) >= limit
	}
	if !isTokenChar(b[start]) {
		return true
	}
	// The head ends with an empty line: LF, then LF or CR LF. Bare LF
	// line ends are accepted as the worker's parser does.
	pos := max(s.scanned, start)
	for {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			s.scanned = len(b)
			return len(b) >= limit
		}
		j := pos + i
		switch {
		case j+1 < len(b) && b[j+1] == '\n':
			s.headEnd = j + 2
		case j+2 < len(b) && b[j+1] == '\r' && b[j+2] == '\n':
			s.headEnd = j + 3
		case j+2 >= len(b):
			// The bytes after this LF have not all arrived yet.
			s.scanned = j
			return len(b) >= limit
		}
		if s.headEnd > 0 {
			break
		}
		pos = j + 1
	}
	s.need = s.headEnd
	length, known := bodyLength(b[start:s.headEnd])
	if known && length <= int64(limit-s.headEnd) {
		s.need += int(length)
	}
	return len(b) >= s.need
}

// bodyLength returns the Content-Length of a request head, and whether
// the body can be waited for: not when the head has Transfer-Encoding or
// Expect, or a Content-Length that is not one plain number.
func bodyLength(head []byte) (length int64, known bool) {
	length, known = 0, true
	seen := false
	lines := bytes.Split(head, []byte{'\n'})
	for _, line := range lines[1:] {
		name, value, ok := bytes.Cut(bytes.TrimRight(line, "\r"), []byte{':'})
		if !ok {
			continue
		}
		switch {
		case asciiEqualFold(name, "content-length"):
			n, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
			if err != nil || n < 0 || seen {
				return 0, false
			}
			length, seen = n, true
		case asciiEqualFold(name, "transfer-encoding"), asciiEqualFold(name, "expect"):
			return 0, false
		}
	}
	return length, known
}

func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c may appear in an HTTP token, such as a
// method name (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
}
