package conformance

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/*.out from lua5.3 (each script is run twice and must be deterministic)")

const (
	testdata  = "testdata"
	reference = "lua5.3"
	mainPkg   = "github.com/moonbridge-go/moonbridge/cmd/mblua"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// interpreter returns the absolute path of the mblua binary under test: $MBLUA,
// or cmd/mblua built once for the whole test binary. It fails t when there is
// none.
func interpreter(t *testing.T) string {
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
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("no go command on PATH to build %s: %v", mainPkg, err)
			return
		}
		buildDir, err = os.MkdirTemp("", "mblua-conformance-")
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(buildDir, "mblua")
		out, err := exec.Command(goTool, "build", "-o", bin, mainPkg).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("cannot build the interpreter under test %s (set MBLUA=/path/to/binary to test a prebuilt one):\n%s%v",
				mainPkg, out, err)
			return
		}
		buildBin = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// referencePath returns the path of lua5.3, or "" when it is not installed.
func referencePath() string {
	p, err := exec.LookPath(reference)
	if err != nil {
		return ""
	}
	return p
}

// scripts lists the names (without .lua) of the scripts in testdata.
func scripts(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testdata, "*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", testdata, err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".lua"))
	}
	sort.Strings(names)
	return names
}

// isReference reports whether bin is lua5.3 itself (the suite checking its
// own expectations), for which the list of known failures of mblua does not
// apply.
func isReference(bin string) bool {
	ref := referencePath()
	if ref == "" {
		return false
	}
	a, err1 := filepath.EvalSymlinks(bin)
	b, err2 := filepath.EvalSymlinks(ref)
	return err1 == nil && err2 == nil && a == b
}

// knownFailures reads testdata/known_failures.txt: a script name (or
// "cli/" and the name of a command line case of TestCLI) per line, optionally
// followed by "# reason"; blank lines and lines starting with "#" are
// ignored. It maps each name to its reason.
func knownFailures(t *testing.T) map[string]string {
	t.Helper()
	known := map[string]string{}
	f, err := os.Open(filepath.Join(testdata, "known_failures.txt"))
	if os.IsNotExist(err) {
		return known
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, "#")
		name = strings.TrimSuffix(strings.TrimSpace(name), ".lua")
		known[name] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return known
}

// runScript runs testdata/NAME.lua as "BIN NAME.lua" in testdata, so that the
// chunk name in messages is "NAME.lua".
func runScript(bin, name string) (Result, error) {
	return Run(bin, testdata, Env(), nil, name+".lua")
}

func TestConformance(t *testing.T) {
	names := scripts(t)
	if *update {
		regenerate(t, names)
		return
	}
	known := knownFailures(t)
	for name := range known {
		if strings.HasPrefix(name, cliPrefix) {
			continue // checked by TestCLI
		}
		if _, err := os.Stat(filepath.Join(testdata, name+".lua")); err != nil {
			t.Errorf("known_failures.txt lists %s, which is not a script in %s", name, testdata)
		}
	}
	outs, _ := filepath.Glob(filepath.Join(testdata, "*.out"))
	for _, o := range outs {
		if _, err := os.Stat(strings.TrimSuffix(o, ".out") + ".lua"); err != nil {
			t.Errorf("%s has no script: remove it", o)
		}
	}
	bin := interpreter(t)
	if isReference(bin) {
		t.Logf("the interpreter under test is %s itself: known_failures.txt does not apply", reference)
		known = map[string]string{}
	}
	ref := referencePath()
	if ref == "" {
		t.Logf("%s is not on PATH: the stored expectations are not checked against it", reference)
	}
	var lines atomic.Int64
	t.Cleanup(func() {
		t.Logf("%d scripts, %d output lines compared", len(names), lines.Load())
	})
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(testdata, name+".out"))
			if err != nil {
				t.Fatalf("no expectation for %s.lua (run the test with -update): %v", name, err)
			}
			want, err := Decode(data)
			if err != nil {
				t.Fatalf("%s.out: %v", name, err)
			}
			if ref != "" {
				live, err := runScript(ref, name)
				if err != nil {
					t.Fatalf("%s: %v", reference, err)
				}
				if d := Diff(want, live); d != "" {
					t.Fatalf("%s.out no longer equals the output of %s (regenerate with -update):\n%s", name, reference, d)
				}
			}
			got, err := runScript(bin, name)
			d := Diff(want, got)
			if err != nil {
				d = err.Error() + "\n" + d
			}
			if ratchet(t, known, name, d) {
				lines.Add(int64(want.Lines()))
			}
		})
	}
}

// regenerate writes testdata/NAME.out for every script from two runs of
// lua5.3, which must agree.
func regenerate(t *testing.T, names []string) {
	ref := referencePath()
	if ref == "" {
		t.Fatalf("-update needs %s on PATH", reference)
	}
	total := 0
	for _, name := range names {
		first, err := runScript(ref, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		second, err := runScript(ref, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d := Diff(first, second); d != "" {
			t.Errorf("%s.lua is not deterministic under %s:\n%s", name, reference, d)
			continue
		}
		enc := first.Encode()
		path := filepath.Join(testdata, name+".out")
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, enc) {
			total += first.Lines()
			continue
		}
		if err := os.WriteFile(path, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d lines)", path, first.Lines())
		total += first.Lines()
	}
	t.Logf("%d scripts, %d output lines", len(names), total)
}

// ratchet reports the outcome d (a difference, or "" for a pass) of the
// script or command line case name, given the list of known failures: an
// unexpected difference is an error, a known one is logged and the test
// skipped, and a known failure that passes is an error asking to remove it
// from the list. It returns whether the case passed.
func ratchet(t *testing.T, known map[string]string, name, d string) bool {
	t.Helper()
	reason, isKnown := known[name]
	switch {
	case d == "" && isKnown:
		t.Errorf("%s passes now: remove %s from testdata/known_failures.txt", name, name)
	case d == "":
		return true
	case isKnown:
		t.Skipf("known failure (%s):\n%s", reason, d)
	default:
		t.Errorf("%s differs from lua5.3:\n%s", name, d)
	}
	return false
}
