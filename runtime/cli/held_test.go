package cli

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startHeld starts testdata/held.lua and makes one request, after which
// the master knows that the listener serves HTTP and holds its
// connections until their requests arrive.
func startHeld(t *testing.T, mode string, maxFork int, timeouts, hold string) (*server, string) {
	t.Helper()
	port := freePort(t)
	args := []string{"-s", "testdata/held.lua", port, strconv.Itoa(maxFork), timeouts, hold}
	if mode == "goroutines" {
		args = append([]string{"--workers=goroutines"}, args...)
	}
	s := startServer(t, args...)
	addr := "127.0.0.1:" + port
	probe(t, addr)
	if hold != "false" {
		s.waitLog("serves HTTP", 5*time.Second)
	}
	return s, addr
}

// attackers holds the connections of a slow-client attack.
type attackers struct {
	mu    sync.Mutex
	conns []net.Conn
}

// open makes n connections that send first (which may be empty) and then
// nothing more.
func (a *attackers) open(t *testing.T, addr string, n int, first string) {
	t.Helper()
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("attacker %d of %d: %v", i+1, n, err)
		}
		a.mu.Lock()
		a.conns = append(a.conns, c)
		a.mu.Unlock()
		if first != "" {
			if _, err := c.Write([]byte(first)); err != nil {
				t.Fatalf("attacker %d of %d: %v", i+1, n, err)
			}
		}
	}
}

func (a *attackers) closeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.conns {
		c.Close()
	}
	a.conns = nil
}

// probeOnce asks for / on a new connection and reports whether the
// answer was a complete 200 within limit.
func probeOnce(addr string, limit time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, limit)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(limit))
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
		return err
	}
	return readResponse(bufio.NewReader(c), "hello\n")
}

// probeRate makes n probes at rate per second (each on a new connection,
// each allowed limit) and returns how many succeeded.
func probeRate(t *testing.T, addr string, n, rate int, limit time.Duration) int {
	var ok atomic.Int32
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := 0; i < n; i++ {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := probeOnce(addr, limit); err != nil {
				t.Logf("probe: %v", err)
				return
			}
			ok.Add(1)
		}()
	}
	wg.Wait()
	return int(ok.Load())
}

// keepAlive makes a request on c (keep-alive) and reads its answer.
func keepAlive(c net.Conn, r *bufio.Reader) error {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		return err
	}
	return readResponse(r, "hello\n")
}

// readResponse reads one response with a Content-Length or chunked body
// and checks its status and body.
func readResponse(r *bufio.Reader, body string) error {
	resp, err := readHTTP(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(resp.status, "HTTP/1.1 200 ") || resp.body != body {
		return fmt.Errorf("answer %q %q, want 200 %q", resp.status, resp.body, body)
	}
	return nil
}

type response struct {
	status string
	body   string
}

func readHTTP(r *bufio.Reader) (response, error) {
	var resp response
	line, err := r.ReadString('\n')
	if err != nil {
		return resp, fmt.Errorf("status line: %w", err)
	}
	resp.status = strings.TrimRight(line, "\r\n")
	if strings.HasPrefix(resp.status, "HTTP/1.1 100 ") {
		if _, err := r.ReadString('\n'); err != nil {
			return resp, err
		}
		return readHTTP(r)
	}
	length, chunked := -1, false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return resp, fmt.Errorf("header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		switch strings.ToLower(k) {
		case "content-length":
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(v), "chunked")
		}
	}
	var b strings.Builder
	switch {
	case chunked:
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return resp, fmt.Errorf("chunk size: %w", err)
			}
			n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 32)
			if err != nil {
				return resp, fmt.Errorf("chunk size %q", line)
			}
			if n == 0 {
				if _, err := r.ReadString('\n'); err != nil {
					return resp, err
				}
				break
			}
			if _, err := io.CopyN(&b, r, n+2); err != nil {
				return resp, err
			}
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-2])
		}
	case length >= 0:
		if _, err := io.CopyN(&b, r, int64(length)); err != nil {
			return resp, err
		}
	default:
		data, err := io.ReadAll(r)
		if err != nil {
			return resp, err
		}
		b.Write(data)
	}
	resp.body = b.String()
	return resp, nil
}

