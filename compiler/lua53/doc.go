// Package lua53 is the Lua 5.3 front end: a lexer and parser that accept
// the full Lua 5.3 grammar and produce gopher-lua's syntax tree, lowering
// what the gopher-lua (Lua 5.1) VM lacks.
//
// Lowering:
//   - "//", "&", "|", "~" (binary and unary), "<<" and ">>" become calls of
//     helper functions (see HelperTableKey), folded at compile time when
//     both operands are numeric constants;
//   - numerals are normalised (hex integers wrap modulo 2^64, hex floats,
//     decimal integers too large for 64 bits become floats);
//   - free names resolve through the innermost visible _ENV with Lua 5.2/5.3
//     semantics. A chunk that never uses its implicit _ENV keeps gopher-lua's
//     global access instructions; one that does gets a hidden chunk-level
//     local _ENV bound to the chunk's environment at start.
//
// The package must not execute Lua code or depend on a Lua state: the
// runtime side of the helpers lives in stdlib/compat.
package lua53
