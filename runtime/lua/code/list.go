package code

import (
	"bufio"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// List writes a listing of p and its nested functions in the format of
// `luac5.3 -l` (full=false) or `luac5.3 -l -l` (full=true), byte for byte,
// except that no memory address is printed:
//
//   - the header line "main <file.lua:0,0> (40 instructions at 0x55d0...)"
//     becomes "main <file.lua:0,0> (40 instructions)";
//   - the CLOSURE comment "\t; 0x55d0..." is left out, so the line ends
//     with the operands ("CLOSURE  \t2 0");
//   - the section titles "constants (3) for 0x55d0...:" (and likewise
//     locals, upvalues) become "constants (3):".
//
// Everything else is as luac prints it: a blank line before each function,
// the header "main|function <source:linedefined,lastlinedefined>", the
// counts line ("0+ params, 2 slots, 1 upvalue, ..."), one line per
// instruction "\t<pc>\t[<line>]\t<OPNAME padded to 9>\t<operands>" (with
// "[-]" when there is no line information) with luac's operand comments
// ("; _ENV \"print\"", "; to 7", "; 1 -", "; x" ...), and with full the
// constants, locals (0-based index, name, startpc+1, endpc+1) and upvalues
// (index, name or "-", instack, idx). A SETLIST whose C is 0 prints the
// raw EXTRAARG instruction that follows as its comment and that
// instruction gets no line of its own, as in luac. Floats are printed
// with C's "%.14g" and get ".0" appended when they look like integers;
// strings are quoted with luac's escapes (\" \\ \a \b \f \n \r \t \v and
// \ddd for other bytes outside 32..126).
//
// The source name in the header is the chunk name without its leading
// '@' or '=', "(bstring)" when it starts with "\x1b", "(string)"
// otherwise, and "?" for a stripped chunk (its Source is "=?").
//
// StripListAddresses turns luac's own output into this format.
func List(w io.Writer, p *Proto, full bool) error {
	bw := bufio.NewWriter(w)
	listFunction(bw, p, full)
	return bw.Flush()
}

// listAddress matches what StripListAddresses removes: the address in a
// function header, in a debug section title, and a CLOSURE comment.
var listAddress = regexp.MustCompile(`(?m)( instructions?) at (?:0x[0-9a-fA-F]+|\(nil\))\)$|^((?:constants|locals|upvalues) \(\d+\)) for (?:0x[0-9a-fA-F]+|\(nil\)):$|^(\t\d+\t\[[-0-9]+\]\tCLOSURE  \t\d+ \d+)\t; (?:0x[0-9a-fA-F]+|\(nil\))$`)

// StripListAddresses removes the memory addresses from the output of
// `luac5.3 -l [-l]`, giving the format List writes.
func StripListAddresses(s string) string {
	return listAddress.ReplaceAllStringFunc(s, func(m string) string {
		g := listAddress.FindStringSubmatch(m)
		switch {
		case g[1] != "":
			return g[1] + ")"
		case g[2] != "":
			return g[2] + ":"
		default:
			return g[3]
		}
	})
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func listFunction(w *bufio.Writer, p *Proto, full bool) {
	listHeader(w, p)
	listCode(w, p)
	if full {
		listDebug(w, p)
	}
	for _, q := range p.Protos {
		if q != nil {
			listFunction(w, q, full)
		}
	}
}

func listHeader(w *bufio.Writer, p *Proto) {
	s := p.Source
	if s == "" {
		s = "=?"
	}
	switch s[0] {
	case '@', '=':
		s = s[1:]
	case 0x1b:
		s = "(bstring)"
	default:
		s = "(string)"
	}
	kind := "function"
	if p.LineDefined == 0 {
		kind = "main"
	}
	n := len(p.Code)
	w.WriteString("\n" + kind + " <" + s + ":" + strconv.Itoa(p.LineDefined) + "," +
		strconv.Itoa(p.LastLineDefined) + "> (" + strconv.Itoa(n) + " instruction" + plural(n) + ")\n")
	w.WriteString(strconv.Itoa(p.NumParams))
	if p.IsVararg {
		w.WriteByte('+')
	}
	w.WriteString(" param" + plural(p.NumParams) + ", ")
	w.WriteString(strconv.Itoa(p.MaxStackSize) + " slot" + plural(p.MaxStackSize) + ", ")
	w.WriteString(strconv.Itoa(len(p.Upvalues)) + " upvalue" + plural(len(p.Upvalues)) + ", ")
	w.WriteString(strconv.Itoa(len(p.LocVars)) + " local" + plural(len(p.LocVars)) + ", ")
	w.WriteString(strconv.Itoa(len(p.Constants)) + " constant" + plural(len(p.Constants)) + ", ")
	w.WriteString(strconv.Itoa(len(p.Protos)) + " function" + plural(len(p.Protos)) + "\n")
}

// Operand modes, as lopcodes.c's luaP_opmodes.
type opArgMode uint8

const (
	argN opArgMode = iota // not used
	argU                  // used
	argR                  // register or jump offset
	argK                  // constant or register/constant
)

type opFormat uint8

const (
	iABC opFormat = iota
	iABx
	iAsBx
	iAx
)

type opMode struct {
	format opFormat
	b, c   opArgMode
}

var opModes = [NumOpcodes]opMode{
	OpMove:     {iABC, argR, argN},
	OpLoadK:    {iABx, argK, argN},
	OpLoadKX:   {iABx, argN, argN},
	OpLoadBool: {iABC, argU, argU},
	OpLoadNil:  {iABC, argU, argN},
	OpGetUpval: {iABC, argU, argN},
	OpGetTabUp: {iABC, argU, argK},
	OpGetTable: {iABC, argR, argK},
	OpSetTabUp: {iABC, argK, argK},
	OpSetUpval: {iABC, argU, argN},
	OpSetTable: {iABC, argK, argK},
	OpNewTable: {iABC, argU, argU},
	OpSelf:     {iABC, argR, argK},
	OpAdd:      {iABC, argK, argK},
	OpSub:      {iABC, argK, argK},
	OpMul:      {iABC, argK, argK},
	OpMod:      {iABC, argK, argK},
	OpPow:      {iABC, argK, argK},
	OpDiv:      {iABC, argK, argK},
	OpIDiv:     {iABC, argK, argK},
	OpBAnd:     {iABC, argK, argK},
	OpBOr:      {iABC, argK, argK},
	OpBXor:     {iABC, argK, argK},
	OpShl:      {iABC, argK, argK},
	OpShr:      {iABC, argK, argK},
	OpUnm:      {iABC, argR, argN},
	OpBNot:     {iABC, argR, argN},
	OpNot:      {iABC, argR, argN},
	OpLen:      {iABC, argR, argN},
	OpConcat:   {iABC, argR, argR},
	OpJmp:      {iAsBx, argR, argN},
	OpEq:       {iABC, argK, argK},
	OpLt:       {iABC, argK, argK},
	OpLe:       {iABC, argK, argK},
	OpTest:     {iABC, argN, argU},
	OpTestSet:  {iABC, argR, argU},
	OpCall:     {iABC, argU, argU},
	OpTailCall: {iABC, argU, argU},
	OpReturn:   {iABC, argU, argN},
	OpForLoop:  {iAsBx, argR, argN},
	OpForPrep:  {iAsBx, argR, argN},
	OpTForCall: {iABC, argN, argU},
	OpTForLoop: {iAsBx, argR, argN},
	OpSetList:  {iABC, argU, argU},
	OpClosure:  {iABx, argU, argN},
	OpVararg:   {iABC, argU, argN},
	OpExtraArg: {iAx, argU, argU},
}

func listCode(w *bufio.Writer, p *Proto) {
	var buf []byte
	for pc := 0; pc < len(p.Code); pc++ {
		i := p.Code[pc]
		op := i.Op()
		a, b, c, bx, sbx, ax := i.A(), i.B(), i.C(), i.Bx(), i.SBx(), i.Ax()
		buf = buf[:0]
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(pc+1), 10)
		buf = append(buf, '\t')
		if line := p.LineAt(pc); line > 0 {
			buf = append(buf, '[')
			buf = strconv.AppendInt(buf, int64(line), 10)
			buf = append(buf, "]\t"...)
		} else {
			buf = append(buf, "[-]\t"...)
		}
		name := op.String()
		buf = append(buf, name...)
		for n := len(name); n < 9; n++ {
			buf = append(buf, ' ')
		}
		buf = append(buf, '\t')
		rk := func(x int) int {
			if IsK(x) {
				return -1 - IndexK(x)
			}
			return x
		}
		var m opMode
		if int(op) < len(opModes) {
			m = opModes[op]
		}
		switch m.format {
		case iABC:
			buf = strconv.AppendInt(buf, int64(a), 10)
			if m.b != argN {
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, int64(rk(b)), 10)
			}
			if m.c != argN {
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, int64(rk(c)), 10)
			}
		case iABx:
			buf = strconv.AppendInt(buf, int64(a), 10)
			switch m.b {
			case argK:
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, int64(-1-bx), 10)
			case argU:
				buf = append(buf, ' ')
				buf = strconv.AppendInt(buf, int64(bx), 10)
			}
		case iAsBx:
			buf = strconv.AppendInt(buf, int64(a), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(sbx), 10)
		case iAx:
			buf = strconv.AppendInt(buf, int64(-1-ax), 10)
		}
		switch op {
		case OpLoadK:
			buf = append(buf, "\t; "...)
			buf = appendConstant(buf, p, bx)
		case OpGetUpval, OpSetUpval:
			buf = append(buf, "\t; "...)
			buf = append(buf, upvalName(p, b)...)
		case OpGetTabUp:
			buf = append(buf, "\t; "...)
			buf = append(buf, upvalName(p, b)...)
			if IsK(c) {
				buf = append(buf, ' ')
				buf = appendConstant(buf, p, IndexK(c))
			}
		case OpSetTabUp:
			buf = append(buf, "\t; "...)
			buf = append(buf, upvalName(p, a)...)
			if IsK(b) {
				buf = append(buf, ' ')
				buf = appendConstant(buf, p, IndexK(b))
			}
			if IsK(c) {
				buf = append(buf, ' ')
				buf = appendConstant(buf, p, IndexK(c))
			}
		case OpGetTable, OpSelf:
			if IsK(c) {
				buf = append(buf, "\t; "...)
				buf = appendConstant(buf, p, IndexK(c))
			}
		case OpSetTable, OpAdd, OpSub, OpMul, OpMod, OpPow, OpDiv, OpIDiv,
			OpBAnd, OpBOr, OpBXor, OpShl, OpShr, OpEq, OpLt, OpLe:
			if IsK(b) || IsK(c) {
				buf = append(buf, "\t; "...)
				if IsK(b) {
					buf = appendConstant(buf, p, IndexK(b))
				} else {
					buf = append(buf, '-')
				}
				buf = append(buf, ' ')
				if IsK(c) {
					buf = appendConstant(buf, p, IndexK(c))
				} else {
					buf = append(buf, '-')
				}
			}
		case OpJmp, OpForLoop, OpForPrep, OpTForLoop:
			buf = append(buf, "\t; to "...)
			buf = strconv.AppendInt(buf, int64(sbx+pc+2), 10)
		case OpSetList:
			buf = append(buf, "\t; "...)
			if c == 0 {
				pc++
				var x int32
				if pc < len(p.Code) {
					x = int32(p.Code[pc])
				}
				buf = strconv.AppendInt(buf, int64(x), 10)
			} else {
				buf = strconv.AppendInt(buf, int64(c), 10)
			}
		case OpExtraArg:
			buf = append(buf, "\t; "...)
			buf = appendConstant(buf, p, ax)
		}
		buf = append(buf, '\n')
		w.Write(buf)
	}
}

