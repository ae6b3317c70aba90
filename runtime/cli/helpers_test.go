package cli

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/moonbridge-go/moonbridge/runtime/cli/clitest"
)

// mbrunPath is the mbrun binary built once for all tests (with -race when
// the tests run with it, so worker processes are checked too).
var mbrunPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mbrun-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mbrunPath, err = clitest.BuildMbrun(dir, raceEnabled)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	log  *clitest.Buffer
	done chan struct{}
	err  error
}

// startServer runs mbrun with args and waits until it serves.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	s := launchServer(t, args)
	s.waitLog("Server started", 20*time.Second)
	return s
}

// launchServer starts mbrun with args without waiting for it.
func launchServer(t *testing.T, args []string) *server {
	t.Helper()
	return launchCmd(t, exec.Command(mbrunPath, args...))
}

// launchCmd starts cmd, a command that runs mbrun, without waiting for it.
func launchCmd(t *testing.T, cmd *exec.Cmd) *server {
	t.Helper()
	s := &server{t: t, log: &clitest.Buffer{}, done: make(chan struct{}), cmd: cmd}
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.stop)
	return s
}

// stop ends the server by its pid: SIGTERM, then SIGKILL.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	syscall.Kill(s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	if s.t.Failed() {
		s.t.Logf("server log:\n%s", s.log.String())
	}
}

// waitExit waits for the server to end by itself and returns its exit code.
func (s *server) waitExit(d time.Duration) int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		s.t.Fatalf("server still running after %v; log:\n%s", d, s.log.String())
	}
	return s.cmd.ProcessState.ExitCode()
}

func (s *server) waitLog(text string, d time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(s.log.String(), text) {
			return
		}
		select {
		case <-s.done:
			s.t.Fatalf("server exited (%v) before logging %q; log:\n%s", s.err, text, s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.t.Fatalf("no %q in the log after %v; log:\n%s", text, d, s.log.String())
}

// timeoutLatency matches the worker's report of how late timeout() fired.
// The worker reports it itself; when its kernel timer killed it, the master does.
var timeoutLatency = regexp.MustCompile(`Timeout expired: worker (?:\d+ )?terminated by timeout\(\) \((?:killed by its kernel timer; )?([0-9.]+) ms after the deadline`)

// timeoutLateLimit is how late after its deadline a timeout() may end a
// looping handler in the tests. The target is 100 ms, and that is what 48
// of 50 runs measured beside two CPU hogs with other engineers' work on
// the same 2 cores (load average 6.5-8.8; median 17 ms, 90th percentile
// 47 ms); the other runs took 155 and 442 ms because the killed process
// itself waited that long for a CPU to exit on. The tests check the
// mechanism (the worker's own timer or its kernel timer, never the
// master's backstop 2 s after the deadline) with room for such a machine.
const timeoutLateLimit = time.Second

// checkTimeoutLatency fails unless the log reports every timeout() expiry
// within timeoutLateLimit and the master's backstop killed nothing. (The
// master's report of a kernel-timer kill gives the time it reaped the
// worker: an upper bound.)
func checkTimeoutLatency(t *testing.T, log string) {
	t.Helper()
	ms := timeoutLatency.FindAllStringSubmatch(log, -1)
	if len(ms) == 0 {
		t.Errorf("no timeout() expiry report in the log:\n%s", log)
	}
	for _, m := range ms {
		late, err := strconv.ParseFloat(m[1], 64)
		kernel := strings.Contains(m[0], "kernel timer")
		t.Logf("timeout() expiry reported %s ms after its deadline (kernel timer: %v)", m[1], kernel)
		if err != nil || late > float64(timeoutLateLimit.Milliseconds()) {
			t.Errorf("timeout() fired %s ms after its deadline (limit %v)", m[1], timeoutLateLimit)
		}
	}
	if strings.Contains(log, "did not stop by itself") {
		t.Errorf("the master's backstop had to kill a worker:\n%s", log)
	}
}

// monotonicNow is CLOCK_MONOTONIC in seconds, the clock of
// moonbridge_io.timeref() in the server's processes.
func monotonicNow() float64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ts)), 0)
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// lineConn is a client speaking a line protocol.
type lineConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, network, addr string) *lineConn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &lineConn{t: t, c: c, r: bufio.NewReader(c)}
}

// ask sends a line and returns the answer line (without "\n"), or an error.
func (l *lineConn) ask(line string, d time.Duration) (string, error) {
	l.c.SetDeadline(time.Now().Add(d))
	if _, err := l.c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	ans, err := l.r.ReadString('\n')
	return strings.TrimSuffix(ans, "\n"), err
}

func (l *lineConn) mustAsk(line string) string {
	l.t.Helper()
	ans, err := l.ask(line, 10*time.Second)
	if err != nil {
		l.t.Fatalf("ask %q: %v", line, err)
	}
	return ans
}

func newReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
