package code

// The engine's binary chunk format, written by Dump (string.dump, mbbuild)
// and read by Undump (load of a binary chunk). It is not PUC Lua's format:
// it shares the signature, so that load recognises a binary chunk by its
// first byte as Lua does, and PUC's header checks, so that each
// implementation rejects the other's chunks with a clear message ("format
// mismatch in precompiled chunk").
//
// All multi-byte fixed-size values are little-endian. "uvarint" is an
// unsigned LEB128 varint (encoding/binary's Uvarint), "svarint" a
// zig-zag signed one (binary.Varint). A string is a uvarint n followed by
// n-1 bytes; n = 0 means no string.
//
// Header:
//
//	"\x1bLua"             signature (LUA_SIGNATURE)
//	0x53                  version: Lua 5.3
//	FormatByte            0x81: this engine's format, version 1 (PUC's is 0x00)
//	"\x19\x93\r\n\x1a\n"  LUAC_DATA, catches text-mode conversions
//	4 8 8                 sizes of Instruction, lua_Integer, lua_Number
//	0x5678 as 8 bytes     LUAC_INT, catches byte-order mismatches
//	370.5 as 8 bytes      LUAC_NUM, an IEEE-754 double
//	byte                  number of upvalues of the main function
//
// Function (the main function follows the header; nested ones nest):
//
//	string   source; absent when stripped or equal to the enclosing
//	         function's (a stripped main function gets "=?")
//	uvarint  linedefined, lastlinedefined
//	byte     numparams, is_vararg (0 or 1), maxstacksize
//	uvarint  n, then n instructions of 4 bytes
//	uvarint  n, then n constants: a tag byte, 0 nil, 1 false, 2 true,
//	         3 float (8 bytes), 4 integer (svarint), 5 string (string)
//	uvarint  n, then n upvalues: instack byte (0 or 1), index byte
//	uvarint  n, then n functions
//	uvarint  n (0 or the number of instructions), then the line of each
//	         instruction as an svarint difference from the previous line
//	         (the first from 0)
//	uvarint  n, then n local variables: name (string), startpc, endpc (uvarint)
//	uvarint  n (0 or the number of upvalues), then n upvalue names (string)
//
// Undump validates everything the interpreter relies on (see checkCode),
// so that an undumped Proto is as safe to run as a compiled one.

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// Signature starts every binary chunk (LUA_SIGNATURE).
const Signature = "\x1bLua"

// Header values of the binary chunk format.
const (
	// Version is Lua 5.3's version byte (LUAC_VERSION).
	Version = 0x53
	// FormatByte identifies this engine's format (high bit) and its
	// version (low bits); PUC Lua's official format is 0.
	FormatByte = 0x81
	luacData   = "\x19\x93\r\n\x1a\n"
	luacInt    = 0x5678
	luacNum    = 370.5
)

const (
	tagNil = iota
	tagFalse
	tagTrue
	tagFloat
	tagInt
	tagString
)

// maxDumpDepth bounds the nesting of functions Undump accepts; the parser
// allows far fewer levels (LUAI_MAXCCALLS is 200).
const maxDumpDepth = 250

// Dump serialises p and its nested functions. With strip, the debug
// information (line info, local variables, upvalue names, source) is left
// out, as luaU_dump does.
func Dump(p *Proto, strip bool) []byte {
	d := dumper{strip: strip}
	d.buf = append(d.buf, Signature...)
	d.buf = append(d.buf, Version, FormatByte)
	d.buf = append(d.buf, luacData...)
	d.buf = append(d.buf, 4, 8, 8)
	d.buf = binary.LittleEndian.AppendUint64(d.buf, luacInt)
	d.buf = binary.LittleEndian.AppendUint64(d.buf, math.Float64bits(luacNum))
	d.buf = append(d.buf, byte(len(p.Upvalues)))
	d.function(p, "")
	return d.buf
}

type dumper struct {
	buf   []byte
	strip bool
}

func (d *dumper) uvarint(n int) { d.buf = binary.AppendUvarint(d.buf, uint64(n)) }

