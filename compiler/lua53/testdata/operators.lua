-- Lua 5.3 operators: floor division, bitwise operators, precedence.
local REF = math.type(1.0) == "float" -- true on the reference interpreter

assert(7 // 2 == 3)
assert(-7 // 2 == -4)
assert(7 // -2 == -4)
assert(7.5 // 2 == 3.0)
assert(-7.5 // 2 == -4.0)
local a, b = 7, 2
assert(a // b == 3 and -a // b == -4 and a // -b == -4)
if REF then assert(1 // 0.0 == math.huge and -1 // 0.0 == -math.huge) end -- 0.0 is an integer here
local ok, err = pcall(function() return a // 0 end)
assert(not ok and err:find("attempt to divide by zero", 1, true), err)
assert("10" // "3" == 3)

-- bitwise
assert(5 & 3 == 1 and 5 | 3 == 7 and 5 ~ 3 == 6)
assert(~0 == -1 and ~5 == -6)
assert(1 << 4 == 16 and 256 >> 4 == 16)
assert(1 << 63 == math.mininteger or not REF)
assert(1 << 64 == 0 and 1 << -1 == 0 and 2 >> -1 == 4)
assert(-1 >> 63 == 1)
assert(0xFF & 0x0F == 15)
local x, y = 0xF0, 0x3C
assert(x & y == 0x30 and x | y == 0xFC and x ~ y == 0xCC and ~x == -241)
assert(x << 2 == 0x3C0 and x >> 2 == 0x3C)
assert(3.0 | 0 == 3)
assert("3" | 0 == 3)

-- precedence: shift < concat < additive; & binds tighter than ~ tighter than |
assert(1 | 2 ~ 3 & 4 == (1 | (2 ~ (3 & 4))))
assert(1 << 2 + 1 == 8)
assert(2 ^ 3 ^ 2 == 512)
assert(-2 ^ 2 == -4)
assert(not nil == true)
assert(1 .. 2 == "12")
assert("a" .. "b" .. "c" == "abc")
assert(1 < 2 == true)
assert(5 // 2 * 2 + 5 % 2 == 5)
assert(~~5 == 5)
assert(- -3 == 3)
assert(#"abc" + 1 == 4)
assert(7 // 2 // 2 == 1)

-- errors
ok, err = pcall(function() return 1.5 | 0 end)
assert(not ok and err:find("number has no integer representation", 1, true), err)
ok, err = pcall(function() local t = {} return t & 1 end)
assert(not ok and err:find("attempt to perform bitwise operation on a table value", 1, true), err)
ok, err = pcall(function() return "a" | 1 end)
assert(not ok and err:find("bitwise operation on a string value", 1, true), err)
ok, err = pcall(function() local n return n // 1 end)
assert(not ok and err:find("attempt to perform arithmetic on a nil value", 1, true), err)
ok, err = pcall(function() return 2^64 | 0 end)
assert(not ok and err:find("no integer representation", 1, true), err)

-- metamethods
local mt = {
  __idiv = function(p, q) return "idiv" end,
  __band = function(p, q) return "band" end,
  __bor = function(p, q) return "bor" end,
  __bxor = function(p, q) return "bxor" end,
  __shl = function(p, q) return "shl" end,
  __shr = function(p, q) return "shr" end,
  __bnot = function(p) return "bnot" end,
}
local v = setmetatable({}, mt)
assert(v // 1 == "idiv" and 1 // v == "idiv")
assert(v & 1 == "band" and 1 | v == "bor" and v ~ 2 == "bxor")
assert(v << 1 == "shl" and 1 >> v == "shr" and ~v == "bnot")
assert(1.5 & v == "band")

-- operators inside nested functions and as the last call argument
local function f(...) return select("#", ...) end
assert(f(1 // 1) == 1)
local function g(p, q) return p // q end
assert(g(9, 4) == 2)
local t = {3 & 1, 6 | 1}
assert(#t == 2 and t[1] == 1 and t[2] == 7)
print("operators ok")
