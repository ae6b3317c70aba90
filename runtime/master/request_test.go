package master

import (
	"strings"
	"testing"
)

func TestRequestScan(t *testing.T) {
	const limit = 200
	post := func(length, body string) string {
		return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n" + body
	}
	tests := []struct {
		name  string
		in    string
		ready bool
	}{
		{"nothing", "", false},
		{"request line", "GET / HTTP/1.1\r\n", false},
		{"partial header", "GET / HTTP/1.1\r\nHost: x\r\n", false},
		{"CR of the last line", "GET / HTTP/1.1\r\nHost: x\r\n\r", false},
		{"complete", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"no header fields", "GET / HTTP/1.0\r\n\r\n", true},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", true},
		{"leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"only empty lines", "\r\n\r\n", false},
		{"pipelined", "GET / HTTP/1.1\r\n\r\nGET /", true},
		{"not HTTP: TLS record", "\x16\x03\x01\x02\x00", true},
		{"not HTTP: space first", " GET / HTTP/1.1\r\n", true},
		{"body waited for", post("5", "abc"), false},
		{"body complete", post("5", "abcde"), true},
		{"body header case", "POST / HTTP/1.1\r\ncOnTeNt-LeNgTh:  3 \r\n\r\nab", false},
		{"empty body", post("0", ""), true},
		{"body larger than the limit", post("1000", "ab"), true},
		{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", true},
		{"expect continue", "POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", true},
		{"bad length", post("5x", ""), true},
		{"negative length", post("-1", ""), true},
		{"two lengths", "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", true},
		{"head at the limit", "GET /" + strings.Repeat("a", limit), true},
		{"empty lines at the limit", strings.Repeat("\r\n", limit/2), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s requestScan
			if got := s.update([]byte(tc.in), limit); got != tc.ready {
				t.Errorf("all at once: ready = %v, want %v", got, tc.ready)
			}
			// The same bytes arriving one at a time end the same way, and
			// no prefix is ready before the whole request is there.
			var inc requestScan
			got := false
			for i := 1; i <= len(tc.in) && !got; i++ {
				got = inc.update([]byte(tc.in[:i]), limit)
			}
			if got != tc.ready {
				t.Errorf("byte by byte: ready = %v, want %v", got, tc.ready)
			}
		})
	}
}

// FuzzRequestScan: the scan never panics, and it decides the same
// whether the bytes arrive at once or in two pieces.
func FuzzRequestScan(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		"\r\n\nGET /\n\n",
		"\x16\x03\x01",
		"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
	} {
		f.Add([]byte(seed), uint(len(seed)/2))
	}
	f.Fuzz(func(t *testing.T, b []byte, cut uint) {
		const limit = 256
		var whole requestScan
		want := whole.update(b, limit)
		var parts requestScan
		k := int(cut % uint(len(b)+1))
		got := parts.update(b[:k], limit)
		if !got {
			got = parts.update(b, limit)
		}
		if got != want {
			t.Errorf("%q: at once %v, cut at %d %v", b, want, k, got)
		}
	})
}
