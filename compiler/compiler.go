// Package compiler turns Lua 5.3 source into gopher-lua function prototypes.
//
// It is the single entry point used by both `mbrun` (compiling in memory at
// start-up) and `mbbuild` (compiling ahead of time to bytecode), so that an
// application behaves the same in both. It must not execute any Lua code.
package compiler

import (
	"fmt"

	"github.com/moonbridge-go/moonbridge/compiler/lua53"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

func init() {
	// Lua 5.1's implicit "arg" table in vararg functions does not exist in
	// Lua 5.2+; with it on, a global named arg would be shadowed.
	lua.CompatVarArg = false
}

// Parse parses one Lua 5.3 chunk into gopher-lua's syntax tree, with the
// 5.3 constructs the VM lacks already lowered (see package lua53). Tools
// that need to inspect a program without running it (mbbuild's require
// scanner) use it. Syntax errors read "name:line:column: message near
// 'token'".
func Parse(src []byte, chunkname string) ([]ast.Stmt, error) {
	chunk, err := lua53.Parse(src, chunkname)
	if err != nil {
		return nil, err
	}
	return chunk, nil
}

// Compile parses and compiles one Lua chunk. chunkname is used in error
// messages and tracebacks (for example "@app.lua" or "app.lua"; a leading
// '@' or '=' is dropped, as Lua does when it shows a chunk name).
func Compile(src []byte, chunkname string) (proto *lua.FunctionProto, err error) {
	chunk, err := Parse(src, chunkname)
	if err != nil {
		return nil, err
	}
	name := lua53.DisplayName(chunkname)
	// gopher-lua's compiler reports some errors (goto/label checks, too
	// many registers) by panicking with a non-error value in rare cases;
	// keep those inside this package.
	defer func() {
		if r := recover(); r != nil {
			proto, err = nil, fmt.Errorf("compile %s: %v", name, r)
		}
	}()
	proto, err = lua.Compile(chunk, name)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	Trim(proto)
	return proto, nil
}

// Trim shrinks the slices of a freshly compiled prototype tree to their
// length. gopher-lua's compiler grows them from 1024-entry buffers and
// leaves the spare capacity in place, which a worker would keep for its
// whole life (measured: 185 KiB for moonbridge_io's helper chunk alone).
func Trim(p *lua.FunctionProto) {
	p.Code = exact(p.Code)
	p.Constants = exact(p.Constants)
	p.FunctionPrototypes = exact(p.FunctionPrototypes)
	p.DbgSourcePositions = exact(p.DbgSourcePositions)
	p.DbgLocals = exact(p.DbgLocals)
	p.DbgCalls = exact(p.DbgCalls)
	p.DbgUpvalues = exact(p.DbgUpvalues)
	for _, child := range p.FunctionPrototypes {
		Trim(child)
	}
}

func exact[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}
