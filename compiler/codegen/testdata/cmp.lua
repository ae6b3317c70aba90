local a, b, c = ...
local x = a == b
x = a ~= b; x = a < b; x = a <= b; x = a > b; x = a >= b
x = a == 1; x = 1 == a; x = a < 1; x = 1 < a; x = "x" > a; x = nil == a; x = true ~= a
x = a and b; x = a or b; x = a and b or c; x = (a or b) and c; x = not (a and b)
x = a and 1 or 2; x = a == b and c; x = not a == b; x = a < b and b < c or a == c
if a then x = 1 end
if not a then x = 1 end
if a and b then x = 1 elseif c then x = 2 else x = 3 end
if a or b then x = 1 end
if a == b or a < c then x = 1 end
if nil then x = 1 end
if true then x = 1 end
if 1 then x = 1 else x = 2 end
if false then x = 1 elseif nil then x = 2 end
while a do a = a - 1 end
while true do if a then break end end
while not (a and b) do end
repeat a = a + 1 until a > 10
repeat local z = a until z
x = a and nil; x = a or nil; x = a and false or true
x = (a == b) == c
local t = {a == b, a and b, not a}
f(a and b, a or b)
return a and b or c
