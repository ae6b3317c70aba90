local a, b = 1, 2
local function f()
  local c = 3
  local function g()
    local d = 4
    return function() return a, b, c, d, e end
  end
  a = c
  b = nil
  return g
end
local function rec(n) if n > 0 then return rec(n - 1) end end
local _ENV = {}
x = 1
local function h() y = 2; return _ENV end
function k() local _ENV = {z = 1}; return z end
