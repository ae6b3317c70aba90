-- math additions of Lua 5.3.
local REF = math.type(1.0) == "float"

assert(math.type(1) == "integer" and math.type(0.5) == "float" and math.type("1") == nil)
assert(math.type(nil) == nil and not pcall(math.type))
assert(math.tointeger(3) == 3 and math.tointeger(3.5) == nil and math.tointeger("x") == nil)
assert(math.tointeger(2^31) == 2147483648)
assert(math.type(math.maxinteger) == "integer" and math.type(math.mininteger) == "integer")
assert(math.maxinteger > 2^52 and math.mininteger < -2^52)
assert(math.mininteger < 0 and math.maxinteger > 0)
assert(math.maxinteger - 1 < math.maxinteger)
assert(math.maxinteger // 2 > 0)
if REF then
  assert(math.maxinteger == 9223372036854775807 and math.mininteger == -9223372036854775808)
else
  assert(math.maxinteger == 2^53 - 1 and math.mininteger == -2^53) -- see COMPAT.md
end
assert(math.ult(1, 2) and not math.ult(2, 1) and math.ult(1, -1) and not math.ult(-1, 1))
assert(math.huge == 1/0 and -math.huge == -1/0)
assert(math.log(8, 2) == 3 and math.log(100, 10) == 2 and math.abs(math.log(27, 3) - 3) < 1e-12)
assert(math.abs(math.atan(1, 1) - math.pi / 4) < 1e-15 and math.abs(math.atan(1) - math.pi / 4) < 1e-15)
assert(math.fmod(7, 3) == 1 and math.fmod(-7, 3) == -1)
assert(not pcall(math.fmod, 1, 0))
assert(math.floor(3.7) == 3 and math.ceil(3.2) == 4 and math.type(math.floor(3.7)) == "integer")
assert(7 % 3 == 1 and -7 % 3 == 2 and 7 % -3 == -2 and 5.5 % 2 == 1.5)
assert(3 / 2 == 1.5 and 4 / 2 == 2)

-- deep recursion works with the recommended state options
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
assert(depth(10000) == 10000)
local many = {}
for i = 1, 5000 do many[i] = i end
assert(select("#", table.unpack(many)) == 5000)
print("math ok")
