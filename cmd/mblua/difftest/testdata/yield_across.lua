-- Yields across pcall, metamethods and iterators (all allowed in 5.3),
-- and the C-call boundaries where they are not.
local co = coroutine.create(function(a)
  print("start", a)
  local ok, v = pcall(function()
    local x = coroutine.yield("inside pcall")
    if x > 5 then error("too big: " .. x) end
    return x * 2
  end)
  print("pcall returned", ok, v)
  local ok2, e = pcall(function()
    local y = coroutine.yield("second")
    error({code = y})
  end)
  print("table error", ok2, type(e), e.code)
  local mt = {
    __add = function(l, r) return coroutine.yield("add") end,
    __index = function(t, k) return coroutine.yield("index " .. k) end,
    __lt = function(l, r) return coroutine.yield("lt") end,
    __concat = function(l, r) return coroutine.yield("concat") end,
    __eq = function(l, r) return coroutine.yield("eq") end,
  }
  local o, o2 = setmetatable({}, mt), setmetatable({}, mt)
  print("add", o + 1)
  print("index", o.name)
  print("lt", o < o2)
  print("concat", o .. "s")
  print("eq", o == o2)
  for i, v in function(_, i) if i < 3 then return i + 1, coroutine.yield("iter " .. i) end end, nil, 0 do
    print("iter body", i, v)
  end
  return "finished"
end)
local inputs = {1, 7, 42, "name-value", true, "cat", false, "v1", "v2", "v3"}
print(coroutine.resume(co, "arg"))
for _, v in ipairs(inputs) do
  print(coroutine.resume(co, v))
end
print(coroutine.status(co), coroutine.resume(co))

-- (A yield inside a table.sort comparator is refused by lua5.3 with
-- "attempt to yield across a C-call boundary"; our engine allows it on
-- purpose, so it is not compared here.)
-- yield from the main thread
print(pcall(coroutine.yield, 1))
-- error inside a wrapped coroutine
local w = coroutine.wrap(function() error("wrapped failure") end)
print(pcall(w))
print(pcall(w))
