package app

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/moonbridge-go/moonbridge/compiler"
	lua "github.com/yuin/gopher-lua"
)

func TestSourceProgramRequireAndArgs(t *testing.T) {
	prog, err := NewSourceProgram("testdata/app/main.lua", nil)
	if err != nil {
		t.Fatal(err)
	}
	L := NewState(prog, Hooks{})
	defer L.Close()
	if err := RunMain(L, prog, []string{"a1", "a2"}); err != nil {
		t.Fatal(err)
	}
	if got := lua.LVAsString(L.GetGlobal("result")); got != "hello world 2 a1" {
		t.Errorf("result = %q", got)
	}
	if v := L.GetGlobal("_MOONBRIDGE_VERSION"); v.Type() != lua.LTString {
		t.Errorf("_MOONBRIDGE_VERSION = %v", v)
	}
	if L.GetGlobal("moonbridge_io").Type() != lua.LTTable {
		t.Errorf("moonbridge_io is not a global table")
	}
}

func TestSourceProgramErrors(t *testing.T) {
	if _, err := NewSourceProgram("testdata/missing.lua", nil); err == nil || !strings.Contains(err.Error(), "missing.lua") {
		t.Errorf("missing script: %v", err)
	}
	if _, err := NewSourceProgram("testdata", nil); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory as script: %v", err)
	}
}

// memProgram is a Program whose files are in memory, as in a built binary.
type memProgram struct {
	main  string
	files fs.FS
}

func (p memProgram) Name() string { return "mem.lua" }
func (p memProgram) Main() (*lua.FunctionProto, error) {
	return compiler.Compile([]byte(p.main), "mem.lua")
}
func (p memProgram) Module(name, _ string) (*lua.FunctionProto, string, error) {
	return nil, "", ErrNoModule
}
func (p memProgram) Files() fs.FS { return p.files }

func TestEmbeddedFiles(t *testing.T) {
	files := fstest.MapFS{
		"static/a.txt":  {Data: []byte("line one\nline two\n42 rest")},
		"static/b.html": {Data: []byte("<p>x</p>")},
	}
	tests := []struct{ name, code, want string }{
		{"read all", `local f = assert(io.open("static/b.html")) r = f:read("a") f:close()`, "<p>x</p>"},
		{"read all 5.1 style", `local f = assert(io.open("static/b.html", "rb")) r = f:read("*a")`, "<p>x</p>"},
		{"lines", `local t = {} for l in io.lines("static/a.txt") do t[#t+1] = l end r = table.concat(t, "|")`, "line one|line two|42 rest"},
		{"formats", `local f = io.open("static/a.txt") local a, b = f:read("l", "L") local n = f:read("n") r = a .. "/" .. b .. "/" .. n`, "line one/line two\n/42"},
		{"count and seek", `local f = io.open("static/a.txt") local x = f:read(4) f:seek("set", 5) r = x .. f:read(3) .. f:seek("end")`, "lineone25"},
		{"clean path", `r = io.open("./static/../static/b.html"):read("a")`, "<p>x</p>"},
		{"no escape", `local f, err = io.open("../static/b.html") r = tostring(f)`, "nil"},
		{"read-only", `local f = io.open("static/b.html") local ok, err = f:write("x") r = tostring(ok) .. " " .. err`, "nil embedded files are read-only"},
		{"closed", `local f = io.open("static/b.html") f:close() local ok, err = pcall(f.read, f) r = tostring(ok)`, "false"},
		{"missing falls back to disk", `local f, err = io.open("static/none.txt") r = tostring(f) .. " " .. tostring(err ~= nil)`, "nil true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prog := memProgram{main: tc.code, files: files}
			L := NewState(prog, Hooks{})
			defer L.Close()
			if err := RunMain(L, prog, nil); err != nil {
				t.Fatal(err)
			}
			if got := lua.LVAsString(L.GetGlobal("r")); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestShebangAndMissingModule(t *testing.T) {
	prog, err := NewSourceProgram("testdata/shebang.lua", nil)
	if err != nil {
		t.Fatal(err)
	}
	L := NewState(prog, Hooks{})
	defer L.Close()
	err = RunMain(L, prog, nil)
	// The "#!" line is skipped but still counted.
	if err == nil || !strings.Contains(err.Error(), "shebang.lua:4: second line") {
		t.Errorf("error of the main chunk: %v", err)
	}
	msg := lua.LVAsString(L.GetGlobal("require_error"))
	if !strings.Contains(msg, "not found:\n\tno field package.preload['no.such.mod']\n\tno file '") ||
		strings.Contains(msg, "\n\t\n") || !strings.Contains(msg, "no/such/mod.lua'") {
		t.Errorf("require message:\n%s", msg)
	}
}
