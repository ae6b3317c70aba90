package bytecode

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/moonbridge-go/moonbridge/compiler"
	lua "github.com/yuin/gopher-lua"
)

// moduleRoot finds the directory holding go.mod above the test's directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("go.mod not found above the test directory")
	return ""
}

func compileFile(t testing.TB, path string) *lua.FunctionProto {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(src, "@"+filepath.Base(path))
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return p
}

// compareProto reports every field in which got differs from want,
// including the unexported string constant cache.
func compareProto(t *testing.T, where string, want, got *lua.FunctionProto) {
	t.Helper()
	if want == nil || got == nil {
		if want != got {
			t.Errorf("%s: nil mismatch", where)
		}
		return
	}
	check := func(field string, a, b any) {
		t.Helper()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s.%s: want %v, got %v", where, field, a, b)
		}
	}
	check("SourceName", want.SourceName, got.SourceName)
	check("LineDefined", want.LineDefined, got.LineDefined)
	check("LastLineDefined", want.LastLineDefined, got.LastLineDefined)
	check("NumUpvalues", want.NumUpvalues, got.NumUpvalues)
	check("NumParameters", want.NumParameters, got.NumParameters)
	check("IsVarArg", want.IsVarArg, got.IsVarArg)
	check("NumUsedRegisters", want.NumUsedRegisters, got.NumUsedRegisters)
	check("Code", want.Code, got.Code)
	if len(want.Constants) != len(got.Constants) {
		t.Errorf("%s.Constants: want %d, got %d", where, len(want.Constants), len(got.Constants))
	} else {
		for i := range want.Constants {
			a, b := want.Constants[i], got.Constants[i]
			an, aok := a.(lua.LNumber)
			bn, bok := b.(lua.LNumber)
			if aok && bok {
				if math.Float64bits(float64(an)) != math.Float64bits(float64(bn)) {
					t.Errorf("%s.Constants[%d]: want %v, got %v", where, i, a, b)
				}
				continue
			}
			if a.Type() != b.Type() || a != b {
				t.Errorf("%s.Constants[%d]: want %#v, got %#v", where, i, a, b)
			}
		}
	}
	wantStrs, err := stringConstants(want)
	if err != nil {
		t.Fatal(err)
	}
	gotStrs, err := stringConstants(got)
	if err != nil {
		t.Fatal(err)
	}
	check("stringConstants", wantStrs, gotStrs)
	check("DbgSourcePositions", want.DbgSourcePositions, got.DbgSourcePositions)
	check("DbgLocals", want.DbgLocals, got.DbgLocals)
	check("DbgCalls", want.DbgCalls, got.DbgCalls)
	check("DbgUpvalues", want.DbgUpvalues, got.DbgUpvalues)
	if len(want.FunctionPrototypes) != len(got.FunctionPrototypes) {
		t.Errorf("%s.FunctionPrototypes: want %d, got %d", where, len(want.FunctionPrototypes), len(got.FunctionPrototypes))
		return
	}
	for i := range want.FunctionPrototypes {
		compareProto(t, fmt.Sprintf("%s.FunctionPrototypes[%d]", where, i), want.FunctionPrototypes[i], got.FunctionPrototypes[i])
	}
}

// TestRoundTripRepository compiles every .lua file of the repository,
// encodes, decodes and compares the prototypes field by field. Files that
// do not compile (syntax error fixtures, work in progress) are listed, not
// failed: this test is about the bytecode format, not the front end.
func TestRoundTripRepository(t *testing.T) {
	root := moduleRoot(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".lua") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found only %d .lua files under %s", len(files), root)
	}
	compiled := 0
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(src) > 256<<10 {
			// Generated stress inputs of the new engine's compiler
			// (compiler/codegen/testdata): gopher-lua compiles constants
			// in quadratic time.
			t.Logf("skipped (larger than 256 KiB): %s", rel)
			continue
		}
		want, err := compiler.Compile(src, "@"+rel)
		if err != nil {
			t.Logf("skipped (does not compile): %s: %v", rel, err)
			continue
		}
		compiled++
		t.Run(rel, func(t *testing.T) {
			data, err := Encode(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			compareProto(t, "main", want, got)
			again, err := Encode(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, again) {
				t.Error("re-encoding the loaded chunk gives different bytes")
			}
		})
	}
	t.Logf("%d of %d .lua files compiled and round-tripped", compiled, len(files))
}

