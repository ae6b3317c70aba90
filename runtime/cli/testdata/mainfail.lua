-- A main task that fails (argument "error") or ends normally (anything else).
local how = ...
listen{
  { proto = "main", name = "batch" },
  connect = function(job)
    if how == "error" then error("batch job failed") end
    return true
  end,
}
