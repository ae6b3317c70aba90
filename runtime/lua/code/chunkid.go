package code

import "strings"

// IDSize is LUA_IDSIZE: the size, terminating '\0' included, of the chunk
// names shown in messages.
const IDSize = 60

// ChunkID returns the chunk name shown in error messages and tracebacks
// for a chunk loaded with the given source name, as luaO_chunkid does:
// "=name" gives name (cut to 59 bytes), "@file" gives file (the front
// replaced by "..." when longer than 59 bytes), and anything else is a
// source text shown as [string "first line"], with "..." when it was cut
// at its first newline or to 45 bytes. As in C, the name ends at its first
// '\0'.
func ChunkID(source string) string {
	if i := strings.IndexByte(source, 0); i >= 0 {
		source = source[:i]
	}
	l := len(source)
	switch {
	case strings.HasPrefix(source, "="):
		if l <= IDSize {
			return source[1:]
		}
		return source[1:IDSize]
	case strings.HasPrefix(source, "@"):
		if l <= IDSize {
			return source[1:]
		}
		// "..." and the last IDSize-3-1 bytes.
		return "..." + source[l-(IDSize-4):]
	}
	const pre, rets, pos = `[string "`, "...", `"]`
	max := IDSize - len(pre) - len(rets) - len(pos) - 1 // 45
	nl := strings.IndexByte(source, '\n')
	if l < max && nl < 0 {
		return pre + source + pos
	}
	if nl >= 0 {
		l = nl
	}
	if l > max {
		l = max
	}
	return pre + source[:l] + rets + pos
}
