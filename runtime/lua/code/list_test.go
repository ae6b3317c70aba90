package code

import (
	"math"
	"strings"
	"testing"
)

// luacT2 is `luac5.3 -l -l -p` of:
//
//	local a = {}
//	a.x, a[1] = a.y, a + 1
//	if a == "s" or 1 < a or a <= a then a = not a end
//	a:m(1e400, -1e400)
//	local s = "\1\127\255\a\b\f\v\r\t\\"
const luacT2 = `
main <t2.lua:0,0> (18 instructions at 0x55c9baf22c60)
0+ params, 5 slots, 1 upvalue, 2 locals, 8 constants, 0 functions
	1	[1]	NEWTABLE 	0 0 0
	2	[2]	GETTABLE 	1 0 -3	; "y"
	3	[2]	ADD      	2 0 -2	; - 1
	4	[2]	SETTABLE 	0 -2 2	; 1 -
	5	[2]	SETTABLE 	0 -1 1	; "x" -
	6	[3]	EQ       	1 0 -4	; - "s"
	7	[3]	JMP      	0 4	; to 12
	8	[3]	LT       	1 -2 0	; 1 -
	9	[3]	JMP      	0 2	; to 12
	10	[3]	LE       	0 0 0
	11	[3]	JMP      	0 1	; to 13
	12	[3]	NOT      	0 0
	13	[4]	SELF     	1 0 -5	; "m"
	14	[4]	LOADK    	3 -6	; inf
	15	[4]	LOADK    	4 -7	; -inf
	16	[4]	CALL     	1 4 1
	17	[5]	LOADK    	1 -8	; "\001\127\255\a\b\f\v\r\t\\"
	18	[5]	RETURN   	0 1
constants (8) for 0x55c9baf22c60:
	1	"x"
	2	1
	3	"y"
	4	"s"
	5	"m"
	6	inf
	7	-inf
	8	"\001\127\255\a\b\f\v\r\t\\"
locals (2) for 0x55c9baf22c60:
	0	a	2	19
	1	s	18	19
upvalues (1) for 0x55c9baf22c60:
	0	_ENV	1	0
`

func t2Proto() *Proto {
	k := func(i int) int { return RKAsK(i) }
	return &Proto{
		Source:       "@t2.lua",
		IsVararg:     true,
		MaxStackSize: 5,
		Code: []Instruction{
			CreateABC(OpNewTable, 0, 0, 0),
			CreateABC(OpGetTable, 1, 0, k(2)),
			CreateABC(OpAdd, 2, 0, k(1)),
			CreateABC(OpSetTable, 0, k(1), 2),
			CreateABC(OpSetTable, 0, k(0), 1),
			CreateABC(OpEq, 1, 0, k(3)),
			CreateAsBx(OpJmp, 0, 4),
			CreateABC(OpLt, 1, k(1), 0),
			CreateAsBx(OpJmp, 0, 2),
			CreateABC(OpLe, 0, 0, 0),
			CreateAsBx(OpJmp, 0, 1),
			CreateABC(OpNot, 0, 0, 0),
			CreateABC(OpSelf, 1, 0, k(4)),
			CreateABx(OpLoadK, 3, 5),
			CreateABx(OpLoadK, 4, 6),
			CreateABC(OpCall, 1, 4, 1),
			CreateABx(OpLoadK, 1, 7),
			CreateABC(OpReturn, 0, 1, 0),
		},
		Constants: []Constant{"x", int64(1), "y", "s", "m", math.Inf(1), math.Inf(-1), "\x01\x7f\xff\a\b\f\v\r\t\\"},
		Upvalues:  []UpvalueDesc{{Name: "_ENV", InStack: true, Index: 0}},
		LineInfo:  []int32{1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5},
		LocVars:   []LocVar{{"a", 1, 18}, {"s", 17, 18}},
	}
}

