-- String operations: find (plain and pattern), sub and byte.
local words = {}
for i = 1, 200 do words[i] = "word" .. i * 7 end
local text = table.concat(words, " ")
local found, bytes, subs = 0, 0, 0
for round = 1, 1600 do
  local pos = 1
  while true do
    local s, e = text:find("word%d+5", pos)
    if not s then break end
    found = found + 1
    subs = subs + #text:sub(s, e)
    pos = e + 1
  end
  local p = 1
  while true do
    local s = text:find(" ", p, true)
    if not s then break end
    found = found + 1
    p = s + 1
  end
  for i = 1, #text, 3 do
    bytes = bytes + text:byte(i)
  end
  for i = 1, 400 do
    local a = (i * 13) % #text + 1
    subs = subs + #text:sub(a, a + 10) + (text:sub(a, a) == "w" and 1 or 0)
  end
end
print(found, bytes, subs)
