print(pcall(function() return math.fmod(1, 0) end))
print(pcall(function() return math.random(2, 1) end))
print(pcall(function() return math.random(1, 2, 3) end))
print(pcall(function() return math.max() end))
print(pcall(function() return math.floor("x") end))
print(pcall(function() local m = math; return m.tointeger() end))
print(math.floor(3.7), math.ceil(3.2), math.floor(-0.0), math.modf(3.7))
print(math.maxinteger + 0.0 == 2^63, math.mininteger, math.huge, -math.huge, math.pi)
print(math.abs(math.mininteger), math.fmod(-6, 4), math.fmod(-6.0, 4))
print(math.type(1), math.type(1.0), math.type("1"), math.ult(1, -1))
-- the sequences of glibc's random()
print(math.random(), math.random(10), math.random(5, 8))
for _, seed in ipairs({0, 1, 2, 42, 1234567, -7, 2^31, 2^32 + 5}) do
  math.randomseed(seed)
  local s = ""
  for i = 1, 8 do s = s .. " " .. math.random(1, 1000) end
  print(seed, s, math.random())
end
math.randomseed(99)
local counts = {0, 0, 0, 0, 0, 0}
for i = 1, 6000 do local r = math.random(6); counts[r] = counts[r] + 1 end
print(counts[1], counts[2], counts[3], counts[4], counts[5], counts[6])
print(math.sqrt(2), math.exp(1), math.log(10), math.log(8, 2), math.log(100, 10), math.log(9, 3))
print(math.sin(1), math.cos(1), math.tan(1), math.asin(0.5), math.acos(0.5), math.atan(1, 2))
print(math.pow(2, 0.5), math.ldexp(0.5, 4), math.frexp(12), math.cosh(1), math.sinh(1), math.tanh(1), math.log10(2))
