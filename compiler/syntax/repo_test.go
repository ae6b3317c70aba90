package syntax

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepositoryScripts parses every .lua file of the repository. A file
// luac5.3 rejects (the deliberately broken test inputs) must be rejected
// with luac's message; without luac5.3 on PATH, every file not named
// syntax.lua must parse.
func TestRepositoryScripts(t *testing.T) {
	root := filepath.Join("..", "..")
	luac, _ := exec.LookPath("luac5.3")
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".lua") {
			return nil
		}
		n++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, perr := Parse(SkipPrefix(src), "@"+path)
		got := ""
		if perr != nil {
			got = perr.Error()
		}
		if luac != "" {
			out, _ := exec.Command(luac, "-p", path).CombinedOutput()
			want := strings.TrimPrefix(strings.TrimSpace(string(out)), luac+": ")
			if got != want {
				t.Errorf("%s: got %q, luac5.3 says %q", path, got, want)
			}
		} else if got != "" && filepath.Base(path) != "syntax.lua" {
			t.Errorf("%s: %v", path, perr)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no .lua files found")
	}
	t.Logf("%d files", n)
}