func (d *dumper) string(s string, present bool) {
	if !present {
		d.uvarint(0)
		return
	}
	d.uvarint(len(s) + 1)
	d.buf = append(d.buf, s...)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func (d *dumper) function(p *Proto, parentSource string) {
	d.string(p.Source, !d.strip && p.Source != parentSource)
	d.uvarint(p.LineDefined)
	d.uvarint(p.LastLineDefined)
	d.buf = append(d.buf, byte(p.NumParams), boolByte(p.IsVararg), byte(p.MaxStackSize))
	d.uvarint(len(p.Code))
	for _, i := range p.Code {
		d.buf = binary.LittleEndian.AppendUint32(d.buf, uint32(i))
	}
	d.uvarint(len(p.Constants))
	for _, k := range p.Constants {
		switch k := k.(type) {
		case bool:
			d.buf = append(d.buf, tagFalse+boolByte(k))
		case float64:
			d.buf = append(d.buf, tagFloat)
			d.buf = binary.LittleEndian.AppendUint64(d.buf, math.Float64bits(k))
		case int64:
			d.buf = append(d.buf, tagInt)
			d.buf = binary.AppendVarint(d.buf, k)
		case string:
			d.buf = append(d.buf, tagString)
			d.string(k, true)
		default:
			d.buf = append(d.buf, tagNil)
		}
	}
	d.uvarint(len(p.Upvalues))
	for _, u := range p.Upvalues {
		d.buf = append(d.buf, boolByte(u.InStack), byte(u.Index))
	}
	d.uvarint(len(p.Protos))
	for _, q := range p.Protos {
		d.function(q, p.Source)
	}
	if d.strip {
		d.uvarint(0)
		d.uvarint(0)
		d.uvarint(0)
		return
	}
	d.uvarint(len(p.LineInfo))
	prev := int64(0)
	for _, l := range p.LineInfo {
		d.buf = binary.AppendVarint(d.buf, int64(l)-prev)
		prev = int64(l)
	}
	d.uvarint(len(p.LocVars))
	for _, v := range p.LocVars {
		d.string(v.Name, true)
		d.uvarint(v.StartPC)
		d.uvarint(v.EndPC)
	}
	names := false
	for _, u := range p.Upvalues {
		if u.Name != "" {
			names = true
		}
	}
	if !names {
		d.uvarint(0)
		return
	}
	d.uvarint(len(p.Upvalues))
	for _, u := range p.Upvalues {
		d.string(u.Name, true)
	}
}

// UndumpError is the error of a binary chunk Undump rejects. Its message
// is lua5.3's: "<chunk>: <why> precompiled chunk", the chunk name shown as
// lundump.c shows it.
type UndumpError struct {
	Chunk string // the chunk name as shown: "file.lua", "binary string"
	Why   string // "truncated", "version mismatch in", "bad binary format (...) in" ...
}

func (e *UndumpError) Error() string { return e.Chunk + ": " + e.Why + " precompiled chunk" }

type undumper struct {
	data []byte
	name string
	err  *UndumpError
}

// errTruncated and errBad unwind the reader; Undump turns them into an
// UndumpError.
var errUndump = errors.New("undump")

func (u *undumper) fail(why string) {
	if u.err == nil {
		u.err = &UndumpError{Chunk: u.name, Why: why}
	}
	panic(errUndump)
}

func (u *undumper) bytes(n int) []byte {
	if n < 0 || n > len(u.data) {
		u.fail("truncated")
	}
	b := u.data[:n:n]
	u.data = u.data[n:]
	return b
}

func (u *undumper) byte() byte { return u.bytes(1)[0] }

// uvarint reads a uvarint of at most max.
func (u *undumper) uvarint(max int) int {
	n, k := binary.Uvarint(u.data)
	if k == 0 {
		u.fail("truncated")
	}
	if k < 0 || n > uint64(max) {
		u.fail("bad binary format (integer out of range) in")
	}
	u.data = u.data[k:]
	return int(n)
}

// count reads a number of items that take at least size bytes each.
func (u *undumper) count(size int) int {
	n := u.uvarint(math.MaxInt32)
	if n > len(u.data)/size {
		u.fail("truncated")
	}
	return n
}

func (u *undumper) string() (string, bool) {
	n := u.uvarint(math.MaxInt32)
	if n == 0 {
		return "", false
	}
	return string(u.bytes(n - 1)), true
}

// Undump reads a binary chunk written by Dump. chunkName is the name load
// was given, used in error messages only. The returned Proto has passed
// the checks of checkCode. Undump never panics and allocates memory in
// proportion to len(data).
func Undump(data []byte, chunkName string) (p *Proto, err error) {
	u := &undumper{data: data, name: chunkName}
	switch {
	case len(chunkName) > 0 && (chunkName[0] == '@' || chunkName[0] == '='):
		u.name = chunkName[1:]
	case len(chunkName) > 0 && chunkName[0] == Signature[0]:
		u.name = "binary string"
	}
	defer func() {
		if r := recover(); r != nil {
			if r != errUndump {
				panic(r)
			}
			p, err = nil, u.err
		}
	}()
	u.header()
	nup := int(u.byte())
	p = u.function("=?", 0)
	if len(p.Upvalues) != nup {
		u.fail("bad binary format (upvalue count) in")
	}
	if len(u.data) != 0 {
		u.fail("bad binary format (extra bytes) in")
	}
	return p, nil
}

func (u *undumper) literal(s, why string) {
	if string(u.bytes(len(s))) != s {
		u.fail(why)
	}
}

func (u *undumper) header() {
	u.literal(Signature, "not a")
	if u.byte() != Version {
		u.fail("version mismatch in")
	}
	if u.byte() != FormatByte {
		u.fail("format mismatch in")
	}
	u.literal(luacData, "corrupted")
	for _, s := range []struct {
		size byte
		name string
	}{{4, "Instruction"}, {8, "lua_Integer"}, {8, "lua_Number"}} {
		if u.byte() != s.size {
			u.fail(s.name + " size mismatch in")
		}
	}
	if binary.LittleEndian.Uint64(u.bytes(8)) != luacInt {
		u.fail("endianness mismatch in")
	}
	if math.Float64frombits(binary.LittleEndian.Uint64(u.bytes(8))) != luacNum {
		u.fail("float format mismatch in")
	}
}

// minFunctionSize is the fewest bytes a dumped function takes.
const minFunctionSize = 1 + 2 + 3 + 7

func (u *undumper) function(parentSource string, depth int) *Proto {
	if depth > maxDumpDepth {
		u.fail("bad binary format (functions nested too deep) in")
	}
	p := &Proto{}
	if s, ok := u.string(); ok {
		p.Source = s
	} else {
		p.Source = parentSource
	}
	p.LineDefined = u.uvarint(math.MaxInt32)
	p.LastLineDefined = u.uvarint(math.MaxInt32)
	b := u.bytes(3)
	p.NumParams, p.MaxStackSize = int(b[0]), int(b[2])
	if b[1] > 1 {
		u.fail("bad binary format (vararg flag) in")
	}
	p.IsVararg = b[1] == 1
	if p.MaxStackSize > MaxRegisters || p.NumParams > p.MaxStackSize {
		u.fail("bad binary format (stack size) in")
	}

	n := u.count(4)
	p.Code = make([]Instruction, n)
	for i := range p.Code {
		p.Code[i] = Instruction(binary.LittleEndian.Uint32(u.bytes(4)))
	}

	n = u.count(1)
	p.Constants = make([]Constant, n)
	for i := range p.Constants {
		switch u.byte() {
		case tagNil:
		case tagFalse:
			p.Constants[i] = false
		case tagTrue:
			p.Constants[i] = true
		case tagFloat:
			p.Constants[i] = math.Float64frombits(binary.LittleEndian.Uint64(u.bytes(8)))
		case tagInt:
			v, k := binary.Varint(u.data)
			if k == 0 {
				u.fail("truncated")
			} else if k < 0 {
				u.fail("bad binary format (integer out of range) in")
			}
			u.data = u.data[k:]
			p.Constants[i] = v
		case tagString:
			s, ok := u.string()
			if !ok {
				u.fail("bad binary format (constant) in")
			}
			p.Constants[i] = s
		default:
			u.fail("bad binary format (constant) in")
		}
	}

	n = u.count(2)
	if n > MaxUpvalues {
		u.fail("bad binary format (upvalue count) in")
	}
	p.Upvalues = make([]UpvalueDesc, n)
	for i := range p.Upvalues {
		b := u.bytes(2)
		if b[0] > 1 {
			u.fail("bad binary format (upvalue) in")
		}
		p.Upvalues[i] = UpvalueDesc{InStack: b[0] == 1, Index: int(b[1])}
	}

	n = u.count(minFunctionSize)
	p.Protos = make([]*Proto, n)
	for i := range p.Protos {
		q := u.function(p.Source, depth+1)
		for _, uv := range q.Upvalues {
			if uv.InStack && uv.Index >= p.MaxStackSize || !uv.InStack && uv.Index >= len(p.Upvalues) {
				u.fail("bad binary format (upvalue) in")
			}
		}
		p.Protos[i] = q
	}

	n = u.count(1)
	if n != 0 && n != len(p.Code) {
		u.fail("bad binary format (line info) in")
	}
	if n > 0 {
		p.LineInfo = make([]int32, n)
		line := int64(0)
		for i := range p.LineInfo {
			d, k := binary.Varint(u.data)
			if k == 0 {
				u.fail("truncated")
			}
			line += d
			if k < 0 || line < 0 || line > math.MaxInt32 {
				u.fail("bad binary format (line info) in")
			}
			u.data = u.data[k:]
			p.LineInfo[i] = int32(line)
		}
	}

	n = u.count(3)
	if n > 0 {
		p.LocVars = make([]LocVar, n)
		for i := range p.LocVars {
			name, ok := u.string()
			if !ok {
				u.fail("bad binary format (local variable) in")
			}
			start := u.uvarint(len(p.Code))
			end := u.uvarint(len(p.Code))
			p.LocVars[i] = LocVar{Name: name, StartPC: start, EndPC: end}
		}
	}

	n = u.count(1)
	if n != 0 && n != len(p.Upvalues) {
		u.fail("bad binary format (upvalue names) in")
	}
	for i := 0; i < n; i++ {
		name, ok := u.string()
		if !ok {
			u.fail("bad binary format (upvalue names) in")
		}
		p.Upvalues[i].Name = name
	}

	if msg := checkCode(p); msg != "" {
		u.fail("bad binary format (" + msg + ") in")
	}
	return p
}

// MaxUpvalues is the number of upvalues a function may have (MAXUPVAL).
const MaxUpvalues = 255

// checkCode verifies that the instructions of p only name registers below
// MaxStackSize, existing constants, upvalues and nested functions, that
// jumps land inside the code and not on an EXTRAARG, that EXTRAARG
// follows exactly LOADKX and SETLIST with C = 0, that tests and
// comparisons are followed by a JMP and TFORCALL by TFORLOOP (the
// interpreter executes those pairs together), and that execution cannot
// run past the last instruction. It returns "" or what is wrong.
func checkCode(p *Proto) string {
	code := p.Code
	n := len(code)
	if n == 0 || code[n-1].Op() != OpReturn {
		return "code must end with RETURN"
	}
	max := p.MaxStackSize
	nk := len(p.Constants)
	nup := len(p.Upvalues)
	reg := func(r int) bool { return r >= 0 && r < max }
	rk := func(x int) bool {
		if IsK(x) {
			return IndexK(x) < nk
		}
		return x < max
	}
	target := func(t int) bool { return t >= 0 && t < n && code[t].Op() != OpExtraArg }
	nextIs := func(pc int, op Opcode) bool { return pc+1 < n && code[pc+1].Op() == op }
	for pc := 0; pc < n; pc++ {
		i := code[pc]
		op := i.Op()
		a, b, c := i.A(), i.B(), i.C()
		ok := true
		switch op {
		case OpMove, OpUnm, OpBNot, OpNot, OpLen:
			ok = reg(a) && reg(b)
		case OpLoadK:
			ok = reg(a) && i.Bx() < nk
		case OpLoadKX:
			ok = reg(a) && nextIs(pc, OpExtraArg) && code[pc+1].Ax() < nk
			pc++
		case OpLoadBool:
			ok = reg(a) && (c == 0 || pc+2 < n)
		case OpLoadNil:
			ok = reg(a + b)
		case OpGetUpval:
			ok = reg(a) && b < nup
		case OpGetTabUp:
			ok = reg(a) && b < nup && rk(c)
		case OpGetTable:
			ok = reg(a) && reg(b) && rk(c)
		case OpSetTabUp:
			ok = a < nup && rk(b) && rk(c)
		case OpSetUpval:
			ok = reg(a) && b < nup
		case OpSetTable, OpAdd, OpSub, OpMul, OpMod, OpPow, OpDiv, OpIDiv,
			OpBAnd, OpBOr, OpBXor, OpShl, OpShr:
			ok = reg(a) && rk(b) && rk(c)
		case OpNewTable:
			ok = reg(a)
		case OpSelf:
			ok = reg(a+1) && reg(b) && rk(c)
		case OpConcat:
			ok = reg(a) && b < c && reg(c)
		case OpJmp:
			ok = a <= max && target(pc+1+i.SBx())
		case OpEq, OpLt, OpLe:
			ok = rk(b) && rk(c) && nextIs(pc, OpJmp)
		case OpTest:
			ok = reg(a) && nextIs(pc, OpJmp)
		case OpTestSet:
			ok = reg(a) && reg(b) && nextIs(pc, OpJmp)
		case OpCall:
			ok = reg(a) && (b == 0 || reg(a+b-1)) && (c < 2 || reg(a+c-2))
		case OpTailCall:
			ok = reg(a) && (b == 0 || reg(a+b-1))
		case OpReturn:
			ok = b == 1 || reg(a) && (b < 2 || reg(a+b-2))
		case OpForLoop, OpForPrep:
			ok = reg(a+3) && target(pc+1+i.SBx())
		case OpTForCall:
			ok = c >= 1 && reg(a+2+c) && nextIs(pc, OpTForLoop)
		case OpTForLoop:
			ok = reg(a+1) && target(pc+1+i.SBx())
		case OpSetList:
			ok = reg(a) && reg(a+b)
			if c == 0 {
				ok = ok && nextIs(pc, OpExtraArg)
				pc++
			}
		case OpClosure:
			ok = reg(a) && i.Bx() < len(p.Protos)
		case OpVararg:
			ok = reg(a) && (b < 2 || reg(a+b-2))
		case OpExtraArg:
			return "misplaced EXTRAARG"
		default:
			return "bad opcode"
		}
		if !ok {
			return "bad operand of " + op.String() + " at " + strconv.Itoa(pc+1)
		}
		if pc+1 >= n && op != OpReturn {
			return "code must end with RETURN"
		}
	}
	return ""
}
