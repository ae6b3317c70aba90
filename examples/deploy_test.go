package examples

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/cli/clitest"
)

// dockerfile is the parts of deploy/Dockerfile the test needs.
type dockerfile struct {
	mbbuild    []string // arguments of the mbbuild RUN line
	binary     string   // where the build stage writes the server (-o)
	entrypoint []string
	cmd        []string
	final      string // the FROM line of the last stage
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile("deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "FROM "):
			d.final = line
		case strings.HasPrefix(line, "RUN go run ./cmd/mbbuild "):
			d.mbbuild = strings.Fields(strings.TrimPrefix(line, "RUN go run ./cmd/mbbuild "))
		case strings.HasPrefix(line, "ENTRYPOINT "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "ENTRYPOINT ")), &d.entrypoint); err != nil {
				t.Fatalf("ENTRYPOINT: %v", err)
			}
		case strings.HasPrefix(line, "CMD "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "CMD ")), &d.cmd); err != nil {
				t.Fatalf("CMD: %v", err)
			}
		}
	}
	for i, a := range d.mbbuild {
		if a == "-o" && i+1 < len(d.mbbuild) {
			d.binary = d.mbbuild[i+1]
		}
	}
	if d.final != "FROM scratch" || d.binary == "" || len(d.entrypoint) == 0 || len(d.cmd) != 2 {
		t.Fatalf("deploy/Dockerfile: unexpected shape %+v", d)
	}
	return d
}

// TestDeployImage builds the image of deploy/Dockerfile and serves a page
// from it. Without a container engine it does what the image does: builds
// the binary with the Dockerfile's mbbuild command and runs it with the
// image's entry point in an empty root directory (chroot, user 65534), as
// FROM scratch runs it.
func TestDeployImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a server binary")
	}
	d := readDockerfile(t)
	port := freePort(t)
	if docker, err := exec.LookPath("docker"); err == nil && exec.Command(docker, "info").Run() == nil {
		testDockerImage(t, docker, port)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("neither a container engine nor root (for chroot) available")
	}
	t.Log("no container engine: running the image's binary in an empty chroot")
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, filepath.Base(d.binary))
	args := append([]string{"run", "./cmd/mbbuild"}, d.mbbuild...)
	for i, a := range args {
		if a == d.binary {
			args[i] = bin
		}
	}
	build := exec.Command("go", args...)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Fatalf("the image would hold %d files, want only the server", len(entries))
	}
	// The image's command line, on a free port of the loopback address.
	argv := append(append([]string(nil), d.entrypoint...), fmt.Sprint(port), "127.0.0.1")
	server := exec.Command("/"+filepath.Base(d.binary), argv[1:]...)
	server.Args[0] = argv[0]
	logs := &clitest.Buffer{}
	server.Stdout, server.Stderr = logs, logs
	server.Env = []string{}
	server.SysProcAttr = &syscall.SysProcAttr{
		Chroot:     root,
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534},
	}
	server.Dir = "/"
	if err := server.Start(); err != nil {
		t.Fatalf("start in chroot: %v", err)
	}
	done := make(chan struct{})
	go func() { server.Wait(); close(done) }()
	defer func() {
		syscall.Kill(server.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			syscall.Kill(server.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if code := server.ProcessState.ExitCode(); code != 0 {
			t.Errorf("server exit status %d after SIGTERM", code)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	}()
	checkServesPage(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
}

func testDockerImage(t *testing.T, docker string, port int) {
	tag := fmt.Sprintf("moonbridge-deploy-test:%d", os.Getpid())
	build := exec.Command(docker, "build", "-f", "examples/deploy/Dockerfile", "-t", tag, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	defer exec.Command(docker, "rmi", "-f", tag).Run()
	out, err := exec.Command(docker, "run", "-d", "--rm", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), tag).Output()
	if err != nil {
		t.Fatalf("docker run: %v", err)
	}
	id := strings.TrimSpace(string(out))
	defer exec.Command(docker, "stop", id).Run()
	checkServesPage(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
}

// checkServesPage waits until url answers with the example's form page.
func checkServesPage(t *testing.T, url string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "<form") || resp.Header.Get("Date") == "" {
				t.Errorf("GET %s: %s, Date %q, body %.200q", url, resp.Status, resp.Header.Get("Date"), body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
