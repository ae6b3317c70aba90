local a = ...
goto l1
do local x = 1 end
::l1::
::l2:: if a then goto l2 end
do
  local y
  ::top::
  local function f() return y end
  if a then goto top end
  goto done
end
::done::
for i = 1, 3 do
  if i == 2 then goto next end
  local z = i
  local function g() return z end
  ::next::
end
while a do
  if a then break end
  local w
  local function h() return w end
  if w then goto out end
end
::out::
do
  goto e
  local q
  ::e::
end
repeat
  local r = 1
  if r then goto cont end
  ::cont::
until r
if a then goto x1 else goto x2 end
::x1:: ::x2::
if a then break_ = 1 end
