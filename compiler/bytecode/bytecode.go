package bytecode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Magic starts every bytecode file.
const Magic = "\x1bMBC"

// FormatVersion is the version of the layout described in the package
// documentation. It changes whenever the layout changes.
const FormatVersion uint16 = 1

// VMVersion is the gopher-lua module version whose prototypes this package
// writes and accepts. A test checks it against go.mod, so upgrading
// gopher-lua without looking at this package fails loudly.
const VMVersion = "v1.1.2"

// maxDepth bounds the nesting of function prototypes a file may contain, so
// a crafted file cannot exhaust the stack of the loader.
const maxDepth = 1000

// Errors returned (wrapped) by Decode; test with errors.Is.
var (
	// ErrNotBytecode: the data does not start with Magic.
	ErrNotBytecode = errors.New("not moonbridge bytecode")
	// ErrVersion: the data was written for another format or gopher-lua version.
	ErrVersion = errors.New("bytecode version mismatch")
	// ErrCorrupt: the data is truncated, damaged or inconsistent.
	ErrCorrupt = errors.New("corrupt bytecode")
)

// Encode serialises a compiled chunk (as returned by compiler.Compile) into
// the bytecode format.
func Encode(p *lua.FunctionProto) ([]byte, error) {
	if p == nil {
		return nil, errors.New("encode bytecode: nil prototype")
	}
	var w writer
	if err := w.proto(p, 0); err != nil {
		return nil, fmt.Errorf("encode bytecode: %w", err)
	}
	payload := w.buf

	out := make([]byte, 0, len(payload)+32)
	out = append(out, Magic...)
	out = binary.LittleEndian.AppendUint16(out, FormatVersion)
	out = binary.AppendUvarint(out, uint64(len(VMVersion)))
	out = append(out, VMVersion...)
	out = binary.AppendUvarint(out, uint64(len(payload)))
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(payload))
	out = append(out, payload...)
	return out, nil
}

// Decode loads a chunk written by Encode. The result is ready to be turned
// into a function with (*lua.LState).NewFunctionFromProto. Any defect in
// data gives an error wrapping ErrNotBytecode, ErrVersion or ErrCorrupt.
func Decode(data []byte) (proto *lua.FunctionProto, err error) {
	defer func() {
		// The reader checks every length, so this is a last line of defence:
		// a loader must never take the process down.
		if r := recover(); r != nil {
			proto, err = nil, fmt.Errorf("%w: internal error while loading: %v", ErrCorrupt, r)
		}
	}()
	if layoutErr != nil {
		return nil, layoutErr
	}
	if len(data) < len(Magic) || string(data[:len(Magic)]) != Magic {
		return nil, ErrNotBytecode
	}
	r := reader{buf: data[len(Magic):], what: "header"}
	format := r.uint16()
	if r.err != nil {
		return nil, r.err
	}
	if format != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, this program reads version %d; rebuild the application", ErrVersion, format, FormatVersion)
	}
	vm := r.string()
	if r.err != nil {
		return nil, r.err
	}
	if vm != VMVersion {
		return nil, fmt.Errorf("%w: compiled for gopher-lua %q, this program runs gopher-lua %q; rebuild the application", ErrVersion, vm, VMVersion)
	}
	size := r.uvarint()
	sum := r.uint32()
	if r.err != nil {
		return nil, r.err
	}
	if uint64(len(r.buf)) < size {
		return nil, fmt.Errorf("%w: truncated: payload has %d of %d bytes", ErrCorrupt, len(r.buf), size)
	}
	if uint64(len(r.buf)) > size {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the payload", ErrCorrupt, uint64(len(r.buf))-size)
	}
	if got := crc32.ChecksumIEEE(r.buf); got != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (stored %08x, computed %08x)", ErrCorrupt, sum, got)
	}
	r.what = "main chunk"
	p := r.proto(0)
	if r.err != nil {
		return nil, r.err
	}
	if len(r.buf) != 0 {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the main chunk", ErrCorrupt, len(r.buf))
	}
	return p, nil
}

type writer struct{ buf []byte }

func (w *writer) uvarint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *writer) varint(v int64)   { w.buf = binary.AppendVarint(w.buf, v) }
func (w *writer) byte(b uint8)     { w.buf = append(w.buf, b) }
func (w *writer) string(s string)  { w.uvarint(uint64(len(s))); w.buf = append(w.buf, s...) }

