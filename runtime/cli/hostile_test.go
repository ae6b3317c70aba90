package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// workerExit matches the master's log line of any worker's end.
var workerExit = regexp.MustCompile(`worker \S+ (exited|ended|killed)`)

func countExits(log string) int { return len(workerExit.FindAllString(log, -1)) }

// probe asks the server for / on a fresh connection and returns how long
// the answer took.
func probe(t *testing.T, addr string) time.Duration {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Errorf("probe: %v", err)
		return time.Since(start)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil || resp.StatusCode != 200 || string(body) != "hello\n" {
		t.Errorf("probe: %d %q %v", resp.StatusCode, body, err)
	}
	return d
}

// rawDial connects to addr; the connection's every wait is bounded.
func rawDial(addr string) (*net.TCPConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	tc := c.(*net.TCPConn)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	return tc, nil
}

// sendThenClose sends data and closes; with rst the close is a reset.
func sendThenClose(data string, rst bool) func(addr string) error {
	return func(addr string) error {
		c, err := rawDial(addr)
		if err != nil {
			return err
		}
		if _, err := c.Write([]byte(data)); err != nil {
			c.Close()
			return fmt.Errorf("write: %w", err)
		}
		if rst {
			c.SetLinger(0)
		}
		return c.Close()
	}
}

// expectStatus sends a request and checks the answer's status line.
func expectStatus(req string, code int) func(addr string) error {
	return func(addr string) error {
		c, err := rawDial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write([]byte(req)); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return fmt.Errorf("reading the status line: %w", err)
		}
		if want := "HTTP/1.1 " + strconv.Itoa(code) + " "; !strings.HasPrefix(line, want) {
			return fmt.Errorf("status line %q, want %q", line, want)
		}
		return nil
	}
}

// readThenClose sends a request, reads n bytes of the answer (none: waits
// wait) and closes, leaving the rest of the response unread.
func readThenClose(req string, n int, wait time.Duration) func(addr string) error {
	return func(addr string) error {
		c, err := rawDial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write([]byte(req)); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if n > 0 {
			if _, err := io.ReadFull(c, make([]byte, n)); err != nil {
				return fmt.Errorf("reading %d bytes: %w", n, err)
			}
		}
		time.Sleep(wait)
		return nil
	}
}

func chunkedPost(path, body string) string {
	return "POST /" + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
}

