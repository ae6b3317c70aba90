local greet = require "lib.greet"
local ok, err = pcall(require, "does.not.exist")
assert(not ok and err:find("does/not/exist.lua", 1, true), err)
result = greet("world") .. " " .. select("#", ...) .. " " .. tostring((...))
