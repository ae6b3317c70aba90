package templates

import (
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

func TestMainRenders(t *testing.T) {
	src, err := Main(MainData{Module: "example.com/m", BundleFile: "app.mbb", Command: `my "server"`})
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("generated main does not parse: %v\n%s", err, src)
	}
	want := map[string]bool{"example.com/m/runtime/bundle": false, "example.com/m/runtime/cli": false}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if _, ok := want[p]; ok {
			want[p] = true
		}
	}
	for p, seen := range want {
		if !seen {
			t.Errorf("generated main does not import %s", p)
		}
	}
}
