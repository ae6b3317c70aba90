-- Classes via metatables with __index, method calls in a loop, and
-- closures as callbacks.
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
function Point:dot(o) return self.x * o.x + self.y * o.y end

local Counter = {}
Counter.__index = Counter
function Counter.new() return setmetatable({n = 0}, Counter) end
function Counter:inc(k) self.n = self.n + k end

local Named = setmetatable({}, {__index = Counter})
Named.__index = Named
function Named.new(name) local c = Counter.new() c.name = name return setmetatable(c, Named) end
function Named:inc(k) Counter.inc(self, k * 2) end

local function each(n, f) for i = 1, n do f(i) end end

local acc = Point.new(0, 0)
local c, nc = Counter.new(), Named.new("x")
local sum = 0
for round = 1, 30 do
  each(10000, function(i)
    local p = Point.new(i, round)
    acc = acc:add(p)
    sum = (sum + p:dot(acc)) % 1000000007
    c:inc(1)
    nc:inc(i % 3)
  end)
end
print(acc.x, acc.y, sum, c.n, nc.n)
