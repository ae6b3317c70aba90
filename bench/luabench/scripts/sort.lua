-- table.insert and table.sort of pseudo-random data (an LCG), with and
-- without a comparator.
local seed = 12345
local function rand()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end
local check = 0
for round = 1, 4 do
  local t = {}
  for i = 1, 50000 do table.insert(t, rand() % 100000) end
  table.sort(t)
  local u = {}
  for i = 1, 50000 do table.insert(u, rand() % 100000) end
  table.sort(u, function(a, b) return a > b end)
  check = (check + t[1] + t[#t] + t[25000] + u[1] + u[#u] + u[25000]) % 1000000007
end
print(check)
