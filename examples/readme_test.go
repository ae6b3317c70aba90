package examples

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCIRunsREADMECommand: .ci/run ends with exactly the test command the
// README gives, and that command runs the tests uncached.
func TestCIRunsREADMECommand(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cmd string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.Contains(line, "go test ") && strings.HasPrefix(line, "go vet ") {
			cmd = line
			break
		}
	}
	if cmd == "" || !strings.Contains(cmd, " -count=1 ") {
		t.Fatalf("README's test command %q is missing or not uncached (-count=1)", cmd)
	}
	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(ci)), "\n")
	if last := lines[len(lines)-1]; last != cmd {
		t.Errorf(".ci/run ends with\n%s\nnot the README's\n%s", last, cmd)
	}
}

// TestDocLinks: the Markdown links of the server's documentation point to
// files inside the repository.
func TestDocLinks(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#]+)(#[^)]*)?\)`)
	for _, doc := range []string{"../README.md", "../runtime/README.md", "../stdlib/mbio/README.md", "../stdlib/mbhttp/README.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Errorf("%s: %v", doc, err)
			continue
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			path := filepath.Join(filepath.Dir(doc), target)
			if rel, err := filepath.Rel("..", path); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s links outside the repository: %s", doc, target)
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to a missing file: %s", doc, target)
			}
		}
	}
}
