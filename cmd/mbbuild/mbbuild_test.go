package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	moonbridge "github.com/moonbridge-go/moonbridge"
)

// needRuntime skips tests that build servers until the runtime's command
// line (runtime/cli) is part of the module.
func needRuntime(t *testing.T) {
	t.Helper()
	if _, err := fs.Stat(moonbridge.Source, "runtime/cli/cli.go"); err != nil {
		t.Skip("runtime/cli does not exist yet; built binaries need it")
	}
	if testing.Short() {
		t.Skip("builds server binaries; skipped with -short")
	}
}

// mbbuild runs the build tool in-process with its own TMPDIR and checks
// that it leaves no temporary directory behind.
func mbbuild(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("mbbuild %s left %d entries in TMPDIR: %v", strings.Join(args, " "), len(left), left[0].Name())
	}
	return code, out.String(), errOut.String()
}

var (
	fixtureOnce sync.Once
	fixtureBin  string
	fixtureErr  string
	fixtureDir  string
	buildTime   time.Duration
)

// nestedServer builds testdata/nested once for all tests that only run it.
func nestedServer(t *testing.T) string {
	t.Helper()
	needRuntime(t)
	fixtureOnce.Do(func() {
		var err error
		fixtureDir, err = os.MkdirTemp("", "mbbuild-test-bin-")
		if err != nil {
			fixtureErr = err.Error()
			return
		}
		bin := filepath.Join(fixtureDir, "nested-server")
		start := time.Now()
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"-v", "-I", "testdata/include", "--embed", "testdata/nested/static",
			"-o", bin, "testdata/nested/app.lua"}, &out, &errOut)
		buildTime = time.Since(start)
		if code != 0 {
			fixtureErr = fmt.Sprintf("exit %d: %s", code, errOut.String())
			return
		}
		fixtureBin = bin
	})
	if fixtureBin == "" {
		t.Fatalf("building testdata/nested failed: %s", fixtureErr)
	}
	return fixtureBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is a started binary; stop ends it by its pid.
type server struct {
	cmd  *exec.Cmd
	port int
	log  *bytes.Buffer
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		t.Errorf("server pid %d did not stop on SIGTERM; log:\n%s", s.cmd.Process.Pid, s.log)
	}
}

// lockedBuffer collects a process's output from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

// startServer starts cmd (already configured) and waits until it answers
// a request; it returns the time from start to the first reply.
func startServer(t *testing.T, cmd *exec.Cmd, port int) (*server, time.Duration) {
	t.Helper()
	logBuf := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logBuf, logBuf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, port: port, log: &logBuf.Buffer}
	t.Cleanup(func() { s.stop(t) })
	deadline := start.Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if reply, err := ask(port, "greet start"); err == nil && reply == "hello, START!" {
			return s, time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	logBuf.mu.Lock()
	defer logBuf.mu.Unlock()
	t.Fatalf("server did not answer within 15s; log:\n%s", logBuf.String())
	return nil, 0
}

// ask sends one line on a fresh connection and returns the reply line.
func ask(port int, line string) (string, error) {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, line+"\n"); err != nil {
		return "", err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSuffix(reply, "\n"), err
}

