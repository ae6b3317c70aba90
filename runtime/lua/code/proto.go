package code

// Proto is a compiled function: what luac calls a function prototype.
// Field meanings follow Lua 5.3's Proto so that debug information
// (debug.getinfo, line hooks, error positions) matches the reference.
type Proto struct {
	// Source is the chunk name as given to load ("@file.lua", "=stdin",
	// or the source text itself), shared by all nested prototypes.
	Source          string
	LineDefined     int // 0 for a main chunk
	LastLineDefined int
	NumParams       int
	IsVararg        bool
	MaxStackSize    int // registers needed, at least 2

	Code      []Instruction
	Constants []Constant
	Upvalues  []UpvalueDesc
	Protos    []*Proto // nested functions, indexed by CLOSURE's Bx

	// Debug information; may be empty in stripped dumps.
	LineInfo []int32 // source line of each instruction
	LocVars  []LocVar
}

// Constant is a compile-time constant: nil, bool, int64, float64 or string.
// Integers and floats are distinct constants even when equal in value
// (1 and 1.0), as in Lua 5.3.
type Constant = any

// UpvalueDesc describes where a closure finds an upvalue when it is created.
type UpvalueDesc struct {
	Name    string // for debug information; may be empty
	InStack bool   // true: register Index of the enclosing function; false: its upvalue Index
	Index   int
}

// LocVar is a local variable's name and the instructions where it is live:
// it is active from StartPC (inclusive) to EndPC (exclusive).
type LocVar struct {
	Name    string
	StartPC int
	EndPC   int
}

// LineAt returns the source line of instruction pc, or 0 without line info.
func (p *Proto) LineAt(pc int) int {
	if pc >= 0 && pc < len(p.LineInfo) {
		return int(p.LineInfo[pc])
	}
	return 0
}

// LocalName returns the name of the n-th (1-based) local variable active at
// instruction pc, or "" when there is none, as luaF_getlocalname does.
func (p *Proto) LocalName(n, pc int) string {
	for _, v := range p.LocVars {
		if v.StartPC > pc {
			break
		}
		if pc < v.EndPC {
			n--
			if n == 0 {
				return v.Name
			}
		}
	}
	return ""
}
