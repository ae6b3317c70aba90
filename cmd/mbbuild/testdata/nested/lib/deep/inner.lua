local fmt = require "shared.fmt"
local util = require "lib.util"

return {
  wrap = function(s) return fmt.bracket(util.upper(s)) end,
}
