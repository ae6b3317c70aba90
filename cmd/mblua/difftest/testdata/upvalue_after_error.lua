-- Upvalues stay shared and correct after errors unwind the frames that
-- created them.
local count = 0
local function bump()
  count = count + 1
  if count % 2 == 0 then error("even " .. count) end
  return count
end
for _ = 1, 5 do print(pcall(bump)) end
print("count", count)

local saved = {}
local function make(n)
  local v = n
  saved[#saved + 1] = function() v = v + 1 return v end
  saved[#saved + 1] = function() return v end
  if n == 2 then error("make " .. n) end
  return v
end
for n = 1, 3 do print(pcall(make, n)) end
print(saved[3](), saved[3](), saved[4](), saved[1](), saved[2]())

-- closures created in a loop that is left by an error
local fs = {}
print(pcall(function()
  for i = 1, 10 do
    local sq = i * i
    fs[i] = function() sq = sq + 1 return i, sq end
    if i == 4 then error("stop at " .. i, 0) end
  end
end))
print(#fs, fs[1](), fs[4](), fs[4]())

-- an upvalue captured by a coroutine that dies with an error
local shared = 0
local co = coroutine.create(function()
  shared = shared + 10
  coroutine.yield(shared)
  shared = shared + 10
  error("co died")
end)
print(coroutine.resume(co))
print(coroutine.resume(co))
print(shared, coroutine.status(co))
