package cli

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// accessLine is the combined log format plus microseconds and pid.
var accessLine = regexp.MustCompile(`^(\S+) - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "([^"]*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" (\d+) (\d+)$`)

// TestAccessLog: --access-log FILE gets one line per request, from worker
// processes and goroutine workers; --access-log - puts them into the main
// log; without the option there is none.
func TestAccessLog(t *testing.T) {
	for _, mode := range []string{"processes", "goroutines"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "access.log")
			port := freePort(t)
			s := startServer(t, "--workers="+mode, "--access-log", file, "testdata/http.lua", port)
			addr := "127.0.0.1:" + port
			sendAccessRequests(t, addr)
			s.stop()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			want := []struct{ request, status, bytes, referer, agent string }{
				{"GET /a?x=1 HTTP/1.1", "200", "6", "http://example.org/", `agent \"quoted\"`},
				{"GET /b HTTP/1.1", "200", "6", "-", "Go-http-client/1.1"},
				{"HEAD /c HTTP/1.0", "200", "-", "-", ""}, // an empty header is logged empty, as Apache does
				{"GET /fail HTTP/1.1", "500", "26", "-", "-"},
				{"-", "400", "", "-", "-"},
			}
			if len(lines) != len(want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), data)
			}
			// A worker writes its line after answering, so with several
			// workers the lines of consecutive requests may come in either
			// order: each expected line must match one line of the log.
			used := make([]bool, len(lines))
			for i, l := range lines {
				if accessLine.FindStringSubmatch(l) == nil {
					t.Errorf("line %d is not in the combined format: %q", i+1, l)
				}
			}
			for _, w := range want {
				exp := []string{"127.0.0.1", w.request, w.status, w.referer, w.agent}
				found := false
				for i, l := range lines {
					m := accessLine.FindStringSubmatch(l)
					if used[i] || m == nil {
						continue
					}
					got := []string{m[1], m[2], m[3], m[5], m[6]}
					if fmt.Sprint(got) == fmt.Sprint(exp) && (w.bytes == "" || m[4] == w.bytes) {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("no line with host, request, status, referer, agent %q and %s bytes in:\n%s", exp, w.bytes, data)
				}
			}
			if strings.Contains(s.log.String(), "access: ") {
				t.Errorf("access lines in the main log too:\n%s", s.log.String())
			}
		})
	}
	for _, mode := range []string{"processes", "goroutines"} {
		t.Run(mode+" to main log", func(t *testing.T) {
			port := freePort(t)
			s := startServer(t, "--workers="+mode, "--access-log", "-", "testdata/http.lua", port)
			sendAccessRequests(t, "127.0.0.1:"+port)
			s.waitLog(`"GET /b HTTP/1.1" 200 6 "-" "Go-http-client/1.1"`, 5*time.Second)
		})
	}
	t.Run("off", func(t *testing.T) {
		port := freePort(t)
		s := startServer(t, "testdata/http.lua", port)
		sendAccessRequests(t, "127.0.0.1:"+port)
		s.stop()
		if strings.Contains(s.log.String(), "access: ") || strings.Contains(s.log.String(), "GET /b") {
			t.Errorf("access lines without --access-log:\n%s", s.log.String())
		}
	})
}

// sendAccessRequests makes the requests TestAccessLog expects, in order.
func sendAccessRequests(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+addr+"/a?x=1", nil)
	req.Header.Set("Referer", "http://example.org/")
	req.Header.Set("User-Agent", `agent "quoted"`)
	for _, r := range []*http.Request{req, mustRequest(t, "http://"+addr+"/b")} {
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, raw := range []string{
		"HEAD /c HTTP/1.0\r\nUser-Agent: \r\n\r\n",
		"GET /fail HTTP/1.1\r\nHost: x\r\nUser-Agent: -\r\n\r\n",
		"NOT A REQUEST\r\n\r\n",
	} {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, raw)
		io.Copy(io.Discard, bufio.NewReader(c))
		c.Close()
	}
	// The last line is written when the worker has sent the response:
	// a moment later at most.
	time.Sleep(100 * time.Millisecond)
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
