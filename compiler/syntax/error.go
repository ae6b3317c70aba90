package syntax

// Error is a compile error, worded as lua5.3 words it. The code generator
// uses it too for its own errors (goto resolution, limits).
type Error struct {
	Chunk string // the chunk name as shown in messages: code.ChunkID(source)
	Line  int
	Msg   string // e.g. "unexpected symbol", "'=' expected"
	// Near is the offending token as luaX_token2str/txtToken quote it
	// ("'+'", "'foo'", "<eof>"), or "" when the message has no "near" part
	// (semantic errors such as "label 'x' already defined on line 1").
	Near string
}

// Error returns lua5.3's text: "chunk:line: msg near tok".
func (e *Error) Error() string {
	s := e.Chunk + ":" + itoa(e.Line) + ": " + e.Msg
	if e.Near != "" {
		s += " near " + e.Near
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
