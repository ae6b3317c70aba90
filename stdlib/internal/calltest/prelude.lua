-- Helpers for calltest cases; calltest.go has the same in Go.
nan = 0/0
inf = math.huge
maxint = math.maxinteger
minint = math.mininteger
two31 = 1 << 31
two32 = 1 << 32
two53 = 2.0^53
two63 = 2.0^63
LOG = {}
local function logf(fmt, ...) LOG[#LOG + 1] = string.format(fmt, ...) end
local function ts(v) return tostring(v) end
cmp_lt = function(a, b) logf("%s<%s", ts(a), ts(b)); return a < b end
cmp_gt = function(a, b) logf("%s>%s", ts(a), ts(b)); return a > b end
cmp_le = function(a, b) logf("%s<=%s", ts(a), ts(b)); return a <= b end
cmp_true = function(a, b) logf("%s?%s", ts(a), ts(b)); return true end
cmp_false = function(a, b) logf("%s!%s", ts(a), ts(b)); return false end
cmp_err = function() error("boom", 0) end
cmp_mod = function(m)
  return function(a, b)
    logf("%d~%d", a, b)
    return a % m < b % m
  end
end
proxy = function(back)
  return setmetatable({}, {
    __index = function(_, k) logf("get(%s)", ts(k)); return back[k] end,
    __newindex = function(_, k, v) logf("set(%s,%s)", ts(k), ts(v)); rawset(back, k, v) end,
    __len = function() local n = #back; logf("len=%d", n); return n end,
  })
end
withlen = function(t, n) return setmetatable(t, {__len = function() return n end}) end
range = function(n, a, m)
  local t = {}
  for i = 1, n do t[i] = a and (a * i) % m or i end
  return t
end
rep = function(f, n, ...)
  local t = {}
  for i = 1, n do
    local r = table.pack(f(...))
    for j = 1, r.n do r[j] = tostring(r[j]) end
    t[i] = table.concat(r, " ", 1, r.n)
  end
  return t
end
mtype = function(x) return math.type(x) end
g17 = function(f, ...)
  local r = table.pack(f(...))
  for j = 1, r.n do
    if math.type(r[j]) == "float" then r[j] = string.format("%.17g", r[j]) else r[j] = tostring(r[j]) end
  end
  return table.concat(r, " ", 1, r.n)
end
doubler = function() return setmetatable({}, {__index = function(_, k) return k * 2 end}) end
-- collect(f, ...): runs the generic for protocol of f(...), each step in
-- protected mode; a list of "v1 v2" strings ending with any error.
collect = function(f, ...)
  local it, s, ctl = f(...)
  local out = {}
  while true do
    local r = table.pack(pcall(it, s, ctl))
    if not r[1] then out[#out + 1] = "error: " .. tostring(r[2]); break end
    if r[2] == nil then break end
    ctl = r[2]
    local parts = {}
    for j = 2, r.n do parts[#parts + 1] = tostring(r[j]) end
    out[#out + 1] = table.concat(parts, " ")
  end
  return out
end
