local a,
  b = 
  1,
  2
local t = {
  1,
  2;
  x
  =
  3,
  [
  4
  ]
  =
  ...
  ,
  f
  (
  )
}
print
(
  a
  ,
  b
  +
  a
  ,
  ...
)
local s = [[
long
string]] .. "x" ..
  [==[
]==]
t
.
x
=
t
[
1
]
:
m
(
)
if
  a
then
  b = 1
elseif
  b
  <
  a
then
  b = 2
else
  b = 3
end
for
  i
  =
  1
  ,
  2
do
end
for k,
 v
 in
 pairs(t)
do
end
while
  a
do
  break
end
local function f(
  x,
  ...
)
  return
    x
    ,
    ...
end
return
  f
  {
  }
