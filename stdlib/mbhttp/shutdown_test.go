package mbhttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readResponse reads one response with a Content-Length or chunked body.
func readResponse(t *testing.T, br *bufio.Reader) *http.Response {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatalf("read response body: %v", err)
	}
	resp.Body.Close()
	return resp
}

// TestRealSigtermIdleKeepAlive: a keep-alive connection idles in the
// worker; SIGTERM to the master must close it and end the server promptly
// with exit code 0.
func TestRealSigtermIdleKeepAlive(t *testing.T) {
	s := startMbrun(t, "conformance.lua", 2)
	c, err := net.Dial("tcp", s.addr(s.ports[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if resp := readResponse(t, br); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first response: %d close=%v", resp.StatusCode, resp.Close)
	}
	time.Sleep(200 * time.Millisecond) // the worker is now in its idle wait
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The idle connection is closed without a response.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after SIGTERM: read %q, %v; want a clean EOF", rest, err)
	}
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("server still running 5s after SIGTERM")
	}
	t.Logf("server exited %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if s.err != nil {
		t.Errorf("server exit: %v, want code 0", s.err)
	}
}

// TestRealSigtermDuringRequest: SIGTERM arrives while a request runs; its
// response is completed with Connection: close and the server exits 0.
func TestRealSigtermDuringRequest(t *testing.T) {
	s := startMbrun(t, "conformance.lua", 2)
	c, err := net.Dial("tcp", s.addr(s.ports[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(300 * time.Millisecond) // the handler is running
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp := readResponse(t, br)
	if resp.StatusCode != 200 || !resp.Close {
		t.Errorf("response during shutdown: %d, Connection: close = %v", resp.StatusCode, resp.Close)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the response: %q, %v; want EOF", rest, err)
	}
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("server still running 5s after SIGTERM")
	}
	if s.err != nil {
		t.Errorf("server exit: %v, want code 0", s.err)
	}
}

// TestRealWriteStall: a client that requests 64 MiB and reads nothing must
// not hold the worker longer than stall_timeout (1s on the small port).
func TestRealWriteStall(t *testing.T) {
	s := startMbrun(t, "conformance.lua", 2)
	c, err := net.Dial("tcp", s.addr(s.ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4096)
	io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	const msg = "client accepted no data for stall_timeout"
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.log.String(), msg) {
		if time.Now().After(deadline) {
			t.Fatalf("no stall error logged within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The connection was reset: reading ends with an error, not after 64 MiB.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err == nil || n >= 64<<20 {
		t.Errorf("client read %d bytes, err %v; want a reset before the whole body", n, err)
	}
	// The server still answers.
	out, err := exchange(s.addr(s.ports[0]), "GET /status/204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5*time.Second)
	if err != nil || !strings.HasPrefix(out, "HTTP/1.1 204 ") {
		t.Errorf("after the stall: %q, %v", out, err)
	}
}
