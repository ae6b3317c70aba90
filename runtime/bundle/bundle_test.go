package bundle

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/moonbridge-go/moonbridge/compiler"
	"github.com/moonbridge-go/moonbridge/runtime/app"
	lua "github.com/yuin/gopher-lua"
)

func mustCompile(t *testing.T, src, name string) *lua.FunctionProto {
	t.Helper()
	p, err := compiler.Compile([]byte(src), name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func build(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	b := NewBuilder(&buf, "app.lua", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), "9.9.9")
	if err := b.SetMain(mustCompile(t, `local m = require "lib.util" return m.twice(21)`, "app.lua"), "app.lua"); err != nil {
		t.Fatal(err)
	}
	if err := b.AddModule("lib.util", "lib/util.lua", mustCompile(t, `return {twice = function(x) return 2 * x end}`, "lib/util.lua")); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := b.AddFile(name, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenAndRun(t *testing.T) {
	prog, err := Open(build(t, map[string]string{"static/style.css": "body{}", "index.html": "<h1>hi</h1>"}))
	if err != nil {
		t.Fatal(err)
	}
	if prog.Name() != "app.lua" {
		t.Errorf("Name = %q", prog.Name())
	}
	if v := prog.Version(); v != "app.lua (built 2025-01-02T03:04:05Z with moonbridge 9.9.9)" {
		t.Errorf("Version = %q", v)
	}
	L := lua.NewState()
	defer L.Close()
	// A require that asks the bundle, as the runtime's does.
	L.PreloadModule("lib.util", func(L *lua.LState) int {
		proto, _, err := prog.Module("lib.util", "")
		if err != nil {
			L.RaiseError("%v", err)
		}
		L.Push(L.NewFunctionFromProto(proto))
		L.Call(0, 1)
		return 1
	})
	main, err := prog.Main()
	if err != nil {
		t.Fatal(err)
	}
	L.Push(L.NewFunctionFromProto(main))
	if err := L.PCall(0, 1, nil); err != nil {
		t.Fatal(err)
	}
	if got := L.Get(-1); got.String() != "42" {
		t.Fatalf("main returned %v", got)
	}

	data, err := fs.ReadFile(prog.Files(), "static/style.css")
	if err != nil || string(data) != "body{}" {
		t.Fatalf("static/style.css: %q, %v", data, err)
	}
	if _, err := fs.Stat(prog.Files(), "missing.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	entries, err := fs.ReadDir(prog.Files(), ".")
	if err != nil || len(entries) != 2 {
		t.Fatalf("ReadDir: %v, %v", entries, err)
	}
}

func TestModuleNotFound(t *testing.T) {
	prog, err := Open(build(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = prog.Module("nope", "")
	if !errors.Is(err, app.ErrNoModule) || !strings.Contains(err.Error(), "lib.util") || !strings.Contains(err.Error(), "-m nope") {
		t.Fatalf("error %v", err)
	}
	if prog.Files() != nil {
		t.Fatal("a bundle without files must report Files() == nil")
	}
}

func TestOpenErrors(t *testing.T) {
	good := build(t, nil)
	tests := []struct {
		name string
		data []byte
		text string
	}{
		{"empty", nil, "zip"},
		{"garbage", []byte("hello world, not a bundle"), "zip"},
		{"truncated", good[:len(good)/2], "zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Open(tt.data); err == nil || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.text)
			}
		})
	}
}

func TestBuilderErrors(t *testing.T) {
	var buf bytes.Buffer
	b := NewBuilder(&buf, "app.lua", time.Now(), "1")
	if err := b.Close(); err == nil {
		t.Fatal("Close without main succeeded")
	}
	b = NewBuilder(&buf, "app.lua", time.Now(), "1")
	p := mustCompile(t, "return 1", "x")
	for _, bad := range []string{"", "../x", "a/b", "x..y"} {
		if err := b.AddModule(bad, "x", p); err == nil {
			t.Errorf("module name %q accepted", bad)
		}
	}
	for _, bad := range []string{"", ".", "../etc/passwd", "/abs", "a//b"} {
		if err := b.AddFile(bad, nil); err == nil {
			t.Errorf("file path %q accepted", bad)
		}
	}
	if err := b.AddFile("a.txt", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFile("a.txt", nil); err == nil {
		t.Fatal("duplicate file accepted")
	}
}
