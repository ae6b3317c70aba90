package mbio

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// stdioScript runs in a child process (the test binary started again with
// MBIO_STDIO_CHILD set) and talks through moonbridge_io.stdin/out/err.
const stdioScript = `
	local io = moonbridge_io
	local line, st = io.stdin:read(nil, "\n")
	assert(st == "term", st)
	if line == "pipe-closed\n" then
		-- the parent closed our stdout: writing must fail, not kill us
		local ok, err = io.stdout:flush(string.rep("x", 100000))
		io.stderr:flush("stdout write: ", tostring(ok), " ", tostring(err), "\n")
		return
	end
	assert(io.stdout:write(line:upper()):flush())
	local rest, st2 = io.stdin:read()
	io.stderr:flush("rest=", rest, " ", st2, "\n")
`

func TestMain(m *testing.M) {
	if os.Getenv("MBIO_STDIO_CHILD") == "1" {
		L := lua.NewState()
		Open(L)
		if err := L.DoString(stdioScript); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startStdioChild(t *testing.T) (*exec.Cmd, io.WriteCloser, io.ReadCloser, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MBIO_STDIO_CHILD=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stdin, stdout, &stderr
}

func TestStdioHandles(t *testing.T) {
	cmd, stdin, stdout, stderr := startStdioChild(t)
	io.WriteString(stdin, "hello\nand the rest")
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "HELLO\n" {
		t.Fatalf("child stdout = %q, %v", line, err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v; stderr: %s", err, stderr)
	}
	if got := stderr.String(); got != "rest=and the rest eof\n" {
		t.Fatalf("child stderr = %q", got)
	}
}

func TestStdoutPeerGone(t *testing.T) {
	cmd, stdin, stdout, stderr := startStdioChild(t)
	stdout.Close()
	io.WriteString(stdin, "pipe-closed\n")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child died writing to a closed pipe: %v; stderr: %s", err, stderr)
	}
	if got := stderr.String(); !strings.Contains(got, "stdout write: nil broken pipe") {
		t.Fatalf("child stderr = %q", got)
	}
}
