package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/cli/clitest"
	"github.com/moonbridge-go/moonbridge/runtime/logging"
)

// syslogSink is a datagram socket standing in for /dev/log.
type syslogSink struct {
	path string
	conn *net.UnixConn
	mu   sync.Mutex
	msgs []string
	done chan struct{}
}

func newSyslogSink(t *testing.T) *syslogSink {
	t.Helper()
	// A short directory: socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "mbsl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &syslogSink{path: filepath.Join(dir, "log"), done: make(chan struct{})}
	s.conn, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: s.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.done)
		buf := make([]byte, 65536)
		for {
			n, err := s.conn.Read(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, string(buf[:n]))
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { s.conn.Close(); <-s.done })
	return s
}

func (s *syslogSink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.msgs, "\n")
}

// waitFor waits until a message contains want.
func (s *syslogSink) waitFor(t *testing.T, want string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(s.text(), want) {
			return
		}
	}
	t.Errorf("no syslog message with %q after %v; got:\n%s", want, d, s.text())
}

// TestBackgroundLogsToSyslog: -b without -l or -f logs to syslog (facility
// daemon, ident the command), including the workers' error output.
func TestBackgroundLogsToSyslog(t *testing.T) {
	sink := newSyslogSink(t)
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "server.pid")
	port := freePort(t)
	cmd := exec.Command(mbrunPath, "-b", "-p", pidfile, "--", "testdata/echo.lua", port, filepath.Join(dir, "s"))
	cmd.Env = append(os.Environ(), logging.EnvSyslogSocket+"="+sink.path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mbrun -b: %v\n%s", err, out)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid <= 0 {
		t.Fatalf("pid file holds %q", data)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	c := dial(t, "tcp", "127.0.0.1:"+port)
	if _, err := c.ask("error", 10*time.Second); err == nil {
		t.Errorf("failing connection should be closed")
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"Server started", "requested failure", "Server stopped"} {
		sink.waitFor(t, want, 5*time.Second)
	}
	// <daemon.err> is <27>; the tag is the command's name.
	if text := sink.text(); !strings.Contains(text, "<27>") || !strings.Contains(text, "mbrun[") {
		t.Errorf("expected facility daemon and ident mbrun:\n%s", text)
	}
}

// TestBackgroundWithoutSyslog: -b without -l where no syslog socket exists
// refuses to start and says why, instead of throwing the log away.
func TestBackgroundWithoutSyslog(t *testing.T) {
	port := freePort(t)
	cmd := exec.Command(mbrunPath, "-b", "--", "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"))
	cmd.Env = append(os.Environ(), logging.EnvSyslogSocket+"="+filepath.Join(t.TempDir(), "missing"))
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != ExitStartup || !strings.Contains(string(out), "--logfile") {
		t.Errorf("exit code %d, output %q; want %d and a hint at --logfile", code, out, ExitStartup)
	}
}

// TestSystemdNotify: with NOTIFY_SOCKET (systemd's Type=notify) the master
// reports READY=1 with its pid once it listens, and STOPPING=1 on SIGTERM;
// its workers do not see the socket.
func TestSystemdNotify(t *testing.T) {
	sink := newSyslogSink(t)
	port := freePort(t)
	s := &server{t: t, log: &clitest.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(mbrunPath, "-s", "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"))
	s.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sink.path)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.stop)
	sink.waitFor(t, "READY=1\nMAINPID="+strconv.Itoa(s.cmd.Process.Pid), 20*time.Second)
	s.waitLog("started (workers", 10*time.Second)
	for _, m := range regexp.MustCompile(`worker ([0-9]+) started`).FindAllStringSubmatch(s.log.String(), -1) {
		env, err := os.ReadFile("/proc/" + m[1] + "/environ")
		if err == nil && strings.Contains(string(env), "NOTIFY_SOCKET=") {
			t.Errorf("worker %s has NOTIFY_SOCKET in its environment", m[1])
		}
	}
	syscall.Kill(s.cmd.Process.Pid, syscall.SIGTERM)
	sink.waitFor(t, "STOPPING=1", 10*time.Second)
}