// run executes a prototype in a fresh state and returns its results as
// strings (or the error message).
func run(t *testing.T, p *lua.FunctionProto) []string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.Push(L.NewFunctionFromProto(p))
	if err := L.PCall(0, lua.MultRet, nil); err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for i := 1; i <= L.GetTop(); i++ {
		out = append(out, L.Get(i).String())
	}
	return out
}

// TestRunLoaded runs the chunks under testdata both freshly compiled and
// loaded from bytecode; the results must be identical.
func TestRunLoaded(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"closures.lua", "moonbridge 16 1002.5 5 1040"},
		{"tables.lua", "2,8,18,32,50 ALPHA-BETA-GAMMA false 31 3 xxxx falsetrue"},
		{"deep.lua", "deep 1.5 true 11"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			fresh := compileFile(t, filepath.Join("testdata", tt.file))
			data, err := Encode(fresh)
			if err != nil {
				t.Fatal(err)
			}
			loaded, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			a, b := run(t, fresh), run(t, loaded)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("fresh chunk returned %q, loaded chunk %q", a, b)
			}
			if len(b) != 1 || b[0] != tt.want {
				t.Fatalf("loaded chunk returned %q, want %q", b, tt.want)
			}
		})
	}
}

// TestRuntimeErrorPositions checks that debug information survives: an
// error raised by a loaded chunk names the same file and line.
func TestRuntimeErrorPositions(t *testing.T) {
	src := "local x = 1\nlocal y = nil\nreturn x + y\n"
	p, err := compiler.Compile([]byte(src), "@app.lua")
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, loaded)
	if len(out) != 1 || !strings.Contains(out[0], "app.lua:3:") {
		t.Fatalf("error does not name app.lua:3: %q", out)
	}
}

