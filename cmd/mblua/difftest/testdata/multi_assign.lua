-- Multiple assignment: all right-hand sides are evaluated before any
-- assignment, and the table/index expressions on the left too.
local a, b = 0, 1
for i = 1, 10 do a, b = b, a + b end
print(a, b)

local x, y = 1, 2
x, y = y, x
print(x, y)

local t = {10, 20, 30, 40}
local i, j = 1, 4
t[i], t[j] = t[j], t[i]
print(table.concat(t, ","))

i, t[i] = i + 1, 99
print(i, table.concat(t, ","))

-- bubble sort with swaps
local u = {5, 3, 9, 1, 7, 2}
for p = 1, #u do
  for q = 1, #u - p do
    if u[q] > u[q + 1] then u[q], u[q + 1] = u[q + 1], u[q] end
  end
end
print(table.concat(u, " "))

-- more targets than values, and the other way round
local p, q, r = 1
print(p, q, r)
p, q = 1, 2, 3
print(p, q)
local function three() return 1, 2, 3 end
p, q, r = three(), 10
print(p, q, r)
p, q, r = 0, three()
print(p, q, r)

-- an upvalue and a local swapped inside a closure in a loop
local fs = {}
for k = 1, 3 do
  local m, n = k, -k
  fs[k] = function() m, n = n, m return m, n end
end
print(fs[1](), fs[1](), fs[3]())
