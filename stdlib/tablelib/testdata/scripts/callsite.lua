-- Error messages name functions as the call site does, with positions.
print(pcall(function() table.insert({}, 5, 1) end))
print(pcall(function() local t = table; t.insert({}, 1, 2, 3) end))
print(pcall(function() table.concat({1, {}, 3}) end))
print(pcall(function() local concat = table.concat; concat({}, 1, 2, 3) end))
print(pcall(function() table.sort({3, 2, 1}, function(a, b) return true end) end))
print(pcall(function() table.unpack({}, 1, 1e7) end))
print(pcall(function() table.move({}, 1, math and 2 or 2, 3, 4) end))
print(pcall(table.remove, {}, 5))
-- comparators see lua5.3's calls in lua5.3's order
local t = {5, 9, 1, 7, 3, 8, 2, 6, 4, 0}
table.sort(t, function(a, b) print("cmp", a, b); return a > b end)
print(table.concat(t, " "))
local words = {"pear", "fig", "apple", "kiwi", "banana", "date", "cherry"}
table.sort(words, function(a, b) print(a, b); return #a < #b end)
print(table.concat(words, ","))
-- errors raised inside comparators propagate
print(pcall(table.sort, {1, 2, 3}, function(a, b) error("cmp failed") end))
-- metamethods
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get" .. k; return k * 10 end,
  __newindex = function(_, k, v) log[#log + 1] = "set" .. k .. "=" .. tostring(v) end,
  __len = function() log[#log + 1] = "len"; return 3 end,
})
table.insert(proxy, 1, "x")
print(table.concat(log, " "))
log = {}
print(table.remove(proxy, 1), table.concat(log, " "))
log = {}
print(table.unpack(proxy))
print(table.concat(log, " "))
for i, v in ipairs(table.pack(table.unpack({1, 2, nil, 4}, 1, 4))) do print(i, v) end
print(select("#", table.unpack({}, 1, 3)))
