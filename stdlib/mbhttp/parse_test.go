package mbhttp

import (
	"bufio"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseHead parses a complete request head the way conn.readHead does,
// for tests and fuzzing without a socket.
func parseHead(raw string, bodyLimit int64) (*requestHead, error) {
	r := bufio.NewReader(strings.NewReader(raw))
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, badRequest("unexpected EOF")
	}
	rl, err := trimLineEnd([]byte(line), "request line")
	if err != nil {
		return nil, err
	}
	h := &requestHead{}
	if h.Method, h.Target, h.HTTP10, err = parseRequestLine(rl); err != nil {
		return nil, err
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, badRequest("unexpected EOF")
		}
		hl, err := trimLineEnd([]byte(line), "header line")
		if err != nil {
			return nil, err
		}
		if len(hl) == 0 {
			break
		}
		f, err := parseHeaderLine(hl)
		if err != nil {
			return nil, err
		}
		h.Fields = append(h.Fields, f)
	}
	if err := validateHead(h, bodyLimit); err != nil {
		return nil, err
	}
	return h, nil
}

func statusOf(err error) string {
	var pe *protocolError
	if errors.As(err, &pe) {
		return pe.Status[:3]
	}
	if err != nil {
		return "???"
	}
	return ""
}

func TestParseHead(t *testing.T) {
	tests := []struct {
		name, raw string
		status    string // "" = accepted
		check     func(*requestHead) bool
	}{
		{"simple", "GET /a/b?c=d HTTP/1.1\r\nHost: h\r\n\r\n", "", func(h *requestHead) bool {
			return h.Method == "GET" && h.Path == "a/b" && h.Query == "?c=d" && h.Host == "h" && h.ContentLength == -1
		}},
		{"absolute form", "GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n", "", func(h *requestHead) bool { return h.Path == "x" && h.Query == "?y" }},
		{"absolute form other host", "GET http://other/x HTTP/1.1\r\nHost: h\r\n\r\n", "400", nil},
		{"options star", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "", func(h *requestHead) bool { return !h.HasPath }},
		{"star not options", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", "400", nil},
		{"content length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0012\r\n\r\n", "", func(h *requestHead) bool { return h.ContentLength == 12 }},
		{"same content lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", "", func(h *requestHead) bool { return h.ContentLength == 5 }},
		{"differing content lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "400", nil},
		{"negative content length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", "400", nil},
		{"plus content length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", "400", nil},
		{"huge content length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", "413", nil},
		{"over body limit", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n", "413", nil},
		{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n", "", func(h *requestHead) bool { return h.Chunked }},
		{"cl and te", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "400", nil},
		{"te gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "400", nil},
		{"te twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "400", nil},
		{"missing host", "GET / HTTP/1.1\r\n\r\n", "400", nil},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400", nil},
		{"http/1.0 te", "POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", "400", nil},
		{"http/0.9", "GET /\r\n\r\n", "505", nil},
		{"http/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", "505", nil},
		{"garbage version", "GET / FOO\r\nHost: h\r\n\r\n", "400", nil},
		{"expect continue", "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n", "", func(h *requestHead) bool { return h.ExpectContinue }},
		{"expect other", "PUT / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n", "417", nil},
		{"connection close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n", "", func(h *requestHead) bool { return h.Close }},
		{"obs fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", "400", nil},
		{"bare LF in header", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", "400", nil},
		{"bare LF request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", "400", nil},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", "400", nil},
		{"CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", "400", nil},
		{"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", "400", nil},
		{"no colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", "400", nil},
		{"bad method char", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", "400", nil},
		{"double space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "400", nil},
		{"relative target", "GET foo HTTP/1.1\r\nHost: h\r\n\r\n", "400", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := parseHead(tt.raw, 1000)
			if got := statusOf(err); got != tt.status {
				t.Fatalf("status %q (err %v), want %q", got, err, tt.status)
			}
			if err == nil && tt.check != nil && !tt.check(h) {
				t.Errorf("parsed head wrong: %+v", h)
			}
		})
	}
}

func TestParseChunkSize(t *testing.T) {
	tests := []struct {
		line string
		n    int64
		bad  bool
	}{
		{"0", 0, false}, {"000", 0, false}, {"1a", 26, false}, {"FF;ext=1", 255, false},
		{"10 ; x", 16, false}, {"", 0, true}, {"x", 0, true}, {"-1", 0, true},
		{"1 2", 0, true}, {"0x10", 0, true}, {"12345678901234", 0, true}, {"00000000000000001", 1, false},
	}
	for _, tt := range tests {
		n, err := parseChunkSize([]byte(tt.line))
		if (err != nil) != tt.bad || (!tt.bad && n != tt.n) {
			t.Errorf("parseChunkSize(%q) = %d, %v; want %d, bad=%v", tt.line, n, err, tt.n, tt.bad)
		}
	}
}

func TestURLEncoded(t *testing.T) {
	tests := []struct {
		in   string
		want [][2]string
	}{
		{"a=1&b=2&a=3", [][2]string{{"a", "1"}, {"b", "2"}, {"a", "3"}}},
		{"?x=%41%42+c&y", [][2]string{{"x", "AB c"}}},
		{"a=b=c", [][2]string{{"a", "b"}, {"", "c"}}},
		{"novalue&k=", [][2]string{{"k", ""}}},
		{"%zz=%4", [][2]string{{"%zz", "%4"}}},
		{"%2B=+", [][2]string{{"+", " "}}},
		{"", nil},
	}
	for _, tt := range tests {
		var got [][2]string
		parseURLEncoded(tt.in, func(k, v string) { got = append(got, [2]string{k, v}) })
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseURLEncoded(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCookiesAndEncoding(t *testing.T) {
	got := map[string]string{}
	parseCookies("a=1; b=x%20y;c=3; a=4", func(k, v string) { got[k] = v })
	want := map[string]string{"a": "4", "b": "x y", "c": "3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cookies %v, want %v", got, want)
	}
	if s := encodeURI("a b/ü~._-"); s != "a%20b%2f%c3%bc~._-" {
		t.Errorf("encodeURI = %q", s)
	}
	if s := encodeHTML(`<a href="x">&</a>`); s != "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;" {
		t.Errorf("encodeHTML = %q", s)
	}
	if s := decodeURI("a+b%41%4"); s != "a bA%4" {
		t.Errorf("decodeURI = %q", s)
	}
}

// recordSink records multipart events as text.
type recordSink struct{ events []string }

func (r *recordSink) begin(name string, hasName bool, fileName string, hasFile bool, ct string, hasCT bool) error {
	r.events = append(r.events, "begin "+name+"|"+fileName+"|"+ct)
	return nil
}
func (r *recordSink) data(chunk []byte) error {
	n := len(r.events) - 1
	if strings.HasPrefix(r.events[n], "data ") {
		r.events[n] += string(chunk)
	} else {
		r.events = append(r.events, "data "+string(chunk))
	}
	return nil
}
func (r *recordSink) end() error { r.events = append(r.events, "end"); return nil }

func TestMultipartParser(t *testing.T) {
	body := "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue a\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x;y.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
		"line1\r\n--XyNot a boundary\r\n--X\r\n" +
		"--XyZ--\r\nepilogue"
	want := []string{"begin a||", "data value a", "end", "begin f|x;y.txt|text/plain", "data line1\r\n--XyNot a boundary\r\n--X", "end"}
	for _, size := range []int{1, 2, 3, 7, 64, len(body)} {
		sink := &recordSink{}
		p := newMultipartParser("XyZ", sink)
		for i := 0; i < len(body); i += size {
			end := min(i+size, len(body))
			if err := p.feed([]byte(body[i:end]), false); err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
		}
		if err := p.feed(nil, true); err != nil {
			t.Fatalf("size %d: eof: %v", size, err)
		}
		if !reflect.DeepEqual(sink.events, want) {
			t.Errorf("size %d: events %q, want %q", size, sink.events, want)
		}
	}
	bad := []string{
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nunterminated",
		"--XyZxx",
		"--XyZ\r\nno colon line\r\n\r\nv\r\n--XyZ--",
		"--XyZ\r\nContent-Transfer-Encoding: base64\r\n\r\nv\r\n--XyZ--",
	}
	for _, b := range bad {
		p := newMultipartParser("XyZ", &recordSink{})
		err := p.feed([]byte(b), false)
		if err == nil {
			err = p.feed(nil, true)
		}
		if statusOf(err) != "400" {
			t.Errorf("body %q: err %v, want a 400", b, err)
		}
	}
}
