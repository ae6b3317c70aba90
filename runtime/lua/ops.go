package lua

import (
	"math"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua/luaconv"
	"github.com/moonbridge-go/moonbridge/runtime/lua/luamath"
)

// maxTagLoop bounds __index/__newindex chains (MAXTAGLOOP).
const maxTagLoop = 2000

// floatToInt converts f to an integer when it has an exact integer value.
func floatToInt(f float64) (int64, bool) { return luaconv.FloatToInteger(f) }

// ToNumber converts v to a number, converting strings as Lua does; ok is
// false when v is not a number nor a numeric string.
func (v Value) ToNumber() (Value, bool) {
	switch v.p {
	case pInt, pFloat:
		return v, true
	}
	if s, ok := v.AsString(); ok {
		return StringToNumber(s)
	}
	return Nil, false
}

// StringToNumber converts s as tonumber(s) does.
func StringToNumber(s string) (Value, bool) {
	n, ok := luaconv.StringToNumber(s)
	if !ok {
		return Nil, false
	}
	if n.IsFloat {
		return Float(n.F), true
	}
	return Int(n.I), true
}

// ToFloat returns v as a float, converting integers and numeric strings.
func (v Value) ToFloat() (float64, bool) {
	switch v.p {
	case pInt:
		return float64(v.int()), true
	case pFloat:
		return v.float(), true
	}
	if n, ok := v.ToNumber(); ok {
		return n.ToFloat()
	}
	return 0, false
}

// ToInteger returns v as an integer: integers, floats with an exact
// integer value and strings that convert to either (lua_tointegerx).
func (v Value) ToInteger() (int64, bool) {
	switch v.p {
	case pInt:
		return v.int(), true
	case pFloat:
		return floatToInt(v.float())
	}
	if n, ok := v.ToNumber(); ok {
		return n.ToInteger()
	}
	return 0, false
}

// ToString returns v as a string: strings as they are, numbers formatted
// as Lua does; ok is false for other types.
func (v Value) ToString() (string, bool) {
	switch v.p {
	case pInt:
		return luaconv.FormatInteger(v.int()), true
	case pFloat:
		return luaconv.FormatFloat(v.float()), true
	}
	if v.kind() == kString {
		return v.str(), true
	}
	return "", false
}

// tostringValue converts a number to a string value, leaving strings as
// they are (used by concatenation).
func tostringValue(v Value) (Value, bool) {
	if v.kind() == kString {
		return v, true
	}
	if s, ok := v.ToString(); ok {
		return String(s), true
	}
	return Nil, false
}

// Index returns t[k] with metamethods (luaV_gettable).
func (L *State) Index(t, k Value) Value { return L.index(t, k, 0, opUnknown) }

// index is Index with the hash of a string key when the caller knows it
// (constants), 0 otherwise; where names the indexed value in the error
// for a value that cannot be indexed.
func (L *State) index(t, k Value, h uint64, where operand) Value {
	isStr := k.kind() == kString
	if isStr && h == 0 {
		h = hashString(k.str())
	}
	for loop := 0; loop < maxTagLoop; loop++ {
		var tmv Value
		if tt := t.AsTable(); tt != nil {
			var v Value
			if isStr {
				v = tt.getStrH(k.str(), h)
			} else {
				v = tt.Get(k)
			}
			if v.p != nil {
				return v
			}
			tmv = L.fastTM(tt.meta, tmIndex)
			if tmv.p == nil {
				return Nil
			}
		} else {
			tmv = L.metamethod(t, tmIndex)
			if tmv.p == nil {
				L.typeError(t, "index", where)
			}
		}
		if tmv.IsFunction() {
			return L.call2(tmv, t, k)
		}
		t = tmv
		where = opUnknown
	}
	L.RuntimeError("'__index' chain too long; possible loop")
	return Nil
}

// SetIndex assigns t[k] = v with metamethods (luaV_settable).
func (L *State) SetIndex(t, k, v Value) {
	for loop := 0; loop < maxTagLoop; loop++ {
		var tmv Value
		if tt := t.AsTable(); tt != nil {
			old := tt.Get(k)
			if old.p != nil {
				tt.Set(k, v)
				return
			}
			tmv = L.fastTM(tt.meta, tmNewIndex)
			if tmv.p == nil {
				L.rawSetChecked(tt, k, v)
				return
			}
		} else {
			tmv = L.metamethod(t, tmNewIndex)
			if tmv.p == nil {
				L.typeError(t, "index", opUnknown)
			}
		}
		if tmv.IsFunction() {
			L.call3(tmv, t, k, v)
			return
		}
		t = tmv
	}
	L.RuntimeError("'__newindex' chain too long; possible loop")
}