func TestListMatchesLuac(t *testing.T) {
	var b strings.Builder
	if err := List(&b, t2Proto(), true); err != nil {
		t.Fatal(err)
	}
	want := StripListAddresses(luacT2)
	if strings.Contains(want, "0x") {
		t.Fatalf("addresses left after StripListAddresses:\n%s", want)
	}
	if b.String() != want {
		t.Errorf("List:\n%s\nwant:\n%s", b.String(), want)
	}
	// Without debug information.
	b.Reset()
	List(&b, t2Proto(), false)
	short := want[:strings.Index(want, "constants (")]
	if b.String() != short {
		t.Errorf("List (not full):\n%s\nwant:\n%s", b.String(), short)
	}
}

// luacT1 is the listing of the nested functions of
//
//	local a, b = 1, 2.5
//	local function f(x, ...) local t = {...}; return function() return x, a end end
const luacT1 = `
main <t1.lua:0,0> (4 instructions at 0x562530657c60)
0+ params, 3 slots, 1 upvalue, 3 locals, 2 constants, 1 function
	1	[1]	LOADK    	0 -1	; 1
	2	[1]	LOADK    	1 -2	; 2.5
	3	[2]	CLOSURE  	2 0	; 0x5625306583d0
	4	[2]	RETURN   	0 1
constants (2) for 0x562530657c60:
	1	1
	2	2.5
locals (3) for 0x562530657c60:
	0	a	3	5
	1	b	3	5
	2	f	4	5
upvalues (1) for 0x562530657c60:
	0	_ENV	1	0

function <t1.lua:2,2> (6 instructions at 0x5625306583d0)
1+ param, 3 slots, 1 upvalue, 2 locals, 0 constants, 1 function
	1	[2]	NEWTABLE 	1 0 0
	2	[2]	VARARG   	2 0
	3	[2]	SETLIST  	1 0 1	; 1
	4	[2]	CLOSURE  	2 0	; 0x5625306584e0
	5	[2]	RETURN   	2 2
	6	[2]	RETURN   	0 1
constants (0) for 0x5625306583d0:
locals (2) for 0x5625306583d0:
	0	x	1	7
	1	t	4	7
upvalues (1) for 0x5625306583d0:
	0	a	1	0

function <t1.lua:2,2> (4 instructions at 0x5625306584e0)
0 params, 2 slots, 2 upvalues, 0 locals, 0 constants, 0 functions
	1	[2]	GETUPVAL 	0 0	; x
	2	[2]	GETUPVAL 	1 1	; a
	3	[2]	RETURN   	0 3
	4	[2]	RETURN   	0 1
constants (0) for 0x5625306584e0:
locals (0) for 0x5625306584e0:
upvalues (2) for 0x5625306584e0:
	0	x	1	0
	1	a	0	0
`

func t1Proto() *Proto {
	inner := &Proto{
		Source: "@t1.lua", LineDefined: 2, LastLineDefined: 2, MaxStackSize: 2,
		Code: []Instruction{
			CreateABC(OpGetUpval, 0, 0, 0),
			CreateABC(OpGetUpval, 1, 1, 0),
			CreateABC(OpReturn, 0, 3, 0),
			CreateABC(OpReturn, 0, 1, 0),
		},
		Upvalues: []UpvalueDesc{{"x", true, 0}, {"a", false, 0}},
		LineInfo: []int32{2, 2, 2, 2},
	}
	f := &Proto{
		Source: "@t1.lua", LineDefined: 2, LastLineDefined: 2, NumParams: 1, IsVararg: true, MaxStackSize: 3,
		Code: []Instruction{
			CreateABC(OpNewTable, 1, 0, 0),
			CreateABC(OpVararg, 2, 0, 0),
			CreateABC(OpSetList, 1, 0, 1),
			CreateABx(OpClosure, 2, 0),
			CreateABC(OpReturn, 2, 2, 0),
			CreateABC(OpReturn, 0, 1, 0),
		},
		Upvalues: []UpvalueDesc{{"a", true, 0}},
		Protos:   []*Proto{inner},
		LineInfo: []int32{2, 2, 2, 2, 2, 2},
		LocVars:  []LocVar{{"x", 0, 6}, {"t", 3, 6}},
	}
	main := &Proto{
		Source: "@t1.lua", IsVararg: true, MaxStackSize: 3,
		Code: []Instruction{
			CreateABx(OpLoadK, 0, 0),
			CreateABx(OpLoadK, 1, 1),
			CreateABx(OpClosure, 2, 0),
			CreateABC(OpReturn, 0, 1, 0),
		},
		Constants: []Constant{int64(1), 2.5},
		Upvalues:  []UpvalueDesc{{"_ENV", true, 0}},
		Protos:    []*Proto{f},
		LineInfo:  []int32{1, 1, 2, 2},
		LocVars:   []LocVar{{"a", 2, 4}, {"b", 2, 4}, {"f", 3, 4}},
	}
	return main
}

