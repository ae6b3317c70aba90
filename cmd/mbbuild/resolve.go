package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/moonbridge-go/moonbridge/compiler"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// requireCall is one require found in a chunk's syntax tree.
type requireCall struct {
	Line     int
	Name     string // constant module name; "" for a dynamic require
	Optional bool   // pcall(require, "name"): a missing module is not an error
}

// findRequires walks a chunk for calls of the global require. A call with
// one constant string argument is static; anything else is dynamic.
// pcall(require, "name") is recognised as an optional static require.
func findRequires(chunk []ast.Stmt) []requireCall {
	var calls []requireCall
	visit := func(call *ast.FuncCallExpr) {
		if call.Receiver != nil {
			return
		}
		if isIdent(call.Func, "require") {
			rc := requireCall{Line: call.Line()}
			if len(call.Args) == 1 {
				if s, ok := call.Args[0].(*ast.StringExpr); ok {
					rc.Name = s.Value
				}
			}
			calls = append(calls, rc)
			return
		}
		if isIdent(call.Func, "pcall") && len(call.Args) == 2 && isIdent(call.Args[0], "require") {
			rc := requireCall{Line: call.Line(), Optional: true}
			if s, ok := call.Args[1].(*ast.StringExpr); ok {
				rc.Name = s.Value
			}
			calls = append(calls, rc)
		}
	}
	walkAST(reflect.ValueOf(chunk), visit)
	return calls
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.IdentExpr)
	return ok && id.Value == name
}

var funcCallType = reflect.TypeOf((*ast.FuncCallExpr)(nil))

// walkAST visits every function call in a syntax tree. It walks by
// reflection over exported fields, so node types added by the Lua 5.3 front
// end or a newer gopher-lua are covered without changes here.
func walkAST(v reflect.Value, visit func(*ast.FuncCallExpr)) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			walkAST(v.Elem(), visit)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type() == funcCallType {
			visit(v.Interface().(*ast.FuncCallExpr))
		}
		walkAST(v.Elem(), visit)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkAST(v.Field(i), visit)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkAST(v.Index(i), visit)
		}
	}
}

// module is one compiled Lua chunk that goes into the bundle.
type module struct {
	Name   string // require name; "" for the main chunk
	Path   string // file on disk
	Origin string // path shown in errors and tracebacks
	Proto  *lua.FunctionProto
}

// resolver finds and compiles the modules an application requires.
type resolver struct {
	appDir   string
	includes []string
	builtin  func(name string) bool // modules the runtime provides itself
	warn     func(format string, args ...any)

	modules map[string]*module
	order   []string
	missing []string
}

// buildError is a user-facing error of the build (bad application); main
// prints it without further decoration.
type buildError struct{ msg string }

func (e *buildError) Error() string { return e.msg }

func userErrorf(format string, args ...any) error {
	return &buildError{msg: fmt.Sprintf(format, args...)}
}

// compileLua reads and compiles one file. chunkname is what errors and
// tracebacks show.
func compileLua(path, chunkname string) (*lua.FunctionProto, []ast.Stmt, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, userErrorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	// A "#!" first line is skipped by the lexer, as by Lua's standalone
	// interpreter (and mbrun), with line numbers kept.
	chunk, err := compiler.Parse(src, chunkname)
	if err != nil {
		return nil, nil, userErrorf("%v", err)
	}
	proto, err := compiler.Compile(src, chunkname)
	if err != nil {
		return nil, nil, userErrorf("%v", err)
	}
	return proto, chunk, nil
}

// candidates lists the files require(name) may load, in search order:
// the application directory, then each include directory, with the
// ?.lua and ?/init.lua patterns of the default package.path.
func (r *resolver) candidates(name string) []string {
	rel := filepath.FromSlash(strings.ReplaceAll(name, ".", "/"))
	var out []string
	for _, dir := range append([]string{r.appDir}, r.includes...) {
		out = append(out, filepath.Join(dir, rel+".lua"), filepath.Join(dir, rel, "init.lua"))
	}
	return out
}

// origin names a module file relative to the directory it was found in, so
// bundles do not carry the build machine's paths.
func (r *resolver) origin(path string) string {
	for _, dir := range append([]string{r.appDir}, r.includes...) {
		if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(path)
}

// addModule resolves require(name) from the place described by from.
// It returns an error for a module that is neither built in nor found
// when required is set.
func (r *resolver) addModule(name, from string, required bool) error {
	if _, done := r.modules[name]; done || r.builtin(name) {
		return nil
	}
	var path string
	for _, c := range r.candidates(name) {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			path = c
			break
		}
	}
	if path == "" {
		var tried strings.Builder
		for _, c := range r.candidates(name) {
			tried.WriteString("\n\tno file '" + c + "'")
		}
		if !required {
			r.warn("%s: optional module %q not found, the binary will run without it:%s", from, name, tried.String())
			return nil
		}
		r.missing = append(r.missing, fmt.Sprintf("%s: module %q not found:%s", from, name, tried.String()))
		return nil
	}
	m := &module{Name: name, Path: path, Origin: r.origin(path)}
	r.modules[name] = m
	r.order = append(r.order, name)
	return r.compile(m)
}

// compile compiles m and follows its requires.
func (r *resolver) compile(m *module) error {
	proto, chunk, err := compileLua(m.Path, m.Origin)
	if err != nil {
		return err
	}
	m.Proto = proto
	for _, call := range findRequires(chunk) {
		at := fmt.Sprintf("%s:%d", m.Origin, call.Line)
		if call.Name == "" {
			r.warn("%s: require with a non-constant module name cannot be resolved at build time; add the module with -m NAME", at)
			continue
		}
		if err := r.addModule(call.Name, at, !call.Optional); err != nil {
			return err
		}
	}
	return nil
}

// resolve compiles the main script and everything it requires, plus the
// modules named with -m. It returns the main chunk and the modules sorted
// by name.
func (r *resolver) resolve(script string, extra []string) (*module, []*module, error) {
	r.modules = map[string]*module{}
	main := &module{Path: script, Origin: filepath.ToSlash(filepath.Base(script))}
	if err := r.compile(main); err != nil {
		return nil, nil, err
	}
	for _, name := range extra {
		if r.builtin(name) {
			r.warn("-m %s: the runtime provides this module already", name)
			continue
		}
		if err := r.addModule(name, "-m "+name, true); err != nil {
			return nil, nil, err
		}
	}
	if len(r.missing) > 0 {
		return nil, nil, userErrorf("%s\n(add directories to search with -I DIR)", strings.Join(r.missing, "\n"))
	}
	mods := make([]*module, 0, len(r.order))
	for _, name := range r.order {
		mods = append(mods, r.modules[name])
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Name < mods[j].Name })
	return main, mods, nil
}