// TestHeldConnectionsFlood: idle connections, slow request heads, slow
// bodies, clients that do not read their response and idle keep-alive
// connections, 1,800 in all, beside a pool of
// 4 workers: new clients are still served (a 100 req/s probe, a new
// connection each, 2 s allowed each), the kept-alive clients are served
// again when they ask, no worker ends, and once the attack ends the
// server answers at once (issue 11).
func TestHeldConnectionsFlood(t *testing.T) {
	for _, mode := range []string{"processes", "goroutines"} {
		t.Run(mode, func(t *testing.T) {
			s, addr := startHeld(t, mode, 4, "default", "true")
			var a attackers
			defer a.closeAll()
			a.open(t, addr, 1000, "")
			a.open(t, addr, 300, "GET / HTTP/1.1\r\nHost: x\r\n")
			a.open(t, addr, 300, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\nabc")
			// Slow readers: a keep-alive request, then never a read.
			a.open(t, addr, 100, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			var k attackers
			defer k.closeAll()
			k.open(t, addr, 100, "")
			kept := k.conns
			var readers []*bufio.Reader
			for i, c := range kept {
				r := bufio.NewReader(c)
				readers = append(readers, r)
				if err := keepAlive(c, r); err != nil {
					t.Fatalf("keep-alive client %d: %v", i+1, err)
				}
			}
			// Meanwhile the kept connections have gone back to the master.
			ok := probeRate(t, addr, 100, 100, 2*time.Second)
			t.Logf("%s: %d of 100 probes answered beside 1,800 slow or idle connections", mode, ok)
			if ok < 95 {
				t.Errorf("only %d of 100 probes answered during the attack", ok)
			}
			for i, c := range kept {
				if err := keepAlive(c, readers[i]); err != nil {
					t.Errorf("keep-alive client %d, second request: %v", i+1, err)
				}
			}
			a.closeAll()
			end := time.Now()
			for n := 0; n < 10; {
				if err := probeOnce(addr, 2*time.Second); err != nil {
					t.Logf("probe after the attack: %v", err)
					n = 0
				} else {
					n++
				}
				if time.Since(end) > 5*time.Second {
					t.Fatalf("no 10 answers in a row within 5 s after the attack")
				}
			}
			recovery := time.Since(end)
			t.Logf("%s: 10 probes in a row answered %v after the attack", mode, recovery.Round(time.Millisecond))
			if recovery > time.Second {
				t.Errorf("recovery after the attack took %v", recovery)
			}
			if n := countExits(s.log.String()); n > 0 {
				t.Errorf("%d workers ended:\n%s", n, s.log.String())
			}
		})
	}
}

// TestHeldTimeouts: the master answers 408 to a held connection whose
// request does not arrive within idle_timeout or request_header_timeout,
// as the worker would; a request whose head has arrived but whose body
// is late goes to a worker at the deadline, which applies stall_timeout.
func TestHeldTimeouts(t *testing.T) {
	_, addr := startHeld(t, "processes", 2, "0.5", "true")
	cases := []struct {
		name, send, want string
	}{
		{"idle", "", "Idle connection timed out"},
		{"partial head", "GET / HTTP/1.1\r\nHost: x\r\n", "Timeout while receiving headers"},
		{"partial body", "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", "Timeout while waiting for request body"},
		{"kept alive, then idle", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "Idle connection timed out"},
	}
	var wg sync.WaitGroup
	for _, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			start := time.Now()
			c.SetDeadline(start.Add(10 * time.Second))
			if _, err := c.Write([]byte(tc.send)); err != nil {
				t.Error(err)
				return
			}
			r := bufio.NewReader(c)
			if strings.HasPrefix(tc.name, "kept alive") {
				if err := readResponse(r, "hello\n"); err != nil {
					t.Errorf("%s: %v", tc.name, err)
					return
				}
				start = time.Now()
			}
			resp, err := readHTTP(r)
			d := time.Since(start)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				return
			}
			if !strings.HasPrefix(resp.status, "HTTP/1.1 408 ") || !strings.Contains(resp.body, tc.want) {
				t.Errorf("%s: %q %q, want 408 with %q", tc.name, resp.status, resp.body, tc.want)
			}
			if d < 400*time.Millisecond || d > 4*time.Second {
				t.Errorf("%s: answered after %v, timeouts of 0.5 s", tc.name, d)
			}
		}()
	}
	wg.Wait()
}