// hostileAttacks are the clients of issue 11 that used to end a worker.
var hostileAttacks = []struct {
	name   string
	attack func(addr string) error
	settle time.Duration // time for the server to notice before the probe
}{
	{"partial head, close", sendThenClose("GET / HTTP/1.1\r\nHost: x\r\n", false), 0},
	{"partial request line, close", sendThenClose("GET / HT", false), 0},
	{"garbage, close", sendThenClose("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", false), 0},
	{"full request, reset", sendThenClose("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true), 0},
	{"partial head, reset", sendThenClose("GET / HTTP/1.1\r\nHost: x\r\n", true), 0},
	{"partial body, close", sendThenClose("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", false), 0},
	{"partial chunked body, reset", sendThenClose(chunkedPost("body", "10\r\nabc"), true), 0},
	{"chunk size 0x3", expectStatus(chunkedPost("body", "0x3\r\nabc\r\n0\r\n\r\n"), 400), 0},
	{"chunk size with a space", expectStatus(chunkedPost("body", " 3\r\nabc\r\n0\r\n\r\n"), 400), 0},
	{"chunk without CRLF", expectStatus(chunkedPost("body", "3\r\nabcX0\r\n\r\n"), 400), 0},
	{"bad multipart body", expectStatus("POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 9\r\n\r\ngarbage\r\n", 400), 0},
	{"close during a large response", readThenClose("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 4096, 0), 0},
	{"give up waiting for a response", readThenClose("GET /late HTTP/1.1\r\nHost: x\r\n\r\n", 0, 50*time.Millisecond), 500 * time.Millisecond},
}

// TestHostileClients: clients that abort, reset, send garbage or bad
// bodies cost only their own connection. After ten of each, a new client
// is answered at once and no worker has ended (issue 11).
func TestHostileClients(t *testing.T) {
	for _, mode := range []string{"processes", "goroutines"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			s := startServer(t, "--workers="+mode, "-s", "testdata/hostile.lua", port)
			addr := "127.0.0.1:" + port
			probe(t, addr)
			for _, a := range hostileAttacks {
				exits := countExits(s.log.String())
				for i := 0; i < 10; i++ {
					if err := a.attack(addr); err != nil {
						t.Errorf("%s: client %d: %v", a.name, i+1, err)
						break
					}
				}
				time.Sleep(a.settle)
				d := probe(t, addr)
				time.Sleep(100 * time.Millisecond) // a worker's end would be logged by now
				ended := countExits(s.log.String()) - exits
				t.Logf("%s: %-32s next client answered in %7.1f ms, workers ended: %d", mode, a.name, float64(d.Microseconds())/1000, ended)
				if d > time.Second {
					t.Errorf("%s: the next client waited %v", a.name, d)
				}
				if ended != 0 {
					t.Errorf("%s: %d worker(s) ended", a.name, ended)
				}
			}
			// Only the application's own error ends a worker.
			exits := countExits(s.log.String())
			if err := expectStatus("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", 500)(addr); err != nil {
				t.Errorf("handler error: %v", err)
			}
			s.waitLog("handler failed", 5*time.Second)
			deadline := time.Now().Add(5 * time.Second)
			for countExits(s.log.String()) == exits && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := countExits(s.log.String()) - exits; n != 1 {
				t.Errorf("a handler error ended %d workers, want 1", n)
			}
			// Clients' errors are logged, but not as errors of the application.
			if n := strings.Count(s.log.String(), "Error in connect function"); n != 1 {
				t.Errorf("%d errors of the connect function logged, want 1 (the handler's error)", n)
			}
		})
	}
}

// childPids lists the processes whose parent is pid.
func childPids(pid int) []int {
	var pids []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
}

// TestChaosKillWorkers: worker processes are killed (SIGKILL) every 0.5 s
// while 8 clients send requests; only the killed workers' requests fail,
// and the server answers afterwards.
func TestChaosKillWorkers(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "-s", "testdata/hostile.lua", port)
	addr := "127.0.0.1:" + port
	probe(t, addr)
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get("http://" + addr + "/")
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = errors.New(resp.Status)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				ok.Add(1)
			}
		}()
	}
	kills := 0
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 10; i++ {
		time.Sleep(500 * time.Millisecond)
		pids := childPids(s.cmd.Process.Pid)
		if len(pids) == 0 {
			continue
		}
		if syscall.Kill(pids[rng.Intn(len(pids))], syscall.SIGKILL) == nil {
			kills++
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d workers killed; %d requests answered, %d failed (first: %v)", kills, ok.Load(), failed.Load(), firstErr.Load())
	// Killed workers are replaced at fork_delay's pace (0.25 s), not
	// fork_error_delay's (2 s): there is a worker to kill every time.
	if kills < 8 {
		t.Errorf("only %d of 10 attempts found a worker to kill", kills)
	}
	// A killed worker had at most one request in flight (Connection:
	// close), and one more connection when the master handed it over as
	// the worker died.
	if failed.Load() > int64(2*kills) {
		t.Errorf("%d requests failed, more than the %d killed workers had", failed.Load(), kills)
	}
	if ok.Load() < 100 {
		t.Errorf("only %d requests answered in 5 s", ok.Load())
	}
	if d := probe(t, addr); d > time.Second {
		t.Errorf("after the kills a client waited %v", d)
	}
}

// TestGoroutineWorkersServeSlowClients: goroutine workers are not paced by
// fork_delay, so a pool with a large max_fork runs that many slow requests
// at once; clients that send their request heads slowly do not need a
// worker at all until their heads are complete (the master holds them).
func TestGoroutineWorkersServeSlowClients(t *testing.T) {
	const slow = 150
	port := freePort(t)
	s := startServer(t, "--workers=goroutines", "-s", "testdata/hostile.lua", port, strconv.Itoa(slow+10))
	t.Cleanup(func() {
		// With that many workers ending at once the server still stops
		// promptly (the pool loop used to deadlock on its full event
		// channel).
		syscall.Kill(s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			t.Errorf("server still running 5 s after SIGTERM")
		}
	})
	addr := "127.0.0.1:" + port
	probe(t, addr)

	// Slow request heads: held by the master, no worker started for them.
	var conns []*net.TCPConn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < slow; i++ {
		c, err := rawDial(addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	d := probe(t, addr)
	if d > time.Second {
		t.Errorf("beside %d slow clients a new client waited %v", slow, d)
	}
	if n := strings.Count(s.log.String(), " started (workers:"); n > 10 {
		t.Errorf("%d workers started for %d clients whose heads have not arrived", n, slow)
	}
	// The slow clients are served when their heads are complete.
	for i, c := range conns {
		if _, err := c.Write([]byte("Host: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200 ") {
			t.Errorf("slow client %d: %q, %v", i+1, line, err)
		}
	}

	// Slow requests (the handler takes 0.3 s): every one gets a worker
	// at once. Paced by fork_delay (0.25 s) they would take 37 s.
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < slow; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := expectStatus("GET /late HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200)(addr); err != nil {
				failed.Add(1)
				t.Log(err)
			}
		}()
	}
	wg.Wait()
	all := time.Since(start)
	t.Logf("%d slow requests answered in %v, %d failed", slow, all.Round(time.Millisecond), failed.Load())
	if failed.Load() > 0 || all > 10*time.Second {
		t.Errorf("%d slow requests took %v (%d failed)", slow, all, failed.Load())
	}
	if n := strings.Count(s.log.String(), " started (workers:"); n < slow/2 {
		t.Errorf("%d workers started for %d concurrent slow requests", n, slow)
	}
}
