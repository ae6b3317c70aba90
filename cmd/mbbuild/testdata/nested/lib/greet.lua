local util = require "lib.util"
local inner = require "lib.deep.inner"

local M = {}

function M.hello(name)
  return "hello, " .. util.upper(name) .. "!"
end

function M.deep(s)
  return inner.wrap(s)
end

function M.fail()
  error("greet failed on purpose")
end

-- A dynamic require: mbbuild cannot resolve it and warns.
function M.load(name)
  return require(name)
end

return M
