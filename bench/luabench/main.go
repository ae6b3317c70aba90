// Command luabench compares the speed of mblua, the project's Lua 5.3
// interpreter, with the reference lua5.3 on a set of Lua benchmark scripts.
//
// Every script in scripts/ (embedded in the binary) is run -runs times by
// each interpreter, alternately; the time of a run is the wall time of the
// interpreter process, start-up included, and the table shows the minimum
// over the runs. Each script prints a checksum: the two interpreters must
// print the same output, or the row is flagged and luabench exits with
// status 1. The summary gives the geometric mean and the maximum of the
// ratios mblua/lua5.3 against the targets (≤ 2× and ≤ 3×).
//
//	go run ./bench/luabench                      # builds ./cmd/mblua
//	go run ./bench/luabench -mblua /path/to/mblua -runs 5 -filter 'fib|sort'
package main

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

//go:embed scripts/*.lua
var scripts embed.FS

const (
	mainPkg     = "github.com/moonbridge-go/moonbridge/cmd/mblua"
	targetGeo   = 2.0 // geometric mean of the ratios
	targetMax   = 3.0 // largest ratio
	runTimeout  = 2 * time.Minute
	outputLimit = 200 // bytes of a differing output shown
)

func main() {
	mblua := flag.String("mblua", "", "interpreter under test (default: build "+mainPkg+" into a temporary directory)")
	lua := flag.String("lua", "lua5.3", "reference interpreter")
	runs := flag.Int("runs", 3, "runs per benchmark and interpreter; the minimum time is reported")
	filter := flag.String("filter", "", "run only the benchmarks whose name matches this regular expression")
	flag.Parse()
	if *runs < 1 {
		fatalf("-runs must be at least 1")
	}
	re, err := regexp.Compile(*filter)
	if err != nil {
		fatalf("-filter: %v", err)
	}

	ref, err := exec.LookPath(*lua)
	if err != nil {
		fatalf("reference interpreter: %v (apt-get install lua5.3, or give -lua PATH)", err)
	}
	tmp, err := os.MkdirTemp("", "luabench-")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(tmp)

	bin := *mblua
	if bin == "" {
		bin = filepath.Join(tmp, "mblua")
		fmt.Fprintf(os.Stderr, "building %s ...\n", mainPkg)
		out, err := exec.Command("go", "build", "-o", bin, mainPkg).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "luabench: cannot build the interpreter under test %s:\n%s%v\n(give a prebuilt one with -mblua PATH)\n", mainPkg, out, err)
			os.RemoveAll(tmp)
			os.Exit(1)
		}
	} else if bin, err = exec.LookPath(bin); err != nil {
		fatalf("-mblua: %v", err)
	}

	names, err := writeScripts(tmp, re)
	if err != nil {
		fatalf("%v", err)
	}
	if len(names) == 0 {
		fatalf("no benchmark matches -filter %q", *filter)
	}

	var rows []row
	failed := false
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "%s ", name)
		r := measure(name, tmp, ref, bin, *runs)
		fmt.Fprintln(os.Stderr)
		if r.err != "" || r.mismatch != "" {
			failed = true
		}
		rows = append(rows, r)
	}
	report(rows, filepath.Base(ref), *runs)
	if failed {
		os.RemoveAll(tmp)
		os.Exit(1)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "luabench: "+format+"\n", args...)
	os.Exit(1)
}

// writeScripts copies the embedded scripts whose name matches re into dir
// and returns their names without ".lua", sorted.
func writeScripts(dir string, re *regexp.Regexp) ([]string, error) {
	files, err := fs.Glob(scripts, "scripts/*.lua")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".lua")
		if !re.MatchString(name) {
			continue
		}
		src, err := scripts.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".lua"), src, 0o644); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// row is the measurement of one benchmark.
type row struct {
	name     string
	ref, mb  time.Duration // minimum wall time over the runs
	mismatch string        // set when the outputs differ
	err      string        // set when a run failed
}

func (r row) ratio() float64 { return r.mb.Seconds() / r.ref.Seconds() }

// measure runs the benchmark name runs times with each interpreter,
// alternating between them so that a change in the machine's load affects
// both alike.
func measure(name, dir, ref, bin string, runs int) row {
	r := row{name: name, ref: math.MaxInt64, mb: math.MaxInt64}
	var refOut, mbOut []byte
	for i := 0; i < runs; i++ {
		d, out, err := runOnce(ref, dir, name+".lua")
		if err != nil {
			r.err = fmt.Sprintf("%s: %v", filepath.Base(ref), err)
			return r
		}
		r.ref, refOut = min(r.ref, d), out
		d, out, err = runOnce(bin, dir, name+".lua")
		if err != nil {
			r.err = fmt.Sprintf("mblua: %v", err)
			return r
		}
		r.mb = min(r.mb, d)
		if mbOut != nil && !bytes.Equal(out, mbOut) {
			r.mismatch = "mblua printed different outputs in two runs"
		}
		mbOut = out
		fmt.Fprint(os.Stderr, ".")
	}
	if r.mismatch == "" && !bytes.Equal(refOut, mbOut) {
		r.mismatch = fmt.Sprintf("outputs differ: %s printed %q, mblua %q", filepath.Base(ref), clip(refOut), clip(mbOut))
	}
	return r
}

func clip(b []byte) string {
	if len(b) > outputLimit {
		return string(b[:outputLimit]) + "..."
	}
	return string(b)
}

// runOnce runs "bin script" in dir and returns the wall time of the process
// and its standard output; a non-zero exit status is an error.
func runOnce(bin, dir, script string) (time.Duration, []byte, error) {
	cmd := exec.Command(bin, script)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	timer := time.AfterFunc(runTimeout, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	d := time.Since(start)
	timer.Stop()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return 0, nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(clip(stderr.Bytes())))
		}
		return 0, nil, err
	}
	return d, stdout.Bytes(), nil
}

// report prints the table and the summary to stdout.
func report(rows []row, refName string, runs int) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "benchmark\t%s s\tmblua s\tratio\toutput\t\n", refName)
	logSum, n, maxRatio, maxName := 0.0, 0, 0.0, ""
	var notes []string
	for _, r := range rows {
		if r.err != "" {
			fmt.Fprintf(w, "%s\t-\t-\t-\tERROR\t\n", r.name)
			notes = append(notes, r.name+": "+r.err)
			continue
		}
		status := "same"
		if r.mismatch != "" {
			status = "MISMATCH"
			notes = append(notes, r.name+": "+r.mismatch)
		}
		ratio := r.ratio()
		logSum += math.Log(ratio)
		n++
		if ratio > maxRatio {
			maxRatio, maxName = ratio, r.name
		}
		fmt.Fprintf(w, "%s\t%.3f\t%.3f\t%.2f\t%s\t\n", r.name, r.ref.Seconds(), r.mb.Seconds(), ratio, status)
	}
	w.Flush()
	fmt.Printf("\n(minimum wall time of %d runs per interpreter, process start-up included)\n", runs)
	if n > 0 {
		geo := math.Exp(logSum / float64(n))
		fmt.Printf("geometric mean of ratios: %.2f  (target <= %.1f)  %s\n", geo, targetGeo, passMiss(geo <= targetGeo))
		fmt.Printf("max ratio:                %.2f  (target <= %.1f, %s)  %s\n", maxRatio, targetMax, maxName, passMiss(maxRatio <= targetMax))
	}
	for _, s := range notes {
		fmt.Println("!", s)
	}
}

func passMiss(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}
