-- Tables with string keys: field access and hash lookups.
local keys = {}
for i = 1, 1000 do keys[i] = "key" .. i end
local t = {}
local total = 0
for round = 1, 800 do
  for i = 1, #keys do
    local k = keys[i]
    t[k] = (t[k] or 0) + i
  end
  for i = 1, #keys, 2 do
    total = total + t[keys[i]]
  end
end
local rec = {alpha = 1, beta = 2, gamma = 3, delta = 4}
for i = 1, 1500000 do
  rec.alpha = rec.beta + rec.gamma
  rec.delta = rec.alpha - rec.delta + i % 5
  rec.beta = rec.delta % 1000
end
print(total, rec.alpha, rec.beta, rec.gamma, rec.delta)
