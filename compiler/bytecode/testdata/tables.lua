-- Tables, methods, metatables, string library, loops and pcall with
-- line numbers in error messages.
local Point = {}
Point.__index = Point

function Point.new(x, y)
  return setmetatable({x = x, y = y}, Point)
end

function Point:len2()
  return self.x * self.x + self.y * self.y
end

local pts = {}
for i = 1, 5 do
  pts[#pts + 1] = Point.new(i, -i)
end

local acc = {}
for i, p in ipairs(pts) do
  acc[i] = p:len2()
end

local words = {}
for w in ("alpha beta gamma"):gmatch("%a+") do
  words[#words + 1] = w:upper()
end

local ok, err = pcall(function()
  local x = nil
  return x.field
end)

local i = 0
repeat
  i = i + 1
until i >= 3 or false

local s = ""
while true do
  s = s .. "x"
  if #s == 4 then break end
end

return table.concat(acc, ",") .. " " .. table.concat(words, "-") .. " " .. tostring(ok) .. " " .. tostring(err):match(":(%d+):") .. " " .. i .. " " .. s .. " " .. tostring(nil == false) .. tostring(not nil)
