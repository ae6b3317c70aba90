package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

// toolAttack runs the real slowhttptest (Debian package slowhttptest) as
// the attacker: -H, -B or -X with -c conns at -r rate per second.
type toolAttack struct {
	flag     string // -H, -B, -X
	path     string // URL path
	conns    int
	rate     int
	duration time.Duration
	logPath  string

	proc   *benchutil.Process
	unlist func()
}

// haveSlowhttptest reports whether slowhttptest is installed.
func haveSlowhttptest() bool {
	_, err := exec.LookPath("slowhttptest")
	return err == nil
}

func (a *toolAttack) begin(addr string) error {
	// The tool's own limit is a second past ours: halt ends it at our
	// duration unless it ends earlier by itself (no connection left).
	secs := int(math.Ceil(a.duration.Seconds())) + 1
	args := []string{a.flag, "-c", fmt.Sprint(a.conns), "-r", fmt.Sprint(a.rate), "-l", fmt.Sprint(secs),
		"-u", "http://" + addr + a.path}
	benchutil.Logf("  slowhttptest %s (output in %s)", strings.Join(args, " "), filepath.Base(a.logPath))
	p, err := benchutil.StartLogged(exec.Command("slowhttptest", args...), a.logPath)
	if err != nil {
		return fmt.Errorf("start slowhttptest: %w", err)
	}
	a.proc = p
	a.unlist = running.add(func() { a.halt() })
	return nil
}

func (a *toolAttack) done() <-chan struct{} { return a.proc.Exited() }

// halt stops slowhttptest by its pid (SIGINT, which it handles by
// printing its last report; SIGKILL after 3 s); its sockets close with
// it. It returns the tool's last status counts.
func (a *toolAttack) halt() string {
	early := a.proc.Gone()
	if !early {
		a.proc.End(syscall.SIGINT, 3*time.Second)
	}
	a.unlist()
	b, _ := os.ReadFile(a.logPath)
	s := "slowhttptest " + a.flag + ": " + toolStatus(string(b))
	if early {
		s += fmt.Sprintf(", ended by itself (%v)", a.proc.Wait())
	}
	return s
}

var (
	ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)
	toolCount  = regexp.MustCompile(`(?m)^(connected|closed|error):\s+(\d+)\s*$`)
	toolExit   = regexp.MustCompile(`(?m)^Exit status:\s*(.*?)\s*$`)
)

// toolStatus is the last "connected / closed / error" counts slowhttptest
// printed, and its exit status line if it printed one.
func toolStatus(out string) string {
	out = ansiEscape.ReplaceAllString(out, "")
	last := map[string]string{}
	for _, m := range toolCount.FindAllStringSubmatch(out, -1) {
		last[m[1]] = m[2]
	}
	if len(last) == 0 {
		return "no status printed"
	}
	s := fmt.Sprintf("%s connected, %s closed, %s errors at the last report", last["connected"], last["closed"], last["error"])
	// "Cancelled by user" is halt's SIGINT: not worth a mention.
	if m := toolExit.FindStringSubmatch(out); m != nil && m[1] != "Cancelled by user" {
		s += "; " + m[1]
	}
	return s
}
