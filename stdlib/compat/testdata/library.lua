-- Lua 5.2/5.3 library functions.
local REF = math.type(1.0) == "float" -- true on the reference interpreter

-- pairs honours __pairs
local proxy = setmetatable({}, {__pairs = function(t)
  local i = 0
  return function() i = i + 1 if i <= 3 then return i, i * 10 end end, t, nil
end})
local sum = 0
for k, v in pairs(proxy) do sum = sum + k + v end
assert(sum == 66)
local plain = {a = 1, b = 2}
local keys = 0
for k in pairs(plain) do keys = keys + 1 end
assert(keys == 2)

-- ipairs respects __index and stops at the first nil
local backing = {10, 20, 30}
local view = setmetatable({}, {__index = function(_, i) return backing[i] end})
local got = {}
for i, v in ipairs(view) do got[#got + 1] = i .. "=" .. v end
assert(table.concat(got, " ") == "1=10 2=20 3=30")
local holes = {1, 2, nil, 4}
local count = 0
for _ in ipairs(holes) do count = count + 1 end
assert(count == 2)

-- table.pack / table.unpack / table.move
local p = table.pack(1, nil, 3)
assert(p.n == 3 and p[1] == 1 and p[2] == nil and p[3] == 3)
assert(select("#", table.unpack({1, 2, 3})) == 3)
local a, b, c = table.unpack({1, 2, 3}, 2)
assert(a == 2 and b == 3 and c == nil)
assert(select("#", table.unpack({}, 1, 3)) == 3)
assert(select("#", table.unpack({1, 2}, 3, 2)) == 0)
local m = table.move({1, 2, 3, 4, 5}, 2, 4, 1)
assert(table.concat(m, ",") == "2,3,4,4,5")
m = table.move({1, 2, 3, 4, 5}, 1, 3, 3)
assert(table.concat(m, ",") == "1,2,1,2,3")
local dst = table.move({1, 2, 3}, 1, 3, 2, {9})
assert(table.concat(dst, ",") == "9,1,2,3")
assert(#table.move({}, 1, 0, 1) == 0)

-- table.concat: large tables, numbers, errors
local big = {}
for i = 1, 200000 do big[i] = "x" end
local s = table.concat(big)
assert(#s == 200000)
assert(#table.concat(big, ",") == 399999)
assert(table.concat({1, 2.5, "z"}, "-") == "1-2.5-z")
assert(table.concat({1, 2, 3}, ",", 2, 3) == "2,3")
assert(table.concat({}, ",") == "")
local ok, err = pcall(table.concat, {1, {}, 3})
assert(not ok and err:find("invalid value (table) at index 2 in table for 'concat'", 1, true), err)

-- rawlen, rawequal
assert(rawlen({1, 2, 3}) == 3 and rawlen("abcd") == 4)
assert(rawlen(setmetatable({1}, {__len = function() return 99 end})) == 1)
assert(#setmetatable({}, {__len = function() return 99 end}) == 99)
assert(not pcall(rawlen, 5))

-- select with negative index
assert(select(-1, "a", "b", "c") == "c")
assert(select(-2, "a", "b", "c") == "b")
assert(select("#") == 0 and select("#", nil, nil) == 2)
assert(not pcall(select, -4, "a", "b", "c"))

-- load with mode and env; chunk functions; syntax errors
local f = load("return 1 + 1")
assert(f() == 2)
local env = {x = 5}
f = load("return x", "chunk", "t", env)
assert(f() == 5)
local parts = {"return ", "40 ", "+ 2"}
local idx = 0
f = load(function() idx = idx + 1 return parts[idx] end)
assert(f() == 42)
local fn, msg = load("x = = 1", "=bad")
assert(fn == nil and msg:find("^bad:1:"), msg)
assert(msg:find("unexpected symbol near '='", 1, true), msg)
fn, msg = load("return 1", "=m", "b")
assert(fn == nil and msg:find("attempt to load a text chunk", 1, true), msg)
fn, msg = load("\27Lua", "=m", "t")
assert(fn == nil and msg:find("attempt to load a binary chunk", 1, true), msg)
assert(load("return 7 // 2")() == 3)
local g = load("local a, b = ... return a & b")
assert(g(6, 3) == 2)

-- xpcall passes extra arguments
local r1, r2 = xpcall(function(p, q) return p + q end, debug.traceback, 2, 3)
assert(r1 == true and r2 == 5)
local okx, handled = xpcall(function() error("boom") end, function(e) return "handled: " .. e end)
assert(not okx and handled:find("handled: ", 1, true) and handled:find("boom", 1, true))

-- tonumber follows Lua numerals (no octal), bases
assert(tonumber("010") == 10 and tonumber("0x10") == 16 and tonumber("  12  ") == 12)
assert(tonumber("1e2") == 100 and tonumber("0x1p4") == 16 and tonumber("-0x10") == -16)
assert(tonumber("z", 36) == 35 and tonumber("ff", 16) == 255 and tonumber("-101", 2) == -5)
assert(tonumber("") == nil and tonumber("abc") == nil and tonumber("1e") == nil and tonumber("8", 8) == nil)
assert(tonumber("inf") == nil and tonumber("nan") == nil)

-- tostring of numbers
assert(tostring(10) == "10" and tostring(-3) == "-3" and tostring(0.1) == "0.1")
assert(tostring(1/3) == "0.33333333333333" and tostring(1e100) == "1e+100")
assert(tostring(1/0) == "inf" and tostring(-1/0) == "-inf")
assert(tostring(setmetatable({}, {__tostring = function() return "obj" end})) == "obj")
if REF then assert(tostring(3.0) == "3.0") else assert(tostring(3.0) == "3") end

-- require of a module written in Lua 5.3 syntax
package.path = "lib/?.lua;" .. package.path
local mod = require("compatmod")
assert(mod.half(9) == 4 and mod.mask(0x1F) == 15)

-- coroutine.running / isyieldable
local co, ismain = coroutine.running()
assert(type(co) == "thread" and ismain == true)
assert(coroutine.isyieldable() == false)
local inner = coroutine.wrap(function()
  local c, m = coroutine.running()
  return type(c), m, coroutine.isyieldable()
end)
local t1, m1, y1 = inner()
assert(t1 == "thread" and m1 == false and y1 == true)

-- os.exit argument types are checked here only for existence
assert(type(os.exit) == "function")
print("library ok")
