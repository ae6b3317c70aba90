// Package luactest is a test helper for the standard library packages:
// it runs Lua scripts in a state with only the library under test and
// the few base functions (print, pcall, error, ...) such tests need, and
// runs the same scripts through lua5.3 for reference outputs. Scripts
// are compiled by compiler/codegen, or, to tell the compiler's faults
// from a library's, by the reference compiler luac5.3 (Compile converts
// PUC-Lua 5.3's binary chunks into code.Proto: the instruction sets are
// the same). Only tests import it.
package luactest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// Available reports whether luac5.3 can be run (for Compile).
func Available() bool {
	_, err := exec.LookPath("luac5.3")
	return err == nil
}

// Compile compiles src with luac5.3 and returns the main function's
// prototype with chunkName as its source. It has the signature of
// lua.Compiler.
func Compile(src []byte, chunkName string) (*code.Proto, error) {
	cmd := exec.Command("luac5.3", "-o", "-", "-")
	cmd.Stdin = bytes.NewReader(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		msg = strings.TrimPrefix(msg, "luac5.3: ")
		if strings.HasPrefix(msg, "stdin:") {
			msg = code.ChunkID(chunkName) + msg[len("stdin"):]
		}
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	r := &reader{b: out.Bytes()}
	p, err := r.chunk()
	if err != nil {
		return nil, err
	}
	setSource(p, chunkName)
	return p, nil
}

func setSource(p *code.Proto, s string) {
	p.Source = s
	for _, q := range p.Protos {
		setSource(q, s)
	}
}

type reader struct {
	b []byte
}

var errTrunc = errors.New("luactest: truncated luac output")

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		panic(errTrunc)
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) byte() byte { return r.bytes(1)[0] }
func (r *reader) int() int   { return int(int32(binary.LittleEndian.Uint32(r.bytes(4)))) }
func (r *reader) u64() uint64 {
	return binary.LittleEndian.Uint64(r.bytes(8))
}

func (r *reader) string() string {
	n := int(r.byte())
	if n == 0xff {
		n = int(r.u64())
	}
	if n == 0 {
		return ""
	}
	return string(r.bytes(n - 1))
}

func (r *reader) chunk() (p *code.Proto, err error) {
	defer func() {
		if e := recover(); e != nil {
			if e == errTrunc {
				err = errTrunc
				return
			}
			panic(e)
		}
	}()
	hdr := r.bytes(4 + 2 + 6 + 5 + 8 + 8)
	if string(hdr[:4]) != "\x1bLua" || hdr[4] != 0x53 {
		return nil, fmt.Errorf("luactest: not a Lua 5.3 chunk")
	}
	r.byte() // upvalues of the main closure
	return r.function(), nil
}

func (r *reader) function() *code.Proto {
	p := &code.Proto{}
	p.Source = r.string()
	p.LineDefined = r.int()
	p.LastLineDefined = r.int()
	p.NumParams = int(r.byte())
	p.IsVararg = r.byte() != 0
	p.MaxStackSize = int(r.byte())
	n := r.int()
	for i := 0; i < n; i++ {
		p.Code = append(p.Code, code.Instruction(binary.LittleEndian.Uint32(r.bytes(4))))
	}
	n = r.int()
	for i := 0; i < n; i++ {
		switch t := r.byte(); t {
		case 0:
			p.Constants = append(p.Constants, nil)
		case 1:
			p.Constants = append(p.Constants, r.byte() != 0)
		case 3:
			p.Constants = append(p.Constants, math.Float64frombits(r.u64()))
		case 19:
			p.Constants = append(p.Constants, int64(r.u64()))
		case 4, 20:
			p.Constants = append(p.Constants, r.string())
		default:
			panic(fmt.Sprintf("luactest: constant type %d", t))
		}
	}
	n = r.int()
	for i := 0; i < n; i++ {
		in := r.byte() != 0
		idx := int(r.byte())
		p.Upvalues = append(p.Upvalues, code.UpvalueDesc{InStack: in, Index: idx})
	}
	n = r.int()
	for i := 0; i < n; i++ {
		p.Protos = append(p.Protos, r.function())
	}
	n = r.int()
	for i := 0; i < n; i++ {
		p.LineInfo = append(p.LineInfo, int32(r.int()))
	}
	n = r.int()
	for i := 0; i < n; i++ {
		name := r.string()
		s, e := r.int(), r.int()
		p.LocVars = append(p.LocVars, code.LocVar{Name: name, StartPC: s, EndPC: e})
	}
	n = r.int()
	for i := 0; i < n; i++ {
		p.Upvalues[i].Name = r.string()
	}
	return p
}
