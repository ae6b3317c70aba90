-- _ENV with Lua 5.2/5.3 semantics.
local print, assert, setmetatable, pcall, type, load = print, assert, setmetatable, pcall, type, load

-- the implicit _ENV is the global table
x_global = 1
assert(_ENV.x_global == 1 and _ENV == _G)
_ENV.y_global = 2
assert(y_global == 2)

-- a local _ENV changes name resolution in its scope only
do
  local _ENV = {assert = assert}
  z = 3
  assert(z == 3 and _ENV.z == 3)
  assert(x_global == nil)
end
assert(z == nil and x_global == 1)

-- a function parameter named _ENV
local function with_env(_ENV) return a + b end
assert(with_env({a = 1, b = 2}) == 3)

-- nested closures share an _ENV upvalue; assigning it is seen by all
local function make()
  local _ENV = {n = 0}
  local function inc() n = n + 1 return n end
  local function get() return n end
  local function swap(t) _ENV = t end
  return inc, get, swap
end
local inc, get, swap = make()
inc(); inc()
assert(get() == 2)
swap({n = 10})
assert(inc() == 11 and get() == 11)

-- a sandbox: globals of the loaded chunk live in the given table
local sandbox = {}
local f = assert(load("v = 42; w = type; return v", "=sandbox", "t", sandbox))
assert(f() == 42 and sandbox.v == 42 and sandbox.w == nil)
assert(v == nil)

-- a chunk that uses its own _ENV inside a sandbox
local sb2 = {tostring = tostring}
local g = assert(load("local e = _ENV; q = 5; return e == _ENV, e.q, tostring(q)", "=sb2", "t", sb2))
local same, q, qs = g()
assert(same == true and q == 5 and qs == "5")

-- operators work in a sandbox without any globals
local h = assert(load("return 7 // 2, 6 & 3, 1 << 3, ~0", "=ops", "t", {}))
local r1, r2, r3, r4 = h()
assert(r1 == 3 and r2 == 2 and r3 == 8 and r4 == -1)

-- _ENV with a metatable (inheritance from the globals)
do
  local _ENV = setmetatable({}, {__index = _ENV})
  local_only = "yes"
  assert(local_only == "yes" and type(print) == "function")
end
assert(local_only == nil)

-- replacing the chunk's _ENV affects later free names in the chunk
local saved = _ENV
local function later() return marker end
_ENV = setmetatable({marker = "new"}, {__index = saved})
assert(later() == "new" and marker == "new")
_ENV = saved
assert(marker == nil and later() == nil)

-- functions defined with 'function name()' go through _ENV too
do
  local _ENV = {}
  function defined_here() return 1 end
  saved.assert(_ENV.defined_here() == 1)
end
assert(defined_here == nil)

-- an error message still reaches pcall inside a restricted _ENV
local k = assert(load("return undefined_fn()", "=k", "t", {}))
local ok, err = pcall(k)
assert(not ok and err:find("attempt to call", 1, true))
print("env ok")
