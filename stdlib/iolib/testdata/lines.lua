local f = assert(io.open("l.txt", "w"))
f:write("one\ntwo\n\nthree\r\nfour")
f:close()
for l in io.lines("l.txt") do print("[" .. l .. "]") end
for l in io.lines("l.txt", "L") do io.write("<", l, ">") end
print()
for a, b in io.lines("l.txt", 1, 2) do print(a, b) end
for n in io.lines("l.txt", "n") do print(n) end
print(pcall(function() for l in io.lines("l.txt", "x") do end end))
print(pcall(function() for l in io.lines("l.txt", {}) do end end))
f = assert(io.open("l.txt"))
for l in f:lines() do print(l) end
print(io.type(f))
f:seek("set")
for a, b in f:lines("l", "a") do print(a, b) end
print(io.type(f))
f:close()
print(pcall(function() for l in f:lines() do end end))
local it = io.lines("l.txt")
print(it(), it(), it(), it(), it())
print(it())
print(pcall(it))
f = assert(io.open("l.txt"))
it = f:lines()
f:close()
print(pcall(it))
-- Default input.
print(io.input() == io.stdin)
f = io.input("l.txt")
print(io.type(f), io.input() == f)
print(io.read())
print(io.read("L"))
print(io.read("n", "l"))
for l in io.lines() do print("rest", l) end
print(io.read("a"))
print(io.read())
print(io.type(f))
io.input():close()
print(pcall(io.read))
print(pcall(io.lines))
print(pcall(io.input, f))
io.input(io.stdin)
local function rep(n, ...) if n == 0 then return ... end return rep(n - 1, "l", ...) end
print(pcall(io.lines, "l.txt", rep(251)))
local it = io.lines("l.txt", rep(250))
print(it())
