package benchutil

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is a started command whose standard output and standard error
// go to a log file; it is waited for in the background.
type Process struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	err     error // cmd.Wait's result, set before exited is closed
}

// StartLogged starts cmd with its standard output and standard error
// written to a new file at logPath. The errors are those of creating the
// file and of starting cmd, unwrapped.
func StartLogged(cmd *exec.Cmd, logPath string) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Gone reports whether the process has exited.
func (p *Process) Gone() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Wait waits for the process to exit and returns the error of
// exec.Cmd.Wait (nil for a zero exit status).
func (p *Process) Wait() error {
	<-p.exited
	return p.err
}

// LogTail is the end of the log file, its last n bytes (with "..."
// before them when cut), for error messages.
func (p *Process) LogTail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	text := strings.TrimSpace(string(b))
	if len(text) > n {
		text = "..." + text[len(text)-n:]
	}
	if text == "" {
		return "(empty)"
	}
	return text
}

// End sends sig to the process and waits until it has exited; if it has
// not after grace, it kills it (SIGKILL) and reports that it had to.
func (p *Process) End(sig os.Signal, grace time.Duration) (killed bool) {
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return false
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.exited
		return true
	}
}

// StopTree ends the process and everything below it: it notes the
// descendants and their start times, ends the process with SIGTERM (and
// SIGKILL after grace, reported by killed), then sends SIGKILL to every
// descendant still alive, each by its pid and only if its start time is
// still the one noted (a reused pid is left alone).
func (p *Process) StopTree(grace time.Duration) (killed bool) {
	type proc struct {
		pid   int
		start string
	}
	var procs []proc
	for _, pid := range TreePids(p.Pid())[1:] {
		if st := startTime(pid); st != "" {
			procs = append(procs, proc{pid, st})
		}
	}
	killed = p.End(syscall.SIGTERM, grace)
	for _, d := range procs {
		if startTime(d.pid) == d.start {
			syscall.Kill(d.pid, syscall.SIGKILL)
		}
	}
	return killed
}

// TreePids returns root followed by its descendants, found through the
// children files of every thread in /proc (a Go program forks from any of
// its threads). Processes that end meanwhile are left out.
func TreePids(root int) []int {
	pids := []int{root}
	for i := 0; i < len(pids) && i < 100000; i++ {
		tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pids[i]))
		if err != nil {
			continue
		}
		for _, task := range tasks {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pids[i], task.Name()))
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					pids = append(pids, pid)
				}
			}
		}
	}
	return pids
}

// startTime is the start time of process pid, "" when it is gone or a
// zombie.
func startTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	return statStartTime(string(b))
}

// statStartTime is field 22 of the contents of a /proc/PID/stat file, ""
// for a zombie or a short line. The command name (field 2) may contain
// spaces and parentheses: fields restart after its last ')'.
func statStartTime(stat string) string {
	i := strings.LastIndexByte(stat, ')')
	f := strings.Fields(stat[i+1:])
	if len(f) < 20 || f[0] == "Z" {
		return ""
	}
	return f[19]
}