// TestProtoLayout fails loudly when a gopher-lua upgrade removes or changes
// FunctionProto's unexported string constant cache that Decode rebuilds.
func TestProtoLayout(t *testing.T) {
	if layoutErr != nil {
		t.Fatalf("gopher-lua changed: %v", layoutErr)
	}
	p, err := compiler.Compile([]byte(`x = "a" y = 1 return x .. y`), "layout")
	if err != nil {
		t.Fatal(err)
	}
	strs, err := stringConstants(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(strs) != len(p.Constants) {
		t.Fatalf("gopher-lua changed: its string constant cache has %d entries for %d constants", len(strs), len(p.Constants))
	}
	for i, c := range p.Constants {
		want := ""
		if s, ok := c.(lua.LString); ok {
			want = string(s)
		}
		if strs[i] != want {
			t.Fatalf("gopher-lua changed: string constant cache[%d] = %q, want %q", i, strs[i], want)
		}
	}
	// Without the rebuilt cache the VM cannot read globals: prove that the
	// loader's cache is what makes a loaded chunk work.
	stripped := *p
	if err := setStringConstantsTo(&stripped, nil); err != nil {
		t.Fatal(err)
	}
	if out := run(t, &stripped); len(out) == 1 && out[0] == "a1" {
		t.Fatal("a prototype without string constant cache still ran; the cache may no longer be used by gopher-lua")
	}
}

// setStringConstantsTo overwrites the cache (for TestProtoLayout).
func setStringConstantsTo(p *lua.FunctionProto, strs []string) error {
	if _, err := stringConstants(p); err != nil {
		return err
	}
	field := reflect.ValueOf(p).Elem().FieldByName(stringConstantsField)
	reflect.NewAt(field.Type(), field.Addr().UnsafePointer()).Elem().Set(reflect.ValueOf(strs))
	return nil
}

// TestVMVersionMatchesGoMod keeps VMVersion in step with go.mod.
func TestVMVersionMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join(moduleRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github\.com/yuin/gopher-lua (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/yuin/gopher-lua")
	}
	if string(m[1]) != VMVersion {
		t.Fatalf("go.mod requires gopher-lua %s but bytecode.VMVersion is %s: check the bytecode format against the new gopher-lua (FunctionProto fields, opcodes) and update VMVersion", m[1], VMVersion)
	}
}

func sample(t testing.TB) []byte {
	t.Helper()
	p := compileFile(t, filepath.Join("testdata", "closures.lua"))
	data, err := Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeErrors(t *testing.T) {
	good := sample(t)
	patch := func(off int, b ...byte) []byte {
		d := bytes.Clone(good)
		copy(d[off:], b)
		return d
	}
	// header offsets: magic 0-3, format 4-5, vm version length 6, text 7...
	tests := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotBytecode, "not moonbridge bytecode"},
		{"lua source", []byte("return 1"), ErrNotBytecode, "not moonbridge bytecode"},
		{"format version", patch(4, 9, 0), ErrVersion, "format version 9"},
		{"vm version", patch(7, 'x'), ErrVersion, "gopher-lua"},
		{"magic only", []byte(Magic), ErrCorrupt, "truncated"},
		{"checksum", patch(len(good)-1, good[len(good)-1]^0xff), ErrCorrupt, "checksum"},
		{"trailing bytes", append(bytes.Clone(good), 0), ErrCorrupt, "unexpected bytes"},
		{"truncated payload", good[:len(good)-5], ErrCorrupt, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Decode(tt.data)
			if err == nil || p != nil {
				t.Fatalf("Decode succeeded (%v, %v)", p, err)
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("error %q, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}
}

// TestDecodeEveryDefect truncates the sample at every length and flips
// every byte; each variant must be rejected with an error, never a panic.
func TestDecodeEveryDefect(t *testing.T) {
	good := sample(t)
	for n := 0; n < len(good); n++ {
		if _, err := Decode(good[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		} else if strings.Contains(err.Error(), "internal error") {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for i := range good {
		d := bytes.Clone(good)
		d[i] ^= 0x5a
		if _, err := Decode(d); err == nil {
			t.Fatalf("byte %d flipped: no error", i)
		} else if strings.Contains(err.Error(), "internal error") {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
}

// withHeader wraps a payload in a valid header so that the payload parser
// itself can be exercised past the checksum.
func withHeader(payload []byte) []byte {
	var w writer
	w.buf = append(w.buf, Magic...)
	w.buf = append(w.buf, byte(FormatVersion), byte(FormatVersion>>8))
	w.string(VMVersion)
	w.uvarint(uint64(len(payload)))
	sum := crc32IEEE(payload)
	w.buf = append(w.buf, byte(sum), byte(sum>>8), byte(sum>>16), byte(sum>>24))
	return append(w.buf, payload...)
}

func TestPayloadValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *lua.FunctionProto)
		text string
	}{
		{"constant index", func(p *lua.FunctionProto) { p.Constants = p.Constants[:1] }, "refers to constant"},
		{"closure index", func(p *lua.FunctionProto) { p.FunctionPrototypes = nil }, "refers to function"},
		{"source positions", func(p *lua.FunctionProto) { p.DbgSourcePositions = p.DbgSourcePositions[1:] }, "source positions"},
		{"opcode", func(p *lua.FunctionProto) { p.Code[0] = 63 << opcodeShift }, "unknown opcode"},
		{"upvalues", func(p *lua.FunctionProto) { p.NumUpvalues = 3 }, "upvalue names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compileFile(t, filepath.Join("testdata", "closures.lua"))
			tt.edit(p)
			data, err := Encode(p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode(data)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("error %v, want ErrCorrupt containing %q", err, tt.text)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	if _, err := Encode(nil); err == nil {
		t.Fatal("Encode(nil) succeeded")
	}
	p := compileFile(t, filepath.Join("testdata", "deep.lua"))
	p.Constants = append(p.Constants, &lua.LTable{})
	if _, err := Encode(p); err == nil || !strings.Contains(err.Error(), "cannot store") {
		t.Fatalf("table constant: %v", err)
	}
}