// TestNestedAppServes builds the fixture with nested modules, an -I module
// and embedded files, runs it as a server from an empty directory (so no
// source file or asset can come from the disk) and queries it.
func TestNestedAppServes(t *testing.T) {
	bin := nestedServer(t)
	port := freePort(t)
	cmd := exec.Command(bin, fmt.Sprint(port))
	cmd.Dir = t.TempDir()
	srv, startup := startServer(t, cmd, port)
	t.Logf("build time %v, binary %d bytes, start-up to first served request %v", buildTime.Round(time.Millisecond), fileSize(t, bin), startup.Round(time.Millisecond))

	tests := []struct{ request, want string }{
		{"greet moon", "hello, MOON!"},
		{"upper bridge", "BRIDGE"},
		{"deep x", "[X]"},
		{"optional", "false"},
		{"error", "lib/greet.lua:15: greet failed on purpose"},
		{"nothing", "[unknown nothing]"},
		{"file static/hello.txt", `Hello from an embedded file.\nSecond line.\n`},
		{"file static/css/site.css", `body { color: red }\n`},
	}
	for _, tt := range tests {
		t.Run(tt.request, func(t *testing.T) {
			got, err := ask(srv.port, tt.request)
			if err != nil || got != tt.want {
				t.Fatalf("%q: got %q (%v), want %q", tt.request, got, err, tt.want)
			}
		})
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "app.lua (built ") || !strings.Contains(string(out), "with moonbridge ") {
		t.Errorf("--version: %q, %v", out, err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// checkStatic fails unless path is a statically linked ELF for machine.
func checkStatic(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("%s: machine %v, want %v", path, f.Machine, machine)
	}
	if f.Type != elf.ET_EXEC {
		t.Errorf("%s: ELF type %v, want ET_EXEC", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s: has program header %v: dynamically linked", path, p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s: needs shared libraries %v", path, libs)
	}
}

func TestBinaryIsStatic(t *testing.T) {
	bin := nestedServer(t)
	checkStatic(t, bin, elf.EM_X86_64)
	if path, err := exec.LookPath("file"); err == nil {
		out, _ := exec.Command(path, bin).CombinedOutput()
		if !strings.Contains(string(out), "statically linked") {
			t.Errorf("file(1) says: %s", out)
		}
	}
}

// TestChrootEmptyEnvironment runs the binary as the only file of a chroot,
// with an empty environment: everything it needs is inside it.
func TestChrootEmptyEnvironment(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root; run the tests as root to check that the binary runs in an empty root directory")
	}
	bin := nestedServer(t)
	root := t.TempDir()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "server"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command("/server", fmt.Sprint(port))
	cmd.Path = "/server"
	cmd.Env = []string{}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	srv, startup := startServer(t, cmd, port)
	t.Logf("start-up in chroot to first served request: %v", startup.Round(time.Millisecond))
	if got, err := ask(srv.port, "deep chroot"); err != nil || got != "[CHROOT]" {
		t.Fatalf("got %q, %v", got, err)
	}
	if got, err := ask(srv.port, "file static/hello.txt"); err != nil || !strings.HasPrefix(got, "Hello from an embedded file.") {
		t.Fatalf("embedded file in chroot: %q, %v", got, err)
	}
}

// TestAirGappedBuild builds with no proxy, an empty module cache and the
// local toolchain only: the sources mbbuild carries must be enough.
func TestAirGappedBuild(t *testing.T) {
	needRuntime(t)
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "")
	os.Unsetenv("GOFLAGS")
	out := filepath.Join(t.TempDir(), "offline-server")
	code, _, stderr := mbbuild(t, "-I", "testdata/include", "-o", out, "testdata/nested/app.lua")
	if code != 0 {
		t.Fatalf("air-gapped build failed (exit %d): %s", code, stderr)
	}
	v, err := exec.Command(out, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(v), "app.lua") {
		t.Fatalf("--version: %q, %v", v, err)
	}
}

func TestCrossBuildArm64(t *testing.T) {
	needRuntime(t)
	out := filepath.Join(t.TempDir(), "server-arm64")
	code, _, stderr := mbbuild(t, "--arch", "arm64", "-I", "testdata/include", "-o", out, "testdata/nested/app.lua")
	if code != 0 {
		t.Fatalf("cross build failed (exit %d): %s", code, stderr)
	}
	checkStatic(t, out, elf.EM_AARCH64)
}

// TestExamples builds every example application (examples/NAME/NAME.lua),
// starts the binary as a real server on a free port (the examples take the
// port as their first argument) and queries it over HTTP.
func TestExamples(t *testing.T) {
	needRuntime(t)
	mains, _ := filepath.Glob("../../examples/*/*.lua")
	if len(mains) == 0 {
		t.Fatal("no examples found in examples/*/*.lua")
	}
	for _, script := range mains {
		if filepath.Base(script) != filepath.Base(filepath.Dir(script))+".lua" {
			continue // a module of the example, not its main script
		}
		t.Run(filepath.Base(script), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "example")
			args := []string{"-o", out, script}
			if static := filepath.Join(filepath.Dir(script), "static"); isDir(static) {
				args = append([]string{"--embed", static}, args...)
			}
			code, _, stderr := mbbuild(t, args...)
			if code != 0 {
				t.Fatalf("build %s failed (exit %d): %s", script, code, stderr)
			}
			help, err := exec.Command(out, "--help").CombinedOutput()
			if err != nil || !strings.Contains(string(help), "--logfile") {
				t.Fatalf("--help: %q, %v", help, err)
			}
			port := freeTCPPort(t)
			srv := exec.Command(out, port)
			var logBuf strings.Builder
			srv.Stderr = &logBuf
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				srv.Process.Signal(syscall.SIGTERM)
				done := make(chan struct{})
				go func() { srv.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					srv.Process.Kill()
					<-done
				}
			}()
			client := &http.Client{Timeout: 5 * time.Second}
			deadline := time.Now().Add(20 * time.Second)
			for {
				resp, err := client.Get("http://127.0.0.1:" + port + "/")
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || len(body) == 0 {
						t.Fatalf("GET /: %s, %d bytes", resp.Status, len(body))
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("example server did not answer: %v", err)
				}
				time.Sleep(25 * time.Millisecond)
			}
		})
	}
}

func freeTCPPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// TestBuildErrors checks that each bad build gives one clear message,
// exit status 1 (command line) or 3 (build), and no temporary directory
// left behind.
func TestBuildErrors(t *testing.T) {
	outDir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no application", nil, 1, []string{"no application given"}},
		{"two applications", []string{"a.lua", "b.lua"}, 1, []string{"one application at a time"}},
		{"bad flag", []string{"--frobnicate", "app.lua"}, 1, []string{"unknown flag: --frobnicate"}},
		{"other os", []string{"--os", "windows", "testdata/nested/app.lua"}, 1, []string{"--os windows", "linux only"}},
		{"missing script", []string{"-o", filepath.Join(outDir, "x"), "testdata/none.lua"}, 3, []string{"application testdata/none.lua", "no such file"}},
		{"syntax error", []string{"-o", filepath.Join(outDir, "x"), "testdata/bad/syntax.lua"}, 3, []string{"syntax.lua:1:11", "near"}},
		{"missing module", []string{"-o", filepath.Join(outDir, "x"), "testdata/bad/missing.lua"}, 3,
			[]string{`missing.lua:1: module "does.not.exist" not found`, "does/not/exist.lua", "-I DIR"}},
		{"module missing without -I", []string{"-o", filepath.Join(outDir, "x"), "testdata/nested/app.lua"}, 3,
			[]string{`lib/deep/inner.lua:1: module "shared.fmt" not found`}},
		{"unknown -m module", []string{"-I", "testdata/include", "-m", "no.such", "-o", filepath.Join(outDir, "x"), "testdata/nested/app.lua"}, 3,
			[]string{`-m no.such: module "no.such" not found`}},
		{"unwritable output", []string{"-o", filepath.Join(outDir, "no", "such", "dir", "server"), "testdata/nested/app.lua"}, 3,
			[]string{"cannot write output", "no such file or directory"}},
		{"output is a directory", []string{"-o", outDir, "testdata/nested/app.lua"}, 3, []string{"is a directory"}},
		{"bad include", []string{"-I", "testdata/nope", "testdata/nested/app.lua"}, 3, []string{"-I testdata/nope: not a directory"}},
		{"bad embed", []string{"--embed", "testdata/nope", "testdata/nested/app.lua"}, 3, []string{"--embed testdata/nope"}},
		{"bad go", []string{"--go", "/nonexistent/go", "-I", "testdata/include", "-o", filepath.Join(outDir, "x"), "testdata/nested/app.lua"}, 3,
			[]string{"--go /nonexistent/go: no such executable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := mbbuild(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not contain %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace in message: %s", stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
		t.Errorf("failed builds wrote %v", entries[0].Name())
	}
}

func TestNoToolchain(t *testing.T) {
	saved := goFallbacks
	goFallbacks = nil
	defer func() { goFallbacks = saved }()
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOROOT", "")
	code, _, stderr := mbbuild(t, "-o", filepath.Join(t.TempDir(), "x"), "testdata/nested/app.lua")
	if code != 3 || !strings.Contains(stderr, "no Go toolchain found") || !strings.Contains(stderr, "https://go.dev/dl/") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := mbbuild(t, "--help")
	for _, w := range []string{"--output", "--include", "--module", "--embed", "--os", "--arch", "--verbose"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("--help (exit %d) lacks %s:\n%s", code, w, out)
		}
	}
	code, out, _ = mbbuild(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "mbbuild (moonbridge ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// TestProgressLines: a build prints one line per step by default (the
// first go build takes a minute), nothing with -q.
func TestProgressLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	nestedServer(t) // warms the build cache
	out := filepath.Join(t.TempDir(), "server")
	args := []string{"-I", "testdata/include", "--embed", "testdata/nested/static", "-o", out, "testdata/nested/app.lua"}
	code, _, stderr := mbbuild(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"mbbuild: finding the Go toolchain\n", "mbbuild: compiling testdata/nested/app.lua and its modules\n",
		"mbbuild: go build for linux/", "mbbuild: built " + out + " in "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	if n := len(progress(stderr)); n != 6 {
		t.Errorf("%d progress lines, want 6 (5 steps and the result):\n%s", n, stderr)
	}
	code, _, stderr = mbbuild(t, append([]string{"-q"}, args...)...)
	if p := progress(stderr); code != 0 || len(p) != 0 || !strings.Contains(stderr, "warning:") {
		t.Errorf("-q: exit %d, progress %q; want none, but the warnings", code, p)
	}
}

// progress returns the lines of mbbuild's output that are not warnings
// (nor their indented continuation lines).
func progress(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "mbbuild: ") && !strings.HasPrefix(l, "mbbuild: warning:") {
			lines = append(lines, l)
		}
	}
	return lines
}
