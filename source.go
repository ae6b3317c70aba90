// Package moonbridge carries the product's own Go sources so that mbbuild
// can compile server binaries without network access: a built binary is
// this module's runtime plus a generated main, compiled with -mod=vendor.
// The package has no code; it must stay free of imports other than embed.
package moonbridge

import "embed"

// Source holds go.mod, go.sum and the packages a built binary links
// (compiler, runtime, stdlib). Directory trees are embedded whole; mbbuild
// skips tests and testdata when it writes them out. Directories added to
// the module that built binaries import must be added here too (mbbuild's
// tests build a binary and fail otherwise).
//
//go:embed go.mod go.sum compiler runtime stdlib
var Source embed.FS
