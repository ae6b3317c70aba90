-- Runs a calltest cases file under lua5.3: lua5.3 driver.lua prelude.lua cases
dofile(arg[1])
local function quote(s)
  return '"' .. s:gsub(".", function(c)
    local b = c:byte()
    if b >= 32 and b <= 126 and c ~= '"' and c ~= "\\" then return c end
    return string.format("\\%03d", b)
  end) .. '"'
end
local function keyless(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
local show
show = function(v, seen)
  local t = type(v)
  if t == "string" then return quote(v) end
  if t == "table" then
    seen = seen or {}
    if seen[v] then return "<cycle>" end
    seen[v] = true
    local keys = {}
    for k in next, v do keys[#keys + 1] = k end
    table.sort(keys, keyless)
    local parts = {}
    for i, k in ipairs(keys) do parts[i] = show(k, seen) .. "=" .. show(rawget(v, k), seen) end
    seen[v] = nil
    return "{" .. table.concat(parts, ",") .. "}"
  end
  if t == "nil" or t == "boolean" or t == "number" then return tostring(v) end
  return t
end
for line in io.lines(arg[2]) do
  line = line:match("^%s*(.-)%s*$")
  if line ~= "" and not line:find("^%-%-") then
    local fname, args = line:match("^([%w_.]+)%((.*)%)$")
    local chunk = assert(load("return " .. fname .. ", table.pack(" .. args .. ")", "=case"))
    LOG = {}
    local f, a = chunk()
    local r = table.pack(pcall(f, table.unpack(a, 1, a.n)))
    local parts = {}
    for i = 1, r.n do parts[i] = i == 1 and tostring(r[i]) or show(r[i]) end
    local out = line .. " --> " .. table.concat(parts, ", ") .. " | " .. show(a[1])
    if #LOG > 0 then out = out .. " log: " .. table.concat(LOG, " ") end
    print(out)
  end
end
