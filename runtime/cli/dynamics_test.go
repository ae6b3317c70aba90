package cli

import (
	"log/syslog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// workerPids lists the worker processes of a master.
func workerPids(t *testing.T, master int) []int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(master)).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

func waitWorkers(t *testing.T, master, want int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	var got []int
	for time.Now().Before(deadline) {
		if got = workerPids(t, master); len(got) == want {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("master %d has %d workers %v, want %d", master, len(got), got, want)
}

func TestForkCounts(t *testing.T) {
	port := freePort(t)
	// min_fork 3: three workers even when idle; exit_delay keeps them.
	s := startServer(t, "testdata/pool.lua", port, "1", "3", "5", "60")
	waitWorkers(t, s.cmd.Process.Pid, 3, 10*time.Second)

	// Five holders at once: the pool grows to max_fork and no further.
	var wg sync.WaitGroup
	for i := 0; i < 7; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			c.Write([]byte("hold\n"))
			buf := make([]byte, 32)
			if n, err := c.Read(buf); err != nil || n == 0 {
				t.Errorf("holder not served: %v", err)
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if n := len(workerPids(t, s.cmd.Process.Pid)); n > 5 {
		t.Errorf("%d workers while max_fork is 5", n)
	}
	wg.Wait()
}

func TestExitDelayAndIdleTimeout(t *testing.T) {
	port := freePort(t)
	// pre_fork 1, min_fork 1: surplus idle workers leave after exit_delay 0.3 s.
	s := startServer(t, "-s", "testdata/pool.lua", port, "1", "1", "4", "0.3")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, "tcp", "127.0.0.1:"+port)
			c.ask("hold", 20*time.Second)
		}()
	}
	wg.Wait()
	if n := len(workerPids(t, s.cmd.Process.Pid)); n < 2 {
		t.Fatalf("expected the pool to grow under load, has %d workers", n)
	}
	waitWorkers(t, s.cmd.Process.Pid, 1, 10*time.Second)
	s.waitLog("not needed", time.Second)

	// idle_timeout ends even a needed worker; min_fork brings a fresh one.
	port2 := freePort(t)
	s2 := startServer(t, "-s", "testdata/pool.lua", port2, "1", "1", "2", "60", "0.3")
	first := workerPids(t, s2.cmd.Process.Pid)
	s2.waitLog("idle for", 10*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		now := workerPids(t, s2.cmd.Process.Pid)
		if len(now) == 1 && len(first) == 1 && now[0] != first[0] {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Errorf("idle_timeout should replace worker %v", first)
}

func TestMasterDeathLeavesNoOrphans(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "testdata/pool.lua", port, "1", "2", "2", "60")
	waitWorkers(t, s.cmd.Process.Pid, 2, 10*time.Second)
	workers := workerPids(t, s.cmd.Process.Pid)
	syscall.Kill(s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range workers {
		for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("worker %d still running after its master was killed", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func TestSighupKillsWorkers(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s"))
	c := dial(t, "tcp", "127.0.0.1:"+port)
	c.mustAsk("busy")
	syscall.Kill(s.cmd.Process.Pid, syscall.SIGHUP)
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Errorf("exit code %d after SIGHUP", code)
	}
	if _, err := c.ask("gone?", 3*time.Second); err == nil {
		t.Errorf("connection survived SIGHUP")
	}
}

func TestSyslog(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to provide /dev/log")
	}
	if _, err := os.Stat("/dev/log"); err == nil {
		t.Skip("/dev/log exists; not replacing the machine's syslog")
	}
	// A real datagram receiver on the local syslog socket.
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "/dev/log", Net: "unixgram"})
	if err != nil {
		t.Skipf("cannot create /dev/log: %v", err)
	}
	defer os.Remove("/dev/log")
	defer conn.Close()
	port := freePort(t)
	s := launchServer(t, []string{"-f", "local3", "-i", "mbtest", "testdata/echo.lua", port, filepath.Join(t.TempDir(), "s")})
	_ = s
	buf := make([]byte, 2048)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no syslog message: %v", err)
	}
	msg := string(buf[:n])
	// <PRI> = facility*8 + severity; local3 = 19.
	wantPri := "<" + strconv.Itoa(int(syslog.LOG_LOCAL3)+int(syslog.LOG_NOTICE)) + ">"
	if !strings.HasPrefix(msg, wantPri) || !strings.Contains(msg, "mbtest") || !strings.Contains(msg, "Server started") {
		t.Errorf("syslog message %q (want prefix %s, ident mbtest)", msg, wantPri)
	}
}
