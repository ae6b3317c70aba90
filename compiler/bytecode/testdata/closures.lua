-- Closures, upvalues, varargs and globals: the result must be identical
-- whether the chunk was compiled just now or loaded from bytecode.
local function counter(start)
  local n = start
  return function(step)
    n = n + (step or 1)
    return n
  end
end

local c = counter(10)
c()
c(5)

function sum(...)
  local total = 0
  for _, v in ipairs({...}) do
    total = total + v
  end
  return total, select("#", ...)
end

GLOBAL_NAME = "moonbridge"
local t, n = sum(1, 2, 3.5, -4, 1e3)
return string.format("%s %d %g %d %s", GLOBAL_NAME, c(0), t, n, tostring(0x10 + 2^10))
