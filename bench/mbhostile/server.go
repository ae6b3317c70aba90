package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// serverSpec says how to start one kind of server: `path args... PORT`.
type serverSpec struct {
	mode string // processes, goroutines, nethttp
	path string
	args []string
}

// server is a running server process tree.
type server struct {
	cmd      *exec.Cmd
	addr     string
	logPath  string
	exited   chan struct{}
	waitErr  error
	unlist   func()
	peakRSS  atomic.Int64
	stopRSS  chan struct{}
	rssDone  chan struct{}
	stopOnce sync.Once
	stopErr  error
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts spec on a free port of 127.0.0.1, its output going to
// a log file in dir, and samples the tree's resident memory every 100 ms
// until it stops.
func startServer(spec serverSpec, dir, tag string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.log", tag, strings.ReplaceAll(spec.mode, "/", ""), port))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(spec.path, append(append([]string{}, spec.args...), strconv.Itoa(port))...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.path, err)
	}
	s := &server{
		cmd:     cmd,
		addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		logPath: logPath,
		exited:  make(chan struct{}),
		stopRSS: make(chan struct{}),
		rssDone: make(chan struct{}),
	}
	s.unlist = running.add(func() { s.stop() })
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	go s.sampleRSS()
	return s, nil
}

func (s *server) sampleRSS() {
	defer close(s.rssDone)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		s.peakRSS.Store(max(s.peakRSS.Load(), treeRSS(s.cmd.Process.Pid)))
		select {
		case <-s.stopRSS:
			return
		case <-tick.C:
		}
	}
}

// gone reports whether the server has exited.
func (s *server) gone() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// waitAnswer waits until a GET / on a new connection gets a 200 response.
func (s *server) waitAnswer(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	p := &probe{addr: s.addr}
	for {
		if s.gone() {
			return fmt.Errorf("server exited during start-up (%v); log: %s", s.waitErr, s.logTail())
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
		if s.gone() {
			return fmt.Errorf("server exited during start-up (%v); log: %s", s.waitErr, s.logTail())
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
		type proc struct {
			pid   int
			start string
		}
		var procs []proc
		for _, pid := range treePids(s.cmd.Process.Pid)[1:] {
			if st := startTime(pid); st != "" {
				procs = append(procs, proc{pid, st})
			}
		}
		close(s.stopRSS)
		<-s.rssDone
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = errors.New("ignored SIGTERM for 5 s: killed")
		}
		for _, p := range procs {
			if startTime(p.pid) == p.start {
				syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
		s.unlist()
	})
	return s.peakRSS.Load()
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	text := strings.TrimSpace(string(b))
	if len(text) > 600 {
		text = "..." + text[len(text)-600:]
	}
	if text == "" {
		return "(empty)"
	}
	return text
}

// treePids returns root followed by its descendants, found through the
// children files of every thread (a Go program forks from any thread).
func treePids(root int) []int {
	pids := []int{root}
	for i := 0; i < len(pids) && i < 100000; i++ {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pids[i]))
		for _, task := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pids[i], task.Name()))
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					pids = append(pids, pid)
				}
			}
		}
	}
	return pids
}

var pageSize = int64(os.Getpagesize())

// treeRSS is the resident memory of root and its descendants, in bytes
// (second field of /proc/PID/statm, in pages).
func treeRSS(root int) int64 {
	var sum int64
	for _, pid := range treePids(root) {
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

// startTime is field 22 of /proc/PID/stat ("" when the process is gone or
// a zombie).
func startTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 || f[0] == "Z" {
		return ""
	}
	return f[19]
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
