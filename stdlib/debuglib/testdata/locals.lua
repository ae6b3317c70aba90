local function dump(level)
  local i = 1
  while true do
    local name, value = debug.getlocal(level + 1, i)
    if not name then break end
    print(i, name, value)
    i = i + 1
  end
end
local function f(a, b, ...)
  local c = a + b
  dump(1)
  print(debug.getlocal(1, -1))
  print(debug.getlocal(1, -2))
  print(debug.getlocal(1, -3))
  print(debug.getlocal(1, 0))
  print(debug.setlocal(1, 3, 99))
  print(c)
  print(debug.setlocal(1, -1, "v"))
  print(...)
  print(debug.setlocal(1, 10, 1))
  do local inner = 5; print(debug.getlocal(1, 4)) end
  print((debug.getlocal(1, 4)))
end
f(1, 2, "x", "y")
print(debug.getlocal(f, 1), debug.getlocal(f, 2), debug.getlocal(f, 3))
print(debug.getlocal(print, 1))
print(pcall(debug.getlocal, 100, 1))
print(pcall(debug.getlocal, -1, 1))
print(pcall(debug.getlocal, 1))
print(pcall(debug.getlocal, "x", 1))
print(pcall(debug.setlocal, 100, 1, 1))
print(pcall(debug.setlocal, 1, 1))
pcall(function() print((debug.getlocal(2, 1))) end)
pcall(function() print((debug.getlocal(2, 2))) end)
local co = coroutine.create(function(x, y)
  local z = x * y
  coroutine.yield()
end)
coroutine.resume(co, 3, 4)
print(debug.getlocal(co, 1, 1))
print(debug.getlocal(co, 1, 3))
print(debug.setlocal(co, 1, 3, "zz"))
print(debug.getlocal(co, 1, 3))
print(pcall(debug.getlocal, co, 5, 1))
print(debug.getlocal(co, 0, 1))
local function noparams() local q = 1 end
print(debug.getlocal(noparams, 1))
local function va(...) return debug.getlocal(1, -1) end
print(va())
print(va(nil))
