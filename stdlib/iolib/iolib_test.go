package iolib

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
	"github.com/moonbridge-go/moonbridge/stdlib/internal/luactest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.out from lua5.3")

// newState returns a state writing its standard output and error to
// the files out and errOut, with the base functions of luactest and the
// io library as io and package.loaded.io.
func newState(out, errOut *os.File) *lua.State {
	L := lua.NewState()
	L.SetOutput(out, errOut)
	luactest.OpenBase(L)
	lib := Open(L)
	loaded := L.Registry().GetStr("_LOADED").AsTable()
	loaded.SetStr("io", lua.TableValue(lib))
	L.Globals().SetStr("io", lua.TableValue(lib))
	return L
}

// run runs src as lua5.3 runs a script from standard input and returns
// its standard output in luactest.Run's format (an error last), and its
// standard error. Files are made in dir.
func run(t *testing.T, dir, src string) (stdout, stderr string) {
	// Pipes, as lua5.3's output is when the test runs it.
	collect := func() (*os.File, <-chan string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		ch := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(r)
			r.Close()
			ch <- string(b)
		}()
		return w, ch
	}
	out, outCh := collect()
	errOut, errCh := collect()
	L := newState(out, errOut)
	var msg string
	f, err := L.LoadChunk([]byte(src), "=stdin", "bt", nil)
	if err != nil {
		msg = "ERROR: " + err.Error() + "\n"
	} else {
		runner := lua.NewGoFunction("", func(L *lua.State) int {
			L.CallValue(f, 0)
			return 0
		})
		if _, err := L.PCallValue(runner); err != nil {
			msg = "ERROR: " + err.Error() + "\n"
		}
	}
	FlushAll(L)
	out.Close()
	errOut.Close()
	return <-outCh + msg, <-errCh
}

var addr = regexp.MustCompile(`0x[0-9a-f]+`)

func normalize(s string) string { return addr.ReplaceAllString(s, "0xADDR") }

// TestScripts runs testdata/*.lua in a temporary directory and compares
// the output with testdata/*.out, lua5.3's (and with lua5.3's live when
// it is installed).
func TestScripts(t *testing.T) {
	if !luactest.Available() {
		t.Skip("luac5.3 is needed to compile the scripts")
	}
	scripts, _ := filepath.Glob("testdata/*.lua")
	if len(scripts) == 0 {
		t.Fatal("no scripts")
	}
	for _, path := range scripts {
		name := strings.TrimSuffix(filepath.Base(path), ".lua")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			outPath, _ := filepath.Abs(strings.TrimSuffix(path, ".lua") + ".out")
			want, err := os.ReadFile(outPath)
			if *update || err != nil {
				ref, ok := luactest.RunReference(t.TempDir(), string(src))
				if !ok {
					t.Fatalf("no %s and no lua5.3 to make it", outPath)
				}
				want = []byte(normalize(ref))
				if err := os.WriteFile(outPath, want, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if ref, ok := luactest.RunReference(t.TempDir(), string(src)); ok && normalize(ref) != string(want) {
				t.Errorf("lua5.3's output differs from %s:\n%s", outPath, ref)
			}
			dir := t.TempDir()
			t.Chdir(dir)
			stdout, _ := run(t, dir, string(src))
			got := normalize(stdout)
			if got != string(want) {
				t.Errorf("output differs from lua5.3's\n--- got\n%s\n--- want\n%s", got, want)
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if gl[i] != wl[i] {
						t.Errorf("first difference at line %d:\n got %q\nwant %q", i+1, gl[i], wl[i])
						break
					}
				}
			}
		})
	}
}

// TestStdin reads the process's standard input through io.read and
// io.lines.
func TestStdin(t *testing.T) {
	const input = "  42 rest of line\nsecond\r\nthird"
	const src = `print(io.read("n", "l")) for l in io.lines() do print("[" .. l .. "]") end print(io.read("a"), io.read())`
	const want = "42\t rest of line\n[second\r]\n[third]\n\tnil\n"
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		io.WriteString(w, input)
		w.Close()
	}()
	saved := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = saved; r.Close() }()
	if !luactest.Available() {
		t.Skip("luac5.3 is needed to compile the script")
	}
	got, _ := run(t, t.TempDir(), src)
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestCollect checks that a file handle that became garbage is flushed
// and closed.
func TestCollect(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "gc.txt")
	L := lua.NewState()
	lib := Open(L)
	func() {
		res, err := L.PCallValue(lib.GetStr("open"), lua.String(name), lua.String("w"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := L.PCallValue(L.Index(res[0], lua.String("write")), res[0], lua.String("buffered")); err != nil {
			t.Fatal(err)
		}
	}()
	for i := 0; i < 20; i++ {
		runtime.GC()
		if b, _ := os.ReadFile(name); string(b) == "buffered" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("the collected file was not flushed")
}

// TestAtExit checks the hook os.exit runs: it flushes io.stdout (here a
// writer that is not a file) and the open files, or closes them.
func TestAtExit(t *testing.T) {
	var out strings.Builder
	L := lua.NewState()
	L.SetOutput(&out, &out)
	lib := Open(L)
	name := filepath.Join(t.TempDir(), "f.txt")
	res, err := L.PCallValue(lib.GetStr("open"), lua.String(name), lua.String("w"))
	if err != nil {
		t.Fatal(err)
	}
	file := res[0]
	if _, err := L.PCallValue(L.Index(file, lua.String("write")), file, lua.String("in file")); err != nil {
		t.Fatal(err)
	}
	if _, err := L.PCallValue(lib.GetStr("write"), lua.String("to stdout "), lua.Int(1), lua.Float(2)); err != nil {
		t.Fatal(err)
	}
	if out.String() != "" {
		t.Errorf("stdout not buffered: %q", out.String())
	}
	hooks := L.Registry().GetStr("moonbridge.atexit").AsTable()
	if _, err := L.PCallValue(hooks.GetInt(1), lua.False); err != nil {
		t.Fatal(err)
	}
	if out.String() != "to stdout 12" {
		t.Errorf("stdout %q", out.String())
	}
	if b, _ := os.ReadFile(name); string(b) != "in file" {
		t.Errorf("file %q", b)
	}
	if _, err := L.PCallValue(hooks.GetInt(1), lua.True); err != nil {
		t.Fatal(err)
	}
	res, _ = L.PCallValue(lib.GetStr("type"), file)
	if s, _ := res[0].AsString(); s != "closed file" {
		t.Errorf("io.type after close = %q", s)
	}
	// print's writer flushes what io.write buffered, then its own line.
	L.PCallValue(lib.GetStr("write"), lua.String("a"))
	Stdout(L).Write([]byte("b\n"))
	if out.String() != "to stdout 12ab\n" {
		t.Errorf("stdout %q", out.String())
	}
}
