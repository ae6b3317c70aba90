package examples

import (
	"bytes"
	"fmt"
	"github.com/moonbridge-go/moonbridge/runtime/cli/clitest"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mbrunPath is cmd/mbrun, built once by TestMain.
var mbrunPath string

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startApp runs an example with mbrun on a free port and stops it (by
// pid) when the test ends. It returns the base URL.
func startApp(t *testing.T, script string) string {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(mbrunPath, script, fmt.Sprint(port))
	logs := &clitest.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server did not listen on %s; log:\n%s", addr, logs.String())
	return ""
}

func TestHelloWorld(t *testing.T) {
	base := startApp(t, "helloworld/helloworld.lua")
	port := strings.TrimPrefix(base, "http://127.0.0.1:")
	for _, url := range []string{base + "/", "http://[::1]:" + port + "/x?y"} {
		resp, err := http.Get(url)
		if err != nil {
			if strings.Contains(url, "::1") {
				t.Logf("IPv6 loopback not usable here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "Hello World!\n" || resp.Header.Get("Server") != "moonbridge-go helloworld" {
			t.Errorf("%s: %d %q %v", url, resp.StatusCode, body, resp.Header)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestWebappHTTP(t *testing.T) {
	base := startApp(t, "webapp/webapp.lua")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	for visit := 1; visit <= 2; visit++ {
		resp, err := client.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), fmt.Sprintf("Visit number %d ", visit)) || !strings.Contains(string(body), `type="file"`) {
			t.Fatalf("visit %d: form page wrong:\n%s", visit, body)
		}
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", "Ada <Lovelace>")
	mw.WriteField("comment", "hi & bye")
	mw.WriteField("subscribe", "yes")
	fw, _ := mw.CreateFormFile("upload", "data.bin")
	fw.Write(bytes.Repeat([]byte{1, 2, 3}, 100000))
	mw.Close()
	resp, err := client.Post(base+"/echo", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`id="echo-name">Ada &lt;Lovelace&gt;<`, `id="echo-comment">hi &amp; bye<`, `id="echo-subscribe">yes<`,
		`id="echo-file">data.bin<`, `id="echo-size">300000<`, `id="echo-type">application/octet-stream<`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("echo page lacks %q:\n%s", want, body)
		}
	}
	resp, err = client.Get(base + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" || strings.Count(string(body), "streamed response\n") != 10 {
		t.Errorf("stream: %v %q", resp.TransferEncoding, body)
	}
}

func TestMain(m *testing.M) {
	if _, err := os.Stat("../cmd/mbrun"); err != nil {
		fmt.Fprintln(os.Stderr, "examples tests must run from the examples directory")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "examples-mbrun-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mbrunPath, err = clitest.BuildMbrun(dir, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
