local t = {}
t = {1, 2, 3}
t = {x = 1, y = 2, [3] = 4, ["z"] = 5, [t] = t}
t = {1, 2, x = 3, 4, f()}
t = {f(), f()}
t = {...}
t = {1, ..., 2}
t = {[1] = 1, [2] = 2; 3; 4,}
t = {{}, {{}}, {a = {b = {}}}}
t = {nil, true, false, 1.5, "s", -1, 2^3}
t[1] = 2; t.x = t.y; t[t] = t[t]; t[1.5] = 1; t[nil] = 1
t.a.b.c = 1
t[1][2][3] = t[3][2][1]
local n = #t
t = {f = function() end, g = function(self) return self end}
function t.a() end
function t.a.b() end
function t:m() return self end
function t.a.b:m(x, ...) return self, x, ... end
t = {x = 1, 1, y = 2, 2, z = 3, 3}
