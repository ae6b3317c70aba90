package mbhttp

import (
	"bytes"
	"strings"
)

// decodeURI undoes URL encoding the way the original module does: "+"
// becomes a space, then every %XX (two hex digits) becomes its byte; other
// "%" signs stay as they are.
func decodeURI(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// encodeURI percent-encodes every byte except 0-9 A-Z a-z _ . ~ - (lower-case hex).
func encodeURI(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '~' || c == '-' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// encodeHTML escapes < > & and " as HTML entities.
func encodeHTML(s string) string {
	if !strings.ContainsAny(s, `<>&"`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// scanPairs finds every "key=value" where key and value contain none of the
// bytes in stop, with the same results as Lua's
// gmatch("([^<stop>]*)=([^<stop>]*)") but in linear time.
func scanPairs(data string, stop *stopSet, emit func(key, value string)) {
	isStop := func(c byte) bool { return stop[c] }
	i := 0
	for i <= len(data) {
		j := i
		for j < len(data) && !isStop(data[j]) {
			j++
		}
		if j < len(data) && data[j] == '=' {
			k := j + 1
			for k < len(data) && !isStop(data[k]) {
				k++
			}
			emit(data[i:j], data[j+1:k])
			i = k
			continue
		}
		// No match can start anywhere in data[i:j]: all of them run to j.
		i = j + 1
	}
}

// stopSet marks the bytes that end a key or value in scanPairs ('=' and
// the separators).
type stopSet [256]bool

func newStopSet(separators string) *stopSet {
	var s stopSet
	s['='] = true
	for i := 0; i < len(separators); i++ {
		s[separators[i]] = true
	}
	return &s
}

var (
	formStops   = newStopSet("?&")
	cookieStops = newStopSet("; ")
)

// parseURLEncoded calls add for every decoded key/value pair of an
// application/x-www-form-urlencoded string (query strings included).
func parseURLEncoded(data string, add func(key, value string)) {
	scanPairs(data, formStops, func(k, v string) { add(decodeURI(k), decodeURI(v)) })
}

// parseCookies calls set for every decoded cookie of a Cookie header value.
func parseCookies(line string, set func(key, value string)) {
	scanPairs(line, cookieStops, func(k, v string) { set(decodeURI(k), decodeURI(v)) })
}

// mediaType splits a Content-Type value into its lower-cased media type
// and its parameters (names lower-cased, quotes removed).
func mediaType(v string) (string, map[string]string) {
	typ, rest, _ := strings.Cut(v, ";")
	typ = strings.ToLower(strings.Trim(typ, " \t"))
	var params map[string]string
	for rest != "" {
		var part string
		part, rest = cutParam(rest)
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.Trim(name, " \t"))
		value = strings.Trim(value, " \t")
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		if params == nil {
			params = make(map[string]string)
		}
		params[name] = value
	}
	return typ, params
}

// cutParam returns the text up to the next ';' outside quotes.
func cutParam(s string) (string, string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// dispositionParam extracts a parameter (e.g. name or filename) from a
// Content-Disposition value; ok is false when it is absent.
func dispositionParam(v, param string) (string, bool) {
	_, rest, _ := strings.Cut(v, ";")
	for rest != "" {
		var part string
		part, rest = cutParam(rest)
		name, value, ok := strings.Cut(part, "=")
		if !ok || !strings.EqualFold(strings.Trim(name, " \t"), param) {
			continue
		}
		value = strings.Trim(value, " \t")
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		return value, true
	}
	return "", false
}

// partHeaderLimit bounds the header block of one multipart part.
const partHeaderLimit = 64 * 1024

// multipartSink receives the parts of a multipart/form-data body.
type multipartSink interface {
	// begin starts a part; hasName is false for a part without a name.
	begin(name string, hasName bool, fileName string, hasFileName bool, contentType string, hasContentType bool) error
	// data delivers the next bytes of the current part (possibly empty);
	// the slice is only valid during the call.
	data(chunk []byte) error
	// end finishes the current part.
	end() error
}

// multipartParser is a streaming multipart/form-data parser. It keeps at
// most one input chunk plus the delimiter length in memory.
type multipartParser struct {
	delim      []byte // "--boundary" before the first part, "\r\n--boundary" after
	sink       multipartSink
	buf        []byte
	state      int
	terminated bool
}

const (
	mpPreamble = iota
	mpAfterBoundary
	mpHeaders
	mpBody
	mpDone
)

func newMultipartParser(boundary string, sink multipartSink) *multipartParser {
	return &multipartParser{delim: []byte("--" + boundary), sink: sink}
}

// feed processes the next piece of the body; eof marks its end.
func (p *multipartParser) feed(chunk []byte, eof bool) error {
	if p.state == mpDone {
		return nil
	}
	p.buf = append(p.buf, chunk...)
	for {
		switch p.state {
		case mpPreamble:
			i := bytes.Index(p.buf, p.delim)
			if i < 0 {
				// keep only what could be the start of the delimiter
				if keep := len(p.delim) - 1; len(p.buf) > keep {
					p.buf = append(p.buf[:0], p.buf[len(p.buf)-keep:]...)
				}
				return p.checkEOF(eof)
			}
			p.buf = p.buf[i+len(p.delim):]
			p.delim = append([]byte("\r\n"), p.delim...)
			p.state = mpAfterBoundary
		case mpAfterBoundary:
			if len(p.buf) < 2 {
				return p.checkEOF(eof)
			}
			switch string(p.buf[:2]) {
			case "\r\n":
				p.buf = p.buf[2:]
				p.state = mpHeaders
			case "--":
				p.state = mpDone
				p.terminated = true
				p.buf = nil
				return nil
			default:
				return badRequest("error while parsing multipart body (expected CRLF or double minus after boundary)")
			}
		case mpHeaders:
			i := bytes.Index(p.buf, []byte("\r\n\r\n"))
			if i < 0 && bytes.HasPrefix(p.buf, []byte("\r\n")) {
				i = -2 // part without header lines
			}
			if i == -1 {
				if len(p.buf) > partHeaderLimit {
					return &protocolError{Status: status431, Text: "header block of a multipart/form-data part too large"}
				}
				return p.checkEOF(eof)
			}
			var block []byte
			if i >= 0 {
				block = p.buf[:i]
				p.buf = p.buf[i+4:]
			} else {
				p.buf = p.buf[2:]
			}
			if err := p.beginPart(block); err != nil {
				return err
			}
			p.state = mpBody
		case mpBody:
			i := bytes.Index(p.buf, p.delim)
			if i < 0 {
				if safe := len(p.buf) - len(p.delim); safe > 0 {
					if err := p.sink.data(p.buf[:safe]); err != nil {
						return err
					}
					p.buf = append(p.buf[:0], p.buf[safe:]...)
				}
				return p.checkEOF(eof)
			}
			if i > 0 {
				if err := p.sink.data(p.buf[:i]); err != nil {
					return err
				}
			}
			if err := p.sink.end(); err != nil {
				return err
			}
			p.buf = p.buf[i+len(p.delim):]
			p.state = mpAfterBoundary
		default:
			return nil
		}
	}
}

func (p *multipartParser) checkEOF(eof bool) error {
	if eof && !p.terminated {
		return badRequest("premature end of multipart/form-data request body")
	}
	return nil
}

func (p *multipartParser) beginPart(block []byte) error {
	var name, fileName, contentType string
	var hasName, hasFile, hasType bool
	for len(block) > 0 {
		var line []byte
		if i := bytes.Index(block, []byte("\r\n")); i >= 0 {
			line, block = block[:i], block[i+2:]
		} else {
			line, block = block, nil
		}
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return badRequest("invalid header in multipart/form-data part")
		}
		v := string(bytes.Trim(value, " \t"))
		switch strings.ToLower(string(bytes.Trim(key, " \t"))) {
		case "content-disposition":
			name, hasName = dispositionParam(v, "name")
			fileName, hasFile = dispositionParam(v, "filename")
		case "content-type":
			contentType, hasType = v, true
		case "content-transfer-encoding":
			return badRequest("Content-Transfer-Encoding not supported by multipart/form-data parser")
		}
	}
	return p.sink.begin(name, hasName, fileName, hasFile, contentType, hasType)
}
