package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxBody bounds the body the load generator keeps of one response; the
// benchmark servers answer with a few bytes.
const maxBody = 1 << 20

// response is what the load generator keeps of one HTTP response. Its body
// buffer is reused from one response to the next.
type response struct {
	status int
	close  bool   // the server closes the connection after this response
	body   []byte // the decoded body (chunked framing removed)
}

var errBadResponse = errors.New("malformed HTTP response")

func badResponse(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errBadResponse, fmt.Sprintf(format, a...))
}

// readResponse reads one complete HTTP/1.x response from br into r: status
// line, header section and body (Content-Length, chunked, or up to EOF).
// Interim 1xx responses are skipped. It reads the minimum that framing
// requires, so pipelined responses can be read one after the other.
func readResponse(br *bufio.Reader, r *response) error {
	for {
		if err := readHead(br, r); err != nil {
			return err
		}
		if r.status >= 200 || r.status == 101 {
			return nil
		}
	}
}

// readHead reads the head of one response and then its body.
func readHead(br *bufio.Reader, r *response) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return headError(err, "status line")
	}
	line = trimEOL(line)
	// "HTTP/1.1 200 OK": version, space, three digits, then space or end.
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return badResponse("status line %q", line)
	}
	status := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return badResponse("status code in %q", line)
		}
		status = status*10 + int(c-'0')
	}
	r.status = status
	r.close = line[7] == '0' // HTTP/1.0 closes unless told otherwise
	r.body = r.body[:0]
	contentLength := int64(-1)
	chunked := false
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return headError(err, "header line")
		}
		line = trimEOL(line)
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return badResponse("header line %q", line)
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case asciiEqualFold(name, "content-length"):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 || (contentLength >= 0 && n != contentLength) {
				return badResponse("Content-Length %q", value)
			}
			contentLength = n
		case asciiEqualFold(name, "transfer-encoding"):
			if !asciiEqualFold(value, "chunked") {
				return badResponse("unsupported Transfer-Encoding %q", value)
			}
			chunked = true
		case asciiEqualFold(name, "connection"):
			for _, tok := range bytes.Split(value, []byte(",")) {
				tok = bytes.TrimSpace(tok)
				switch {
				case asciiEqualFold(tok, "close"):
					r.close = true
				case asciiEqualFold(tok, "keep-alive"):
					r.close = false
				}
			}
		}
	}
	switch {
	case status < 200 || status == 204 || status == 304:
		return nil
	case chunked:
		return readChunked(br, r)
	case contentLength >= 0:
		if contentLength > maxBody {
			return badResponse("body of %d bytes exceeds the load generator's limit", contentLength)
		}
		return readN(br, r, int(contentLength))
	default:
		// No framing: the body ends with the connection.
		r.close = true
		for {
			chunk, err := br.Peek(1)
			if len(chunk) == 0 {
				if err == io.EOF {
					return nil
				}
				return fmt.Errorf("reading body up to EOF: %w", err)
			}
			if len(r.body)+br.Buffered() > maxBody {
				return badResponse("body exceeds the load generator's limit")
			}
			if err := readN(br, r, br.Buffered()); err != nil {
				return err
			}
		}
	}
}

// readChunked reads a chunked body and its trailer section.
func readChunked(br *bufio.Reader, r *response) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return bodyError(err, "chunk size line")
		}
		line = trimEOL(line)
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimSpace(line)
		size, err := strconv.ParseUint(string(line), 16, 32)
		if err != nil || len(line) == 0 {
			return badResponse("chunk size %q", line)
		}
		if size == 0 {
			break
		}
		if len(r.body)+int(size) > maxBody {
			return badResponse("chunked body exceeds the load generator's limit")
		}
		if err := readN(br, r, int(size)); err != nil {
			return err
		}
		crlf, err := br.ReadSlice('\n')
		if err != nil {
			return bodyError(err, "chunk end")
		}
		if len(trimEOL(crlf)) != 0 {
			return badResponse("chunk data longer than its size")
		}
	}
	for { // trailer section
		line, err := br.ReadSlice('\n')
		if err != nil {
			return bodyError(err, "trailer")
		}
		if len(trimEOL(line)) == 0 {
			return nil
		}
	}
}

// readN appends exactly n body bytes to r.body.
func readN(br *bufio.Reader, r *response, n int) error {
	start := len(r.body)
	if cap(r.body)-start < n {
		grown := make([]byte, start, start+n)
		copy(grown, r.body)
		r.body = grown
	}
	r.body = r.body[:start+n]
	if _, err := io.ReadFull(br, r.body[start:]); err != nil {
		r.body = r.body[:start]
		return bodyError(err, "body")
	}
	return nil
}

func headError(err error, what string) error {
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return badResponse("%s longer than the read buffer", what)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("reading %s: %w", what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

func bodyError(err error, what string) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return headError(err, what)
}

func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// asciiEqualFold reports whether b equals the lower-case ASCII string s,
// ignoring the case of b.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
