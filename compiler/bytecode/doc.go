// Package bytecode stores compiled Lua chunks (gopher-lua's *lua.FunctionProto)
// in a documented, versioned binary format and loads them back.
//
// mbbuild writes this format into built binaries and the runtime of a built
// binary loads it instead of parsing Lua source. Loading never panics: a
// wrong magic, an unknown format version, bytecode written for another
// gopher-lua version, a truncated file or corrupted bytes all give an error
// that says what is wrong. The package must not run Lua code and must not
// compile Lua source (that is the compiler package's job).
//
// # Format (version 1)
//
// All multi-byte fixed-size integers are little-endian. "uvarint" and
// "varint" are the encodings of encoding/binary. A "string" is a uvarint
// byte length followed by that many bytes.
//
//	header:
//	  magic          4 bytes  "\x1bMBC"
//	  format version uint16   FormatVersion (1)
//	  vm version     string   the gopher-lua module version the prototypes
//	                          were compiled for (VMVersion, e.g. "v1.1.2")
//	  payload length uvarint  number of payload bytes that follow the checksum
//	  checksum       uint32   CRC-32 (IEEE) of the payload
//	payload:
//	  proto          the main chunk, see below
//	  (nothing may follow the main chunk)
//
//	proto:
//	  source name        string
//	  line defined       varint
//	  last line defined  varint
//	  num upvalues       1 byte
//	  num parameters     1 byte
//	  is vararg          1 byte
//	  num used registers 1 byte
//	  code               uvarint count, then count × uint32 instructions
//	  constants          uvarint count, then count × constant
//	  prototypes         uvarint count, then count × proto (nested functions)
//	  source positions   uvarint count, then count × varint (line per instruction)
//	  locals             uvarint count, then count × (string name, varint start pc, varint end pc)
//	  calls              uvarint count, then count × (string name, varint pc)
//	  upvalue names      uvarint count, then count × string
//
//	constant:
//	  tag 1 byte: 0 nil, 1 false, 2 true,
//	              3 number (followed by the uint64 IEEE-754 bits of the float64),
//	              4 string (followed by a string)
//
// A reader rejects a file whose format version differs from FormatVersion
// or whose vm version differs from VMVersion: gopher-lua's instruction set
// and prototype layout may change between releases, so such a file has to
// be rebuilt. Loaded prototypes are also checked for internal consistency
// (instruction opcodes in range, constant and prototype indices in range,
// one source position per instruction) before the VM sees them.
//
// gopher-lua keeps an unexported copy of the string constants in every
// prototype that the VM reads for global variable access; Decode rebuilds it
// (see strconst.go) so loaded prototypes run exactly like freshly compiled
// ones.
package bytecode
