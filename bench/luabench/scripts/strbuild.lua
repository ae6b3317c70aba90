-- String building: table.concat of many pieces and .. in a loop.
local total = 0
for round = 1, 40 do
  local parts = {}
  for i = 1, 20000 do
    parts[#parts + 1] = "item" .. i .. ";"
  end
  local s = table.concat(parts)
  total = total + #s
end
for round = 1, 80 do
  local s = ""
  for i = 1, 1500 do
    s = s .. (i % 10)
  end
  total = total + #s + s:byte(-1)
end
print(total)
