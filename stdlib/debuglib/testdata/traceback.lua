local function lvl3() return debug.traceback("msg") end
local function lvl2() return lvl3() .. "" end
function lvl1() local s = lvl2(); return s end
print(lvl1())
print(debug.traceback())
print(debug.traceback("m", 2))
print(debug.traceback("m", 0))
print(debug.traceback("m", 50))
print(debug.traceback("m", -1))
print(debug.traceback(""))
print(debug.traceback(nil, 1))
print(debug.traceback(42))
print(debug.traceback(true))
print(type(debug.traceback({})))
print(select('#', debug.traceback(nil)))
print(xpcall(function() error("boom") end, debug.traceback))
print(xpcall(function() local x = nil; return x.y end, debug.traceback))
local t = {}
function t.method() error("in method") end
print(xpcall(function() t.method() end, debug.traceback))
local function rec(n) if n == 0 then return debug.traceback("deep") end return (rec(n - 1)) end
print(rec(30))
local co = coroutine.create(function()
  local function inner() coroutine.yield() end
  inner()
end)
coroutine.resume(co)
print(debug.traceback(co))
print(debug.traceback(co, "comsg"))
print(debug.traceback(co, "comsg", 1))
print(debug.traceback(co, nil, 2))
local dead = coroutine.create(function() end)
coroutine.resume(dead)
print(debug.traceback(dead, "dead"))
print(debug.traceback(coroutine.create(print), "fresh"))
print(pcall(debug.traceback, "x", "y"))
local function tc() return debug.traceback("tail") end
local function tc2() return tc() end
print(tc2())
