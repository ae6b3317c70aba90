package stringlib

import (
	"math"
	"strings"

	"github.com/moonbridge-go/moonbridge/runtime/lua"
)

// Limits of string.pack (lstrlib.c).
const (
	maxIntSize = 16 // MAXINTSIZE
	szInt      = 8  // sizeof(lua_Integer)
	maxAlign   = 8  // MAXALIGN
)

type kOption int

const (
	kInt       kOption = iota // signed integers
	kUint                     // unsigned integers
	kFloat                    // floating-point numbers
	kChar                     // fixed-length strings
	kString                   // strings with prefixed length
	kZstr                     // zero-terminated strings
	kPadding                  // padding
	kPaddAlign                // padding for alignment
	kNop                      // no-op (configuration or spaces)
)

// packHeader is the state of a format being read.
type packHeader struct {
	L        *lua.State
	fmt      string
	pos      int
	little   bool
	maxAlign int
}

func newHeader(L *lua.State, f string) packHeader {
	// lstrlib.c reads the format as a C string: it ends at a zero byte.
	if i := strings.IndexByte(f, 0); i >= 0 {
		f = f[:i]
	}
	return packHeader{L: L, fmt: f, little: true, maxAlign: 1}
}

func (h *packHeader) more() bool { return h.pos < len(h.fmt) }

func (h *packHeader) peek() byte {
	if h.pos < len(h.fmt) {
		return h.fmt[h.pos]
	}
	return 0
}

// getNum reads an optional decimal number, df when absent.
func (h *packHeader) getNum(df int) int {
	if !isDigit(h.peek()) {
		return df
	}
	a := 0
	for {
		a = a*10 + int(h.fmt[h.pos]-'0')
		h.pos++
		if !isDigit(h.peek()) || a > (maxSize-9)/10 {
			return a
		}
	}
}

func (h *packHeader) getNumLimit(df int) int {
	sz := h.getNum(df)
	if sz > maxIntSize || sz <= 0 {
		h.L.Errorf("integral size (%d) out of limits [1,%d]", sz, maxIntSize)
	}
	return sz
}

// getOption reads one option and returns its kind and size.
func (h *packHeader) getOption() (kOption, int) {
	opt := h.fmt[h.pos]
	h.pos++
	switch opt {
	case 'b':
		return kInt, 1
	case 'B':
		return kUint, 1
	case 'h':
		return kInt, 2
	case 'H':
		return kUint, 2
	case 'l', 'j':
		return kInt, 8
	case 'L', 'J', 'T':
		return kUint, 8
	case 'f':
		return kFloat, 4
	case 'd', 'n':
		return kFloat, 8
	case 'i':
		return kInt, h.getNumLimit(4)
	case 'I':
		return kUint, h.getNumLimit(4)
	case 's':
		return kString, h.getNumLimit(8)
	case 'c':
		size := h.getNum(-1)
		if size == -1 {
			h.L.Errorf("missing size for format option 'c'")
		}
		return kChar, size
	case 'z':
		return kZstr, 0
	case 'x':
		return kPadding, 1
	case 'X':
		return kPaddAlign, 0
	case ' ':
	case '<', '=':
		h.little = true
	case '>':
		h.little = false
	case '!':
		h.maxAlign = h.getNumLimit(maxAlign)
	default:
		h.L.Errorf("invalid format option '%s'", charName(opt))
	}
	return kNop, 0
}

// getDetails reads one option and computes the padding that aligns it at
// totalSize.
func (h *packHeader) getDetails(totalSize int) (opt kOption, size, ntoalign int) {
	opt, size = h.getOption()
	align := size
	if opt == kPaddAlign {
		if !h.more() {
			h.L.ArgError(1, "invalid next option for option 'X'")
		}
		var nextOpt kOption
		nextOpt, align = h.getOption()
		if nextOpt == kChar || align == 0 {
			h.L.ArgError(1, "invalid next option for option 'X'")
		}
	}
	if align <= 1 || opt == kChar {
		return opt, size, 0
	}
	if align > h.maxAlign {
		align = h.maxAlign
	}
	if align&(align-1) != 0 {
		h.L.ArgError(1, "format asks for alignment not power of 2")
	}
	ntoalign = (align - totalSize&(align-1)) & (align - 1)
	return opt, size, ntoalign
}

func packInt(b []byte, n uint64, little bool, size int, neg bool) []byte {
	start := len(b)
	for i := 0; i < size; i++ {
		b = append(b, 0)
	}
	buf := b[start:]
	for i := 0; i < size; i++ {
		var c byte
		if i < szInt {
			c = byte(n >> (8 * uint(i)))
		} else if neg {
			c = 0xff
		}
		if little {
			buf[i] = c
		} else {
			buf[size-1-i] = c
		}
	}
	return b
}

