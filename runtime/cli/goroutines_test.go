package cli

import (
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
	s.waitLog("memory_limit is not enforced", time.Second)
	n := dial(t, "tcp", "127.0.0.1:"+port)
	if got := n.mustAsk("hello"); !strings.HasPrefix(got, "pid ") {
		t.Errorf("after the timeout: %q", got)
	}
}
