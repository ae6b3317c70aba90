// Package code defines the engine's instruction set and function
// prototypes: what the compiler produces, what the interpreter runs, what
// the ahead-of-time backend translates, and what string.dump and mbbuild
// serialise.
//
// The instruction set is Lua 5.3's (same opcodes, operands and encoding),
// so that code generation can be checked instruction by instruction against
// `luac5.3 -l -l`, and so that the symbolic execution that names variables
// in error messages ("local 'a'", "field 'x'") reasons about the same code
// as the reference. The package has no dependency on the interpreter.
package code

// Opcode is the operation of an instruction (its low 6 bits).
type Opcode uint8

// The opcodes of Lua 5.3, in its order. R(x) is register x, Kst(x) constant
// x, RK(x) a register or, with the BitRK bit set, a constant; UpValue[x] an
// upvalue of the running closure.
const (
	OpMove     Opcode = iota // A B     R(A) := R(B)
	OpLoadK                  // A Bx    R(A) := Kst(Bx)
	OpLoadKX                 // A       R(A) := Kst(extra arg)
	OpLoadBool               // A B C   R(A) := (Bool)B; if (C) pc++
	OpLoadNil                // A B     R(A), R(A+1), ..., R(A+B) := nil
	OpGetUpval               // A B     R(A) := UpValue[B]
	OpGetTabUp               // A B C   R(A) := UpValue[B][RK(C)]
	OpGetTable               // A B C   R(A) := R(B)[RK(C)]
	OpSetTabUp               // A B C   UpValue[A][RK(B)] := RK(C)
	OpSetUpval               // A B     UpValue[B] := R(A)
	OpSetTable               // A B C   R(A)[RK(B)] := RK(C)
	OpNewTable               // A B C   R(A) := {} (size = B,C)
	OpSelf                   // A B C   R(A+1) := R(B); R(A) := R(B)[RK(C)]
	OpAdd                    // A B C   R(A) := RK(B) + RK(C)
	OpSub                    // A B C   R(A) := RK(B) - RK(C)
	OpMul                    // A B C   R(A) := RK(B) * RK(C)
	OpMod                    // A B C   R(A) := RK(B) % RK(C)
	OpPow                    // A B C   R(A) := RK(B) ^ RK(C)
	OpDiv                    // A B C   R(A) := RK(B) / RK(C)
	OpIDiv                   // A B C   R(A) := RK(B) // RK(C)
	OpBAnd                   // A B C   R(A) := RK(B) & RK(C)
	OpBOr                    // A B C   R(A) := RK(B) | RK(C)
	OpBXor                   // A B C   R(A) := RK(B) ~ RK(C)
	OpShl                    // A B C   R(A) := RK(B) << RK(C)
	OpShr                    // A B C   R(A) := RK(B) >> RK(C)
	OpUnm                    // A B     R(A) := -R(B)
	OpBNot                   // A B     R(A) := ~R(B)
	OpNot                    // A B     R(A) := not R(B)
	OpLen                    // A B     R(A) := length of R(B)
	OpConcat                 // A B C   R(A) := R(B).. ... ..R(C)
	OpJmp                    // A sBx   pc+=sBx; if (A) close all upvalues >= R(A - 1)
	OpEq                     // A B C   if ((RK(B) == RK(C)) ~= A) then pc++
	OpLt                     // A B C   if ((RK(B) <  RK(C)) ~= A) then pc++
	OpLe                     // A B C   if ((RK(B) <= RK(C)) ~= A) then pc++
	OpTest                   // A C     if not (R(A) <=> C) then pc++
	OpTestSet                // A B C   if (R(B) <=> C) then R(A) := R(B) else pc++
	OpCall                   // A B C   R(A), ... ,R(A+C-2) := R(A)(R(A+1), ... ,R(A+B-1))
	OpTailCall               // A B C   return R(A)(R(A+1), ... ,R(A+B-1))
	OpReturn                 // A B     return R(A), ... ,R(A+B-2)
	OpForLoop                // A sBx   R(A)+=R(A+2); if R(A) <?= R(A+1) then { pc+=sBx; R(A+3)=R(A) }
	OpForPrep                // A sBx   R(A)-=R(A+2); pc+=sBx
	OpTForCall               // A C     R(A+3), ... ,R(A+2+C) := R(A)(R(A+1), R(A+2))
	OpTForLoop               // A sBx   if R(A+1) ~= nil then { R(A)=R(A+1); pc += sBx }
	OpSetList                // A B C   R(A)[(C-1)*FPF+i] := R(A+i), 1 <= i <= B
	OpClosure                // A Bx    R(A) := closure(KPROTO[Bx])
	OpVararg                 // A B     R(A), R(A+1), ..., R(A+B-2) = vararg
	OpExtraArg               // Ax      extra (larger) argument for previous opcode

	NumOpcodes = iota
)

