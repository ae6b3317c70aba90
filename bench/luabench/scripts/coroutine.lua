-- Coroutine ping-pong: a producer and a consumer passing values through
-- resume/yield, about 1,600,000 switches.
local producer = coroutine.create(function()
  local v = 0
  while true do
    v = v + 1
    local reply = coroutine.yield(v)
    v = v + reply % 7
  end
end)
local sum = 0
local reply = 0
for i = 1, 400000 do
  local ok, v = coroutine.resume(producer, reply)
  reply = v * 3
  sum = (sum + v) % 1000000007
end
local gen = coroutine.wrap(function()
  for i = 1, 400000 do coroutine.yield(i) end
end)
local s2 = 0
for i = 1, 400000 do s2 = s2 + gen() end
print(sum, s2)
