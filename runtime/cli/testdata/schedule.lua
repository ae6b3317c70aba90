-- Interval and main listeners. Arguments: output file, interval delay.
local out, delay = ...
local function note(s)
  local f = assert(io.open(out, "a"))
  f:write(s, "\n")
  f:close()
end
listen{
  { proto = "interval", name = "tick", delay = tonumber(delay) },
  fork_delay = 0.01,
  connect = function(job)
    note("interval " .. tostring(job.interval))
    return true
  end,
}
listen{
  { proto = "main", name = "boss" },
  prepare = function() note("prepare") end,
  connect = function(job)
    note("main " .. tostring(job.main))
    moonbridge_io.poll(nil, nil, 2)
    return true
  end,
  finish = function() note("finish") end,
}
