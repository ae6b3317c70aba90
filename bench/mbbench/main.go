// Command mbbench compares the Moonbridge server built from this repository
// with a plain Go net/http server on the targets of issue 7 and prints one
// table: both sides, their ratio, PASS/MISS per target, and the CPU time and
// peak resident memory of each side's server processes.
//
//	go run ./bench/mbbench            (from the repository root)
//
// It builds cmd/mbrun and cmd/mbbuild, starts every server as a separate
// process on 127.0.0.1, and drives the load with its own generator (raw
// keep-alive connections with pre-built requests; net/http's Transport for
// the upload). Client and servers share the machine's cores.
//
// mbbench is a measuring program: it must not be run as a test, change
// system settings, or talk to anything but loopback.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// config is mbbench's command line.
type config struct {
	repo        string
	via         string
	duration    time.Duration
	warmup      time.Duration
	conns       int
	manyConns   int
	modes       []workerMode
	rows        map[string]bool
	uploadMiB   int
	uploads     int
	startups    int
	maxRequests int64
	keep        bool
	profileDir  string
	ourEnv      []string
}

// workerMode is an alternative worker mode of our server: a name for the
// table and the command-line flags that select it.
type workerMode struct {
	name  string
	flags []string
}

var allRows = []string{"hello", "close", "form", "upload", "idle", "startup", "latency", "modes"}

func main() {
	// Hidden mode: be the net/http comparison server.
	if len(os.Args) == 3 && os.Args[1] == "-serve-nethttp" {
		os.Exit(serveNetHTTP(os.Args[2]))
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "mbbench: %v\n", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "mbbench: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("mbbench", flag.ContinueOnError)
	fs.StringVar(&cfg.repo, "repo", "", "repository root (default: found from the working directory)")
	fs.StringVar(&cfg.via, "via", "mbbuild", "how to run our server: mbbuild (built binaries; falls back to mbrun if the build fails) or mbrun")
	fs.DurationVar(&cfg.duration, "duration", 3*time.Second, "measured time of each load run")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured load before each measurement")
	fs.IntVar(&cfg.conns, "conns", 32, "connections of the keep-alive, close, form and latency rows")
	fs.IntVar(&cfg.manyConns, "many-conns", 1000, "connections of the second row of each extra worker mode")
	modes := fs.String("modes", "goroutines=--workers=goroutines",
		"extra worker modes of our server, `name=flag [flag...]` separated by ';' (empty: none); a mode the server rejects shows as n/a")
	rows := fs.String("rows", strings.Join(allRows, ","), "rows to run, from: "+strings.Join(allRows, ","))
	fs.IntVar(&cfg.uploadMiB, "upload-mib", 100, "size of the uploaded file in MiB")
	fs.IntVar(&cfg.uploads, "uploads", 3, "uploads per side (the median counts)")
	fs.IntVar(&cfg.startups, "startups", 7, "start-ups per side (the median counts)")
	fs.Int64Var(&cfg.maxRequests, "max-requests", 10_000_000, "upper bound of measured requests per load run")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binaries, server logs)")
	fs.StringVar(&cfg.profileDir, "profile", "", "write CPU profiles of every server process of ours to this `dir` (runs bench/mbprof instead of built binaries)")
	ourEnv := fs.String("our-env", "", "extra environment of our server processes, `KEY=VALUE[,KEY=VALUE...]` (e.g. GOMAXPROCS=1,GOGC=200), for experiments")
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (mbbench takes only flags)", fs.Arg(0))
	}
	if cfg.via != "mbbuild" && cfg.via != "mbrun" {
		return nil, fmt.Errorf("-via %q: want mbbuild or mbrun", cfg.via)
	}
	if cfg.duration <= 0 || cfg.warmup < 0 || cfg.conns <= 0 || cfg.manyConns <= 0 ||
		cfg.uploadMiB <= 0 || cfg.uploads <= 0 || cfg.startups <= 0 || cfg.maxRequests <= 0 {
		return nil, errors.New("durations, counts and sizes must be positive")
	}
	for _, kv := range strings.Split(*ourEnv, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, fmt.Errorf("-our-env: %q is not KEY=VALUE", kv)
		}
		cfg.ourEnv = append(cfg.ourEnv, kv)
	}
	cfg.rows = map[string]bool{}
	for _, r := range strings.Split(*rows, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !contains(allRows, r) {
			return nil, fmt.Errorf("-rows: unknown row %q (known: %s)", r, strings.Join(allRows, ","))
		}
		cfg.rows[r] = true
	}
	for _, m := range strings.Split(*modes, ";") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		name, flags, ok := strings.Cut(m, "=")
		if !ok || strings.TrimSpace(name) == "" || len(strings.Fields(flags)) == 0 {
			return nil, fmt.Errorf("-modes: %q is not name=flags", m)
		}
		cfg.modes = append(cfg.modes, workerMode{strings.TrimSpace(name), strings.Fields(flags)})
	}
	if cfg.repo == "" {
		root, err := findRepo()
		if err != nil {
			return nil, err
		}
		cfg.repo = root
	}
	return cfg, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// findRepo walks up from the working directory to the go.mod of the module.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/moonbridge-go/moonbridge\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no repository root (go.mod of github.com/moonbridge-go/moonbridge) above the working directory; use -repo")
		}
		dir = parent
	}
}

func run(cfg *config) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "mbbench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(os.Stderr, "keeping %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	b, err := prepare(cfg, tmp)
	if err != nil {
		return err
	}
	t := &table{}
	if cfg.rows["hello"] || cfg.rows["latency"] {
		b.helloRow(t, false)
	}
	if cfg.rows["close"] {
		b.helloRow(t, true)
	}
	if cfg.rows["form"] {
		b.formRow(t)
	}
	if cfg.rows["upload"] {
		b.uploadRow(t)
	}
	if cfg.rows["idle"] {
		b.idleRow(t)
	}
	if cfg.rows["startup"] {
		b.startupRow(t)
	}
	if cfg.rows["latency"] {
		b.latencyRow(t)
	}
	if cfg.rows["modes"] {
		b.modeRows(t)
	}
	fmt.Println()
	fmt.Print(t.markdown())
	fmt.Println()
	for _, n := range b.notes(time.Since(start)) {
		fmt.Println("- " + n)
	}
	return nil
}

// goBuild runs `go build -o out pkg` in the repository.
func goBuild(repo, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repo
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return nil
}
