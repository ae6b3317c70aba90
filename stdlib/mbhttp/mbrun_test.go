package mbhttp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/moonbridge-go/moonbridge/runtime/cli/clitest"
	"hash"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file run the module inside a real server: cmd/mbrun,
// built once in TestMain, started as a process with testdata/conformance.lua
// (a master and forked workers), and driven over loopback sockets.

var (
	mbrunPath     string // built mbrun binary, "" when the build failed
	mbrunBuildErr error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mbhttp-mbrun-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mbhttp tests: temp dir:", err)
		os.Exit(1)
	}
	mbrunPath, mbrunBuildErr = clitest.BuildMbrun(dir, false)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mbrunServer is a running mbrun process.
type mbrunServer struct {
	cmd    *exec.Cmd
	ports  []int
	log    *clitest.Buffer
	exited chan struct{}
	err    error // exit error, valid after exited is closed
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var lns []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// startMbrun starts mbrun with testdata/<app> and nports free ports as
// arguments, waits until every port accepts connections, and stops the
// process (by its pid) when the test ends.
func startMbrun(t *testing.T, app string, nports int, env ...string) *mbrunServer {
	t.Helper()
	if mbrunPath == "" {
		t.Fatalf("mbrun not available: %v", mbrunBuildErr)
	}
	ports := freePorts(t, nports)
	args := []string{filepath.Join("testdata", app)}
	for _, p := range ports {
		args = append(args, strconv.Itoa(p))
	}
	s := &mbrunServer{ports: ports, log: &clitest.Buffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(mbrunPath, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Env = append(os.Environ(), env...)
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start mbrun: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("server output:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for _, p := range ports {
		for {
			c, err := net.DialTimeout("tcp", s.addr(p), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-s.exited:
				t.Fatalf("mbrun exited at startup (%v):\n%s", s.err, s.log.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("mbrun did not listen on port %d within 15s:\n%s", p, s.log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return s
}

func (s *mbrunServer) addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// stop sends SIGTERM to the master and kills it if it has not exited
// within 10 seconds.
func (s *mbrunServer) stop(t *testing.T) {
	select {
	case <-s.exited:
		return
	default:
	}
	http.DefaultClient.CloseIdleConnections()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("mbrun (pid %d) did not exit within 10s of SIGTERM; killing it", s.cmd.Process.Pid)
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// exchange sends req on a new connection and reads until the server
// closes it. A connection reset is an error.
func exchange(addr, req string, timeout time.Duration) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		return "", fmt.Errorf("write request: %w", err)
	}
	c.SetReadDeadline(time.Now().Add(timeout))
	out, err := io.ReadAll(c)
	if err != nil {
		return string(out), fmt.Errorf("read response: %w", err)
	}
	return string(out), nil
}

// realCase is one raw exchange with the real server.
type realCase struct {
	name   string
	big    bool   // use the port with large limits
	req    string // raw bytes sent at once
	status string // the first response's status code
	want   []string
	count  map[string]int // substring -> exact number of occurrences
	not    []string
}

func smugglingAndErrorCases() []realCase {
	long := strings.Repeat("a", 2000)
	// Every error answer is plain text, closes the connection, and
	// nothing sent after the bad request is answered.
	errCase := func(name, req, status string) realCase {
		return realCase{name: name, req: req + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", status: status,
			want:  []string{"Connection: close\r\n", "Content-Type: text/plain\r\n"},
			count: map[string]int{"HTTP/1.1 ": 1}, not: []string{"path=smuggled"}}
	}
	return []realCase{
		errCase("400 no host", "GET / HTTP/1.1\r\n\r\n", "400"),
		errCase("400 two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"),
		errCase("400 http/1.0 te", "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
		errCase("505 http/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"),
		errCase("400 bad version", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", "400"),
		errCase("400 cl+te", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
		errCase("400 te+cl", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n", "400"),
		errCase("400 differing cl", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 4\r\n\r\nabcde", "400"),
		errCase("400 cl list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nabcde", "400"),
		errCase("400 signed cl", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nabcde", "400"),
		errCase("400 space before colon", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nabcde", "400"),
		errCase("400 te gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "400"),
		errCase("400 te xchunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", "400"),
		errCase("400 te twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
		errCase("400 obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", "400"),
		errCase("400 bare lf", "GET / HTTP/1.1\nHost: x\n\n", "400"),
		errCase("400 nul in value", "GET / HTTP/1.1\r\nHost: x\r\nX: \x00\r\n\r\n", "400"),
		errCase("400 cr in value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", "400"),
		errCase("400 chunk size 0x", "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", "400"),
		errCase("400 bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"),
		errCase("400 chunk without crlf", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", "400"),
		errCase("400 bad target", "GET x HTTP/1.1\r\nHost: x\r\n\r\n", "400"),
		errCase("417 expect", "POST / HTTP/1.1\r\nHost: x\r\nExpect: nonsense\r\nContent-Length: 1\r\n\r\nx", "417"),
		errCase("413 content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", "413"),
		errCase("413 chunked", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n"+strings.Repeat("x", 0x2000)+"\r\n0\r\n\r\n", "413"),
		errCase("415 post_params of json", "POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", "415"),
		errCase("414 long target", "GET /"+long+" HTTP/1.1\r\nHost: x\r\n\r\n", "414"),
		errCase("431 long header", "GET / HTTP/1.1\r\nHost: x\r\nX: "+long+"\r\n\r\n", "431"),
		errCase("500 handler error", "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", "500"),
		errCase("500 no status", "GET /nostatus HTTP/1.1\r\nHost: x\r\n\r\n", "500"),
		{name: "408 header timeout", req: "GET / HTTP/1.1\r\nHost: x\r\n", status: "408",
			want: []string{"Connection: close\r\n", "Content-Type: text/plain\r\n"}},
		{name: "408 body timeout", req: "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", status: "408",
			want: []string{"Connection: close\r\n"}},
		{name: "408 idle", req: "", status: "408", want: []string{"Connection: close\r\n"}},
	}
}

func protocolCases() []realCase {
	return []realCase{
		{name: "pipelined keep-alive",
			req:    "GET /one?x=1&x=2&y=%41 HTTP/1.1\r\nHost: h1\r\n\r\nGET /two HTTP/1.1\r\nHost: h2\r\nConnection: close\r\n\r\n",
			status: "200",
			want:   []string{"path=one\n", "query=?x=1&x=2&y=%41\n", "get.x=1\n", "getn.x=2\n", "get.y=A\n", "host=h1\n", "path=two\n", "host=h2\n", "Connection: close\r\n"},
			count:  map[string]int{"HTTP/1.1 200 OK\r\n": 2, "Connection: close": 1}},
		{name: "absolute target", req: "GET http://h/abs?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			status: "200", want: []string{"path=abs\n", "query=?q=1\n"}},
		{name: "headers and cookies",
			req:    "GET /headers HTTP/1.1\r\nHost: x\r\nUser-Agent: raw\r\nX-Multi: a, b\r\nx-multi: c\r\nCookie: sid=abc; theme=dark%20blue\r\nConnection: close\r\n\r\n",
			status: "200",
			want:   []string{"ua=raw\n", "csv=a, b, c\n", "value=false\n", "flag=true\n", "noflag=false\n", "n=3\n", "cookie.sid=abc\n", "cookie.theme=dark blue\n"}},
		{name: "urlencoded post",
			req:    "POST /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 19\r\nConnection: close\r\n\r\na=1&a=2&b+c=x%26y&z",
			status: "200", want: []string{"post.a=1\n", "postn.a=2\n", "post.b c=x&y\n", "get.q=1\n"}, not: []string{"post.z"}},
		{name: "chunked body with trailer then pipelined",
			req: "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-Field: v\r\n\r\n" +
				"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
			status: "200", want: []string{"[hello world]", "[abc]"}, count: map[string]int{"HTTP/1.1 200 OK": 2}},
		{name: "chunked urlencoded form",
			req: "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
				"3\r\nk=v\r\n4\r\n&k=w\r\n0\r\n\r\n",
			status: "200", want: []string{"post.k=v\n", "postn.k=2\n"}},
		{name: "non-form body left to the app",
			req:    "POST /rawjson HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{\"a\":1}",
			status: "200", want: []string{"got 7"}},
		{name: "unread non-form body drained",
			req:    "POST /status/200 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}GET /status/204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			status: "200", count: map[string]int{"HTTP/1.1 200 Status": 1, "HTTP/1.1 204 Status": 1}},
		{name: "204 304 205 and HEAD",
			req: "GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\nGET /status/304 HTTP/1.1\r\nHost: x\r\n\r\n" +
				"GET /status/205 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /status/200 HTTP/1.1\r\nHost: x\r\n\r\n" +
				"GET /status/200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			status: "204",
			want: []string{"HTTP/1.1 204 Status\r\n\r\nHTTP/1.1 304 Status\r\n\r\nHTTP/1.1 205 Status\r\nContent-Length: 0\r\n\r\n" +
				"HTTP/1.1 200 Status\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"HTTP/1.1 200 Status\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nbody\r\n0\r\n\r\n"}},
		{name: "1xx then final", req: "GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", status: "103",
			want: []string{"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"}},
		{name: "content-length response", req: "GET /cl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", status: "200",
			want: []string{"Content-Length: 5\r\n", "\r\n\r\nhello"}, not: []string{"chunked"}},
		{name: "monologue closes", req: "GET /monologue HTTP/1.1\r\nHost: x\r\n\r\nGET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n", status: "200",
			want: []string{"Connection: close\r\n", "bye"}, count: map[string]int{"HTTP/1.1 ": 1}},
		{name: "early response drained keep-alive", big: true,
			req:    "POST /forbid HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("z", 100000) + "GET /status/200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			status: "403", count: map[string]int{"HTTP/1.1 403 Forbidden": 1, "HTTP/1.1 200 Status": 1}},
	}
}

func runRealCases(t *testing.T, s *mbrunServer, cases []realCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := s.ports[0]
			if tc.big {
				port = s.ports[1]
			}
			out, err := exchange(s.addr(port), tc.req, 10*time.Second)
			if err != nil {
				t.Fatalf("%v (got %q)", err, out)
			}
			out = withoutDate(out)
			if !strings.HasPrefix(out, "HTTP/1.1 "+tc.status+" ") {
				t.Fatalf("status line %q, want %s; response:\n%q", firstLine(out), tc.status, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%q", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("unexpected %q in\n%q", n, out)
				}
			}
			for sub, n := range tc.count {
				if got := strings.Count(out, sub); got != n {
					t.Errorf("%q occurs %d times, want %d, in\n%q", sub, got, n, out)
				}
			}
		})
	}
}

// TestRealServer drives one mbrun process with raw, net/http and curl
// clients.
func TestRealServer(t *testing.T) {
	s := startMbrun(t, "conformance.lua", 2)
	t.Run("raw", func(t *testing.T) {
		runRealCases(t, s, append(protocolCases(), smugglingAndErrorCases()...))
	})
	t.Run("net/http keep-alive", func(t *testing.T) { testRealKeepAlive(t, s) })
	t.Run("net/http multipart", func(t *testing.T) { testRealMultipart(t, s) })
	t.Run("100-continue raw", func(t *testing.T) { testRealContinue(t, s) })
	t.Run("100-continue curl", func(t *testing.T) { testRealCurl(t, s) })
	t.Run("early response with close", func(t *testing.T) { testRealEarlyClose(t, s) })
}

func testRealKeepAlive(t *testing.T, s *mbrunServer) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	reused := 0
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/k?i=%d", s.addr(s.ports[0]), i), nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			},
		}))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf("get.i=%d\n", i)) {
			t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
		}
		if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("transfer encoding %v, want chunked", resp.TransferEncoding)
		}
	}
	if reused != 4 {
		t.Errorf("%d of 4 follow-up requests reused the connection", reused)
	}
}

func testRealMultipart(t *testing.T, s *mbrunServer) {
	var buf bytes.Buffer
	body := "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nGrace\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/x-notes\r\n\r\n" +
		"file contents\r\n--not-the-boundary\r\n--XyZ--\r\n"
	buf.WriteString(body)
	resp, err := http.Post("http://"+s.addr(s.ports[0])+"/up", "multipart/form-data; boundary=XyZ", &buf)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, w := range []string{"post.name=Ada", "postn.name=2", "post.file=file contents\r\n--not-the-boundary",
		"meta.file=notes.txt|text/x-notes", "meta.name=nil|nil"} {
		if !strings.Contains(string(out), w+"\n") {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
}

// testRealContinue checks that 100 Continue comes before the body is sent
// and that the body is then processed.
func testRealContinue(t *testing.T, s *mbrunServer) {
	c, err := net.Dial("tcp", s.addr(s.ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := "HTTP/1.1 100 Continue\r\n\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
		t.Fatalf("before the body: got %q, %v; want %q", got, err, want)
	}
	io.WriteString(c, "hello")
	rest, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(rest), "HTTP/1.1 200 OK\r\n") || !strings.Contains(string(rest), "[hello]") {
		t.Errorf("after the body: %q", rest)
	}
}

func testRealCurl(t *testing.T, s *mbrunServer) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed (apt-get install -y curl)")
	}
	data := bytes.Repeat([]byte("0123456789"), 300000)
	cmd := exec.Command(curl, "-sS", "--max-time", "20", "-H", "Expect: 100-continue",
		"-F", "upload=@-;filename=d.bin;type=application/x-test", "http://"+s.addr(s.ports[1])+"/sha256")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	want := fmt.Sprintf("upload d.bin application/x-test %d %s", len(data), sha256Hex(data))
	if string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// testRealEarlyClose: the handler answers before reading a large body and
// the client asked to close; the server must drain while the client sends
// (no reset) and then close.
func testRealEarlyClose(t *testing.T, s *mbrunServer) {
	c, err := net.Dial("tcp", s.addr(s.ports[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const size = 4 << 20
	fmt.Fprintf(c, "POST /forbid HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", size)
	werr := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte("z"), 64*1024)
		var err error
		for sent := 0; sent < size && err == nil; sent += len(chunk) {
			_, err = c.Write(chunk)
		}
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	out, rerr := io.ReadAll(c)
	if err := <-werr; err != nil {
		t.Fatalf("client write failed (reset while sending?): %v", err)
	}
	if rerr != nil {
		t.Fatalf("read: %v (got %q)", rerr, out)
	}
	if !strings.HasPrefix(string(out), "HTTP/1.1 403 Forbidden\r\n") || !strings.Contains(string(out), "Connection: close\r\n") {
		t.Errorf("got %q", out)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// patternReader yields size bytes of a deterministic, non-repeating-looking
// pattern and hashes what it yields.
type patternReader struct {
	left  int64
	block []byte
	n     uint64
	hash  hash.Hash
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.block == nil {
		r.block = make([]byte, 64*1024)
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	if len(p) > len(r.block) {
		p = p[:len(r.block)]
	}
	for i := range p {
		r.n = r.n*6364136223846793005 + 1442695040888963407
		p[i] = byte(r.n >> 56)
	}
	r.hash.Write(p)
	r.left -= int64(len(p))
	return len(p), nil
}

// workerRSS returns the largest VmRSS (bytes) among the children of pid.
func workerRSS(pid int) int64 {
	out, err := exec.Command("pgrep", "-P", strconv.Itoa(pid)).Output()
	if err != nil {
		return 0
	}
	var peak int64
	for _, f := range strings.Fields(string(out)) {
		status, err := os.ReadFile("/proc/" + f + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if kb*1024 > peak {
					peak = kb * 1024
				}
			}
		}
	}
	return peak
}

// TestRealUpload200MiB streams a 200 MiB file field through a real server:
// the app pipes every chunk into a child sha256sum and answers its digest;
// the worker's resident memory is sampled during the upload.
func TestRealUpload200MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MiB upload skipped in -short mode")
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum not installed")
	}
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Skip("pgrep not installed (apt-get install -y procps)")
	}
	s := startMbrun(t, "conformance.lua", 2)
	const size = 200 << 20
	src := &patternReader{left: size, hash: sha256.New()}
	pr, pw := io.Pipe()
	const boundary = "b0undary-of-the-200MiB-test"
	go func() {
		io.WriteString(pw, "--"+boundary+"\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
		if _, err := io.Copy(pw, src); err != nil {
			pw.CloseWithError(err)
			return
		}
		io.WriteString(pw, "\r\n--"+boundary+"--\r\n")
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+s.addr(s.ports[1])+"/sha256", pr)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	stop := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var max int64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
				if r := workerRSS(s.cmd.Process.Pid); r > max {
					max = r
				}
			}
		}
	}()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		close(stop)
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	close(stop)
	maxRSS := <-peak
	want := fmt.Sprintf("upload big.bin application/octet-stream %d %x", size, src.hash.Sum(nil))
	if string(body) != want {
		t.Errorf("got %q, want %q", body, want)
	}
	t.Logf("200 MiB through sha256sum in %v (%.1f MiB/s); worker peak RSS %.1f MiB",
		elapsed.Round(time.Millisecond), float64(size)/(1<<20)/elapsed.Seconds(), float64(maxRSS)/(1<<20))
	if maxRSS == 0 {
		t.Error("no worker RSS sample was taken")
	}
	if maxRSS >= 64<<20 {
		t.Errorf("worker peak RSS %.1f MiB, want < 64 MiB", float64(maxRSS)/(1<<20))
	}
}
