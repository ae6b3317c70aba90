local M = {}

function M.upper(s)
  return (tostring(s):upper())
end

return M
