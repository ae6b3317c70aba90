// Package templates holds the Go source templates mbbuild fills in to make
// a server binary from an application bundle. It only carries text; the
// build tool (cmd/mbbuild) renders and compiles it.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"strconv"
	"text/template"
)

//go:embed *.go.tmpl
var files embed.FS

// MainData is what main.go.tmpl needs.
type MainData struct {
	Module     string // the product's Go module path
	BundleFile string // file name of the bundle next to the generated main.go
	Command    string // default program name for usage messages
}

// Main renders the main package of a built binary, gofmt'ed.
func Main(d MainData) ([]byte, error) {
	t, err := template.New("main.go.tmpl").Funcs(template.FuncMap{"quote": strconv.Quote}).ParseFS(files, "main.go.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse main template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render main template: %w", err)
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated main: %w", err)
	}
	return src, nil
}
