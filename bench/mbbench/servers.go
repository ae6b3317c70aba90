package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// serverCmd says how to start one server: the program and the arguments
// that come before the port.
type serverCmd struct {
	name string   // for messages: "moonbridge", "net/http", a mode name
	path string   // executable
	args []string // before the application arguments (mode flags, script)
	env  []string // added to the environment
}

// server is a running server process tree.
type server struct {
	*benchutil.Process
	addr string
	tree procTree
}

// startServer starts sc with the port and appArgs as application
// arguments; its output goes to a log file in dir.
func startServer(sc serverCmd, dir string, appArgs ...string) (*server, error) {
	port, err := benchutil.FreePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, fmt.Sprintf("%s-%d.log", strings.NewReplacer("/", "-", " ", "-").Replace(sc.name), port))
	args := append(append(append([]string{}, sc.args...), strconv.Itoa(port)), appArgs...)
	cmd := exec.Command(sc.path, args...)
	cmd.Env = append(os.Environ(), sc.env...)
	p, err := benchutil.StartLogged(cmd, logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", sc.name, err)
	}
	return &server{
		Process: p,
		addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		tree:    procTree{root: p.Pid()},
	}, nil
}

// waitReady waits until the server answers a GET / with any HTTP response,
// until at least workers processes below the root exist, and until the tree
// has stopped using CPU for 200 ms (workers finished starting).
func (s *server) waitReady(workers int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
	for {
		if s.Gone() {
			return fmt.Errorf("server exited during start-up (%v); log: %s", s.Wait(), s.logTail())
		}
		if err := probe(s.addr, req); err == nil {
			break
		} else if time.Now().After(deadline) {
			return fmt.Errorf("server not answering after %v: %v; log: %s", limit, err, s.logTail())
		}
		time.Sleep(5 * time.Millisecond)
	}
	last, quiet := s.tree.sample(), 0
	for quiet < 4 || last.processes < workers+1 {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d worker processes after %v; log: %s", last.processes-1, workers, limit, s.logTail())
		}
		time.Sleep(50 * time.Millisecond)
		now := s.tree.sample()
		if now.cpuTicks-last.cpuTicks <= 1 && now.processes == last.processes {
			quiet++
		} else {
			quiet = 0
		}
		last = now
	}
	return nil
}

// probe sends one request on a new connection and reads the response.
func probe(addr string, req []byte) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(req); err != nil {
		return err
	}
	var r response
	return readResponse(bufio.NewReader(conn), &r)
}

// stop ends the server: SIGTERM to the root, SIGKILL after a grace time,
// then SIGKILL to any descendant still alive (each by its pid, checked
// against its start time so a reused pid is left alone).
func (s *server) stop() error {
	if s.StopTree(5 * time.Second) {
		return fmt.Errorf("%s ignored SIGTERM for 5s: killed", s.addr)
	}
	return nil
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string { return s.LogTail(800) }
