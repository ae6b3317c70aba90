package conformance

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Timeout bounds one run of an interpreter.
const Timeout = 10 * time.Second

// Env is the environment every run gets: the variables a script may look at
// are fixed here so that both interpreters see the same ones, and none of
// the LUA_* variables of the caller leak in. extra is appended.
func Env(extra ...string) []string {
	env := []string{"MBLUA_CONFORMANCE=1", "LC_ALL=C"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// Run runs bin with args in dir, with the environment env and stdin as
// standard input, and returns what it printed and its exit status. The run is
// killed after Timeout; err is non-nil only when the program could not be run
// or timed out.
func Run(bin, dir string, env []string, stdin []byte, args ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	r := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if ctx.Err() != nil {
		return r, errors.New("timed out after " + Timeout.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.Status = exit.ExitCode()
	default:
		return r, err
	}
	r.Stderr = NormaliseProgName(r.Stderr, bin)
	return r, nil
}

// NormaliseProgName replaces the program name that the stand-alone
// interpreter puts at the start of its messages ("lua5.3: ", "mblua: ", or
// the path it was run as) by "lua: " on every line of stderr, so that the
// messages of two differently named interpreters compare equal. The name in
// the usage line ("usage: lua5.3 [options]...") is replaced the same way.
func NormaliseProgName(stderr []byte, bin string) []byte {
	if len(stderr) == 0 {
		return stderr
	}
	names := []string{bin, filepath.Base(bin), "lua5.3", "mblua"}
	lines := strings.SplitAfter(string(stderr), "\n")
	for i, l := range lines {
		for _, n := range names {
			if strings.HasPrefix(l, n+": ") {
				lines[i] = "lua: " + l[len(n)+2:]
				break
			}
			if strings.HasPrefix(l, "usage: "+n+" ") {
				lines[i] = "usage: lua " + l[len(n)+8:]
				break
			}
		}
	}
	return []byte(strings.Join(lines, ""))
}
