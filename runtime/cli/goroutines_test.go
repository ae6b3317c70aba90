package cli

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The goroutine worker mode runs the same applications with the same API.
func TestGoroutineWorkers(t *testing.T) {
	port := freePort(t)
	sock := filepath.Join(t.TempDir(), "echo.sock")
	s := startServer(t, "--workers=goroutines", "-s", "testdata/echo.lua", port, sock, "4")
	a := dial(t, "tcp", "127.0.0.1:"+port)
	b := dial(t, "unix", sock)
	if got := a.mustAsk("over tcp"); got != "over tcp" {
		t.Errorf("tcp echo: %q", got)
	}
	if got := b.mustAsk("over local"); got != "over local" {
		t.Errorf("local echo: %q", got)
	}
	// A Lua error ends only that worker (goroutine).
	bad := dial(t, "tcp", "127.0.0.1:"+port)
	if _, err := bad.ask("error", 10*time.Second); err == nil {
		t.Errorf("failing connection should be closed")
	}
	s.waitLog("requested failure", 5*time.Second)
	if got := a.mustAsk("still"); got != "still" {
		t.Errorf("after another worker's error: %q", got)
	}
	if !strings.Contains(s.log.String(), "worker g") {
		t.Errorf("expected goroutine workers in the stats log:\n%s", s.log.String())
	}
}

func TestGoroutineWorkerTimeout(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "--workers=goroutines", "testdata/limits.lua", port)
	c := dial(t, "tcp", "127.0.0.1:"+port)
	if _, err := c.ask("spin", 15*time.Second); err == nil {
		t.Errorf("the spinning handler's connection should be closed")
	}
	s.waitLog("Timeout expired", 5*time.Second)
	checkTimeoutLatency(t, s.log.String())
	s.waitLog("memory_limit is not enforced", time.Second)
	n := dial(t, "tcp", "127.0.0.1:"+port)
	if got := n.mustAsk("hello"); !strings.HasPrefix(got, "pid ") {
		t.Errorf("after the timeout: %q", got)
	}
}

// TestGoroutineWorkerTimeoutInRead: a goroutine worker blocked in a read
// after timeout(1) is ended too (its waits are aborted), its connection is
// closed, and the server goes on.
func TestGoroutineWorkerTimeoutInRead(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "--workers=goroutines", "testdata/limits.lua", port)
	c := dial(t, "tcp", "127.0.0.1:"+port)
	if got := c.mustAsk("freeze"); !strings.HasPrefix(got, "armed ") {
		t.Fatalf("freeze answered %q", got)
	}
	start := time.Now()
	c.c.SetDeadline(time.Now().Add(15 * time.Second))
	rest, err := c.r.ReadString('\n')
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Errorf("after timeout(1) in a read: got %q, %v; want the connection closed or reset", rest, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the blocked worker ended after %v (timeout 1 s)", d)
	}
	s.waitLog("Timeout expired", 5*time.Second)
	n := dial(t, "tcp", "127.0.0.1:"+port)
	if got := n.mustAsk("hello"); !strings.HasPrefix(got, "pid ") {
		t.Errorf("after the timeout: %q", got)
	}
}

// TestWorkerStderrInLog: what an application writes to io.stderr or
// moonbridge_io.stderr is in the -l log file, with the worker's name, for
// worker processes and goroutine workers alike.
func TestWorkerStderrInLog(t *testing.T) {
	for _, mode := range []string{"processes", "goroutines"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			logfile := filepath.Join(dir, "log")
			port := freePort(t)
			s := launchServer(t, []string{"--workers=" + mode, "-l", logfile, "testdata/echo.lua", port, filepath.Join(dir, "s")})
			c := waitDial(t, "127.0.0.1:"+port)
			if got := c.mustAsk("stderr"); got != "written" {
				t.Fatalf("stderr command answered %q", got)
			}
			c.c.Close()
			s.stop()
			data, err := os.ReadFile(logfile)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"from io.stderr", "from moonbridge_io.stderr"} {
				if !strings.Contains(string(data), want) {
					t.Errorf("log file lacks %q:\n%s", want, data)
				}
			}
			if mode == "goroutines" && !strings.Contains(string(data), "worker g1: from io.stderr") {
				t.Errorf("the line does not name the goroutine worker:\n%s", data)
			}
			if strings.Contains(s.log.String(), "from io.stderr") {
				t.Errorf("the line went to the process's stderr:\n%s", s.log.String())
			}
		})
	}
}
