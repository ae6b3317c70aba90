package code

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

func oddProto() *Proto {
	return &Proto{
		Source: "=stdin", LineDefined: 0, LastLineDefined: 0, IsVararg: true, MaxStackSize: 4,
		Code: []Instruction{
			CreateABC(OpNewTable, 0, 0, 0),
			CreateABx(OpLoadK, 1, 0),
			CreateABx(OpLoadKX, 2, 0),
			CreateAx(OpExtraArg, 6),
			CreateABC(OpSetList, 0, 2, 0),
			CreateAx(OpExtraArg, 600),
			CreateABC(OpEq, 1, 1, RKAsK(5)),
			CreateAsBx(OpJmp, 0, -8),
			CreateABC(OpReturn, 0, 1, 0),
		},
		Constants: []Constant{nil, true, false, math.Copysign(0, -1), int64(math.MinInt64), "", strings.Repeat("\x00\xff", 300)},
		Upvalues:  []UpvalueDesc{{Name: "_ENV", InStack: true}},
		LineInfo:  []int32{1, 1000000, 3, 3, 3, 3, 3, 3, 2},
	}
}

func TestDumpRoundTrip(t *testing.T) {
	for _, p := range []*Proto{t1Proto(), t2Proto(), oddProto()} {
		data := Dump(p, false)
		q, err := Undump(data, "=x")
		if err != nil {
			t.Fatal(err)
		}
		if !equalProtos(p, q) {
			t.Errorf("round trip changed the function:\n%s\nto\n%s", listing(p), listing(q))
		}
		s, err := Undump(Dump(p, true), "=x")
		if err != nil {
			t.Fatal(err)
		}
		if want := stripped(p); !equalProtos(s, want) {
			t.Errorf("stripped round trip:\n%s\nwant\n%s", listing(s), listing(want))
		}
		if len(Dump(p, true)) >= len(data) {
			t.Errorf("stripped dump not shorter")
		}
	}
}

func stripped(p *Proto) *Proto {
	q := *p
	q.Source = "=?"
	q.LineInfo, q.LocVars = nil, nil
	q.Upvalues = append([]UpvalueDesc(nil), p.Upvalues...)
	for i := range q.Upvalues {
		q.Upvalues[i].Name = ""
	}
	q.Protos = nil
	for _, c := range p.Protos {
		q.Protos = append(q.Protos, stripped(c))
	}
	return &q
}

func listing(p *Proto) string {
	var b strings.Builder
	List(&b, p, true)
	return b.String()
}

// equalProtos compares two functions, NaNs and signed zeros included.
func equalProtos(p, q *Proto) bool {
	if p.Source != q.Source || p.LineDefined != q.LineDefined || p.LastLineDefined != q.LastLineDefined ||
		p.NumParams != q.NumParams || p.IsVararg != q.IsVararg || p.MaxStackSize != q.MaxStackSize ||
		!reflect.DeepEqual(p.Code, q.Code) || len(p.Constants) != len(q.Constants) ||
		len(p.Upvalues) != len(q.Upvalues) || len(p.Protos) != len(q.Protos) ||
		len(p.LineInfo) != len(q.LineInfo) || len(p.LocVars) != len(q.LocVars) {
		return false
	}
	for i, k := range p.Constants {
		if f, ok := k.(float64); ok {
			g, ok := q.Constants[i].(float64)
			if !ok || math.Float64bits(f) != math.Float64bits(g) {
				return false
			}
		} else if k != q.Constants[i] {
			return false
		}
	}
	for i := range p.Upvalues {
		if p.Upvalues[i] != q.Upvalues[i] {
			return false
		}
	}
	for i := range p.LineInfo {
		if p.LineInfo[i] != q.LineInfo[i] {
			return false
		}
	}
	for i := range p.LocVars {
		if p.LocVars[i] != q.LocVars[i] {
			return false
		}
	}
	for i := range p.Protos {
		if !equalProtos(p.Protos[i], q.Protos[i]) {
			return false
		}
	}
	return true
}