// rawSetChecked assigns t[k] = v, raising Lua's error for nil and NaN keys.
func (L *State) rawSetChecked(t *Table, k, v Value) {
	if err := t.Set(k, v); err != nil {
		L.RuntimeError("%s", err.Error())
	}
}

// RawSet assigns t[k] = v without metamethods, raising an error for a nil
// or NaN key.
func (L *State) RawSet(t *Table, k, v Value) { L.rawSetChecked(t, k, v) }

// call2 calls f(a, b) and returns its first result.
func (L *State) call2(f, a, b Value) Value {
	L.ensureStack(3)
	top := L.top
	L.stack[top], L.stack[top+1], L.stack[top+2] = f, a, b
	L.top = top + 3
	L.call(top, 1)
	L.top--
	return L.stack[L.top]
}

// call3 calls f(a, b, c) discarding results.
func (L *State) call3(f, a, b, c Value) {
	L.ensureStack(4)
	top := L.top
	L.stack[top], L.stack[top+1], L.stack[top+2], L.stack[top+3] = f, a, b, c
	L.top = top + 4
	L.call(top, 0)
}

// arithOp is an arithmetic or bitwise operator, in code.Opcode order
// starting at OpAdd.
type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opMod
	opPow
	opDiv
	opIDiv
	opBAnd
	opBOr
	opBXor
	opShl
	opShr
	opUnm
	opBNot
)

// Arith applies an arithmetic or bitwise operator (OpAdd..OpBNot order;
// for unary operators b is ignored) with Lua's coercions and metamethods.
func (L *State) Arith(op arithOp, a, b Value) Value { return L.arith(op, a, b, opUnknown, opUnknown) }

// rawArith computes op on two numbers (after string coercion); ok is false
// when an operand is not a number or, for bitwise operators, has no
// integer representation.
func (L *State) rawArith(op arithOp, a, b Value) (Value, bool) {
	if op >= opBAnd && op <= opShr || op == opBNot {
		x, ok1 := a.ToInteger()
		y, ok2 := b.ToInteger()
		if !ok1 || !ok2 {
			return Nil, false
		}
		return Int(intArith(L, op, x, y)), true
	}
	// As lvm.c does: integer arithmetic only for two integers; numeric
	// strings are converted to floats.
	if a.p == pInt && b.p == pInt && op != opPow && op != opDiv {
		return Int(intArith(L, op, a.int(), b.int())), true
	}
	x, ok1 := a.ToFloat()
	y, ok2 := b.ToFloat()
	if !ok1 || !ok2 {
		return Nil, false
	}
	return Float(floatArith(op, x, y)), true
}

func intArith(L *State, op arithOp, x, y int64) int64 {
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	case opMod:
		return L.intMod(x, y)
	case opIDiv:
		return L.intDiv(x, y)
	case opBAnd:
		return x & y
	case opBOr:
		return x | y
	case opBXor:
		return x ^ y
	case opShl:
		return shiftLeft(x, y)
	case opShr:
		return shiftLeft(x, -y)
	case opUnm:
		return -x
	case opBNot:
		return ^x
	}
	return 0
}

func floatArith(op arithOp, x, y float64) float64 {
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	case opDiv:
		return x / y
	case opMod:
		return floatMod(x, y)
	case opPow:
		if y == 2 {
			return x * x // exactly luamath.Pow(x, 2)
		}
		return luamath.Pow(x, y)
	case opIDiv:
		return math.Floor(x / y)
	case opUnm:
		return -x
	}
	return 0
}

// intMod is Lua's integer modulo (the result has the divisor's sign).
func (L *State) intMod(x, y int64) int64 {
	if uint64(y)+1 <= 1 { // y == 0 or y == -1
		if y == 0 {
			L.RuntimeError("attempt to perform 'n%%0'")
		}
		return 0
	}
	r := x % y
	if r != 0 && (r^y) < 0 {
		r += y
	}
	return r
}

// intDiv is Lua's floor division of integers.
func (L *State) intDiv(x, y int64) int64 {
	if uint64(y)+1 <= 1 {
		if y == 0 {
			L.RuntimeError("attempt to divide by zero")
		}
		return -x // avoids overflow of mininteger // -1
	}
	q := x / y
	if (x%y != 0) && (x^y) < 0 {
		q--
	}
	return q
}

func floatMod(x, y float64) float64 {
	if y == 0 || math.IsInf(x, 0) || x != x || y != y {
		// The NaN the hardware makes (as C's fmod gives), not Go's math.NaN().
		p := x * y
		return p / p
	}
	m := math.Mod(x, y)
	if m*y < 0 {
		m += y
	}
	return m
}