func strPack(L *lua.State) int {
	h := newHeader(L, L.CheckString(1))
	arg := 1
	L.Push(lua.Nil) // as lstrlib.c's mark: a missing first argument is "nil"
	var b []byte
	for h.more() {
		opt, size, ntoalign := h.getDetails(len(b))
		b = appendRepeat(b, 0, ntoalign)
		arg++
		switch opt {
		case kInt:
			n := L.CheckInteger(arg)
			if size < szInt {
				lim := int64(1) << (uint(size)*8 - 1)
				if !(-lim <= n && n < lim) {
					L.ArgError(arg, "integer overflow")
				}
			}
			b = packInt(b, uint64(n), h.little, size, n < 0)
		case kUint:
			n := L.CheckInteger(arg)
			if size < szInt && uint64(n) >= uint64(1)<<(uint(size)*8) {
				L.ArgError(arg, "unsigned overflow")
			}
			b = packInt(b, uint64(n), h.little, size, false)
		case kFloat:
			f := L.CheckNumber(arg)
			var u uint64
			if size == 4 {
				u = uint64(math.Float32bits(float32(f)))
			} else {
				u = math.Float64bits(f)
			}
			b = packInt(b, u, h.little, size, false)
		case kChar:
			s := L.CheckString(arg)
			if len(s) > size {
				L.ArgError(arg, "string longer than given size")
			}
			b = append(b, s...)
			b = appendRepeat(b, 0, size-len(s))
		case kString:
			s := L.CheckString(arg)
			if size < 8 && uint64(len(s)) >= uint64(1)<<(uint(size)*8) {
				L.ArgError(arg, "string length does not fit in given size")
			}
			b = packInt(b, uint64(len(s)), h.little, size, false)
			b = append(b, s...)
		case kZstr:
			s := L.CheckString(arg)
			if strings.IndexByte(s, 0) >= 0 {
				L.ArgError(arg, "string contains zeros")
			}
			b = append(b, s...)
			b = append(b, 0)
		case kPadding:
			b = append(b, 0)
			arg--
		case kPaddAlign, kNop:
			arg--
		}
	}
	L.Push(lua.Bytes(b))
	return 1
}

func strPacksize(L *lua.State) int {
	h := newHeader(L, L.CheckString(1))
	total := 0
	for h.more() {
		opt, size, ntoalign := h.getDetails(total)
		size += ntoalign
		if total > maxSize-size {
			L.ArgError(1, "format result too large")
		}
		total += size
		if opt == kString || opt == kZstr {
			L.ArgError(1, "variable-length format")
		}
	}
	L.PushInt(int64(total))
	return 1
}

func unpackInt(L *lua.State, s string, little bool, size int, signed bool) int64 {
	var res uint64
	limit := size
	if limit > szInt {
		limit = szInt
	}
	for i := limit - 1; i >= 0; i-- {
		res <<= 8
		if little {
			res |= uint64(s[i])
		} else {
			res |= uint64(s[size-1-i])
		}
	}
	if size < szInt {
		if signed {
			mask := uint64(1) << (uint(size)*8 - 1)
			res = (res ^ mask) - mask
		}
	} else if size > szInt {
		var mask byte
		if signed && int64(res) < 0 {
			mask = 0xff
		}
		for i := limit; i < size; i++ {
			var c byte
			if little {
				c = s[i]
			} else {
				c = s[size-1-i]
			}
			if c != mask {
				L.Errorf("%d-byte integer does not fit into Lua Integer", size)
			}
		}
	}
	return int64(res)
}

func strUnpack(L *lua.State) int {
	h := newHeader(L, L.CheckString(1))
	data := L.CheckString(2)
	ld := len(data)
	pos := uint64(posrelat(L.OptInteger(3, 1), ld)) - 1
	if pos > uint64(ld) {
		L.ArgError(3, "initial position out of string")
	}
	p := int(pos)
	n := 0
	for h.more() {
		opt, size, ntoalign := h.getDetails(p)
		if ntoalign+size > ld-p {
			L.ArgError(2, "data string too short")
		}
		p += ntoalign
		if n >= maxResults {
			L.Errorf("stack overflow (too many results)")
		}
		n++
		switch opt {
		case kInt, kUint:
			L.PushInt(unpackInt(L, data[p:], h.little, size, opt == kInt))
		case kFloat:
			u := uint64(unpackInt(L, data[p:], h.little, size, false))
			if size == 4 {
				L.PushFloat(float64(math.Float32frombits(uint32(u))))
			} else {
				L.PushFloat(math.Float64frombits(u))
			}
		case kChar:
			L.PushString(data[p : p+size])
		case kString:
			l := uint64(unpackInt(L, data[p:], h.little, size, false))
			if l > uint64(ld-p-size) {
				L.ArgError(2, "data string too short")
			}
			L.PushString(data[p+size : p+size+int(l)])
			p += int(l)
		case kZstr:
			l := strings.IndexByte(data[p:], 0)
			if l < 0 {
				l = ld - p
			}
			L.PushString(data[p : p+l])
			p += l + 1
		case kPaddAlign, kPadding, kNop:
			n--
		}
		p += size
	}
	L.PushInt(int64(p) + 1)
	return n + 1
}
