local cases = {"123", "  -12.5e3x", "0x1p4", "0x", "abc", "- 1", "1e", "1e+", ".5", "5.", ".", "0x.8",
  "00012", "1.2.3", "\n\t 42\n", "0xAbC.dEp-2 z", "inf", "nan", "1e400", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "0x7fffffffffffffffff", "+-1", "0e", "0x1e+2",
  "12 34", "", "0x1P+4", "1E2", "--1", "0.", "0x", "00x1", "1..2", "\v\f\r5"}
local long = "1"
for i = 1, 7 do long = long .. long end -- 128
local function ones(n) local s = "" for i = 1, n do s = s .. "1" end return s end
cases[#cases + 1] = long .. ones(71)  -- 199
cases[#cases + 1] = long .. ones(72)  -- 200
cases[#cases + 1] = long .. ones(73)  -- 201
cases[#cases + 1] = "0x" .. long .. ones(70) -- 200
cases[#cases + 1] = "0x" .. long .. ones(71) -- 201
for i, c in ipairs(cases) do
  local f = io.open("n.txt", "w") f:write(c) f:close()
  f = io.open("n.txt")
  local a, b = f:read("n", "n")
  local rest = f:read("a")
  print(i, a, b, #rest, rest)
  f:close()
end