var opNames = [NumOpcodes]string{
	"MOVE", "LOADK", "LOADKX", "LOADBOOL", "LOADNIL", "GETUPVAL", "GETTABUP",
	"GETTABLE", "SETTABUP", "SETUPVAL", "SETTABLE", "NEWTABLE", "SELF", "ADD",
	"SUB", "MUL", "MOD", "POW", "DIV", "IDIV", "BAND", "BOR", "BXOR", "SHL",
	"SHR", "UNM", "BNOT", "NOT", "LEN", "CONCAT", "JMP", "EQ", "LT", "LE",
	"TEST", "TESTSET", "CALL", "TAILCALL", "RETURN", "FORLOOP", "FORPREP",
	"TFORCALL", "TFORLOOP", "SETLIST", "CLOSURE", "VARARG", "EXTRAARG",
}

// String returns the opcode's name as luac prints it.
func (op Opcode) String() string {
	if int(op) < len(opNames) {
		return opNames[op]
	}
	return "UNKNOWN"
}

// Instruction layout (Lua 5.3): op in bits 0-5, A in 6-13, C in 14-22,
// B in 23-31; Bx and sBx use bits 14-31, Ax bits 6-31.
const (
	SizeOp = 6
	SizeA  = 8
	SizeB  = 9
	SizeC  = 9
	SizeBx = SizeB + SizeC
	SizeAx = SizeA + SizeBx

	PosOp = 0
	PosA  = PosOp + SizeOp
	PosC  = PosA + SizeA
	PosB  = PosC + SizeC
	PosBx = PosC
	PosAx = PosA

	MaxArgA   = 1<<SizeA - 1
	MaxArgB   = 1<<SizeB - 1
	MaxArgC   = 1<<SizeC - 1
	MaxArgBx  = 1<<SizeBx - 1
	MaxArgSBx = MaxArgBx >> 1
	MaxArgAx  = 1<<SizeAx - 1

	// BitRK marks a B or C operand as a constant index.
	BitRK = 1 << (SizeB - 1)
	// MaxIndexRK is the largest constant index an RK operand can hold.
	MaxIndexRK = BitRK - 1

	// FieldsPerFlush is the number of list items one SETLIST stores (LFIELDS_PER_FLUSH).
	FieldsPerFlush = 50

	// MaxRegisters is the number of registers a function may use (MAXREGS).
	MaxRegisters = 255
)

// Instruction is one encoded instruction.
type Instruction uint32

// Op returns the instruction's opcode.
func (i Instruction) Op() Opcode { return Opcode(i & (1<<SizeOp - 1)) }

// A returns operand A.
func (i Instruction) A() int { return int(i>>PosA) & MaxArgA }

// B returns operand B.
func (i Instruction) B() int { return int(i>>PosB) & MaxArgB }

// C returns operand C.
func (i Instruction) C() int { return int(i>>PosC) & MaxArgC }

// Bx returns operand Bx.
func (i Instruction) Bx() int { return int(i>>PosBx) & MaxArgBx }

// SBx returns the signed operand sBx.
func (i Instruction) SBx() int { return int(i>>PosBx)&MaxArgBx - MaxArgSBx }

// Ax returns operand Ax.
func (i Instruction) Ax() int { return int(i>>PosAx) & MaxArgAx }

// IsK reports whether an RK operand names a constant.
func IsK(x int) bool { return x&BitRK != 0 }

// IndexK returns the constant index of an RK operand.
func IndexK(x int) int { return x &^ BitRK }

// RKAsK turns a constant index into an RK operand.
func RKAsK(x int) int { return x | BitRK }

// CreateABC encodes an iABC instruction.
func CreateABC(op Opcode, a, b, c int) Instruction {
	return Instruction(op) | Instruction(a)<<PosA | Instruction(b)<<PosB | Instruction(c)<<PosC
}

// CreateABx encodes an iABx instruction.
func CreateABx(op Opcode, a, bx int) Instruction {
	return Instruction(op) | Instruction(a)<<PosA | Instruction(bx)<<PosBx
}

// CreateAsBx encodes an iAsBx instruction.
func CreateAsBx(op Opcode, a, sbx int) Instruction {
	return CreateABx(op, a, sbx+MaxArgSBx)
}

// CreateAx encodes an iAx instruction.
func CreateAx(op Opcode, ax int) Instruction {
	return Instruction(op) | Instruction(ax)<<PosAx
}

// SetA returns i with operand A replaced.
func (i Instruction) SetA(a int) Instruction {
	return i&^(MaxArgA<<PosA) | Instruction(a)<<PosA
}

// SetB returns i with operand B replaced.
func (i Instruction) SetB(b int) Instruction {
	return i&^(MaxArgB<<PosB) | Instruction(b)<<PosB
}

// SetC returns i with operand C replaced.
func (i Instruction) SetC(c int) Instruction {
	return i&^(MaxArgC<<PosC) | Instruction(c)<<PosC
}

// SetSBx returns i with operand sBx replaced.
func (i Instruction) SetSBx(sbx int) Instruction {
	return i&^(MaxArgBx<<PosBx) | Instruction(sbx+MaxArgSBx)<<PosBx
}

// SetBx returns i with operand Bx replaced.
func (i Instruction) SetBx(bx int) Instruction {
	return i&^(MaxArgBx<<PosBx) | Instruction(bx)<<PosBx
}
