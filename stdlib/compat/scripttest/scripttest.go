// Package scripttest runs the Lua test scripts of compiler/lua53 and
// stdlib/compat twice: through the product's loading path (Compile, a
// state made with compat.Options, OpenLibs, compat.Open) and under the
// reference Lua 5.3 interpreter, and compares what they print.
//
// It is test support only; product code must not import it.
package scripttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/compiler"
	"github.com/moonbridge-go/moonbridge/stdlib/compat"
	lua "github.com/yuin/gopher-lua"
)

// Scripts lists the *.lua test scripts in dir (helper modules live in
// subdirectories and are not listed).
func Scripts(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test scripts in %s (%v)", dir, err)
	}
	return files
}

// RunOurs runs one script through the product's loading path, with dir as
// the working directory, and returns what it printed.
func RunOurs(path string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	name := filepath.Base(path)
	restore, err := chdir(filepath.Dir(path))
	if err != nil {
		return "", err
	}
	defer restore()
	proto, err := compiler.Compile(src, "@"+name)
	if err != nil {
		return "", err
	}
	L := lua.NewState(compat.Options())
	defer L.Close()
	compat.Open(L)
	var out bytes.Buffer
	tostring := L.GetGlobal("tostring")
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				out.WriteByte('\t')
			}
			L.Push(tostring)
			L.Push(L.Get(i))
			L.Call(1, 1)
			out.WriteString(lua.LVAsString(L.Get(-1)))
			L.Pop(1)
		}
		out.WriteByte('\n')
		return 0
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 0, nil); err != nil {
		return out.String(), fmt.Errorf("%s: %w", name, err)
	}
	return out.String(), nil
}

// RunReference runs one script under lua5.3 in the script's directory. It
// returns ok=false when the interpreter is not installed.
func RunReference(path string) (out string, ok bool, err error) {
	bin, lookErr := exec.LookPath("lua5.3")
	if lookErr != nil {
		return "", false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, filepath.Base(path))
	cmd.Dir = filepath.Dir(path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return stdout.String(), true, fmt.Errorf("lua5.3 %s: %v: %s", path, err, strings.TrimSpace(stderr.String()))
		}
		return "", true, fmt.Errorf("lua5.3 %s: %w", path, err)
	}
	return stdout.String(), true, nil
}

// Run runs every script in dir through our loading path and, when lua5.3
// is installed, under the reference too, and requires the same output.
func Run(t *testing.T, dir string) {
	t.Helper()
	for _, path := range Scripts(t, dir) {
		path := path
		t.Run(filepath.Base(path), func(t *testing.T) {
			ours, err := RunOurs(path)
			if err != nil {
				t.Fatalf("our VM: %v\noutput so far:\n%s", err, ours)
			}
			if !strings.Contains(ours, " ok\n") {
				t.Fatalf("script did not print its final \"... ok\" line; output:\n%s", ours)
			}
		})
	}
}

// RunReferenceAll runs every script in dir under lua5.3 and compares its
// output with ours; it skips when lua5.3 is not installed.
func RunReferenceAll(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("lua5.3"); err != nil {
		t.Skip("lua5.3 not installed (apt-get install lua5.3); reference run skipped")
	}
	for _, path := range Scripts(t, dir) {
		path := path
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref, _, err := RunReference(path)
			if err != nil {
				t.Fatalf("reference interpreter: %v\noutput:\n%s", err, ref)
			}
			ours, err := RunOurs(path)
			if err != nil {
				t.Fatalf("our VM: %v", err)
			}
			if ref != ours {
				t.Errorf("output differs from lua5.3\n--- lua5.3:\n%s\n--- ours:\n%s", ref, ours)
			}
		})
	}
}

func chdir(dir string) (func(), error) {
	old, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if err := os.Chdir(dir); err != nil {
		return nil, fmt.Errorf("chdir %s: %w", dir, err)
	}
	return func() { _ = os.Chdir(old) }, nil
}
