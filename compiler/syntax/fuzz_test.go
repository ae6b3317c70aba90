package syntax

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary source to Parse: it must not panic, and must
// return either a chunk or a *Error whose text starts with the chunk name.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.lua"))
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	for _, c := range errorCases {
		if len(c.src) < 200 {
			f.Add([]byte(c.src))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse(src, "=fuzz")
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Chunk != "fuzz" || c != nil {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if c == nil || c.Main == nil || c.Main.Body == nil {
			t.Fatal("no tree")
		}
	})
}
