// Command mbhostile measures whether the example application
// (examples/webapp/webapp.lua built with mbbuild) keeps serving new
// clients while hostile clients attack it, and how fast it recovers
// afterwards, with worker processes, with goroutine workers, and for a
// plain net/http server in the same run. It prints one Markdown table to
// stdout and its progress to stderr.
//
//	go run ./bench/mbhostile                   (from the repository root)
//	go run ./bench/mbhostile -duration 60s -rows idle,startup
//	go run ./bench/mbhostile -bin /tmp/mbhostile-before/server
//
// Every attack gets a fresh server on a free port of 127.0.0.1. A probe
// sends 100 requests per second, each on a new connection, before, during
// and after the attack. mbhostile is a measuring program: it must not be
// run as a test, change system settings, or talk to anything but loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/moonbridge-go/moonbridge/bench/internal/benchutil"
)

const (
	probeRate     = 100             // probe requests per second during attacks
	probeTimeout  = 2 * time.Second // a probe request must be answered within this
	recoveryRun   = 10              // consecutive successes that mean "recovered"
	recoveryCap   = 30 * time.Second
	baseline      = time.Second // probing before the attack starts
	startupRate   = 200         // probe rate of the start-up row
	startupWindow = 5 * time.Second
)

var allRows = []string{"idle", "slow-headers", "slow-body", "slow-read", "aborts", "startup"}
var allModes = []string{"processes", "goroutines", "nethttp"}

type config struct {
	rows         map[string]bool
	modes        []string
	duration     time.Duration
	bin          string
	openRate     int
	abortRate    int
	slowhttptest bool
	keep         bool
}

func main() {
	// Hidden mode: be the net/http comparison server.
	if len(os.Args) == 3 && os.Args[1] == "-serve-nethttp" {
		os.Exit(serveNetHTTP(os.Args[2]))
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "mbhostile: %v\n", err)
		os.Exit(2)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		benchutil.Logf("%v: stopping the servers started", s)
		running.stopAll()
		os.Exit(130)
	}()
	if err := run(cfg); err != nil {
		running.stopAll()
		fmt.Fprintf(os.Stderr, "mbhostile: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("mbhostile", flag.ContinueOnError)
	rows := fs.String("rows", strings.Join(allRows, ","), "rows to run, from: "+strings.Join(allRows, ","))
	modes := fs.String("modes", strings.Join(allModes, ","), "servers to measure, from: "+strings.Join(allModes, ","))
	fs.DurationVar(&cfg.duration, "duration", 20*time.Second, "length of each attack")
	fs.StringVar(&cfg.bin, "bin", "", "server `binary` to measure (built with mbbuild from examples/webapp/webapp.lua) instead of building one from this repository")
	fs.IntVar(&cfg.openRate, "open-rate", 1000, "connections per second the idle and slow attackers open")
	fs.IntVar(&cfg.abortRate, "abort-rate", 200, "connections per second of the aborts attack")
	fs.BoolVar(&cfg.slowhttptest, "slowhttptest", false, "run the slowhttptest tool (-H, -B, -X) in place of the Go slow-headers, slow-body and slow-read attackers")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binaries, server and slowhttptest logs)")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (mbhostile takes only flags)", fs.Arg(0))
	}
	if cfg.duration < time.Second || cfg.duration > 10*time.Minute {
		return nil, errors.New("-duration must be between 1s and 10m")
	}
	if cfg.openRate <= 0 || cfg.abortRate <= 0 || cfg.openRate > 100000 || cfg.abortRate > 10000 {
		return nil, errors.New("-open-rate and -abort-rate must be positive (at most 100000 and 10000)")
	}
	var err error
	if cfg.rows, err = pickList("-rows", *rows, allRows); err != nil {
		return nil, err
	}
	picked, err := pickList("-modes", *modes, allModes)
	if err != nil {
		return nil, err
	}
	for _, m := range allModes {
		if picked[m] {
			cfg.modes = append(cfg.modes, m)
		}
	}
	return cfg, nil
}

// pickList parses a comma list of names from known.
func pickList(flagName, list string, known []string) (map[string]bool, error) {
	picked := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		found := false
		for _, k := range known {
			found = found || k == s
		}
		if !found {
			return nil, fmt.Errorf("%s: unknown %q (known: %s)", flagName, s, strings.Join(known, ","))
		}
		picked[s] = true
	}
	if len(picked) == 0 {
		return nil, fmt.Errorf("%s: empty", flagName)
	}
	return picked, nil
}

// bench is what every run needs.
type bench struct {
	cfg     *config
	tmp     string
	specs   map[string]serverSpec
	binNote string
	table   []result
}

func run(cfg *config) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "mbhostile-")
	if err != nil {
		return err
	}
	if cfg.keep {
		benchutil.Logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	raiseFileLimit(8192)
	b := &bench{cfg: cfg, tmp: tmp}
	if err := b.prepare(); err != nil {
		return err
	}
	for _, row := range allRows {
		if !cfg.rows[row] {
			continue
		}
		if row == "startup" {
			for _, mode := range cfg.modes {
				b.add(b.startupRun(mode))
			}
			continue
		}
		tool := cfg.slowhttptest && strings.HasPrefix(row, "slow-")
		if tool && !haveSlowhttptest() {
			b.add(result{row: rowLabel(row, cfg, true), mode: "all",
				err: errors.New("skipped: slowhttptest is not installed (apt-get install slowhttptest)")})
			continue
		}
		for _, mode := range cfg.modes {
			b.add(b.attackRun(row, mode, tool))
		}
	}
	fmt.Println()
	fmt.Print(markdown(b.table))
	fmt.Println()
	for _, n := range b.notes(time.Since(start)) {
		fmt.Println("- " + n)
	}
	return nil
}

