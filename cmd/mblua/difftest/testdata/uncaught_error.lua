-- An uncaught error: the message and traceback on stderr and exit status 1.
local function inner(x)
  if x > 2 then error("failed at " .. x) end
  return inner(x + 1)
end
print("before")
inner(0)
print("never")
