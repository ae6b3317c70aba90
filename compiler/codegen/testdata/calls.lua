local t = {}
print()
print(1, 2, 3)
print(...)
print(1, ...)
print(f())
print(f(), 1)
print((f()))
print((...))
t:m()
t:m(1, 2)
t.a.b.c:m(...)
t:m "str"
t:m {1, 2}
f "x" "y"
f {} {}
f(1)(2)(3)
local a, b, c = f()
local d, e = ...
local g = ...
local h, i, j = 1
local k, l = 1, 2, 3
local m, n = f(), g()
local o = f(), g()
a, b = f()
a, b, c = 1, f()
a, b = 1, 2, 3
a, b = ...
t.x, t.y = f()
return f(...)
