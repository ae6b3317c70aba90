local a = {}
a.x, a[1] = a.y, a + 1
if a == "s" or 1 < a or a <= a then a = not a end
a:m(1e400, -1e400)
local s = "\1\127\255\a\b\f\v\r\t\\"
