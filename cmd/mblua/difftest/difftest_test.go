package difftest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/cmd/mblua/conformance"
)

var (
	seeds     = flag.Int("seeds", 200, "number of generated programs TestDifferential runs")
	seedStart = flag.Uint64("seed-start", 1, "first seed TestDifferential runs")
	keepDir   = flag.String("keep", "", "directory for the programs that differ (default: a new directory under the system temporary directory)")
)

const (
	reference   = "lua5.3"
	mainPkg     = "github.com/moonbridge-go/moonbridge/cmd/mblua"
	maxReported = 10 // mismatches reported in detail; the rest are counted
)

// referencePath returns the path of lua5.3 or skips the test.
func referencePath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath(reference)
	if err != nil {
		t.Skipf("%s is not on PATH: the differential tests need the reference interpreter (apt-get install lua5.3)", reference)
	}
	return p
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// underTest returns the interpreter under test: $MBLUA, or cmd/mblua built
// once into a temporary directory.
func underTest(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MBLUA"); p != "" {
		abs, err := exec.LookPath(p)
		if err == nil {
			abs, err = filepath.Abs(abs)
		}
		if err != nil {
			t.Fatalf("MBLUA=%s: %v", p, err)
		}
		return abs
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "difftest-mblua-")
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(dir, "mblua")
		out, err := exec.Command("go", "build", "-o", bin, mainPkg).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("cannot build the interpreter under test %s (set MBLUA=/path/to/binary to test a prebuilt one):\n%s%v", mainPkg, out, err)
			return
		}
		buildBin = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// result is what one run of an interpreter printed and how it ended.
type result = conformance.Result

// run runs "bin file" in dir the way the conformance suite runs its
// scripts (fixed environment, timeout, program name normalised in
// stderr). err is set only when bin could not be run or timed out.
func run(bin, dir, file string) (result, error) {
	r, err := conformance.Run(bin, dir, conformance.Env(), nil, file)
	if err != nil {
		return r, fmt.Errorf("%s %s: %w", bin, file, err)
	}
	return r, nil
}

// diff describes the first difference between two results, or returns "".
func diff(want, got result) string {
	if d := firstDiff("stdout", want.Stdout, got.Stdout); d != "" {
		return d
	}
	if d := firstDiff("stderr", want.Stderr, got.Stderr); d != "" {
		return d
	}
	if want.Status != got.Status {
		return fmt.Sprintf("exit status: %s %d, under test %d", reference, want.Status, got.Status)
	}
	return ""
}

func firstDiff(stream string, want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	wl := strings.SplitAfter(string(want), "\n")
	gl := strings.SplitAfter(string(got), "\n")
	for i := 0; ; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("%s line %d:\n  %s: %q\n  under test: %q", stream, i+1, reference, w, g)
		}
	}
}

// mismatch is one program whose outputs differ.
type mismatch struct {
	name string // seed or file name
	diff string
	file string // where the program was kept
}

// compare runs file (in dir) through both interpreters.
func compare(ref, bin, dir, file string) (string, error) {
	want, err := run(ref, dir, file)
	if err != nil {
		return "", fmt.Errorf("%s: %v", reference, err)
	}
	got, err := run(bin, dir, file)
	if err != nil {
		return fmt.Sprintf("interpreter under test: %v", err), nil
	}
	return diff(want, got), nil
}

// workers is how many programs run at once: the machine's cores are
// shared, so at most 2.
func workers() int {
	return min(runtime.NumCPU(), 2)
}

// keepProgram writes a differing program where it survives the test run.
func keepProgram(name, src string) string {
	dir := *keepDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "difftest-failures")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "(not kept: " + err.Error() + ")"
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		return "(not kept: " + err.Error() + ")"
	}
	return p
}