const (
	tagNil = iota
	tagFalse
	tagTrue
	tagNumber
	tagString
)

func (w *writer) proto(p *lua.FunctionProto, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("functions nested deeper than %d levels", maxDepth)
	}
	w.string(p.SourceName)
	w.varint(int64(p.LineDefined))
	w.varint(int64(p.LastLineDefined))
	w.byte(p.NumUpvalues)
	w.byte(p.NumParameters)
	w.byte(p.IsVarArg)
	w.byte(p.NumUsedRegisters)
	w.uvarint(uint64(len(p.Code)))
	for _, inst := range p.Code {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, inst)
	}
	w.uvarint(uint64(len(p.Constants)))
	for i, c := range p.Constants {
		switch v := c.(type) {
		case *lua.LNilType:
			w.byte(tagNil)
		case lua.LBool:
			if v {
				w.byte(tagTrue)
			} else {
				w.byte(tagFalse)
			}
		case lua.LNumber:
			w.byte(tagNumber)
			w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(float64(v)))
		case lua.LString:
			w.byte(tagString)
			w.string(string(v))
		default:
			return fmt.Errorf("%s:%d: constant %d has type %s, which bytecode cannot store", p.SourceName, p.LineDefined, i, c.Type())
		}
	}
	w.uvarint(uint64(len(p.FunctionPrototypes)))
	for _, child := range p.FunctionPrototypes {
		if child == nil {
			return fmt.Errorf("%s:%d: nil nested prototype", p.SourceName, p.LineDefined)
		}
		if err := w.proto(child, depth+1); err != nil {
			return err
		}
	}
	w.uvarint(uint64(len(p.DbgSourcePositions)))
	for _, line := range p.DbgSourcePositions {
		w.varint(int64(line))
	}
	w.uvarint(uint64(len(p.DbgLocals)))
	for _, l := range p.DbgLocals {
		if l == nil {
			return fmt.Errorf("%s:%d: nil local variable info", p.SourceName, p.LineDefined)
		}
		w.string(l.Name)
		w.varint(int64(l.StartPc))
		w.varint(int64(l.EndPc))
	}
	w.uvarint(uint64(len(p.DbgCalls)))
	for _, c := range p.DbgCalls {
		w.string(c.Name)
		w.varint(int64(c.Pc))
	}
	w.uvarint(uint64(len(p.DbgUpvalues)))
	for _, name := range p.DbgUpvalues {
		w.string(name)
	}
	return nil
}

// reader decodes the payload. After the first error every method returns
// zero values, so callers check r.err once per logical step.
type reader struct {
	buf  []byte
	err  error
	what string // what is being read, for error messages
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s: %s", ErrCorrupt, r.what, fmt.Sprintf(format, args...))
	}
	r.buf = nil
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.buf) {
		r.fail("truncated while reading %s", what)
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

func (r *reader) uint16() uint16 {
	if b := r.take(2, "format version"); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) uint32() uint32 {
	if b := r.take(4, "32-bit value"); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) byte() uint8 {
	if b := r.take(1, "byte"); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.fail("truncated or overlong number")
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// int reads a varint that must fit a Go int.
func (r *reader) int() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf)
	if n <= 0 {
		r.fail("truncated or overlong number")
		return 0
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail("number %d out of range", v)
		return 0
	}
	r.buf = r.buf[n:]
	return int(v)
}

// count reads an element count; each element takes at least minSize bytes,
// so a count the remaining data cannot hold is rejected before allocating.
func (r *reader) count(what string, minSize int) int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.buf)/minSize) {
		r.fail("%s count %d exceeds the remaining %d bytes", what, n, len(r.buf))
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.buf)) {
		r.fail("truncated string (%d bytes announced, %d left)", n, len(r.buf))
		return ""
	}
	return string(r.take(int(n), "string"))
}