func upvalName(p *Proto, i int) string {
	if i < len(p.Upvalues) && p.Upvalues[i].Name != "" {
		return p.Upvalues[i].Name
	}
	return "-"
}

func listDebug(w *bufio.Writer, p *Proto) {
	var buf []byte
	buf = append(buf, "constants ("...)
	buf = strconv.AppendInt(buf, int64(len(p.Constants)), 10)
	buf = append(buf, "):\n"...)
	for i := range p.Constants {
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		buf = append(buf, '\t')
		buf = appendConstant(buf, p, i)
		buf = append(buf, '\n')
	}
	buf = append(buf, "locals ("...)
	buf = strconv.AppendInt(buf, int64(len(p.LocVars)), 10)
	buf = append(buf, "):\n"...)
	for i, v := range p.LocVars {
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, '\t')
		buf = append(buf, v.Name...)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(v.StartPC+1), 10)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(v.EndPC+1), 10)
		buf = append(buf, '\n')
	}
	buf = append(buf, "upvalues ("...)
	buf = strconv.AppendInt(buf, int64(len(p.Upvalues)), 10)
	buf = append(buf, "):\n"...)
	for i, u := range p.Upvalues {
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, '\t')
		buf = append(buf, upvalName(p, i)...)
		buf = append(buf, '\t')
		if u.InStack {
			buf = append(buf, '1')
		} else {
			buf = append(buf, '0')
		}
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(u.Index), 10)
		buf = append(buf, '\n')
	}
	w.Write(buf)
}