// shiftLeft shifts x left by n bits (right for negative n), logically.
func shiftLeft(x, n int64) int64 {
	if n <= -64 || n >= 64 {
		return 0
	}
	if n >= 0 {
		return int64(uint64(x) << uint(n))
	}
	return int64(uint64(x) >> uint(-n))
}

// arith is the slow path of the arithmetic instructions: coercions, then
// metamethods, then an error naming the culprit operand.
func (L *State) arith(op arithOp, a, b Value, ra, rb operand) Value {
	if v, ok := L.rawArith(op, a, b); ok {
		return v
	}
	e := tmAdd + tm(op)
	h := L.metamethod(a, e)
	if h.p == nil {
		h = L.metamethod(b, e)
	}
	if h.p != nil {
		return L.call2(h, a, b)
	}
	switch {
	case op >= opBAnd && op <= opShr || op == opBNot:
		_, na := a.ToNumber()
		_, nb := b.ToNumber()
		if na && nb {
			if _, ok := a.ToInteger(); !ok {
				rb = ra
			}
			L.RuntimeError("number%s has no integer representation", L.varInfo(rb))
		}
		if _, ok := a.ToNumber(); ok {
			L.typeError(b, "perform bitwise operation on", rb)
		}
		L.typeError(a, "perform bitwise operation on", ra)
	default:
		if _, ok := a.ToNumber(); ok {
			L.typeError(b, "perform arithmetic on", rb)
		}
		L.typeError(a, "perform arithmetic on", ra)
	}
	return Nil
}

// RawEqual compares without metamethods.
func RawEqual(a, b Value) bool {
	if a.p == pInt {
		if b.p == pInt {
			return a.n == b.n
		}
		if b.p == pFloat {
			return float64(a.int()) == b.float() && eqIntFloat(a.int(), b.float())
		}
		return false
	}
	if a.p == pFloat {
		if b.p == pFloat {
			return a.float() == b.float()
		}
		if b.p == pInt {
			return eqIntFloat(b.int(), a.float())
		}
		return false
	}
	if a == b {
		return true
	}
	if a.kind() == kString && b.kind() == kString {
		return a.n == b.n && a.str() == b.str()
	}
	return false
}

func eqIntFloat(i int64, f float64) bool {
	fi, ok := floatToInt(f)
	return ok && fi == i
}

// Equal compares with the __eq metamethod (luaV_equalobj).
func (L *State) Equal(a, b Value) bool {
	if RawEqual(a, b) {
		return true
	}
	ka, kb := a.kind(), b.kind()
	if ka != kb || (ka != kTable && ka != kUserdata) {
		return false
	}
	var h Value
	if ka == kTable {
		h = L.fastTM((*Table)(a.p).meta, tmEq)
		if h.p == nil {
			h = L.fastTM((*Table)(b.p).meta, tmEq)
		}
	} else {
		h = L.fastTM((*Userdata)(a.p).meta, tmEq)
		if h.p == nil {
			h = L.fastTM((*Userdata)(b.p).meta, tmEq)
		}
	}
	if h.p == nil {
		return false
	}
	return L.call2(h, a, b).Truthy()
}

// LessThan compares a < b with Lua's rules and metamethods.
func (L *State) LessThan(a, b Value) bool {
	if a.IsNumber() && b.IsNumber() {
		return numLess(a, b)
	}
	if a.kind() == kString && b.kind() == kString {
		return strLess(a.str(), b.str())
	}
	h := L.metamethod(a, tmLt)
	if h.p == nil {
		h = L.metamethod(b, tmLt)
	}
	if h.p == nil {
		L.orderError(a, b)
	}
	return L.call2(h, a, b).Truthy()
}

// LessEqual compares a <= b; without __le it tries not (b < a).
func (L *State) LessEqual(a, b Value) bool {
	if a.IsNumber() && b.IsNumber() {
		return numLessEq(a, b)
	}
	if a.kind() == kString && b.kind() == kString {
		return !strLess(b.str(), a.str())
	}
	h := L.metamethod(a, tmLe)
	if h.p == nil {
		h = L.metamethod(b, tmLe)
	}
	if h.p != nil {
		return L.call2(h, a, b).Truthy()
	}
	h = L.metamethod(b, tmLt)
	if h.p == nil {
		h = L.metamethod(a, tmLt)
	}
	if h.p == nil {
		L.orderError(a, b)
	}
	return !L.call2(h, b, a).Truthy()
}

// strLess compares strings as strcoll in the C locale (bytewise; an
// embedded zero sorts as in l_strcmp).
func strLess(a, b string) bool { return strings.Compare(a, b) < 0 }

