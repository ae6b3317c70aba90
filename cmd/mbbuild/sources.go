package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	moonbridge "github.com/moonbridge-go/moonbridge"
)

// vendorTree is `go mod vendor` output for this module: the sources of
// every dependency, so built binaries compile with -mod=vendor and without
// network or module cache. Regenerate it after changing go.mod with
// `go generate ./cmd/mbbuild`; TestVendorTreeFresh fails while it is stale.
//
//go:generate go mod vendor -o _vendor
//go:embed _vendor
var vendorTree embed.FS

// writeModule writes the product module (go.mod, go.sum, the runtime's
// packages) and its vendor directory into dir. Tests and testdata are
// left out: a build needs neither.
func writeModule(dir string) (files int, err error) {
	n, err := copyTree(moonbridge.Source, ".", dir)
	if err != nil {
		return 0, fmt.Errorf("write module sources: %w", err)
	}
	m, err := copyTree(vendorTree, "_vendor", filepath.Join(dir, "vendor"))
	if err != nil {
		return 0, fmt.Errorf("write vendored dependencies: %w", err)
	}
	return n + m, nil
}

func copyTree(src fs.FS, root, dst string) (int, error) {
	count := 0
	err := fs.WalkDir(src, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		if root == "." {
			rel = p
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, filepath.FromSlash(path.Clean(rel)))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		count++
		return os.WriteFile(out, data, 0o644)
	})
	return count, err
}