// prepare builds (or takes) our server binary and names the servers.
func (b *bench) prepare() error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locate mbhostile itself: %w", err)
	}
	bin := b.cfg.bin
	if bin != "" {
		if bin, err = filepath.Abs(bin); err != nil {
			return err
		}
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("-bin: %w", err)
		}
		b.binNote = "our server: " + bin + " (-bin" + versionOf(bin) + ")"
	} else if b.needsOurs() {
		repo, err := findRepo()
		if err != nil {
			return err
		}
		mbbuild := filepath.Join(b.tmp, "mbbuild")
		bin = filepath.Join(b.tmp, "server")
		benchutil.Logf("building ./cmd/mbbuild, then examples/webapp/webapp.lua with it")
		if err := runIn(repo, "go", "build", "-o", mbbuild, "./cmd/mbbuild"); err != nil {
			return err
		}
		if err := runIn(repo, mbbuild, "examples/webapp/webapp.lua", "-o", bin); err != nil {
			return err
		}
		b.binNote = "our server: examples/webapp/webapp.lua built with mbbuild from " + revision(repo)
	}
	b.specs = map[string]serverSpec{
		"processes":  {mode: "processes", path: bin},
		"goroutines": {mode: "goroutines", path: bin, args: []string{"--workers=goroutines"}},
		"nethttp":    {mode: "net/http", path: self, args: []string{"-serve-nethttp"}},
	}
	return nil
}

func (b *bench) needsOurs() bool {
	for _, m := range b.cfg.modes {
		if m != "nethttp" {
			return true
		}
	}
	return false
}

// findRepo is the directory of the main module's go.mod, which must be
// this repository.
func findRepo() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	data, err := os.ReadFile(gomod)
	if gomod == "" || gomod == os.DevNull || err != nil ||
		!strings.Contains(string(data), "module github.com/moonbridge-go/moonbridge\n") {
		return "", errors.New("run mbhostile inside the repository (or give -bin)")
	}
	return filepath.Dir(gomod), nil
}

// runIn runs a build command in dir, its output going to stderr.
func runIn(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", filepath.Base(name), strings.Join(args, " "), err)
	}
	return nil
}

// revision names the repository's commit and says whether the working
// tree has uncommitted changes.
func revision(repo string) string {
	head, err := exec.Command("git", "-C", repo, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "the working tree (no git)"
	}
	s := "commit " + strings.TrimSpace(string(head))
	status, _ := exec.Command("git", "-C", repo, "status", "--porcelain").Output()
	if n := len(strings.Fields(strings.TrimSpace(string(status)))); n > 0 {
		s += " with uncommitted changes (" + strings.Join(changedFiles(string(status), 6), ", ") + ")"
	}
	return s
}

// versionOf is "; " and the first line of `bin --version`, or "".
func versionOf(bin string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if err != nil || line == "" {
		return ""
	}
	return "; " + line
}

// changedFiles lists at most n paths of `git status --porcelain` output.
func changedFiles(status string, n int) []string {
	var files []string
	// Each line is "XY path": the status letters may start with a space.
	for _, line := range strings.Split(strings.TrimRight(status, "\n"), "\n") {
		if len(line) > 3 {
			files = append(files, line[3:])
		}
	}
	sort.Strings(files)
	if len(files) > n {
		files = append(files[:n], fmt.Sprintf("%d more", len(files)-n))
	}
	return files
}

// raiseFileLimit makes sure mbhostile may open n files: Go raises the soft
// limit to the hard one at start-up; if that is still lower, try to raise
// both (allowed as root).
func raiseFileLimit(n uint64) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur >= n {
		return
	}
	want := syscall.Rlimit{Cur: n, Max: max(rl.Max, n)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		benchutil.Logf("warning: open-file limit %d (hard %d), could not raise it to %d: %v; the idle attack may fail to open its connections", rl.Cur, rl.Max, n, err)
	}
}

func (b *bench) add(r result) {
	b.table = append(b.table, r)
	if r.err != nil {
		benchutil.Logf("row: %s, %s: %v", r.row, r.mode, r.err)
		return
	}
	benchutil.Logf("row: %s, %s: probe ok %s, p50 %s, p99 %s, max %s, recovery %s, peak RSS %s; attack: %s",
		r.row, r.mode, r.ok, r.p50, r.p99, r.max, r.recovery, r.rss, r.detail)
}

func (b *bench) notes(took time.Duration) []string {
	return []string{
		benchutil.Machine() + "; the attackers, the probe and the server share the cores",
		b.binNote + "; processes = default options, goroutines = --workers=goroutines; net/http = a plain net/http server (no timeouts set) in this program, re-executed with -serve-nethttp",
		fmt.Sprintf("each attack: fresh server, %v of probing, then the attack for %v; probe = %d requests/s, each `GET /` with `Connection: close` on a new connection, ok = complete 200 within %v of its scheduled time; p50/p99/max over the probes scheduled during the attack, a failed probe counts as slower than any success (\"failed\")",
			baseline, b.cfg.duration, probeRate, probeTimeout),
		fmt.Sprintf("recovery = from the end of the attack (its sockets being closed) until the first of %d consecutive successful probes was answered (\"> %v\": none within %v)",
			recoveryRun, recoveryCap, recoveryCap),
		fmt.Sprintf("start-up row: %d requests/s for %v from the moment the port first accepts a connection; no recovery", startupRate, startupWindow),
		"peak RSS = largest sum of resident memory over the server's process tree (/proc, sampled every 100 ms from start to stop)",
		"whole run took " + took.Round(time.Second).String(),
	}
}
