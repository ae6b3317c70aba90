// Package app describes what the runtime runs — a Program: a main chunk,
// the modules it may require and the files it ships — and builds the Lua
// state an application runs in (API.md §1).
//
// Two kinds of Program exist: SourceProgram compiles Lua source from disk
// (mbrun); runtime/bundle loads precompiled bytecode embedded in a built
// binary. The state is the same for both, so an application behaves the
// same under mbrun and as a built server. This package runs no server.
package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/moonbridge-go/moonbridge/compiler"
	"github.com/moonbridge-go/moonbridge/stdlib/compat"
	lua "github.com/yuin/gopher-lua"
)

// Program is an application the runtime can run.
type Program interface {
	// Name is the application's name for logs and --version, e.g. "app.lua".
	Name() string
	// Main returns the compiled main chunk.
	Main() (*lua.FunctionProto, error)
	// Module returns the compiled chunk for require(name). packagePath is
	// the current package.path (only programs that search the disk use it).
	// When there is no such module the error wraps ErrNoModule and its text
	// lists where the program looked.
	Module(name, packagePath string) (proto *lua.FunctionProto, origin string, err error)
	// Files returns the read-only files embedded with the application, or
	// nil when the application reads the disk.
	Files() fs.FS
}

// ErrNoModule is wrapped by Program.Module when a module does not exist.
var ErrNoModule = errors.New("module not found")

// ModuleNotFoundError says where a disk search for a module looked.
type ModuleNotFoundError struct {
	Name  string
	Tried string // where it looked, lines separated by "\n\t" as require joins them ("no file 'x'")
}

func (e *ModuleNotFoundError) Error() string {
	if e.Tried == "" {
		return "module '" + e.Name + "' not found"
	}
	return "module '" + e.Name + "' not found:\n\t" + e.Tried
}

// Unwrap makes errors.Is(err, ErrNoModule) true.
func (e *ModuleNotFoundError) Unwrap() error { return ErrNoModule }

// SourceProgram is an application run from its Lua source on disk.
type SourceProgram struct {
	script  string
	dir     string
	include []string

	// Compiled chunks, by path: goroutine workers share one process and
	// need each file compiled once. Prototypes are read-only once built.
	mu       sync.Mutex
	compiled map[string]*lua.FunctionProto
}

// NewSourceProgram prepares to run script; include lists extra directories
// searched by require (like mbbuild's -I).
func NewSourceProgram(script string, include []string) (*SourceProgram, error) {
	st, err := os.Stat(script)
	if err != nil {
		return nil, fmt.Errorf("application script: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("application script %s is a directory, not a Lua file", script)
	}
	abs, err := filepath.Abs(script)
	if err != nil {
		return nil, fmt.Errorf("application script %s: %w", script, err)
	}
	return &SourceProgram{script: script, dir: filepath.Dir(abs), include: include}, nil
}

// Name implements Program.
func (p *SourceProgram) Name() string { return filepath.Base(p.script) }

// Dir is the application's directory.
func (p *SourceProgram) Dir() string { return p.dir }

// Main implements Program.
func (p *SourceProgram) Main() (*lua.FunctionProto, error) {
	return p.compile(p.script)
}

func (p *SourceProgram) compile(path string) (*lua.FunctionProto, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if proto, ok := p.compiled[path]; ok {
		return proto, nil
	}
	proto, err := compileFile(path)
	if err != nil {
		return nil, err
	}
	if p.compiled == nil {
		p.compiled = map[string]*lua.FunctionProto{}
	}
	p.compiled[path] = proto
	return proto, nil
}

// Module implements Program: it searches packagePath like Lua's own
// searcher, but compiles with the project's compiler.
func (p *SourceProgram) Module(name, packagePath string) (*lua.FunctionProto, string, error) {
	path, tried := compat.SearchPath(name, packagePath)
	if path == "" {
		return nil, "", &ModuleNotFoundError{Name: name, Tried: strings.Join(tried, "\n\t")}
	}
	proto, err := p.compile(path)
	if err != nil {
		return nil, path, err
	}
	return proto, path, nil
}

// Files implements Program: a source program reads the disk.
func (p *SourceProgram) Files() fs.FS { return nil }

// DefaultPath is package.path for an application in dir with extra include
// directories: the application's directory first, then the includes, then
// the usual system locations.
func DefaultPath(dir string, include []string) string {
	var parts []string
	for _, d := range append([]string{dir}, include...) {
		parts = append(parts, filepath.Join(d, "?.lua"), filepath.Join(d, "?", "init.lua"))
	}
	parts = append(parts, "/usr/local/share/lua/5.3/?.lua", "/usr/local/share/lua/5.3/?/init.lua",
		"/usr/share/lua/5.3/?.lua", "/usr/share/lua/5.3/?/init.lua")
	return strings.Join(parts, ";")
}

func compileFile(path string) (*lua.FunctionProto, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read Lua file: %w", err)
	}
	// The lexer skips a "#!" first line, as Lua's standalone loader does.
	return compiler.Compile(src, path)
}