func (r *reader) proto(depth int) *lua.FunctionProto {
	if depth > maxDepth {
		r.fail("functions nested deeper than %d levels", maxDepth)
		return nil
	}
	p := &lua.FunctionProto{}
	p.SourceName = r.string()
	p.LineDefined = r.int()
	p.LastLineDefined = r.int()
	if r.err != nil {
		return nil
	}
	outer := r.what
	r.what = fmt.Sprintf("function %s:%d", p.SourceName, p.LineDefined)
	defer func() { r.what = outer }()

	p.NumUpvalues = r.byte()
	p.NumParameters = r.byte()
	p.IsVarArg = r.byte()
	p.NumUsedRegisters = r.byte()

	p.Code = make([]uint32, r.count("instruction", 4))
	for i := range p.Code {
		p.Code[i] = r.uint32()
	}
	p.Constants = make([]lua.LValue, r.count("constant", 1))
	for i := range p.Constants {
		switch tag := r.byte(); tag {
		case tagNil:
			p.Constants[i] = lua.LNil
		case tagFalse:
			p.Constants[i] = lua.LFalse
		case tagTrue:
			p.Constants[i] = lua.LTrue
		case tagNumber:
			var bits uint64
			if b := r.take(8, "number constant"); b != nil {
				bits = binary.LittleEndian.Uint64(b)
			}
			p.Constants[i] = lua.LNumber(math.Float64frombits(bits))
		case tagString:
			p.Constants[i] = lua.LString(r.string())
		default:
			r.fail("constant %d has unknown tag %d", i, tag)
		}
		if r.err != nil {
			return nil
		}
	}
	p.FunctionPrototypes = make([]*lua.FunctionProto, r.count("nested function", 1))
	for i := range p.FunctionPrototypes {
		p.FunctionPrototypes[i] = r.proto(depth + 1)
		if r.err != nil {
			return nil
		}
	}
	p.DbgSourcePositions = make([]int, r.count("source position", 1))
	for i := range p.DbgSourcePositions {
		p.DbgSourcePositions[i] = r.int()
	}
	p.DbgLocals = make([]*lua.DbgLocalInfo, r.count("local variable", 3))
	for i := range p.DbgLocals {
		p.DbgLocals[i] = &lua.DbgLocalInfo{Name: r.string(), StartPc: r.int(), EndPc: r.int()}
	}
	p.DbgCalls = make([]lua.DbgCall, r.count("call", 2))
	for i := range p.DbgCalls {
		p.DbgCalls[i] = lua.DbgCall{Name: r.string(), Pc: r.int()}
	}
	p.DbgUpvalues = make([]string, r.count("upvalue name", 1))
	for i := range p.DbgUpvalues {
		p.DbgUpvalues[i] = r.string()
	}
	if r.err != nil {
		return nil
	}
	if msg := validate(p); msg != "" {
		r.fail("%s", msg)
		return nil
	}
	if err := setStringConstants(p); err != nil {
		r.err = err
		return nil
	}
	return p
}

// Opcodes and instruction fields of gopher-lua's instruction encoding that
// validate needs (gopher-lua keeps its decoders unexported).
const (
	opcodeShift = 26
	maskBx      = 1<<18 - 1
)

// validate checks what the VM trusts without checking: it indexes the
// constant and prototype tables with instruction operands.
func validate(p *lua.FunctionProto) string {
	if len(p.DbgSourcePositions) != len(p.Code) {
		return fmt.Sprintf("%d source positions for %d instructions", len(p.DbgSourcePositions), len(p.Code))
	}
	if int(p.NumUpvalues) != len(p.DbgUpvalues) {
		return fmt.Sprintf("%d upvalues but %d upvalue names", p.NumUpvalues, len(p.DbgUpvalues))
	}
	if len(p.Code) == 0 {
		return "function has no instructions"
	}
	for pc, inst := range p.Code {
		op := int(inst >> opcodeShift)
		bx := int(inst & maskBx)
		switch {
		case op > lua.OP_NOP:
			return fmt.Sprintf("instruction %d has unknown opcode %d", pc, op)
		case (op == lua.OP_LOADK || op == lua.OP_GETGLOBAL || op == lua.OP_SETGLOBAL) && bx >= len(p.Constants):
			return fmt.Sprintf("instruction %d refers to constant %d of %d", pc, bx, len(p.Constants))
		case op == lua.OP_CLOSURE && bx >= len(p.FunctionPrototypes):
			return fmt.Sprintf("instruction %d refers to function %d of %d", pc, bx, len(p.FunctionPrototypes))
		}
	}
	return ""
}