// appendConstant appends constant i of p as luac's PrintConstant prints it.
func appendConstant(buf []byte, p *Proto, i int) []byte {
	if i < 0 || i >= len(p.Constants) {
		return append(buf, "? type=-1"...)
	}
	switch k := p.Constants[i].(type) {
	case nil:
		return append(buf, "nil"...)
	case bool:
		if k {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case float64:
		s := FormatFloat(k)
		buf = append(buf, s...)
		if strings.Trim(s, "-0123456789") == "" {
			buf = append(buf, ".0"...)
		}
		return buf
	case int64:
		return strconv.AppendInt(buf, k, 10)
	case string:
		return appendQuoted(buf, k)
	default:
		return append(buf, "? type=?"...)
	}
}

// FormatFloat formats f as C's printf("%.14g") does (Lua 5.3's
// LUA_NUMBER_FMT): "1e+100", "0.1", "inf", "-inf", "nan", "-nan".
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	// Go's %g with a precision drops trailing zeros and uses at least
	// two exponent digits, as C does.
	return strconv.FormatFloat(f, 'g', 14, 64)
}

func appendQuoted(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			buf = append(buf, `\"`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '\a':
			buf = append(buf, `\a`...)
		case '\b':
			buf = append(buf, `\b`...)
		case '\f':
			buf = append(buf, `\f`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\t':
			buf = append(buf, `\t`...)
		case '\v':
			buf = append(buf, `\v`...)
		default:
			if c >= 0x20 && c < 0x7f {
				buf = append(buf, c)
			} else {
				buf = append(buf, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			}
		}
	}
	return append(buf, '"')
}
