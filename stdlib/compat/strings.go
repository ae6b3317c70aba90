package compat

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

func openString(L *lua.LState) {
	s := libTable(L, "string")
	s.RawSetString("format", L.NewFunction(strFormat))
	s.RawSetString("rep", L.NewFunction(strRep))
}

const maxStringSize = 1 << 31

func strRep(L *lua.LState) int {
	str := L.CheckString(1)
	n := checkInteger(L, 2)
	sep := L.OptString(3, "")
	if n <= 0 {
		L.Push(lua.LString(""))
		return 1
	}
	total := int64(len(str))*n + int64(len(sep))*(n-1)
	if total >= maxStringSize || total < 0 {
		L.RaiseError("resulting string too large")
	}
	var sb strings.Builder
	sb.Grow(int(total))
	for i := int64(0); i < n; i++ {
		if i > 0 {
			sb.WriteString(sep)
		}
		sb.WriteString(str)
	}
	L.Push(lua.LString(sb.String()))
	return 1
}

// strFormat is string.format with Lua 5.3 semantics: integer conversions
// accept integral floats, %q quotes strings 5.3 style and writes numbers
// as literals, %a writes hexadecimal floats.
func strFormat(L *lua.LState) int {
	f := L.CheckString(1)
	arg := 1
	var out strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			L.RaiseError("invalid conversion '%%' to 'format'")
		}
		if f[i] == '%' {
			out.WriteByte('%')
			continue
		}
		start := i
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		if i-start > 5 {
			L.RaiseError("invalid format (repeated flags)")
		}
		flags := f[start:i]
		wstart := i
		for i < len(f) && isDigitByte(f[i]) {
			i++
		}
		if i-wstart > 2 {
			L.RaiseError("invalid format (width or precision too long)")
		}
		width := f[wstart:i]
		prec := ""
		hasPrec := false
		if i < len(f) && f[i] == '.' {
			hasPrec = true
			i++
			pstart := i
			for i < len(f) && isDigitByte(f[i]) {
				i++
			}
			if i-pstart > 2 {
				L.RaiseError("invalid format (width or precision too long)")
			}
			prec = f[pstart:i]
		}
		if i >= len(f) {
			L.RaiseError("invalid conversion '%%%s' to 'format'", f[start:])
		}
		conv := f[i]
		arg++
		if conv != '%' && arg > L.GetTop() {
			L.ArgError(arg, "no value")
		}
		spec := "%" + flags + width
		if hasPrec {
			spec += "." + prec
		}
		switch conv {
		case 'c':
			out.WriteString(pad(string([]byte{byte(checkInteger(L, arg))}), flags, width))
		case 'd', 'i':
			n := checkInteger(L, arg)
			out.WriteString(fmt.Sprintf(spec+"d", n))
		case 'u':
			n := checkInteger(L, arg)
			out.WriteString(fmt.Sprintf(spec+"d", uint64(n)))
		case 'o', 'x', 'X':
			n := checkInteger(L, arg)
			out.WriteString(fmt.Sprintf(spec+string(conv), uint64(n)))
		case 'e', 'E', 'f', 'F', 'g', 'G':
			x := checkNumber(L, arg)
			if math.IsInf(x, 0) || math.IsNaN(x) {
				out.WriteString(pad(nonFinite(x, flags, conv), strings.ReplaceAll(flags, "0", ""), width))
				break
			}
			if !hasPrec {
				spec += ".6"
			}
			out.WriteString(fmt.Sprintf(spec+string(conv), x))
		case 'a', 'A':
			x := checkNumber(L, arg)
			s := hexFloat(x, hasPrec, prec)
			if conv == 'A' {
				s = strings.ToUpper(s)
			}
			if strings.Contains(flags, "+") && x >= 0 {
				s = "+" + s
			}
			out.WriteString(pad(s, flags, width))
		case 's':
			s := toString(L, L.Get(arg))
			if hasPrec {
				p, _ := strconv.Atoi(prec)
				if p < len(s) {
					s = s[:p]
				}
			}
			out.WriteString(pad(s, flags, width))
		case 'q':
			if flags != "" || width != "" || hasPrec {
				L.RaiseError("specifier '%%q' cannot have modifiers")
			}
			out.WriteString(quoteLiteral(L, arg))
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
	}
	L.Push(lua.LString(out.String()))
	return 1
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func checkNumber(L *lua.LState, n int) float64 {
	v := L.Get(n)
	f, ok := toNumber(v)
	if !ok {
		L.ArgError(n, fmt.Sprintf("number expected, got %s", typeName(L, v)))
	}
	return f
}

// pad applies a width (counted in bytes, as C does) to s.
func pad(s, flags, width string) string {
	w, _ := strconv.Atoi(width)
	if len(s) >= w {
		return s
	}
	fill := strings.Repeat(" ", w-len(s))
	if strings.Contains(flags, "-") {
		return s + fill
	}
	if strings.Contains(flags, "0") && !strings.Contains(flags, "-") {
		return strings.Repeat("0", w-len(s)) + s
	}
	return fill + s
}

func nonFinite(x float64, flags string, conv byte) string {
	var s string
	switch {
	case math.IsNaN(x):
		s = "nan"
	case x > 0:
		s = "inf"
		if strings.Contains(flags, "+") {
			s = "+inf"
		} else if strings.Contains(flags, " ") {
			s = " inf"
		}
	default:
		s = "-inf"
	}
	if conv >= 'A' && conv <= 'Z' {
		s = strings.ToUpper(s)
	}
	return s
}

// hexFloat formats x like C's "%a".
func hexFloat(x float64, hasPrec bool, prec string) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nonFinite(x, "", 'a')
	}
	spec := "%x"
	if hasPrec {
		spec = "%." + prec + "x"
	}
	s := fmt.Sprintf(spec, x)
	// Go writes the exponent with at least two digits ("p+01"); C does not.
	if i := strings.LastIndexByte(s, 'p'); i >= 0 && i+2 < len(s) {
		exp := strings.TrimLeft(s[i+2:], "0")
		if exp == "" {
			exp = "0"
		}
		s = s[:i+2] + exp
	}
	return s
}

// quoteLiteral implements "%q": strings are quoted so Lua reads them back,
// numbers are written as numerals, nil and booleans as keywords.
func quoteLiteral(L *lua.LState, n int) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return quoteString(string(v))
	case lua.LNumber:
		x := float64(v)
		switch {
		case math.IsInf(x, 0) || math.IsNaN(x):
			return numberString(x) // what C's "%a" writes, as Lua 5.3 does
		case isIntegral(x):
			i := int64(x)
			if i == math.MinInt64 {
				return "0x8000000000000000"
			}
			return strconv.FormatInt(i, 10)
		default:
			return hexFloat(x, false, "")
		}
	case *lua.LNilType, lua.LBool:
		return v.String()
	default:
		L.ArgError(n, "value has no literal form")
	}
	return ""
}

func quoteString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\n':
			sb.WriteString("\\\n")
		case c == 0:
			if i+1 < len(s) && isDigitByte(s[i+1]) {
				sb.WriteString("\\000")
			} else {
				sb.WriteString("\\0")
			}
		case c < 32 || c == 127:
			if i+1 < len(s) && isDigitByte(s[i+1]) {
				fmt.Fprintf(&sb, "\\%03d", c)
			} else {
				fmt.Fprintf(&sb, "\\%d", c)
			}
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
