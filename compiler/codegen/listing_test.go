package codegen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/compiler/syntax"
	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// listingExceptions lists files whose listing deliberately differs from
// luac5.3's, with the reason.
var listingExceptions = map[string]string{
	// lparser.c emits NEWTABLE (and VARARG) before consuming the '{' (or
	// '...'), with the line of the token before it; the syntax tree does
	// not record the line of a call's '(' (nor of '=' in local and for
	// statements, nor of '[' in t[k]), so the generator assumes it is the
	// line where the preceding expression ends.
	"lines_paren.lua": "'(' of a call on a line of its own before a table argument",
}

// listingFiles returns the Lua files the listing test compares: this
// package's testdata and the repository's examples, benchmarks, library
// test data and conformance scripts.
func listingFiles(t *testing.T) []string {
	var files []string
	root := filepath.Join("..", "..")
	for _, pattern := range []string{
		"testdata/*.lua",
		filepath.Join(root, "examples", "*", "*.lua"),
		filepath.Join(root, "bench", "*", "*.lua"),
		filepath.Join(root, "bench", "*", "*", "*.lua"),
		filepath.Join(root, "stdlib", "*", "testdata", "*.lua"),
		filepath.Join(root, "stdlib", "*", "testdata", "*", "*.lua"),
		filepath.Join(root, "cmd", "mblua", "conformance", "testdata", "*.lua"),
		filepath.Join(root, "cmd", "mblua", "conformance", "testdata", "*", "*.lua"),
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	return files
}

func luacListing(t *testing.T, luac, path string) (string, bool) {
	cmd := exec.Command(luac, "-l", "-l", "-p", path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(errb.String()), false
	}
	return code.StripListAddresses(out.String()), true
}

func TestListingMatchesLuac(t *testing.T) {
	luac, err := exec.LookPath("luac5.3")
	if err != nil {
		t.Skip("luac5.3 not installed: listings not compared")
	}
	files := listingFiles(t)
	nfiles, nfuncs := 0, 0
	for _, path := range files {
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := "@" + path
		want, ok := luacListing(t, luac, path)
		p, cerr := Compile(syntax.SkipPrefix(src), name)
		if !ok {
			if cerr == nil {
				t.Errorf("%s: luac5.3 fails (%s) but Compile succeeds", path, want)
			}
			continue
		}
		if cerr != nil {
			t.Errorf("%s: %v", path, cerr)
			continue
		}
		var b strings.Builder
		code.List(&b, p, true)
		got := b.String()
		// What the compiler produces passes Undump's checks.
		for _, strip := range []bool{false, true} {
			if _, err := code.Undump(code.Dump(p, strip), name); err != nil {
				t.Errorf("%s: Undump(Dump(strip=%v)): %v", path, strip, err)
			}
		}
		if reason, ok := listingExceptions[filepath.Base(path)]; ok {
			t.Logf("%s: not compared: %s", path, reason)
			continue
		}
		nfiles++
		nfuncs += strings.Count(want, "\nmain <") + strings.Count(want, "\nfunction <")
		if got != want {
			t.Errorf("%s: listing differs from luac5.3's:\n%s", path, firstDiff(got, want))
		}
	}
	t.Logf("%d files, %d functions compared with luac5.3", nfiles, nfuncs)
}

// firstDiff shows the first differing line of two listings with context.
func firstDiff(got, want string) string {
	g := strings.Split(got, "\n")
	w := strings.Split(want, "\n")
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	from := i - 8
	if from < 0 {
		from = 0
	}
	var b strings.Builder
	// the header of the function the difference is in
	for j := i; j >= 0; j-- {
		if j < len(w) && (strings.HasPrefix(w[j], "main <") || strings.HasPrefix(w[j], "function <")) {
			if j < from {
				b.WriteString("  " + w[j] + "\n  ...\n")
			}
			break
		}
	}
	for j := from; j < i; j++ {
		b.WriteString("  " + w[j] + "\n")
	}
	line := func(s []string, k int) string {
		if k < len(s) {
			return s[k]
		}
		return "<end>"
	}
	b.WriteString("- luac: " + line(w, i) + "\n")
	b.WriteString("+ ours: " + line(g, i) + "\n")
	for j := i + 1; j < i+4; j++ {
		b.WriteString("  luac: " + line(w, j) + "\n")
		b.WriteString("  ours: " + line(g, j) + "\n")
	}
	return b.String()
}
