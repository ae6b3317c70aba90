// Package clitest supports tests that run real servers: it builds the
// mbrun command once per test binary and collects a process's output while
// it runs. Only tests import it.
package clitest

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
)

// BuildMbrun compiles cmd/mbrun into dir and returns the binary's path;
// race builds it with the race detector, so that the worker processes the
// tests start are checked too.
func BuildMbrun(dir string, race bool) (string, error) {
	bin := filepath.Join(dir, "mbrun")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, "github.com/moonbridge-go/moonbridge/cmd/mbrun")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build cmd/mbrun: %v\n%s", err, out)
	}
	return bin, nil
}

// Buffer collects a process's output; it may be read while being written.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
