local s = 0
for i = 1, 10 do s = s + i end
for i = 10, 1, -1 do s = s + i end
for i = 1.0, 2.5, 0.5 do s = s + i end
for i = s, s * 2 do local x = i; s = x end
for k, v in pairs(t) do s = s + v end
for k in next, t do end
for a, b, c, d in f() do end
for k, v in pairs(t) do local function g() return k, v end end
for i = 1, 3 do local function g() return i end end
while s > 0 do local x = s; local function g() return x end; s = s - 1 end
repeat local x = s; local function g() return x end; s = s - 1 until x == 0
repeat local x = s; local function g() return x end; if x then break end; s = s - 1 until x == 0
for i = 1, 3 do for j = 1, 3 do if i == j then break end end end
while true do break end
repeat break until true
for i = 1, 2 do
  local a
  if i then goto continue end
  a = 1
  ::continue::
end
do local x; local function g() return x end end
do local x end
