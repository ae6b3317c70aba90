// Package syntax is the front end of the Lua 5.3 compiler: a lexer and a
// parser for the complete Lua 5.3 grammar that produce a syntax tree (see
// ast.go) for compiler/codegen, and syntax errors worded exactly as
// lua5.3's.
//
// The package only reads source text: it must not resolve variables,
// allocate registers, emit code or depend on the interpreter (name
// resolution, goto resolution and code generation belong to
// compiler/codegen, which mirrors lparser.c/lcode.c). It must not import
// gopher-lua or the older compiler/lua53 front end.
package syntax
