local function show(t)
  local keys = {"source", "short_src", "linedefined", "lastlinedefined", "what",
    "currentline", "nups", "nparams", "isvararg", "name", "namewhat", "istailcall"}
  for _, k in ipairs(keys) do
    if t[k] ~= nil then print(k, t[k]) end
  end
end
local function f(a, b, ...)
  show(debug.getinfo(1))
  show(debug.getinfo(2, "nSl"))
  return 1
end
f()
show(debug.getinfo(print))
show(debug.getinfo(f, "Su"))
show(debug.getinfo(1, "t"))
print(debug.getinfo(100))
print(debug.getinfo(-1))
print(pcall(debug.getinfo, f, ">S"))
print(pcall(debug.getinfo, 1, "X"))
print(pcall(debug.getinfo))
print(pcall(debug.getinfo, {}))
print(pcall(debug.getinfo, 1, {}))
local t = {}
t.g = function() return debug.getinfo(1, "n") end
show(t.g())
local o = {}
function o:m() return debug.getinfo(1, "n") end
show(o:m())
function globalfn() return debug.getinfo(1, "n") end
show(globalfn())
local function tail() return debug.getinfo(1, "nt") end
local function caller() return tail() end
show(caller())
print(debug.getinfo(f, "f").func == f)
print(debug.getinfo(1, "f").func ~= nil)
local lines = debug.getinfo(f, "L").activelines
local n = 0
for l in pairs(lines) do n = n + 1 end
for i = 1, 20 do if lines[i] then print("active", i) end end
print(n)
print(debug.getinfo(print, "L").activelines)
print(debug.getinfo(1, "").currentline)
local co = coroutine.create(function(x)
  local y = x
  coroutine.yield(y)
end)
coroutine.resume(co, 10)
show(debug.getinfo(co, 0, "Sln"))
show(debug.getinfo(co, 1, "Sln"))
print(debug.getinfo(co, 2))
