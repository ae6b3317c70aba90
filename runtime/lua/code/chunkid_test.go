package code

import "testing"

// chunkIDCases were generated with lua5.3: the position prefix of
// error('m', 1) in a chunk loaded under each name.
var chunkIDCases = []struct{ source, want string }{
	{"=stdin", "stdin"},
	{"=", ""},
	{"@", ""},
	{"@x.lua", "x.lua"},
	{"", "[string \x22\x22]"},
	{"x", "[string \x22x\x22]"},
	{"a = =", "[string \x22a = =\x22]"},
	{"line1\x0aline2", "[string \x22line1...\x22]"},
	{"\x0afoo", "[string \x22...\x22]"},
	{"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"},
	{"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"},
	{"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"},
	{"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"},
	{"@ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffZ", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffZ"},
	{"@fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffZ", "...fffffffffffffffffffffffffffffffffffffffffffffffffffffffZ"},
	{"@ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffZ", "...fffffffffffffffffffffffffffffffffffffffffffffffffffffffZ"},
	{"@/abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij.lua", "...ijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij.lua"},
	{"sssssssssssssssssssssssssssssssssssssssssss", "[string \x22sssssssssssssssssssssssssssssssssssssssssss\x22]"},
	{"ssssssssssssssssssssssssssssssssssssssssssss", "[string \x22ssssssssssssssssssssssssssssssssssssssssssss\x22]"},
	{"sssssssssssssssssssssssssssssssssssssssssssss", "[string \x22sssssssssssssssssssssssssssssssssssssssssssss...\x22]"},
	{"ssssssssssssssssssssssssssssssssssssssssssssss", "[string \x22sssssssssssssssssssssssssssssssssssssssssssss...\x22]"},
	{"ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss", "[string \x22sssssssssssssssssssssssssssssssssssssssssssss...\x22]"},
	{"ssssssssssssssssssssssssssssssssssssssssssss\x0a", "[string \x22ssssssssssssssssssssssssssssssssssssssssssss...\x22]"},
	{"sssssssssssssssssssssssssssssssssssssssssssss\x0ax", "[string \x22sssssssssssssssssssssssssssssssssssssssssssss...\x22]"},
	{"ssssssssssssssssssssssssssssssssssssssssssssssssss\x0ax", "[string \x22sssssssssssssssssssssssssssssssssssssssssssss...\x22]"},
	{"a\x0db", "[string \x22a\x0db\x22]"},
	{"x\x00y", "[string \x22x\x22]"},
	{"=a\x00b", "a"},
	{"@a\x00b", "a"},
}

func TestChunkID(t *testing.T) {
	for _, c := range chunkIDCases {
		if got := ChunkID(c.source); got != c.want {
			t.Errorf("ChunkID(%q) = %q, want %q", c.source, got, c.want)
		}
	}
}
