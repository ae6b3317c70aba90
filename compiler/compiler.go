// Package compiler turns Lua source into gopher-lua function prototypes.
//
// It is the single entry point used by both `mbrun` (compiling in memory at
// start-up) and `mbbuild` (compiling ahead of time to bytecode), so that an
// application behaves the same in both. It must not execute any Lua code.
package compiler

import (
	"bytes"
	"fmt"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// Parse parses one Lua chunk into gopher-lua's syntax tree. Tools that need
// to inspect a program without running it (mbbuild's require scanner) use it.
func Parse(src []byte, chunkname string) ([]ast.Stmt, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), chunkname)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", chunkname, err)
	}
	return chunk, nil
}

// Compile parses and compiles one Lua chunk. chunkname is used in error
// messages and tracebacks (for example "@app.lua" or "app.lua").
func Compile(src []byte, chunkname string) (*lua.FunctionProto, error) {
	chunk, err := Parse(src, chunkname)
	if err != nil {
		return nil, err
	}
	proto, err := lua.Compile(chunk, chunkname)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", chunkname, err)
	}
	return proto, nil
}
