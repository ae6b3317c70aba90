package lua

import (
	"math"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua/code"
)

// execute runs Lua frames, starting with L.ci, until the frame marked
// ciFresh returns. Lua-to-Lua calls and returns stay in this loop.
func (L *State) execute() {
	ci := L.ci
newFrame:
	cl := ci.lf
	p := cl.proto
	k := p.consts
	insts := p.Code
	base := ci.base
	stack := L.stack
	pc := ci.pc
	// trap mirrors whether line or count hooks are set; hooks change only
	// through calls, after which it is read again with the stack.
	trap := L.hook.mask&(maskLine|maskCount) != 0
	for {
		i := insts[pc]
		pc++
		ci.pc = pc
		if trap {
			L.traceExec(ci)
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
		}
		ra := base + i.A()
		switch i.Op() {
		case code.OpMove:
			stack[ra] = stack[base+i.B()]
		case code.OpLoadK:
			stack[ra] = k[i.Bx()]
		case code.OpLoadKX:
			stack[ra] = k[insts[pc].Ax()]
			pc++
		case code.OpLoadBool:
			stack[ra] = Bool(i.B() != 0)
			if i.C() != 0 {
				pc++
			}
		case code.OpLoadNil:
			clear(stack[ra : ra+i.B()+1])
		case code.OpGetUpval:
			stack[ra] = *cl.upvals[i.B()].v
		case code.OpGetTabUp:
			t := *cl.upvals[i.B()].v
			c := i.C()
			key := rk(stack, k, base, c)
			if tt := t.AsTable(); tt != nil {
				var v Value
				if c&code.BitRK != 0 && key.kind() == kString {
					v = tt.getStrH(key.str(), p.khash[c&^code.BitRK])
				} else {
					v = tt.Get(key)
				}
				if v.p != nil || tt.meta == nil || L.fastTM(tt.meta, tmIndex).p == nil {
					stack[ra] = v
					continue
				}
			}
			v := L.indexOp(t, key, upvalOperand(i.B()), p.keyHash(c))
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			stack[ra] = v
		case code.OpGetTable:
			t := stack[base+i.B()]
			c := i.C()
			key := rk(stack, k, base, c)
			if tt := t.AsTable(); tt != nil {
				var v Value
				if key.p == pInt {
					v = tt.GetInt(key.int())
				} else if c&code.BitRK != 0 && key.kind() == kString {
					v = tt.getStrH(key.str(), p.khash[c&^code.BitRK])
				} else {
					v = tt.Get(key)
				}
				if v.p != nil || tt.meta == nil || L.fastTM(tt.meta, tmIndex).p == nil {
					stack[ra] = v
					continue
				}
			}
			v := L.indexOp(t, key, regOperand(i.B()), p.keyHash(c))
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			stack[ra] = v
		case code.OpSetTabUp:
			t := *cl.upvals[i.A()].v
			key := rk(stack, k, base, i.B())
			val := rk(stack, k, base, i.C())
			if L.fastSet(t, key, val, p.keyHash(i.B())) {
				continue
			}
			L.setIndexOp(t, key, val, upvalOperand(i.A()))
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
		case code.OpSetUpval:
			*cl.upvals[i.B()].v = stack[ra]
		case code.OpSetTable:
			t := stack[ra]
			key := rk(stack, k, base, i.B())
			val := rk(stack, k, base, i.C())
			if L.fastSet(t, key, val, p.keyHash(i.B())) {
				continue
			}
			L.setIndexOp(t, key, val, regOperand(i.A()))
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
		case code.OpNewTable:
			b, c := i.B(), i.C()
			var t *Table
			if b == 0 && c == 0 {
				t = &Table{}
			} else {
				t = NewTable(fb2int(b), fb2int(c))
			}
			stack[ra] = TableValue(t)
		case code.OpSelf:
			obj := stack[base+i.B()]
			c := i.C()
			key := rk(stack, k, base, c)
			stack[ra+1] = obj
			if tt := obj.AsTable(); tt != nil {
				var v Value
				if c&code.BitRK != 0 && key.kind() == kString {
					v = tt.getStrH(key.str(), p.khash[c&^code.BitRK])
				} else {
					v = tt.Get(key)
				}
				if v.p != nil || tt.meta == nil || L.fastTM(tt.meta, tmIndex).p == nil {
					stack[ra] = v
					continue
				}
			} else if obj.kind() == kString && c&code.BitRK != 0 && key.kind() == kString {
				// s:method(): look the method up in the string library
				// table (the string metatable's __index) directly.
				if idx := L.fastTM(L.g.typeMeta[TypeString], tmIndex).AsTable(); idx != nil {
					if v := idx.getStrH(key.str(), p.khash[c&^code.BitRK]); v.p != nil {
						stack[ra] = v
						continue
					}
				}
			}
			v := L.indexOp(obj, key, regOperand(i.B()), p.keyHash(c))
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			stack[ra] = v
		case code.OpAdd:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			if b.p == pInt && c.p == pInt {
				stack[ra] = Int(b.int() + c.int())
			} else if x, y, ok := floatPair(b, c); ok {
				stack[ra] = Float(x + y)
			} else {
				v := L.arithOp(opAdd, b, c, i)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpSub:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			if b.p == pInt && c.p == pInt {
				stack[ra] = Int(b.int() - c.int())
			} else if x, y, ok := floatPair(b, c); ok {
				stack[ra] = Float(x - y)
			} else {
				v := L.arithOp(opSub, b, c, i)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpMul:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			if b.p == pInt && c.p == pInt {
				stack[ra] = Int(b.int() * c.int())
			} else if x, y, ok := floatPair(b, c); ok {
				stack[ra] = Float(x * y)
			} else {
				v := L.arithOp(opMul, b, c, i)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpDiv:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			if x, y, ok := floatPair(b, c); ok {
				stack[ra] = Float(x / y)
			} else {
				v := L.arithOp(opDiv, b, c, i)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpMod, code.OpPow, code.OpIDiv, code.OpBAnd, code.OpBOr, code.OpBXor, code.OpShl, code.OpShr:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			op := arithOp(i.Op() - code.OpAdd)
			if b.p == pInt && c.p == pInt && op != opPow {
				x, y := b.int(), c.int()
				switch op {
				case opBAnd:
					stack[ra] = Int(x & y)
					continue
				case opBOr:
					stack[ra] = Int(x | y)
					continue
				case opBXor:
					stack[ra] = Int(x ^ y)
					continue
				case opMod:
					if y > 0 {
						r := x % y
						if r < 0 {
							r += y
						}
						stack[ra] = Int(r)
						continue
					}
				case opIDiv:
					if y > 0 {
						q := x / y
						if x%y < 0 {
							q--
						}
						stack[ra] = Int(q)
						continue
					}
				case opShl:
					stack[ra] = Int(shiftLeft(x, y))
					continue
				case opShr:
					stack[ra] = Int(shiftLeft(x, -y))
					continue
				}
			} else if op == opMod || op == opPow || op == opIDiv {
				if x, y, ok := floatPair(b, c); ok && (b.p == pFloat || c.p == pFloat || op == opPow) {
					stack[ra] = Float(floatArith(op, x, y))
					continue
				}
			}
			v := L.arithOp(op, b, c, i)
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			stack[ra] = v
		case code.OpUnm:
			b := stack[base+i.B()]
			switch b.p {
			case pInt:
				stack[ra] = Int(-b.int())
			case pFloat:
				stack[ra] = Float(-b.float())
			default:
				v := L.arith(opUnm, b, b, regOperand(i.B()), regOperand(i.B()))
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpBNot:
			b := stack[base+i.B()]
			if b.p == pInt {
				stack[ra] = Int(^b.int())
			} else {
				v := L.arith(opBNot, b, b, regOperand(i.B()), regOperand(i.B()))
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpNot:
			stack[ra] = Bool(stack[base+i.B()].IsFalsy())
		case code.OpLen:
			b := stack[base+i.B()]
			if b.kind() == kString {
				stack[ra] = Int(int64(b.n & lenMask))
			} else {
				v := L.length(b, regOperand(i.B()))
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				stack[ra] = v
			}
		case code.OpConcat:
			b, c := i.B(), i.C()
			L.top = base + c + 1
			v := L.concat(base+b, base+c)
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			stack[ra] = v
			L.top = ci.top
		case code.OpJmp:
			if a := i.A(); a != 0 {
				L.closeUpvals(base + a - 1)
			}
			sbx := i.SBx()
			pc += sbx
			if sbx < 0 && L.g.cancel.Load() != 0 {
				L.raiseCancel()
			}
		case code.OpEq:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			var eq bool
			if b.p == pInt && c.p == pInt {
				eq = b.n == c.n
			} else {
				eq = L.Equal(b, c)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
			}
			if eq != (i.A() != 0) {
				pc++
			}
		case code.OpLt:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			var lt bool
			if b.p == pInt && c.p == pInt {
				lt = b.int() < c.int()
			} else {
				lt = L.LessThan(b, c)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
			}
			if lt != (i.A() != 0) {
				pc++
			}
		case code.OpLe:
			b, c := rk(stack, k, base, i.B()), rk(stack, k, base, i.C())
			var le bool
			if b.p == pInt && c.p == pInt {
				le = b.int() <= c.int()
			} else {
				le = L.LessEqual(b, c)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
			}
			if le != (i.A() != 0) {
				pc++
			}
		case code.OpTest:
			if stack[ra].IsFalsy() == (i.C() != 0) {
				pc++
			}
		case code.OpTestSet:
			rb := stack[base+i.B()]
			if rb.IsFalsy() == (i.C() != 0) {
				pc++
			} else {
				stack[ra] = rb
			}
		case code.OpCall:
			if b := i.B(); b != 0 {
				L.top = ra + b
			}
			nres := i.C() - 1
			if L.precall(ra, nres) {
				ci = L.ci
				goto newFrame
			}
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			if nres >= 0 {
				L.top = ci.top
			}
		case code.OpTailCall:
			if b := i.B(); b != 0 {
				L.top = ra + b
			}
			if len(p.Protos) > 0 {
				L.closeUpvals(base)
			}
			if f := stack[ra]; f.kind() != kLuaFunction {
				// A Go function (or __call) in tail position: an ordinary call.
				if L.precall(ra, MultRet) {
					ci = L.ci
					goto newFrame
				}
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				continue
			}
			// Move the function and its arguments down to this frame's
			// place and reuse the frame.
			n := L.top - ra
			copy(stack[ci.fn:], stack[ra:ra+n])
			L.top = ci.fn + n
			nresults := ci.nresults
			fresh := ci.status & ciFresh
			L.ci = ci.prev
			L.tailCall = ciTail
			L.precall(ci.fn, nresults)
			ci = L.ci
			ci.status |= fresh
			goto newFrame
		case code.OpReturn:
			b := i.B()
			if len(p.Protos) > 0 {
				L.closeUpvals(base)
			}
			n := b - 1
			if b == 0 {
				n = L.top - ra
			}
			fresh := ci.status&ciFresh != 0
			wanted := ci.nresults
			L.poscall(ci, ra, n)
			if fresh {
				return
			}
			ci = L.ci
			if wanted != MultRet {
				L.top = ci.top
			}
			goto newFrame
		case code.OpForLoop:
			if init := stack[ra]; init.p == pInt {
				step := stack[ra+2].int()
				idx := init.int() + step
				limit := stack[ra+1].int()
				if (step > 0 && idx <= limit) || (step <= 0 && limit <= idx) {
					pc += i.SBx()
					stack[ra] = Int(idx)
					stack[ra+3] = Int(idx)
					if L.g.cancel.Load() != 0 {
						L.raiseCancel()
					}
				}
			} else {
				step := stack[ra+2].float()
				idx := init.float() + step
				limit := stack[ra+1].float()
				if (0 < step && idx <= limit) || (0 >= step && limit <= idx) {
					pc += i.SBx()
					stack[ra] = Float(idx)
					stack[ra+3] = Float(idx)
					if L.g.cancel.Load() != 0 {
						L.raiseCancel()
					}
				}
			}
		case code.OpForPrep:
			L.forPrep(ra)
			pc += i.SBx()
		case code.OpTForCall:
			cb := ra + 3
			stack[cb+2] = stack[ra+2]
			stack[cb+1] = stack[ra+1]
			stack[cb] = stack[ra]
			L.top = cb + 3
			L.call(cb, i.C())
			stack = L.stack
			trap = L.hook.mask&(maskLine|maskCount) != 0
			L.top = ci.top
			i = insts[pc]
			pc++
			ci.pc = pc
			ra = base + i.A()
			fallthrough
		case code.OpTForLoop:
			if v := stack[ra+1]; v.p != nil {
				stack[ra] = v
				pc += i.SBx()
				if L.g.cancel.Load() != 0 {
					L.raiseCancel()
				}
			}
		case code.OpSetList:
			n, c := i.B(), i.C()
			if n == 0 {
				n = L.top - ra - 1
			}
			if c == 0 {
				c = insts[pc].Ax()
				pc++
			}
			t := stack[ra].AsTable()
			last := (c-1)*code.FieldsPerFlush + n
			if last > len(t.arr) {
				t.resizeArray(last)
			}
			for ; n > 0; n-- {
				t.arr[last-1] = stack[ra+n]
				last--
			}
			L.top = ci.top
		case code.OpClosure:
			f := L.newClosure(p.protos[i.Bx()], cl, base)
			stack[ra] = LuaFunctionValue(f)
		case code.OpVararg:
			b := i.B() - 1
			n := base - ci.fn - p.NumParams - 1
			if n < 0 {
				n = 0
			}
			if b < 0 {
				b = n
				L.top = ra
				L.ensureStack(n)
				stack = L.stack
				trap = L.hook.mask&(maskLine|maskCount) != 0
				L.top = ra + n
			}
			j := 0
			for ; j < b && j < n; j++ {
				stack[ra+j] = stack[base-n+j]
			}
			clear(stack[ra+j : ra+b])
		default:
			L.RuntimeError("bad instruction %s", i.Op())
		}
	}
}

// floatPair converts two numbers (not strings) to floats for the float
// arithmetic of the interpreter's fast paths.
func floatPair(b, c Value) (x, y float64, ok bool) {
	switch b.p {
	case pFloat:
		x = b.float()
	case pInt:
		x = float64(b.int())
	default:
		return 0, 0, false
	}
	switch c.p {
	case pFloat:
		y = c.float()
	case pInt:
		y = float64(c.int())
	default:
		return 0, 0, false
	}
	return x, y, true
}

// rk returns the value of an RK operand.
func rk(stack, k []Value, base, x int) Value {
	if x&code.BitRK != 0 {
		return k[x&^code.BitRK]
	}
	return stack[base+x]
}

// rkOperand describes an RK operand for error messages.
func rkOperand(x int) operand {
	if code.IsK(x) {
		return opUnknown
	}
	return regOperand(x)
}

// fb2int decodes a table size hint ("floating point byte").
func fb2int(x int) int {
	if x < 8 {
		return x
	}
	return ((x & 7) + 8) << ((x >> 3) - 1)
}

// fastSet does t[key] = val when t is a table and no metamethod can be
// involved; it reports whether it did.
//
// h is the key's hash when it is a string constant (else 0): assigning
// an existing field then needs no hashing.
func (L *State) fastSet(t, key, val Value, h uint64) bool {
	tt := t.AsTable()
	if tt == nil {
		return false
	}
	if key.p == pInt {
		if k := key.int(); uint64(k)-1 < uint64(len(tt.arr)) {
			if tt.arr[k-1].p != nil || tt.meta == nil {
				tt.arr[k-1] = val
				return true
			}
		}
	} else if h != 0 && key.kind() == kString {
		if n := tt.findStrH(key.str(), h); n >= 0 && (tt.node[n].val.p != nil || tt.meta == nil) {
			tt.node[n].val = val
			return true
		}
	}
	if tt.meta == nil {
		if err := tt.Set(key, val); err != nil {
			L.RuntimeError("%s", err.Error())
		}
		return true
	}
	return false
}

func (L *State) indexOp(t, key Value, where operand, h uint64) Value {
	return L.index(t, key, h, where)
}

// keyHash returns the precomputed hash of RK operand x when it is a
// string constant, else 0.
func (p *Prototype) keyHash(x int) uint64 {
	if x&code.BitRK != 0 {
		return p.khash[x&^code.BitRK]
	}
	return 0
}

func (L *State) setIndexOp(t, key, val Value, where operand) {
	if t.kind() != kTable && L.metamethod(t, tmNewIndex).p == nil {
		L.typeError(t, "index", where)
	}
	L.SetIndex(t, key, val)
}

// arithOp is the slow path of a binary arithmetic instruction.
func (L *State) arithOp(op arithOp, b, c Value, i code.Instruction) Value {
	return L.arith(op, b, c, rkOperand(i.B()), rkOperand(i.C()))
}

// forPrep prepares a numeric for loop at ra (init, limit, step), choosing
// an integer or a float loop as Lua 5.3 does.
func (L *State) forPrep(ra int) {
	stack := L.stack
	init, plimit, pstep := stack[ra], stack[ra+1], stack[ra+2]
	if init.p == pInt && pstep.p == pInt {
		step := pstep.int()
		if limit, stop, ok := forLimit(plimit, step); ok {
			initv := init.int()
			if stop {
				initv = 0
			}
			stack[ra+1] = Int(limit)
			stack[ra] = Int(initv - step)
			return
		}
	}
	nlimit, ok := plimit.ToFloat()
	if !ok {
		L.RuntimeError("'for' limit must be a number")
	}
	stack[ra+1] = Float(nlimit)
	nstep, ok := pstep.ToFloat()
	if !ok {
		L.RuntimeError("'for' step must be a number")
	}
	stack[ra+2] = Float(nstep)
	ninit, ok := init.ToFloat()
	if !ok {
		L.RuntimeError("'for' initial value must be a number")
	}
	stack[ra] = Float(ninit - nstep)
}

// forLimit converts a loop limit to an integer for an integer loop,
// clipping floats (floor for positive steps, ceil for negative ones);
// stop says the loop must not run at all.
func forLimit(lim Value, step int64) (limit int64, stop, ok bool) {
	if lim.p == pInt {
		return lim.int(), false, true
	}
	f, isNum := lim.ToFloat()
	if !isNum {
		return 0, false, false
	}
	if lim.kind() == kString {
		if n, _ := lim.ToNumber(); n.p == pInt {
			return n.int(), false, true
		}
	}
	if step < 0 {
		f = math.Ceil(f)
	} else {
		f = math.Floor(f)
	}
	if i, inRange := floatToIntRange(f); inRange && f == f {
		return i, false, true
	}
	if f > 0 {
		return math.MaxInt64, step < 0, true
	}
	return math.MinInt64, step >= 0, true
}

// concat concatenates stack[first..last] into one value, as luaV_concat
// does: runs of strings and numbers are joined at once, __concat is
// applied pairwise from the right.
func (L *State) concat(first, last int) Value {
	for last > first {
		top := L.stack[last]
		prev := L.stack[last-1]
		_, ok1 := tostringValue(prev)
		_, ok2 := tostringValue(top)
		if !ok1 || !ok2 {
			v := L.concat2(prev, top, regOperand(last-1-L.ci.base), regOperand(last-L.ci.base))
			L.stack[last-1] = v
			last--
			continue
		}
		// Collect as many string-convertible values as possible.
		n := 2
		size := 0
		for first <= last-n+1 {
			if _, ok := tostringValue(L.stack[last-n+1]); !ok {
				break
			}
			n++
		}
		n--
		parts := L.stack[last-n+1 : last+1]
		for _, v := range parts {
			s, _ := v.ToString()
			size += len(s)
		}
		var b strings.Builder
		b.Grow(size)
		for _, v := range parts {
			s, _ := v.ToString()
			b.WriteString(s)
		}
		L.stack[last-n+1] = String(b.String())
		last -= n - 1
	}
	return L.stack[first]
}
