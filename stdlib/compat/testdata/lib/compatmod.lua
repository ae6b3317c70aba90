-- A module written in Lua 5.3 syntax, loaded through require.
local M = {}
function M.half(n) return n // 2 end
function M.mask(n) return n & 0xF end
return M
