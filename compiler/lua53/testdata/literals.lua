-- Numerals, string escapes, long strings and comments.
local REF = math.type(1.0) == "float"

-- integers and floats
assert(10 == 10.0 and 010 == 10)
assert(0x10 == 16 and 0XfF == 255 and 0xA == 10)
assert(1e2 == 100 and 1E-2 == 0.01 and .5 == 0.5 and 5. == 5 and 3.25e1 == 32.5)
assert(0x.8 == 0.5 and 0x1p4 == 16 and 0x1P-1 == 0.5 and 0xA.8p1 == 21)
assert(0x1.8p+1 == 3.0)
assert(0xffffffffffffffff == -1) -- hex integers wrap around modulo 2^64
assert(0x7fffffff == 2147483647)
assert(9007199254740993 > 9007199254740990)
assert(math.type(10) == "integer")
assert(math.type(1e100) == "float")
if REF then
  assert(math.type(10.0) == "float" and math.type(0x1p4) == "float")
end
assert(1e400 == math.huge)

-- short strings and escapes
assert("\65\066\0671" == "ABC1")
assert("\x41\x62" == "Ab" and "\x7e" == "~")
assert("\u{48}\u{49}" == "HI")
assert("\u{20AC}" == "\xE2\x82\xAC")
assert("\u{10FFFF}" == "\xF4\x8F\xBF\xBF")
assert(not load('return "\\u{110000}"'))
assert("a\z
        b" == "ab")
assert("a\z  b" == "ab")
assert("tab\tnl\nq\"s\'bs\\" == 'tab\9nl\10q"s\39bs\92')
assert("\a\b\f\v\r" == "\7\8\12\11\13")
assert("line1\
line2" == "line1\nline2")
assert(#"\0\0\0" == 3)
assert('\'' == "'")

-- long strings and comments
local s = [[
first
second]]
assert(s == "first\nsecond")
assert([==[a]]b]=]c]==] == "a]]b]=]c")
assert([[]] == "")
--[[ a long
comment ]] assert(true)
--[==[ another
]] still comment ]==]
-- a line comment with [[ brackets
assert(#[[

x]] == 2)

-- names can follow numbers only after a space
local t = {n = 1}
assert(t.n == 1)
print("literals ok")
