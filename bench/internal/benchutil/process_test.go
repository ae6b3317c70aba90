package benchutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStatStartTime(t *testing.T) {
	// Fields 3 to 22 of a real line; the start time (field 22) is 4321.
	rest := " S 1 100 100 0 -1 4194560 312 0 0 0 5 3 0 0 20 0 1 0 4321 8192 100 18446744073709551615"
	tests := []struct{ name, stat, want string }{
		{"plain name", "123 (sleep)" + rest, "4321"},
		{"name with spaces and parentheses", "123 (a (b) c)" + rest, "4321"},
		{"zombie", "123 (sh) Z" + rest[2:], ""},
		{"too short", "123 (sh) S 1 100", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statStartTime(tt.stat); got != tt.want {
				t.Errorf("statStartTime(%q) = %q, want %q", tt.stat, got, tt.want)
			}
		})
	}
}

func TestLogTail(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content *string // nil: no file
		n       int
		want    string
		prefix  bool // want is only the start
	}{
		{"no file", nil, 10, "(no log: open ", true},
		{"empty", ptr(" \n\n"), 10, "(empty)", false},
		{"short, trimmed", ptr("\nlisten: address in use\n"), 100, "listen: address in use", false},
		{"cut to the last n bytes", ptr("0123456789abcdef\n"), 6, "...abcdef", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i))+".log")
			if tt.content != nil {
				if err := os.WriteFile(path, []byte(*tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p := &Process{logPath: path}
			got := p.LogTail(tt.n)
			if tt.prefix && !strings.HasPrefix(got, tt.want) || !tt.prefix && got != tt.want {
				t.Errorf("LogTail(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// StopTree against real process trees: a shell with two sleeping children,
// which ends on SIGTERM or ignores it; either way no child may survive.
func TestStopTree(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc")
	}
	tests := []struct {
		name       string
		script     string
		wantKilled bool
	}{
		{"root ends on SIGTERM", "sleep 60 & sleep 60 & wait", false},
		{"root ignores SIGTERM", "trap '' TERM; sleep 60 & sleep 60 & wait", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := StartLogged(exec.Command("sh", "-c", tt.script), filepath.Join(t.TempDir(), "sh.log"))
			if err != nil {
				t.Fatal(err)
			}
			var pids []int
			t.Cleanup(func() {
				for _, pid := range pids {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			})
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if pids = TreePids(p.Pid()); len(pids) == 3 {
					break
				}
				if time.Now().After(deadline) {
					p.cmd.Process.Kill()
					t.Fatalf("TreePids = %v, want the shell and two children", pids)
				}
			}
			if pids[0] != p.Pid() || slices.Contains(pids[1:], p.Pid()) {
				t.Fatalf("TreePids = %v, want %d first and only there", pids, p.Pid())
			}
			if killed := p.StopTree(300 * time.Millisecond); killed != tt.wantKilled {
				t.Errorf("StopTree: killed = %v, want %v", killed, tt.wantKilled)
			}
			if !p.Gone() {
				t.Error("root still running after StopTree")
			}
			for _, pid := range pids[1:] {
				for deadline := time.Now().Add(5 * time.Second); startTime(pid) != ""; time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Errorf("child %d still alive after StopTree", pid)
						break
					}
				}
			}
		})
	}
}

func TestStartLoggedWritesLog(t *testing.T) {
	log := filepath.Join(t.TempDir(), "out.log")
	p, err := StartLogged(exec.Command("sh", "-c", "echo out; echo err >&2; exit 3"), log)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("Wait = %v, want exit status 3", err)
	}
	if got := p.LogTail(100); got != "out\nerr" {
		t.Errorf("LogTail = %q, want %q", got, "out\nerr")
	}
	if _, err := StartLogged(exec.Command("sh"), filepath.Join(t.TempDir(), "missing", "x.log")); err == nil {
		t.Error("StartLogged with a log in a missing directory: no error")
	}
}
