-- Prints the arg table and the vararg of the main chunk. The lowest index
-- holds the interpreter's own path, so only its type is printed.
local lo = 0
while arg[lo - 1] ~= nil do lo = lo - 1 end
print("lowest index", lo, type(arg[lo]))
for i = lo + 1, #arg do print(i, arg[i]) end
print("#arg", #arg, "select('#', ...)", select("#", ...))
print(...)