// TestHeldRequests: requests that the master reads before a worker gets
// them arrive whole: pipelined ones, bodies below and above what the
// master reads, a body sent in pieces, one that waits for 100 Continue,
// a chunked one, and keep-alive connections that go back to the master
// between their requests.
func TestHeldRequests(t *testing.T) {
	for _, mode := range []string{"processes", "goroutines"} {
		t.Run(mode, func(t *testing.T) {
			_, addr := startHeld(t, mode, 2, "default", "true")
			post := func(n int) string {
				return "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n" + strings.Repeat("b", n)
			}
			cases := []struct {
				name   string
				pieces []string
				bodies []string
			}{
				{"pipelined", []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"}, []string{"hello\n", "hello\n"}},
				{"body read by the master", []string{post(60000)}, []string{"60000\n"}},
				{"body larger than the master reads", []string{post(300000)}, []string{"300000\n"}},
				{"body in pieces", []string{"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc", "def"}, []string{"6\n"}},
				{"head in pieces", []string{"GET / HTTP/1.1\r\n", "Host: x\r\n", "\r\n"}, []string{"hello\n"}},
				{"head larger than the master reads", []string{"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + strings.Repeat("c", 100000) + "\r\n\r\n"}, []string{"hello\n"}},
				{"expect 100-continue", []string{"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", "abc"}, []string{"3\n"}},
				{"chunked", []string{"POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "0\r\n\r\n"}, []string{"3\n"}},
				{"keep-alive, parked between requests", []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}, []string{"hello\n", "hello\n", "hello\n"}},
				{"HTTP/1.0", []string{"GET / HTTP/1.0\r\n\r\n"}, []string{"hello\n"}},
			}
			for _, tc := range cases {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				c.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(c)
				got := 0
				for i, piece := range tc.pieces {
					if _, err := c.Write([]byte(piece)); err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if strings.HasPrefix(tc.name, "keep-alive") {
						if err := readResponse(r, tc.bodies[i]); err != nil {
							t.Errorf("%s, request %d: %v", tc.name, i+1, err)
						}
						got++
					}
					pause := 50 * time.Millisecond
					if strings.HasPrefix(tc.name, "keep-alive") {
						pause = 1100 * time.Millisecond // > the worker's wait before it parks
					}
					time.Sleep(pause)
				}
				for ; got < len(tc.bodies); got++ {
					if err := readResponse(r, tc.bodies[got]); err != nil {
						t.Errorf("%s, response %d: %v", tc.name, got+1, err)
					}
				}
				c.Close()
			}
		})
	}
}

// TestHoldInMasterFalse: with hold_in_master = false the listener is not
// held: the master never learns that it serves HTTP.
func TestHoldInMasterFalse(t *testing.T) {
	s, addr := startHeld(t, "processes", 2, "default", "false")
	for i := 0; i < 3; i++ {
		if err := probeOnce(addr, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(s.log.String(), "serves HTTP") {
		t.Errorf("the master holds connections despite hold_in_master = false:\n%s", s.log.String())
	}
}

// TestHeldAtDescriptorLimit: with few descriptors (ulimit -n 512), more
// idle connections than the master can keep: it closes the ones that
// have waited longest for a first byte, and new clients are served.
func TestHeldAtDescriptorLimit(t *testing.T) {
	port := freePort(t)
	s := launchCmd(t, exec.Command("/bin/sh", "-c", `ulimit -n 512 && exec "$0" "$@"`, mbrunPath, "-s", "testdata/held.lua", port, "2", "default", "true"))
	s.waitLog("Server started", 20*time.Second)
	addr := "127.0.0.1:" + port
	probe(t, addr)
	s.waitLog("serves HTTP", 5*time.Second)
	var a attackers
	defer a.closeAll()
	a.open(t, addr, 600, "")
	ok := probeRate(t, addr, 20, 50, 2*time.Second)
	if ok < 19 {
		t.Errorf("%d of 20 probes answered beside 600 idle connections and 512 descriptors", ok)
	}
	// The oldest idle connections were closed by the master.
	closed := 0
	buf := make([]byte, 1)
	for _, c := range a.conns[:100] {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := c.Read(buf); err == io.EOF {
			closed++
		}
	}
	t.Logf("%d of 20 probes answered; %d of the first 100 idle connections closed by the master", ok, closed)
	if closed == 0 {
		t.Errorf("no idle connection was closed at the descriptor limit")
	}
}

// TestHeldFromTheStart: idle clients that connect before the master knows
// that the listener serves HTTP reach workers, which give them back to the
// master instead of waiting for their requests: new clients are served
// and the idle ones are answered once they send their requests.
func TestHeldFromTheStart(t *testing.T) {
	port := freePort(t)
	s := startServer(t, "-s", "testdata/held.lua", port, "2", "default", "true")
	addr := "127.0.0.1:" + port
	var a attackers
	defer a.closeAll()
	a.open(t, addr, 10, "")
	slow := a.conns
	if ok := probeRate(t, addr, 20, 10, 3*time.Second); ok < 19 {
		t.Errorf("%d of 20 probes answered after 10 idle clients came first", ok)
	}
	s.waitLog("serves HTTP", 5*time.Second)
	for i, c := range slow {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		if err := readResponse(bufio.NewReader(c), "hello\n"); err != nil {
			t.Errorf("idle client %d: %v", i+1, err)
		}
	}
}
