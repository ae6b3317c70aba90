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
	return proto, nil
}
