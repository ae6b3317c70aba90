-- Hook events around tail calls, returns and line changes, as lua5.3 reports them.
local events = {}
local function hook(ev, line)
  events[#events + 1] = ev .. ":" .. tostring(line)
end
events = {}
local function tailee() return 1 end
local function tailer() return tailee() end
debug.sethook(hook, "cr")
tailer()
debug.sethook()
for _, e in ipairs(events) do print(e) end
-- line events after returning from a call
local function g() return 1 end
events = {}
debug.sethook(hook, "l")
local a = g()
local b = g(); local c = 2
debug.sethook()
for _, e in ipairs(events) do print(e) end
-- an error in a hook
print(pcall(function()
  debug.sethook(function() error("in hook") end, "l")
  local z = 1
end))
debug.sethook()
