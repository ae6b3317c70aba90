-- string.format, string.rep and utf8.
local REF = math.type(1.0) == "float"

assert(string.format("%d", 3.0) == "3")
assert(string.format("%5d|%-5d|%05d|%+d", 42, 42, 42, 42) == "   42|42   |00042|+42")
assert(string.format("%x %X %o", 255, 255, 8) == "ff FF 10")
assert(string.format("%x", -1) == "ffffffffffffffff")
assert(string.format("%i", "10") == "10")
assert(string.format("%c%c%c", 76, 117, 97) == "Lua")
assert(string.format("%.3f %e %g %g %g", 1/3, 12345.678, 1e20, 0.1, 100000) ==
  "0.333 1.234568e+04 1e+20 0.1 100000")
assert(string.format("%5.1f|%-8.2e|%G", 3.14159, 0.5, 1e-10) == "  3.1|5.00e-01|1E-10")
assert(string.format("%f %f", 1/0, -1/0) == "inf -inf")
assert(string.format("%a", 1) == "0x1p+0" and string.format("%a", 0.5) == "0x1p-1")
assert(string.format("%5s|%-5s|%.2s", "ab", "ab", "abc") == "   ab|ab   |ab")
assert(string.format("%s %s %s", nil, true, 12) == "nil true 12")
assert(string.format("%s", setmetatable({}, {__tostring = function() return "T" end})) == "T")
assert(string.format("%%") == "%")
local ok, err = pcall(string.format, "%d", 3.5)
assert(not ok and err:find("number has no integer representation", 1, true), err)
ok, err = pcall(string.format, "%d")
assert(not ok and err:find("no value", 1, true), err)
ok, err = pcall(string.format, "%d", "x")
assert(not ok and err:find("number expected, got string", 1, true), err)
ok, err = pcall(string.format, "%y", 1)
assert(not ok and err:find("invalid option '%y' to 'format'", 1, true), err)

-- %q, 5.3 style
assert(string.format("%q", 'he said "hi"\n') == '"he said \\"hi\\"\\\n"')
assert(string.format("%q", "a\0b\r\t\1272") == '"a\\0b\\13\\9\\1272"')
assert(string.format("%q", "\0001") == '"\\0001"')
assert(string.format("%q", 1) == "1" and string.format("%q", 0.5) == "0x1p-1")
assert(string.format("%q", 1/0) == "inf" and string.format("%q", -1/0) == "-inf")
assert(load("return " .. string.format("%q", "round\0trip\n\"\\\200"))() == "round\0trip\n\"\\\200")
assert(not pcall(string.format, "%q", {}))

-- string.rep with separator
assert(string.rep("ab", 3) == "ababab")
assert(string.rep("ab", 3, ",") == "ab,ab,ab")
assert(string.rep("x", 0) == "" and string.rep("x", -1) == "" and string.rep("x", 1, ",") == "x")

-- utf8
assert(utf8.char(72, 228, 8364, 128512) == "H\u{E4}\u{20AC}\u{1F600}")
assert(utf8.char() == "")
local s = "h\u{E4}\u{20AC}\u{1F600}!"
assert(utf8.len(s) == 5 and #s == 11)
assert(utf8.len(s, 4) == 3 and utf8.len(s, -1) == 1 and utf8.len(s, 3) == nil)
local n, pos = utf8.len("ab\xFFcd")
assert(n == nil and pos == 3)
assert(select("#", utf8.codepoint(s, 1, -1)) == 5)
local c1, c2 = utf8.codepoint(s, 1, 2)
assert(c1 == 104 and c2 == 228)
assert(utf8.offset(s, 3) == 4 and utf8.offset(s, -1) == 11 and utf8.offset(s, 6) == 12)
assert(utf8.offset(s, 7) == nil and utf8.offset(s, 0, 3) == 2)
local cps = {}
for p, c in utf8.codes(s) do cps[#cps + 1] = p .. ":" .. c end
assert(table.concat(cps, " ") == "1:104 2:228 4:8364 7:128512 11:33")
assert(("x\u{E4}y"):match(utf8.charpattern, 2) == "\u{E4}")
local chars = 0
for _ in s:gmatch(utf8.charpattern) do chars = chars + 1 end
assert(chars == 5)
assert(not pcall(utf8.codepoint, "\xFF"))
assert(not pcall(utf8.char, -1))
ok, err = pcall(function() for _ in utf8.codes("a\xFF") do end end)
assert(not ok and err:find("invalid UTF-8 code", 1, true), err)
print("strings ok")
