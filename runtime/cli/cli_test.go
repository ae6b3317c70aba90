package cli

import (
	"fmt"
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

	"github.com/moonbridge-go/moonbridge/runtime/worker"
)

func TestEchoTCPAndLocal(t *testing.T) {
	port := freePort(t)
	sock := filepath.Join(t.TempDir(), "echo.sock")
	s := startServer(t, "--", "testdata/echo.lua", port, sock, "4")

	tests := []struct{ network, addr, wantAddr string }{
		{"tcp", "127.0.0.1:" + port, "127.0.0.1 " + port + " hello"},
		{"tcp", "[::1]:" + port, "::1 " + port + " hello"},
		{"unix", sock, "nil nil hello"},
	}
	for _, tc := range tests {
		c := dial(t, tc.network, tc.addr)
		for _, line := range []string{"one", "two with spaces", strings.Repeat("x", 100000)} {
			if got := c.mustAsk(line); got != line {
				t.Errorf("%s: echo of %d bytes: got %d bytes", tc.network, len(line), len(got))
			}
		}
		if got := c.mustAsk("addr"); got != tc.wantAddr {
			t.Errorf("%s %s: addr = %q, want %q", tc.network, tc.addr, got, tc.wantAddr)
		}
		if got := c.mustAsk("quit"); got != "bye" {
			t.Errorf("quit: %q", got)
		}
	}
	// The local socket file is removed when the server exits.
	s.stop()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket file still there after exit: %v", err)
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code after SIGTERM = %d", code)
	}
}

func TestWorkerReuse(t *testing.T) {
	port := freePort(t)
	startServer(t, "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"), "1")
	// With max_fork = 1 every connection must be served by the same process.
	var pids []string
	for i := 0; i < 3; i++ {
		c := dial(t, "tcp", "127.0.0.1:"+port)
		pids = append(pids, c.mustAsk("pid"))
		c.mustAsk("quit")
		c.c.Close()
	}
	if pids[0] != pids[1] || pids[1] != pids[2] {
		t.Errorf("connect returned true, so the worker should be reused: pids %v", pids)
	}
}

func TestNoReuseRunsFinish(t *testing.T) {
	port := freePort(t)
	out := filepath.Join(t.TempDir(), "out")
	startServer(t, "testdata/noreuse.lua", port, out)
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		c := dial(t, "tcp", "127.0.0.1:"+port)
		c.c.SetDeadline(time.Now().Add(10 * time.Second))
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		seen[line] = true
	}
	if len(seen) != 3 {
		t.Errorf("connect returned nil, so each connection needs a fresh worker: %v", seen)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(out)
		if strings.Count(string(data), "finish") >= 3 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	data, _ := os.ReadFile(out)
	t.Errorf("finish should run once per ended worker: %q", data)
}

func TestMaxForkQueuesConnections(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "-s", "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"), "2")
	const clients = 8
	var wg sync.WaitGroup
	pids := make(chan string, clients)
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			lc := &lineConn{t: t, c: c, r: newReader(c)}
			if _, err := lc.ask("slow", 30*time.Second); err != nil {
				errs <- err
				return
			}
			pid, err := lc.ask("pid", 10*time.Second)
			if err != nil {
				errs <- err
				return
			}
			pids <- pid
		}()
	}
	wg.Wait()
	close(errs)
	close(pids)
	for err := range errs {
		t.Errorf("client: %v", err)
	}
	distinct := map[string]bool{}
	n := 0
	for p := range pids {
		distinct[p] = true
		n++
	}
	if n != clients {
		t.Errorf("%d of %d clients served", n, clients)
	}
	if len(distinct) > 2 {
		t.Errorf("max_fork = 2 but %d worker processes served: %v", len(distinct), distinct)
	}
	if strings.Count(s.log.String(), "started (workers") > 2 {
		t.Errorf("more than 2 workers started:\n%s", s.log.String())
	}
}