func TestUndumpErrors(t *testing.T) {
	good := Dump(t1Proto(), false)
	mod := func(i int, b byte) []byte {
		d := bytes.Clone(good)
		d[i] = b
		return d
	}
	for _, c := range []struct {
		data []byte
		name string
		want string
	}{
		{[]byte("\x1bLu"), "=stdin", "stdin: truncated precompiled chunk"},
		{good[:len(good)-1], "@f.lua", "f.lua: truncated precompiled chunk"},
		{good[:20], "\x1bxyz", "binary string: truncated precompiled chunk"},
		{mod(1, 'X'), "chunk", "chunk: not a precompiled chunk"},
		{mod(4, 0x52), "=x", "x: version mismatch in precompiled chunk"},
		{mod(5, 0), "=x", "x: format mismatch in precompiled chunk"},
		{mod(8, '\n'), "=x", "x: corrupted precompiled chunk"},
		{mod(12, 8), "=x", "x: Instruction size mismatch in precompiled chunk"},
		{mod(13, 4), "=x", "x: lua_Integer size mismatch in precompiled chunk"},
		{mod(14, 4), "=x", "x: lua_Number size mismatch in precompiled chunk"},
		{mod(15, 0), "=x", "x: endianness mismatch in precompiled chunk"},
		{mod(30, 0), "=x", "x: float format mismatch in precompiled chunk"},
		{mod(31, 2), "=x", "x: bad binary format (upvalue count) in precompiled chunk"},
		{append(bytes.Clone(good), 0), "=x", "x: bad binary format (extra bytes) in precompiled chunk"},
	} {
		p, err := Undump(c.data, c.name)
		if err == nil || err.Error() != c.want {
			t.Errorf("Undump(%q) = %v, %v; want %q", c.data, p, err, c.want)
		}
	}
}

func TestUndumpChecksCode(t *testing.T) {
	for _, c := range []struct {
		i    Instruction
		want string
	}{
		{CreateABC(OpMove, 4, 0, 0), "bad operand of MOVE at 1"},
		{CreateABx(OpLoadK, 0, 7), "bad operand of LOADK at 1"},
		{CreateABC(OpGetTabUp, 0, 1, 0), "bad operand of GETTABUP at 1"},
		{CreateABC(OpGetTable, 0, 0, RKAsK(7)), "bad operand of GETTABLE at 1"},
		{CreateAsBx(OpJmp, 0, -2), "bad operand of JMP at 1"},
		{CreateAsBx(OpJmp, 0, 1), "bad operand of JMP at 1"},
		{CreateABx(OpClosure, 0, 0), "bad operand of CLOSURE at 1"},
		{CreateABC(OpEq, 0, 0, 0), "bad operand of EQ at 1"},
		{CreateABC(OpLoadBool, 0, 0, 1), "bad operand of LOADBOOL at 1"},
		{CreateAx(OpExtraArg, 0), "misplaced EXTRAARG"},
		{Instruction(NumOpcodes), "bad opcode"},
	} {
		p := oddProto()
		p.Code = []Instruction{c.i, CreateABC(OpReturn, 0, 1, 0)}
		p.LineInfo = nil
		_, err := Undump(Dump(p, false), "=x")
		want := "x: bad binary format (" + c.want + ") in precompiled chunk"
		if err == nil || err.Error() != want {
			t.Errorf("%v: got %v, want %s", c.i.Op(), err, want)
		}
	}
	p := oddProto()
	p.Code = p.Code[:len(p.Code)-1]
	p.LineInfo = nil
	if _, err := Undump(Dump(p, false), "=x"); err == nil || !strings.Contains(err.Error(), "end with RETURN") {
		t.Errorf("code without RETURN: %v", err)
	}
}

func FuzzUndump(f *testing.F) {
	for _, p := range []*Proto{t1Proto(), t2Proto(), oddProto()} {
		f.Add(Dump(p, false))
		f.Add(Dump(p, true))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Undump(data, "=fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error without the chunk name: %v", err)
			}
			return
		}
		q, err := Undump(Dump(p, false), "=fuzz")
		if err != nil {
			t.Fatalf("dump of an undumped chunk fails: %v", err)
		}
		if !equalProtos(p, q) {
			t.Fatalf("dump of an undumped chunk differs")
		}
	})
}
