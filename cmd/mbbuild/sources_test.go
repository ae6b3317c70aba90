package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	moonbridge "github.com/moonbridge-go/moonbridge"
)

// TestVendorTreeFresh fails when _vendor no longer matches what
// `go mod vendor` makes from go.mod (after adding or upgrading a
// dependency). Fix: go generate ./cmd/mbbuild
func TestVendorTreeFresh(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to compare the vendor tree with")
	}
	fresh := t.TempDir()
	cmd := exec.Command(goCmd, "mod", "vendor", "-o", fresh)
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	want := map[string][]byte{}
	err = filepath.WalkDir(fresh, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fresh, p)
		rel = filepath.ToSlash(rel)
		// go:embed leaves out names starting with . or _; so does the check.
		for _, elem := range strings.Split(rel, "/") {
			if strings.HasPrefix(elem, ".") || strings.HasPrefix(elem, "_") {
				return nil
			}
		}
		data, err := os.ReadFile(p)
		want[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	err = fs.WalkDir(vendorTree, "_vendor", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(vendorTree, p)
		got[strings.TrimPrefix(p, "_vendor/")] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stale := false
	for name, data := range want {
		if g, ok := got[name]; !ok || !bytes.Equal(g, data) {
			t.Errorf("cmd/mbbuild/_vendor/%s is missing or differs", name)
			stale = true
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("cmd/mbbuild/_vendor/%s is no longer needed", name)
			stale = true
		}
	}
	if stale {
		t.Error("the vendored dependencies mbbuild carries are stale: run `go generate ./cmd/mbbuild` and commit cmd/mbbuild/_vendor")
	}
}

// TestSourcesCoverRuntime checks that every package of this module that a
// built binary links is inside moonbridge.Source.
func TestSourcesCoverRuntime(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	if _, err := fs.Stat(moonbridge.Source, "runtime/cli"); err != nil {
		t.Skip("runtime/cli does not exist yet")
	}
	cmd := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./runtime/cli", "./runtime/bundle")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(pkg, productModule+"/")
		if !ok {
			continue
		}
		entries, err := fs.ReadDir(moonbridge.Source, rel)
		if err != nil || !hasGo(entries) {
			t.Errorf("package %s is linked into built binaries but not embedded by source.go (add %s to its go:embed line)", pkg, path.Dir(rel+"/x"))
		}
	}
}

func hasGo(entries []fs.DirEntry) bool {
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			return true
		}
	}
	return false
}
