-- A sample covering the grammar (seed for FuzzParse).
local a, b, c = 1, 2.5, "s\n\x41\65\u{48}\z
      continued"
local t = {1, 2; x = 3, [4] = 5, f = function(self, ...) return ... end,}
local function f(x, y, ...)
  local s = 0
  for i = 1, 10, 2 do s = s + i end
  for k, v in pairs(t) do s = s .. k end
  while s do s = nil end
  repeat local z = 1 until z == 1
  if x then return 1 elseif y then return 2 else goto done end
  ::done::
  do local q = #t ~ ~1 & 2 | 3 << 4 >> 5 // 6 % 7 ^ -8 end
  return f(x, y, ...), t:m "s", t.x[1]{}, (x), not x and y or a < b, a <= b, a > b, a >= b, a == b, a ~= b
end
function t.a.b:c(d) self.e = d; return [==[long
string]==] end
a, t[1], t.x = 0xff, 0x1p4, 1e10
break_ = 1
