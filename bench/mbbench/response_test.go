package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		status int
		body   string
		close  bool
		err    error // errors.Is target; nil: success
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello World!\n", 200, "Hello World!\n", false, nil},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nHello World!\n\r\n0\r\n\r\n", 200, "Hello World!\n", false, nil},
		{"chunked, several chunks, extension, trailer", "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n5;x=y\r\nHello\r\n8\r\n World!\n\r\n0\r\nX-Trailer: 1\r\n\r\n", 200, "Hello World!\n", false, nil},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true, nil},
		{"connection token list", "HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n", 200, "", true, nil},
		{"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 200, "ok", false, nil},
		{"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true, nil},
		{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, "ok", false, nil},
		{"no framing reads to EOF", "HTTP/1.1 200 OK\r\n\r\nuntil the end", 200, "until the end", true, nil},
		{"100 continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 201, "x", false, nil},
		{"204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 204, "", false, nil},
		{"status without reason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", 404, "", false, nil},
		{"empty input", "", 0, "", false, io.ErrUnexpectedEOF},
		{"truncated head", "HTTP/1.1 200 OK\r\nContent-Le", 0, "", false, io.ErrUnexpectedEOF},
		{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 200, "", false, io.ErrUnexpectedEOF},
		{"truncated chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", 200, "", false, io.ErrUnexpectedEOF},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", 0, "", false, errBadResponse},
		{"bad status code", "HTTP/1.1 2x0 OK\r\n\r\n", 0, "", false, errBadResponse},
		{"status code too long", "HTTP/1.1 2000 OK\r\n\r\n", 0, "", false, errBadResponse},
		{"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", 200, "", false, errBadResponse},
		{"bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200, "", false, errBadResponse},
		{"conflicting content-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 200, "", false, errBadResponse},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 200, "", false, errBadResponse},
		{"chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", 200, "", false, errBadResponse},
		{"unsupported transfer-encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 200, "", false, errBadResponse},
		{"body over the limit", "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", 200, "", false, errBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			err := readResponse(bufio.NewReaderSize(strings.NewReader(tt.input), 256), &r)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if r.status != tt.status || string(r.body) != tt.body || r.close != tt.close {
				t.Fatalf("got status %d body %q close %v, want %d %q %v", r.status, r.body, r.close, tt.status, tt.body, tt.close)
			}
		})
	}
}

// Pipelined responses on one reader are read one after the other.
func TestReadResponsePipelined(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc"
	br := bufio.NewReader(strings.NewReader(in))
	var r response
	for _, want := range []string{"a", "b", "c"} {
		if err := readResponse(br, &r); err != nil {
			t.Fatal(err)
		}
		if string(r.body) != want {
			t.Fatalf("body %q, want %q", r.body, want)
		}
	}
	if err := readResponse(br, &r); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("after the last response: %v, want unexpected EOF", err)
	}
}

// The load generator against a real net/http server on loopback, bounded
// by a request count: every request succeeds, on kept-alive and on
// per-request connections. No timing is asserted.
func TestRunLoadAgainstNetHTTP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, helloBody)
	})}
	go srv.Serve(l)
	defer srv.Close()
	for _, closeEach := range []bool{false, true} {
		res, err := runLoad(loadSpec{
			addr: l.Addr().String(), request: helloRequest(closeEach), conns: 4, closeEach: closeEach,
			expectBody: []byte(helloBody), duration: 20 * time.Second, maxRequests: 200,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.errors != 0 || res.requests < 200 {
			t.Fatalf("close=%v: %d requests, %d errors (first: %v)", closeEach, res.requests, res.errors, res.firstErr)
		}
		if res.latency.total != uint64(res.requests) {
			t.Fatalf("close=%v: %d latencies for %d requests", closeEach, res.latency.total, res.requests)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, 1000 * time.Microsecond}} {
		got := h.quantile(tt.q)
		if diff := got - tt.want; diff < -tt.want/30 || diff > tt.want/30 {
			t.Errorf("quantile(%v) = %v, want %v within 3.3%%", tt.q, got, tt.want)
		}
	}
}
