-- Error messages name the variable involved: local, global, upvalue,
-- field, method, constant.
local up
local t = {}
local cases = {
  function() local x; return x + 1 end,
  function() return undefinedglobal + 1 end,
  function() return up.field end,
  function() return t.a.b end,
  function() return t:nomethod() end,
  function() return ("abc") + 1 end,
  function() local s = "abc" return -s end,
  function() return #up end,
  function() return t < t end,
  function() return 1 < "x" end,
  function() return {} .. "" end,
  function() undefinedfunction() end,
  function() t.f() end,
  function() return math.floor({}) end,
  function() return ("x"):rep(1, 2, 3) .. nil end,
  function() return string.sub() end,
  function() return setmetatable({}, {__index = function(_, k) error("no field " .. k, 2) end}).zz end,
  function() error() end,
  function() error(setmetatable({}, {__tostring = function() return "custom" end})) end,
}
for i, f in ipairs(cases) do
  local ok, e = pcall(f)
  if type(e) == "table" then e = "table error: " .. tostring(e) end
  print(i, ok, e)
end
