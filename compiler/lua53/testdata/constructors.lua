-- Table constructors: multiple results expand only in a positional last item.
local function two() return "a", "b" end
local function va(...) return { ... } end

local t = { {1}, k = two() }
assert(#t == 1 and t[2] == nil and t.k == "a")

local u = { 1, ["k"] = two() }
assert(#u == 1 and u.k == "a")

local v = { two() }
assert(#v == 2 and v[2] == "b")

local w = { two(), 9 }
assert(#w == 2 and w[1] == "a" and w[2] == 9)

local x = { (two()) }
assert(#x == 1)

assert(#va(1, 2, 3) == 3)
local function kv(...) return { 0, n = ... } end
local y = kv(7, 8)
assert(#y == 1 and y.n == 7)

-- The shape of a typical Moonbridge application: connect is the last, keyed field.
local function gen() return function() return true end, "extra" end
local cfg = { { proto = "tcp", port = 1 }, max_fork = 4, connect = gen() }
assert(#cfg == 1 and type(cfg.connect) == "function")
print("constructors ok")
