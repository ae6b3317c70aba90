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
	"syscall"
	"time"
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
	cmd     *exec.Cmd
	addr    string
	tree    procTree
	logPath string
	exited  chan struct{}
	waitErr error
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

// startServer starts sc with the port and appArgs as application
// arguments; its output goes to a log file in dir.
func startServer(sc serverCmd, dir string, appArgs ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, fmt.Sprintf("%s-%d.log", strings.NewReplacer("/", "-", " ", "-").Replace(sc.name), port))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	args := append(append(append([]string{}, sc.args...), strconv.Itoa(port)), appArgs...)
	cmd := exec.Command(sc.path, args...)
	cmd.Env = append(os.Environ(), sc.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", sc.name, err)
	}
	s := &server{
		cmd:     cmd,
		addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		tree:    procTree{root: cmd.Process.Pid},
		logPath: logPath,
		exited:  make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// waitReady waits until the server answers a GET / with any HTTP response,
// until at least workers processes below the root exist, and until the tree
// has stopped using CPU for 200 ms (workers finished starting).
func (s *server) waitReady(workers int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited during start-up (%v); log: %s", s.waitErr, s.logTail())
		default:
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
	type proc struct {
		pid   int
		start string
	}
	var procs []proc
	for _, pid := range s.tree.pids()[1:] {
		if st := startTime(pid); st != "" {
			procs = append(procs, proc{pid, st})
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		err = fmt.Errorf("%s ignored SIGTERM for 5s: killed", s.addr)
	}
	for _, p := range procs {
		if startTime(p.pid) == p.start {
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	return err
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

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	text := strings.TrimSpace(string(b))
	if len(text) > 800 {
		text = "..." + text[len(text)-800:]
	}
	if text == "" {
		return "(empty)"
	}
	return text
}
