package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// serverSpec says how to start one kind of server: `path args... PORT`.
type serverSpec struct {
	mode string // processes, goroutines, nethttp
	path string
	args []string
}

// server is a running server process tree.
type server struct {
	*benchutil.Process
	addr     string
	unlist   func()
	peakRSS  atomic.Int64
	stopRSS  chan struct{}
	rssDone  chan struct{}
	stopOnce sync.Once
}

// startServer starts spec on a free port of 127.0.0.1, its output going to
// a log file in dir, and samples the tree's resident memory every 100 ms
// until it stops.
func startServer(spec serverSpec, dir, tag string) (*server, error) {
	port, err := benchutil.FreePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.log", tag, strings.ReplaceAll(spec.mode, "/", ""), port))
	cmd := exec.Command(spec.path, append(append([]string{}, spec.args...), strconv.Itoa(port))...)
	p, err := benchutil.StartLogged(cmd, logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.path, err)
	}
	s := &server{
		Process: p,
		addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		stopRSS: make(chan struct{}),
		rssDone: make(chan struct{}),
	}
	s.unlist = running.add(func() { s.stop() })
	go s.sampleRSS()
	return s, nil
}

func (s *server) sampleRSS() {
	defer close(s.rssDone)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		s.peakRSS.Store(max(s.peakRSS.Load(), treeRSS(s.Pid())))
		select {
		case <-s.stopRSS:
			return
		case <-tick.C:
		}
	}
}

// waitAnswer waits until a GET / on a new connection gets a 200 response.
func (s *server) waitAnswer(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	p := &probe{addr: s.addr}
	for {
		if s.Gone() {
			return fmt.Errorf("server exited during start-up (%v); log: %s", s.Wait(), s.logTail())
		}
		fail := p.roundTrip(time.Now().Add(time.Second))
		if fail == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not answering after %v (%s); log: %s", limit, fail, s.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitAccept waits until the server's port accepts a connection (which it
// closes at once), polling every millisecond.
func (s *server) waitAccept(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if s.Gone() {
			return fmt.Errorf("server exited during start-up (%v); log: %s", s.Wait(), s.logTail())
		}
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("port not accepting after %v: %v; log: %s", limit, err, s.logTail())
		}
		time.Sleep(time.Millisecond)
	}
}

// stop ends the server: SIGTERM to the root, SIGKILL after 5 s, then
// SIGKILL to every descendant still alive, each by its pid and only if its
// start time is still the one seen before (a reused pid is left alone).
// It returns the peak resident memory of the tree.
func (s *server) stop() int64 {
	s.stopOnce.Do(func() {
		close(s.stopRSS)
		<-s.rssDone
		s.StopTree(5 * time.Second)
		s.unlist()
	})
	return s.peakRSS.Load()
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string { return s.LogTail(600) }

var pageSize = int64(os.Getpagesize())

// treeRSS is the resident memory of root and its descendants, in bytes
// (second field of /proc/PID/statm, in pages).
func treeRSS(root int) int64 {
	var sum int64
	for _, pid := range benchutil.TreePids(root) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 1 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sum += n * pageSize
		}
	}
	return sum
}

// running holds a stop function for every process mbhostile has started
// and not yet stopped, so an interrupt can stop them all.
var running = &registry{m: map[int]func(){}}

type registry struct {
	mu   sync.Mutex
	next int
	m    map[int]func()
}

func (r *registry) add(stop func()) (remove func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.next
	r.next++
	r.m[id] = stop
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.m, id)
	}
}

// stopAll runs every registered stop function, one after the other.
func (r *registry) stopAll() {
	r.mu.Lock()
	stops := make([]func(), 0, len(r.m))
	for _, f := range r.m {
		stops = append(stops, f)
	}
	r.mu.Unlock()
	for _, f := range stops {
		f()
	}
}
