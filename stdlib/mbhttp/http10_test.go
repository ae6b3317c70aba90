package mbhttp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHTTP10 runs HTTP/1.0 clients against a real server: raw exchanges
// (close-delimited and Content-Length bodies, keep-alive only on request),
// curl --http1.0 and ab.
func TestHTTP10(t *testing.T) {
	s := startMbrun(t, "conformance.lua", 2)
	addr := s.addr(s.ports[0])
	t.Run("raw", func(t *testing.T) { testHTTP10Raw(t, addr) })
	t.Run("keep-alive", func(t *testing.T) { testHTTP10KeepAlive(t, addr) })
	t.Run("curl", func(t *testing.T) { testHTTP10Curl(t, addr) })
	t.Run("ab", func(t *testing.T) { testHTTP10Ab(t, addr) })
}

func testHTTP10Raw(t *testing.T, addr string) {
	tests := []struct {
		name, req string
		want      []string
		not       []string
	}{
		// No Content-Length: the body is not chunked and ends with the connection.
		{"close-delimited", "GET /status/200 HTTP/1.0\r\nHost: x\r\n\r\n",
			[]string{"HTTP/1.1 200 Status\r\n", "Connection: close\r\n", "\r\n\r\nbody"}, []string{"chunked", "0\r\n\r\n"}},
		{"content-length", "GET /cl HTTP/1.0\r\n\r\n",
			[]string{"Content-Length: 5\r\n", "Connection: close\r\n", "\r\n\r\nhello"}, []string{"chunked"}},
		{"post body", "POST /body HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
			[]string{"\r\n\r\n[abc]"}, []string{"chunked"}},
		{"no host", "GET /x HTTP/1.0\r\n\r\n", []string{"HTTP/1.1 200 OK\r\n", "path=x\n"}, nil},
		{"expect ignored", "POST /body HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz",
			[]string{"[z]"}, []string{"100 Continue"}},
		{"error", "GET /nostatus HTTP/1.0\r\n\r\n", []string{"HTTP/1.1 500 "}, []string{"chunked"}},
	}
	for _, tt := range tests {
		out, err := exchange(addr, tt.req, 10*time.Second)
		if err != nil {
			t.Errorf("%s: %v (got %q)", tt.name, err, out)
			continue
		}
		if !dateHeader.MatchString(out) {
			t.Errorf("%s: no Date header in %q", tt.name, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: missing %q in %q", tt.name, w, out)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out, n) {
				t.Errorf("%s: unexpected %q in %q", tt.name, n, out)
			}
		}
	}
}

// testHTTP10KeepAlive: with "Connection: keep-alive" and a Content-Length
// response the connection stays open for the next request; a response
// without Content-Length closes it anyway.
func testHTTP10KeepAlive(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for i := 0; i < 3; i++ {
		fmt.Fprintf(c, "GET /cl HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		head, body := readCLResponse(t, r)
		if !strings.Contains(head, "Connection: keep-alive\r\n") || body != "hello" {
			t.Fatalf("request %d: head %q body %q", i+1, head, body)
		}
	}
	fmt.Fprintf(c, "GET /status/200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("close-delimited response after keep-alive: %v", err)
	}
	if !strings.Contains(string(rest), "Connection: close\r\n") || !strings.HasSuffix(string(rest), "\r\n\r\nbody") {
		t.Errorf("close-delimited response: %q", rest)
	}
}

var contentLength = regexp.MustCompile(`(?i)\r\ncontent-length: ([0-9]+)\r\n`)

// readCLResponse reads one response with a Content-Length body.
func readCLResponse(t *testing.T, r *bufio.Reader) (head, body string) {
	t.Helper()
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading head: %v (got %q)", err, b.String())
		}
		b.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	head = b.String()
	m := contentLength.FindStringSubmatch(head)
	if m == nil {
		t.Fatalf("no Content-Length in %q", head)
	}
	var n int
	fmt.Sscan(m[1], &n)
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return head, string(buf)
}

func testHTTP10Curl(t *testing.T, addr string) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed (apt-get install -y curl)")
	}
	for path, want := range map[string]string{"status/200": "body", "cl": "hello", "q?a=1": "get.a=1"} {
		out, err := exec.Command(curl, "-sS", "--http1.0", "--max-time", "10", "-i", "http://"+addr+"/"+path).CombinedOutput()
		if err != nil {
			t.Errorf("curl --http1.0 /%s: %v\n%s", path, err, out)
			continue
		}
		if !strings.Contains(string(out), want) || !strings.Contains(string(out), "\nDate: ") {
			t.Errorf("curl --http1.0 /%s: %q, want %q and a Date header", path, out, want)
		}
	}
}

func testHTTP10Ab(t *testing.T, addr string) {
	ab, err := exec.LookPath("ab")
	if err != nil {
		t.Skip("ab not installed (apt-get install -y apache2-utils)")
	}
	for _, args := range [][]string{
		{"-n", "300", "-c", "4"},       // a connection per request, close-delimited bodies
		{"-k", "-n", "300", "-c", "4"}, // HTTP/1.0 keep-alive, Content-Length bodies
	} {
		path := "/status/200"
		if args[0] == "-k" {
			path = "/cl"
		}
		cmd := exec.Command(ab, append(append([]string{"-q", "-s", "10"}, args...), "http://"+addr+path)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("ab %v: %v\n%s", args, err, out)
			continue
		}
		text := string(out)
		for _, want := range []string{"Complete requests:      300", "Failed requests:        0"} {
			if !strings.Contains(text, want) {
				t.Errorf("ab %v: missing %q in\n%s", args, want, text)
			}
		}
		if args[0] == "-k" && !strings.Contains(text, "Keep-Alive requests:    300") {
			t.Errorf("ab -k: connections were not kept alive:\n%s", text)
		}
	}
}
