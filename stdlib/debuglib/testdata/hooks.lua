local events = {}
local function hook(ev, line)
  events[#events + 1] = ev .. ":" .. tostring(line)
end
local function callee(x) return x end
local function f()
  local a = 1
  a = callee(a)
  return a
end
debug.sethook(hook, "crl")
f()
debug.sethook()
for _, e in ipairs(events) do print(e) end
print(debug.gethook())
events = {}
debug.sethook(hook, "l")
local x = 1
x = x + 1
debug.sethook()
for _, e in ipairs(events) do print(e) end
local n = 0
debug.sethook(function(ev, line) n = n + 1; assert(ev == "count" and line == nil) end, "", 1)
for i = 1, 10 do end
debug.sethook()
print(n > 10)
print(debug.sethook(hook, "crl", 3))
local h, m, c = debug.gethook()
print(h == hook, m, c)
debug.sethook()
print(debug.gethook())
debug.sethook(hook, "", 0)
print(debug.gethook())
debug.sethook(hook, "x", -1)
print(debug.gethook())
debug.sethook()
print(pcall(debug.sethook, 1, "c"))
print(pcall(debug.sethook, hook))
print(pcall(debug.sethook, hook, "c", "x"))
local names = {}
debug.sethook(function(ev)
  local info = debug.getinfo(2, "nS")
  names[#names + 1] = ev .. " " .. tostring(info.name) .. " " .. info.what
end, "c")
callee(1)
debug.sethook()
for _, e in ipairs(names) do print(e) end
-- hooks are per thread
local co = coroutine.create(function()
  local h2, m2, c2 = debug.gethook()
  print(h2 == hook, m2, c2)
  coroutine.yield()
  local y = 1
  return y
end)
debug.sethook(co, hook, "l")
h, m, c = debug.gethook()
print(h == hook, m, c)
h, m, c = debug.gethook(co)
print(h == hook, m, c)
events = {}
coroutine.resume(co)
coroutine.resume(co)
for _, e in ipairs(events) do print(e) end