func TestLuaErrorEndsOnlyThatWorker(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"), "4")
	other := dial(t, "tcp", "127.0.0.1:"+port)
	other.mustAsk("ping")
	bad := dial(t, "tcp", "127.0.0.1:"+port)
	if _, err := bad.ask("error", 10*time.Second); err == nil {
		t.Errorf("the failing connection should be reset")
	}
	s.waitLog("requested failure", 10*time.Second)
	s.waitLog("stack traceback", 5*time.Second)
	if got := other.mustAsk("still there"); got != "still there" {
		t.Errorf("other connection: %q", got)
	}
	fresh := dial(t, "tcp", "127.0.0.1:"+port)
	if got := fresh.mustAsk("new"); got != "new" {
		t.Errorf("new connection after the error: %q", got)
	}
}

// TestTimeoutBackstop stops a worker (SIGSTOP) after it armed timeout(1):
// its own timer cannot fire, so the master must kill it from the deadline
// the worker published, and the server goes on.
func TestTimeoutBackstop(t *testing.T) {
	t.Setenv(worker.EnvNoHardStop, "1")
	port := freePort(t)
	s := startServer(t, "testdata/limits.lua", port)
	c := dial(t, "tcp", "127.0.0.1:"+port)
	// 3 s leaves time to stop the worker before its own timer fires, even
	// on a loaded machine; the master kills it 2 s after the deadline. The
	// worker's kernel timer would kill it first: it is turned off here.
	got := c.mustAsk("freeze 3")
	var pid int
	if _, err := fmt.Sscanf(got, "armed %d", &pid); err != nil || pid <= 0 {
		t.Fatalf("freeze answered %q", got)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// kill returns before every thread of the worker has stopped: one
	// still running could read the next line and end the handler.
	waitStopped(t, pid)
	t.Cleanup(func() {
		// if the master failed to, end the worker we stopped (and only it:
		// a stopped process of that pid)
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil &&
			strings.Contains(string(st), ") T ") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	start := time.Now()
	if _, err := c.ask("still there?", 15*time.Second); err == nil {
		t.Errorf("the stopped worker's connection should be closed by its death")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the master took %v to end the stopped worker (deadline 3 s + grace 2 s)", d)
	}
	s.waitLog("did not stop by itself", 5*time.Second)
	fresh := dial(t, "tcp", "127.0.0.1:"+port)
	if got := fresh.mustAsk("hello"); !strings.HasPrefix(got, "pid ") {
		t.Errorf("fresh connection after the kill: %q", got)
	}
}

func TestKilledWorkerLosesOnlyItsConnection(t *testing.T) {
	port := freePort(t)
	startServer(t, "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"), "4")
	victim := dial(t, "tcp", "127.0.0.1:"+port)
	survivor := dial(t, "tcp", "127.0.0.1:"+port)
	vpid, _ := strconv.Atoi(victim.mustAsk("pid"))
	spid, _ := strconv.Atoi(survivor.mustAsk("pid"))
	if vpid == spid || vpid == 0 {
		t.Fatalf("expected two busy workers, got pids %d and %d", vpid, spid)
	}
	if err := syscall.Kill(vpid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := victim.ask("hello?", 5*time.Second); err == nil {
		t.Errorf("the killed worker's connection should be gone")
	}
	if got := survivor.mustAsk("alive"); got != "alive" {
		t.Errorf("survivor: %q", got)
	}
	fresh := dial(t, "tcp", "127.0.0.1:"+port)
	if got := fresh.mustAsk("fresh"); got != "fresh" {
		t.Errorf("fresh connection: %q", got)
	}
}

func TestSigtermLetsRunningJobFinish(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"), "4")
	c := dial(t, "tcp", "127.0.0.1:"+port)
	c.mustAsk("warm up")
	c.c.Write([]byte("slow\n"))
	time.Sleep(300 * time.Millisecond)
	syscall.Kill(s.cmd.Process.Pid, syscall.SIGTERM)
	c.c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil || line != "slow done\n" {
		t.Fatalf("running job after SIGTERM: %q %v", line, err)
	}
	// The job (this connection) ends when the client is done with it.
	if got := c.mustAsk("still served"); got != "still served" {
		t.Errorf("after SIGTERM: %q", got)
	}
	c.c.Close()
	if code := s.waitExit(15 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	// No new connections after shutdown began.
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		conn.Close()
		t.Errorf("server still accepts after SIGTERM")
	}
}

func TestMemoryLimit(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "testdata/limits.lua", port)
	hog := dial(t, "tcp", "127.0.0.1:"+port)
	hog.c.Write([]byte("grow\n"))
	// While the hog grows, another connection is served normally.
	ok := dial(t, "tcp", "127.0.0.1:"+port)
	if got := ok.mustAsk("hi"); !strings.HasPrefix(got, "pid ") {
		t.Errorf("normal connection: %q", got)
	}
	s.waitLog("memory limit exceeded", 60*time.Second)
	hog.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := hog.r.ReadString('\n'); err == nil {
		t.Errorf("the hog's connection should be closed")
	}
	after := dial(t, "tcp", "127.0.0.1:"+port)
	if got := after.mustAsk("again"); !strings.HasPrefix(got, "pid ") {
		t.Errorf("after the kill: %q", got)
	}
}

func TestTimeoutKillsLoopingHandler(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "testdata/limits.lua", port)
	c := dial(t, "tcp", "127.0.0.1:"+port)
	armed, err := c.ask("spinclock", 15*time.Second)
	if err != nil {
		t.Fatalf("spinclock: %v", err)
	}
	at, err := strconv.ParseFloat(armed, 64)
	if err != nil {
		t.Fatalf("spinclock answered %q", armed)
	}
	// The handler now loops; its connection closes when the worker ends.
	if rest, err := c.r.ReadString('\n'); err == nil {
		t.Errorf("the spinning handler's connection should be closed, got %q", rest)
	}
	// The master's backstop would kill the worker 2 s after the deadline;
	// the worker must end long before, by its own timer or its kernel
	// timer (see timeoutLateLimit).
	late := time.Duration((monotonicNow() - (at + 1)) * float64(time.Second))
	t.Logf("connection closed %.1f ms after the timeout(1) deadline", float64(late.Microseconds())/1000)
	if late > timeoutLateLimit {
		t.Errorf("timeout(1) ended the worker %v after its deadline (limit %v)", late, timeoutLateLimit)
	}
	s.waitLog("Timeout expired", 5*time.Second)
	checkTimeoutLatency(t, s.log.String())
	n := dial(t, "tcp", "127.0.0.1:"+port)
	if got := n.mustAsk("nested"); got != "0.5 10.0" {
		t.Errorf("nested timeout: got %q, want \"0.5 10.0\"", got)
	}
	if got, _ := n.r.ReadString('\n'); got != "0.0\n" {
		t.Errorf("after timeout(0): %q", got)
	}
}

// TestTimeoutKernelTimer: when the worker's own timer cannot fire (here:
// asynchronous preemption turned off, so a loop without calls is never
// interrupted), its kernel timer kills it shortly after the deadline, and
// the master logs that as a timeout.
func TestTimeoutKernelTimer(t *testing.T) {
	t.Setenv("GODEBUG", "asyncpreemptoff=1") // for the server's processes
	port := freePort(t)
	s := startServer(t, "testdata/limits.lua", port)
	c := dial(t, "tcp", "127.0.0.1:"+port)
	start := time.Now()
	if _, err := c.ask("spin", 15*time.Second); err == nil {
		t.Errorf("the spinning handler's connection should be closed")
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("timeout(1) took %v to end the worker", d)
	}
	// With the race detector the loop calls the detector's functions,
	// which let the worker's own timer run: then either may stop it.
	if raceEnabled {
		s.waitLog("Timeout expired", 5*time.Second)
	} else {
		s.waitLog("killed by its kernel timer", 5*time.Second)
	}
	checkTimeoutLatency(t, s.log.String())
}

func TestIntervalAndMain(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	s := startServer(t, "testdata/schedule.lua", out, "0.2")
	// The main task runs for 2 s, then the whole server shuts down.
	if code := s.waitExit(20 * time.Second); code != 0 {
		t.Errorf("exit code %d; log:\n%s", code, s.log.String())
	}
	data, _ := os.ReadFile(out)
	text := string(data)
	if strings.Count(text, "main boss") != 1 {
		t.Errorf("main task should run exactly once: %q", text)
	}
	// (the interval pool's lines may come between the two)
	if p, m := strings.Index(text, "prepare\n"), strings.Index(text, "main boss"); p < 0 || m < p {
		t.Errorf("prepare should run before the main task: %q", text)
	}
	ticks := strings.Count(text, "interval tick")
	// 2 s / 0.2 s = 10 runs; allow for start-up and shutdown.
	if ticks < 5 || ticks > 12 {
		t.Errorf("interval ran %d times in about 2 s with delay 0.2: %q", ticks, text)
	}
}

// TestStartupLog: the start-up log names every listener with its bound
// address and the pool's limits; timestamps carry the UTC offset.
func TestStartupLog(t *testing.T) {
	port := freePort(t)
	sock := filepath.Join(t.TempDir(), "s")
	s := launchServer(t, []string{"testdata/echo.lua", port, sock, "3"})
	s.waitLog("pool #1: ", 20*time.Second)
	log := s.log.String()
	for _, want := range []string{
		"Server started (1 pool(s), process workers)",
		"pool #1: tcp 127.0.0.1:" + port + ", tcp [::1]:" + port + ", local socket " + sock + "; workers: pre_fork 1, min_fork 1, max_fork 3",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("start-up log lacks %q:\n%s", want, log)
		}
	}
	if !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4} \[\d+\] notice: Server started`).MatchString(log) {
		t.Errorf("timestamp without UTC offset:\n%s", log)
	}
}

// TestWorkerProcessNames: ps and top name the worker processes after the
// server and their pool, not "exe".
func TestWorkerProcessNames(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "-s", "testdata/limits.lua", port)
	s.waitLog("started (workers", 10*time.Second)
	pids := regexp.MustCompile(`worker ([0-9]+) started`).FindAllStringSubmatch(s.log.String(), -1)
	if len(pids) == 0 {
		t.Fatalf("no worker start in the log:\n%s", s.log.String())
	}
	for _, m := range pids {
		cmdline, err := os.ReadFile("/proc/" + m[1] + "/cmdline")
		if err != nil {
			t.Skipf("no /proc: %v", err)
		}
		if !strings.HasPrefix(string(cmdline), "mbrun: worker (pool 1)\x00") {
			t.Errorf("worker %s: argv %q", m[1], cmdline)
		}
		// A worker names itself as soon as it runs: wait for that.
		var comm []byte
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if comm, _ = os.ReadFile("/proc/" + m[1] + "/comm"); string(comm) == "mbrun w1\n" {
				break
			}
		}
		if string(comm) != "mbrun w1\n" {
			t.Errorf("worker %s: comm %q, want \"mbrun w1\"", m[1], comm)
		}
	}
}

// TestMainTaskExitCode: the server's exit code tells a service manager
// whether its main task succeeded.
func TestMainTaskExitCode(t *testing.T) {
	for _, tt := range []struct {
		arg  string
		code int
	}{{"error", ExitRuntime}, {"ok", ExitOK}} {
		s := launchServer(t, []string{"testdata/mainfail.lua", tt.arg})
		if code := s.waitExit(20 * time.Second); code != tt.code {
			t.Errorf("main task %q: exit code %d, want %d; log:\n%s", tt.arg, code, tt.code, s.log.String())
		}
		if tt.arg == "error" && !strings.Contains(s.log.String(), "batch job failed") {
			t.Errorf("the main task's error is not logged:\n%s", s.log.String())
		}
	}
}

func TestStartupErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"missing file", []string{"testdata/nonexistent.lua"}, ExitStartup, []string{"nonexistent.lua", "no such file"}},
		{"syntax error", []string{"testdata/bad/syntax.lua"}, ExitStartup, []string{"syntax.lua", "1"}},
		{"runtime error", []string{"testdata/bad/runtime.lua"}, ExitStartup, []string{"runtime.lua:2", "field"}},
		{"no listen", []string{"testdata/bad/nolisten.lua"}, ExitStartup, []string{"no listen"}},
		{"bad option", []string{"testdata/bad/badoption.lua"}, ExitStartup, []string{`Option "fork_delay" is expected to be a non-negative number`}},
		{"no proto", []string{"testdata/bad/noproto.lua"}, ExitStartup, []string{`"proto"`}},
		{"port in use", []string{"testdata/bad/portinuse.lua", busyPort}, ExitStartup, []string{"port " + busyPort, "address already in use"}},
		{"unknown flag", []string{"--frobnicate", "x.lua"}, ExitUsage, []string{"frobnicate"}},
		{"no script", nil, ExitUsage, []string{"no application script"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(mbrunPath, tc.args...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit code %d, want %d; output:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "goroutine ") {
				t.Errorf("a Go stack trace reached the user:\n%s", out)
			}
		})
	}
}

func TestPidFileAndLogFile(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "server.pid")
	logfile := filepath.Join(dir, "server.log")
	port := freePort(t)
	cmd := exec.Command(mbrunPath, "-p", pidfile, "-l", logfile, "-s", "--", "testdata/echo.lua", port, filepath.Join(dir, "s"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	c := waitDial(t, "127.0.0.1:"+port)
	c.mustAsk("up")
	data, _ := os.ReadFile(pidfile)
	if strings.TrimSpace(string(data)) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("pid file holds %q, want %d", data, cmd.Process.Pid)
	}
	second := exec.Command(mbrunPath, "-p", pidfile, "--", "testdata/echo.lua", freePort(t), filepath.Join(dir, "s2"))
	out, _ := second.CombinedOutput()
	if code := second.ProcessState.ExitCode(); code != ExitAlreadyRunning {
		t.Errorf("second instance: exit code %d, want %d; output:\n%s", code, ExitAlreadyRunning, out)
	}
	if !strings.Contains(string(out), "already running") {
		t.Errorf("second instance output: %s", out)
	}
	syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	cmd.Wait()
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pid file not removed at exit")
	}
	logged, _ := os.ReadFile(logfile)
	for _, want := range []string{"Server started", "worker", "started (workers", "Server stopped"} {
		if !strings.Contains(string(logged), want) {
			t.Errorf("log file lacks %q:\n%s", want, logged)
		}
	}
}

func TestBackground(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "server.pid")
	port := freePort(t)
	cmd := exec.Command(mbrunPath, "-b", "-p", pidfile, "-l", filepath.Join(dir, "log"), "--", "testdata/echo.lua", port, filepath.Join(dir, "s"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mbrun -b: %v\n%s", err, out)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid <= 0 || pid == cmd.Process.Pid {
		t.Fatalf("pid file holds %q", data)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	if comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err == nil && string(comm) != "mbrun\n" {
		t.Errorf("background master's comm is %q, want \"mbrun\"", comm)
	}
	c := dial(t, "tcp", "127.0.0.1:"+port)
	if got := c.mustAsk("detached"); got != "detached" {
		t.Errorf("echo: %q", got)
	}
	c.c.Close()
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("background server %d still running after SIGTERM", pid)
	}
	// A start-up error in the background process reaches the foreground one.
	bad := exec.Command(mbrunPath, "-b", "-l", filepath.Join(dir, "log"), "testdata/bad/nolisten.lua")
	out, _ = bad.CombinedOutput()
	if bad.ProcessState.ExitCode() != ExitStartup || !strings.Contains(string(out), "no listen") {
		t.Errorf("background start-up error: code %d, output %s", bad.ProcessState.ExitCode(), out)
	}
}

func waitDial(t *testing.T, addr string) *lineConn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return &lineConn{t: t, c: c, r: newReader(c)}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStopped waits (at most 5 s) until every thread of process pid is
// in the stopped state.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/stat")
		stopped := len(tasks) > 0
		for _, task := range tasks {
			st, err := os.ReadFile(task)
			if err != nil || !strings.Contains(string(st), ") T ") {
				stopped = false
				break
			}
		}
		if stopped {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d did not stop after SIGSTOP", pid)
}
