-- goto and labels.

-- continue idiom
local out = {}
for i = 1, 5 do
  if i % 2 == 0 then goto continue end
  out[#out + 1] = i
  ::continue::
end
assert(table.concat(out, ",") == "1,3,5")

-- continue in while and repeat loops (label at the end of the block)
local i, n = 0, 0
while i < 10 do
  i = i + 1
  if i > 3 then goto skip end
  n = n + 1
  ::skip::
end
assert(n == 3)

i = 0
repeat
  i = i + 1
  if i == 2 then goto cont end
  n = n + 10
  ::cont::
until i >= 3
assert(n == 23)

-- backward goto makes a loop
local k = 0
::top::
k = k + 1
if k < 5 then goto top end
assert(k == 5)

-- breaking out of nested loops
local found
for a = 1, 3 do
  for b = 1, 3 do
    if a * b == 6 then found = a .. "x" .. b goto done end
  end
end
::done::
assert(found == "2x3")

-- each iteration gets a fresh local when a closure captures it
local fns = {}
do
  local j = 1
  ::again::
  local captured = j
  fns[#fns + 1] = function() return captured end
  j = j + 1
  if j <= 3 then goto again end
end
assert(fns[1]() == 1 and fns[2]() == 2 and fns[3]() == 3)

-- same label name in different functions and nested blocks
local function f1() goto l ::l:: return 1 end
local function f2() do goto l end ::l:: return 2 end
assert(f1() == 1 and f2() == 2)

-- errors: jumping into the scope of a local, undefined labels, repeated labels
local function compiles(src) return load(src) ~= nil end
assert(not compiles("goto nowhere"))
assert(not compiles("do goto l; local x = 1; ::l:: print(x) end"))
assert(not compiles("::a:: ::a::"))
assert(compiles("do goto l; local x = 1; ::l:: end")) -- label at the end of the block
assert(compiles("goto l; do ::l:: end") == false)
assert(not compiles("local function f() goto out end ::out::"))
print("goto ok")
