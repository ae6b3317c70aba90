-- Runs the cases of cases.txt through lua5.3's string library and prints
-- one line of results per case: the expectations of stringlib's tests.
-- usage: lua5.3 gen.lua cases.txt > expected.txt
local function esc(s)
  return (s:gsub("[%z\1-\31\\\127-\255]", function(c) return string.format("\\x%02x", c:byte()) end))
end
local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
local function ser1(v)
  local t = type(v)
  if t == "nil" or t == "boolean" then return tostring(v) end
  if math.type(v) == "integer" then return "i:" .. tostring(v) end
  if math.type(v) == "float" then return "f:" .. hex(string.pack("<d", v)) end
  if t == "string" then return "s:" .. esc(v) end
  return t
end
local function ser(r)
  local out = {}
  for i = 1, r.n do out[i] = ser1(r[i]) end
  return table.concat(out, " ")
end
local function gmatchall(s, p)
  local it = string.gmatch(s, p)
  local out = {}
  while #out < 100 do
    local r = table.pack(it())
    if r[1] == nil then break end
    out[#out + 1] = ser(r)
  end
  return table.concat(out, ";")
end
local env = {R = string.rep, math = math, print = print}
local fns = setmetatable({gmatchall = gmatchall}, {__index = string})
for line in io.lines(arg[1]) do
  if line ~= "" and line:sub(1, 1) ~= "#" then
    local name, args = line:match("^(%S+)%s(.*)$")
    local r = table.pack(pcall(fns[name], load("return " .. args, "=args", "t", env)()))
    if r[1] then
      print("ok " .. ser(table.pack(table.unpack(r, 2, r.n))))
    else
      local msg = tostring(r[2])
      if name == "gmatchall" then msg = msg:gsub("^[^:]*:%d+: ", "") end
      print("E:" .. esc(msg))
    end
  end
end