func TestListNested(t *testing.T) {
	var b strings.Builder
	List(&b, t1Proto(), true)
	if want := StripListAddresses(luacT1); b.String() != want {
		t.Errorf("List:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestListOddities(t *testing.T) {
	// A stripped function: no line information, no names; SETLIST with an
	// EXTRAARG; LOADKX; constants of every kind.
	p := &Proto{
		Source: "=?", LineDefined: 3, LastLineDefined: 9, NumParams: 1, MaxStackSize: 1,
		Code: []Instruction{
			CreateABC(OpSetList, 0, 3, 0),
			CreateAx(OpExtraArg, 512),
			CreateABx(OpLoadKX, 0, 0),
			CreateAx(OpExtraArg, 0),
			CreateABC(OpGetUpval, 0, 0, 0),
			CreateABC(OpSetList, 0, 50, 300),
			CreateABC(OpEq, 0, RKAsK(1), RKAsK(2)),
			CreateABC(OpEq, 0, RKAsK(3), RKAsK(4)),
			CreateABC(OpEq, 0, RKAsK(5), RKAsK(6)),
			CreateABC(OpEq, 0, RKAsK(7), RKAsK(8)),
			CreateABC(OpSetTabUp, 0, RKAsK(9), 0),
		},
		Constants: []Constant{nil, true, false, 3.0, math.Copysign(0, -1), 1e15, 1e-5, math.NaN(), 123456789012.0, "a\"b"},
		Upvalues:  []UpvalueDesc{{"", false, 2}},
	}
	want := `
function <?:3,9> (11 instructions)
1 param, 1 slot, 1 upvalue, 0 locals, 10 constants, 0 functions
	1	[-]	SETLIST  	0 3 0	; 32814
	3	[-]	LOADKX   	0
	4	[-]	EXTRAARG 	-1	; nil
	5	[-]	GETUPVAL 	0 0	; -
	6	[-]	SETLIST  	0 50 -45	; 300
	7	[-]	EQ       	0 -2 -3	; true false
	8	[-]	EQ       	0 -4 -5	; 3.0 -0.0
	9	[-]	EQ       	0 -6 -7	; 1e+15 1e-05
	10	[-]	EQ       	0 -8 -9	; nan 123456789012.0
	11	[-]	SETTABUP 	0 -10 0	; - "a\"b"
constants (10):
	1	nil
	2	true
	3	false
	4	3.0
	5	-0.0
	6	1e+15
	7	1e-05
	8	nan
	9	123456789012.0
	10	"a\"b"
locals (0):
upvalues (1):
	0	-	0	2
`
	var b strings.Builder
	List(&b, p, true)
	if b.String() != want {
		t.Errorf("List:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0.1, "0.1"}, {1.0 / 3, "0.33333333333333"}, {1e14, "1e+14"}, {123456789012345, "1.2345678901234e+14"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {2.5, "2.5"}, {math.Copysign(0, -1), "-0"},
		{math.Inf(-1), "-inf"}, {math.Copysign(math.NaN(), -1), "-nan"}, {1e300 * 10, "1e+301"},
	} {
		if got := FormatFloat(c.f); got != c.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}