func numLess(a, b Value) bool {
	if a.p == pInt {
		if b.p == pInt {
			return a.int() < b.int()
		}
		return intLessFloat(a.int(), b.float())
	}
	if b.p == pFloat {
		return a.float() < b.float()
	}
	return floatLessInt(a.float(), b.int())
}

func numLessEq(a, b Value) bool {
	if a.p == pInt {
		if b.p == pInt {
			return a.int() <= b.int()
		}
		return intLessEqFloat(a.int(), b.float())
	}
	if b.p == pFloat {
		return a.float() <= b.float()
	}
	return floatLessEqInt(a.float(), b.int())
}

// Mixed comparisons are exact, as in lvm.c (LTintfloat and friends):
// the float is rounded towards the side that keeps the answer, and a float
// outside the integer range compares by its sign (NaN compares false).
func floatToIntRange(f float64) (int64, bool) {
	if f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
		return int64(f), true
	}
	return 0, false
}

func intLessFloat(i int64, f float64) bool {
	if fi, ok := floatToIntRange(math.Ceil(f)); ok {
		return i < fi
	}
	return f > 0
}

func intLessEqFloat(i int64, f float64) bool {
	if fi, ok := floatToIntRange(math.Floor(f)); ok {
		return i <= fi
	}
	return f > 0
}

func floatLessInt(f float64, i int64) bool {
	if fi, ok := floatToIntRange(math.Floor(f)); ok {
		return fi < i
	}
	return f < 0
}

func floatLessEqInt(f float64, i int64) bool {
	if fi, ok := floatToIntRange(math.Ceil(f)); ok {
		return fi <= i
	}
	return f < 0
}

// Len returns #v with the __len metamethod (luaV_objlen).
func (L *State) Len(v Value) Value { return L.length(v, opUnknown) }

func (L *State) length(v Value, rv operand) Value {
	switch v.kind() {
	case kTable:
		t := (*Table)(v.p)
		if h := L.fastTM(t.meta, tmLen); h.p != nil {
			return L.call2(h, v, v)
		}
		return Int(t.Len())
	case kString:
		return Int(int64(v.n & lenMask))
	}
	h := L.metamethod(v, tmLen)
	if h.p == nil {
		L.typeError(v, "get length of", rv)
	}
	return L.call2(h, v, v)
}

// LenInt returns #v as an integer, raising an error otherwise (luaL_len).
func (L *State) LenInt(v Value) int64 {
	n, ok := L.Len(v).ToInteger()
	if !ok {
		L.Errorf("object length is not an integer")
	}
	return n
}

// concat2 concatenates two values with coercions and __concat.
func (L *State) concat2(a, b Value, ra, rb operand) Value {
	sa, ok1 := tostringValue(a)
	sb, ok2 := tostringValue(b)
	if ok1 && ok2 {
		if sa.n&lenMask == 0 {
			return sb
		}
		if sb.n&lenMask == 0 {
			return sa
		}
		return String(sa.str() + sb.str())
	}
	h := L.metamethod(a, tmConcat)
	if h.p == nil {
		h = L.metamethod(b, tmConcat)
	}
	if h.p == nil {
		if ok1 {
			L.typeError(b, "concatenate", rb)
		}
		L.typeError(a, "concatenate", ra)
	}
	return L.call2(h, a, b)
}

// Concat concatenates values as the .. operator does.
func (L *State) Concat(a, b Value) Value { return L.concat2(a, b, opUnknown, opUnknown) }

// ToStringMeta converts any value to a string as tostring() does
// (luaL_tolstring): __tostring, __name, or type and address.
func (L *State) ToStringMeta(v Value) string {
	if h := L.MetaField(v, "__tostring"); h.p != nil {
		r := L.call2(h, v, Nil)
		s, ok := r.AsString()
		if !ok {
			if r.IsNumber() {
				s, _ = r.ToString()
				return s
			}
			L.Errorf("'__tostring' must return a string")
		}
		return s
	}
	switch v.Type() {
	case TypeNumber, TypeString:
		s, _ := v.ToString()
		return s
	case TypeNil:
		return "nil"
	case TypeBoolean:
		if v.n != 0 {
			return "true"
		}
		return "false"
	}
	kind := v.TypeName()
	if n := L.MetaField(v, "__name"); n.IsString() {
		kind = n.str()
	}
	return kind + ": " + hexAddr(v.Pointer())
}

func hexAddr(p uintptr) string {
	const digits = "0123456789abcdef"
	var buf [18]byte
	i := len(buf)
	for {
		i--
		buf[i] = digits[p&15]
		p >>= 4
		if p == 0 {
			break
		}
	}
	i--
	buf[i] = 'x'
	i--
	buf[i] = '0'
	return string(buf[i:])
}
