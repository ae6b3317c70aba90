package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	var buf bytes.Buffer
	l := NewWriter(&buf, Info)
	l.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC) }
	l.Log(Error, 42, "worker died\n")
	l.Log(Debug, 42, "hidden")
	l.SetMin(Debug)
	l.Log(Debug, 0, "shown")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %q", len(lines), buf.String())
	}
	if lines[0] != "2026-01-02 03:04:05.006 +0000 [42] error: worker died" {
		t.Errorf("line 1: %q", lines[0])
	}
	if !strings.HasSuffix(lines[1], "debug: shown") || !strings.Contains(lines[1], "["+strconv.Itoa(os.Getpid())+"]") {
		t.Errorf("line 2: %q", lines[1])
	}
}

func TestFileLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	a, err := OpenFile(path, Info)
	if err != nil {
		t.Fatal(err)
	}
	a.Infof("first")
	// flock locks belong to the open file description, so a second open in
	// the same process conflicts just as another process would.
	if _, err := OpenFile(path, Info); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: got %v, want ErrLocked", err)
	}
	a.Close()
	b, err := OpenFile(path, Info)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	b.Infof("second")
	b.Close()
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "info: first") || !strings.Contains(string(data), "info: second") {
		t.Errorf("log file content: %q", data)
	}
}

func TestBadFacility(t *testing.T) {
	if _, err := OpenSyslog("nonsense", "x", Info); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("got %v", err)
	}
}