// TestDifferential runs the generated programs for -seeds seeds from
// -seed-start through lua5.3 and the interpreter under test and compares
// stdout, stderr and exit status byte for byte.
func TestDifferential(t *testing.T) {
	ref := referencePath(t)
	bin := underTest(t)
	dir := t.TempDir()
	start, n := *seedStart, uint64(*seeds)

	known := knownFailures(t)
	var (
		mu       sync.Mutex
		failures []mismatch
		count    int
		nknown   int
		wg       sync.WaitGroup
	)
	next := make(chan uint64)
	for w := 0; w < workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range next {
				name := fmt.Sprintf("seed%d.lua", seed)
				src := Generate(seed)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Error(err)
					continue
				}
				d, err := compare(ref, bin, dir, name)
				if err != nil {
					t.Errorf("seed %d: %v", seed, err)
					continue
				}
				os.Remove(filepath.Join(dir, name))
				key := fmt.Sprint("seed ", seed)
				if _, isKnown := known[key]; isKnown {
					if d == "" {
						t.Errorf("%s passes now: remove it from testdata/known_failures.txt", key)
					} else {
						mu.Lock()
						nknown++
						mu.Unlock()
					}
					continue
				}
				if d == "" {
					continue
				}
				mu.Lock()
				count++
				if len(failures) < maxReported {
					failures = append(failures, mismatch{name: fmt.Sprint("seed ", seed), diff: d, file: keepProgram(name, src)})
				}
				mu.Unlock()
			}
		}()
	}
	began := time.Now()
	for s := start; s < start+n; s++ {
		next <- s
	}
	close(next)
	wg.Wait()
	sort.Slice(failures, func(i, j int) bool { return failures[i].name < failures[j].name })
	for _, f := range failures {
		t.Errorf("%s differs: %s\n  program: %s\n  again: go test ./cmd/mblua/difftest -run TestDifferential -seed-start %s -seeds 1",
			f.name, f.diff, f.file, strings.TrimPrefix(f.name, "seed "))
	}
	if count > len(failures) {
		t.Errorf("... and %d more of the %d programs differ", count-len(failures), n)
	}
	t.Logf("%d programs (seeds %d..%d) in %v, %d differ, %d more are known failures", n, start, start+n-1, time.Since(began).Round(time.Millisecond), count, nknown)
}

// knownFailures reads testdata/known_failures.txt: one entry per line,
// "seed N" or a regression file name, optionally followed by "# reason".
// A listed program that differs is logged, one that passes fails the
// test, so the list can only shrink.
func knownFailures(t *testing.T) map[string]string {
	t.Helper()
	known := map[string]string{}
	data, err := os.ReadFile(filepath.Join("testdata", "known_failures.txt"))
	if os.IsNotExist(err) {
		return known
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		entry, reason, _ := strings.Cut(line, "#")
		entry = strings.TrimSpace(entry)
		if entry != "" {
			known[entry] = strings.TrimSpace(reason)
		}
	}
	return known
}

// TestRegressions runs testdata/*.lua, hand-minimised programs of known-hard
// cases, through both interpreters.
func TestRegressions(t *testing.T) {
	ref := referencePath(t)
	bin := underTest(t)
	files, err := filepath.Glob(filepath.Join("testdata", "*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no programs in testdata: %v", err)
	}
	known := knownFailures(t)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".lua"), func(t *testing.T) {
			d, err := compare(ref, bin, "testdata", name)
			if err != nil {
				t.Fatal(err)
			}
			reason, isKnown := known[name]
			switch {
			case isKnown && d == "":
				t.Errorf("%s passes now: remove it from testdata/known_failures.txt", name)
			case isKnown:
				t.Logf("known failure (%s): %s", reason, d)
			case d != "":
				t.Errorf("%s differs: %s", f, d)
			}
		})
	}
}

// TestGeneratorDeterministic checks that a seed always gives the same
// program, that different seeds give different programs, and that programs
// stay within MaxLines.
func TestGeneratorDeterministic(t *testing.T) {
	seen := map[string]uint64{}
	for seed := uint64(1); seed <= 200; seed++ {
		a, b := Generate(seed), Generate(seed)
		if a != b {
			t.Fatalf("seed %d: two programs differ", seed)
		}
		if other, ok := seen[a]; ok {
			t.Errorf("seeds %d and %d give the same program", other, seed)
		}
		seen[a] = seed
		if n := strings.Count(a, "\n"); n >= MaxLines {
			t.Errorf("seed %d: %d lines, want < %d", seed, n, MaxLines)
		}
	}
}

// TestReferenceRunsCorpus validates the generator: lua5.3 must run every
// program of the corpus to the end, without an uncaught error and without
// writing to stderr.
func TestReferenceRunsCorpus(t *testing.T) {
	ref := referencePath(t)
	dir := t.TempDir()
	start, n := *seedStart, uint64(*seeds)
	var wg sync.WaitGroup
	next := make(chan uint64)
	for w := 0; w < workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range next {
				name := fmt.Sprintf("seed%d.lua", seed)
				src := Generate(seed)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Error(err)
					continue
				}
				r, err := run(ref, dir, name)
				switch {
				case err != nil:
					t.Errorf("seed %d: %v", seed, err)
				case r.Status != 0 || len(r.Stderr) > 0 || !bytes.HasSuffix(r.Stdout, []byte("-- end\n")):
					t.Errorf("seed %d: %s exited with status %d: %s\n  program: %s", seed, reference, r.Status, r.Stderr, keepProgram(name, src))
				}
			}
		}()
	}
	for s := start; s < start+n; s++ {
		next <- s
	}
	close(next)
	wg.Wait()
}
