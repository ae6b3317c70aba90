package mbhttp

import (
	"strings"
	"testing"
)

// FuzzRequestHead checks that any request head is either rejected with a
// protocol error or parsed into a self-consistent result, never panics.
// Seeds live in testdata/fuzz/FuzzRequestHead and run with plain go test.
func FuzzRequestHead(f *testing.F) {
	f.Add("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Add("POST /x?y=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		h, err := parseHead(raw, 1<<20)
		if err != nil {
			if statusOf(err) == "???" {
				t.Fatalf("non-protocol error %v", err)
			}
			return
		}
		if h.Chunked && h.ContentLength >= 0 {
			t.Fatalf("accepted both chunked and Content-Length: %q", raw)
		}
		if h.ContentLength > 1<<20 {
			t.Fatalf("accepted Content-Length over the limit: %q", raw)
		}
		if h.Host == "" && strings.Contains(strings.ToLower(raw), "host:") == false {
			t.Fatalf("accepted without Host: %q", raw)
		}
		if strings.ContainsAny(h.Method+h.Target, " \r\n\x00") {
			t.Fatalf("method/target with separators: %q", raw)
		}
		for _, f := range h.Fields {
			if strings.ContainsAny(f.Value, "\r\n\x00") || strings.ContainsAny(f.Lower, " :\t\r\n") {
				t.Fatalf("bad field accepted: %q", raw)
			}
		}
	})
}

// FuzzChunkAndForms exercises the chunk-size, urlencoded and multipart parsers.
func FuzzChunkAndForms(f *testing.F) {
	f.Add("1a;x", "a=1&b=%41", "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b--")
	f.Fuzz(func(t *testing.T, chunkLine, form, multipart string) {
		if n, err := parseChunkSize([]byte(chunkLine)); err == nil && (n < 0 || n >= 1<<52) {
			t.Fatalf("chunk size %d from %q", n, chunkLine)
		}
		parseURLEncoded(form, func(k, v string) {
			if len(k)+len(v) > len(form) {
				t.Fatalf("pair longer than input")
			}
		})
		sink := &recordSink{}
		p := newMultipartParser("b", sink)
		half := len(multipart) / 2
		if err := p.feed([]byte(multipart[:half]), false); err == nil {
			_ = p.feed([]byte(multipart[half:]), true)
		}
	})
}
