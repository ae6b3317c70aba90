-- Pool dynamics. Arguments: port, pre_fork, min_fork, max_fork, exit_delay, idle_timeout.
local port, pre, min, max, exit_delay, idle_timeout = ...
listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber(port) },
  pre_fork = tonumber(pre), min_fork = tonumber(min), max_fork = tonumber(max),
  fork_delay = 0.05,
  exit_delay = tonumber(exit_delay),
  idle_timeout = tonumber(idle_timeout) or false,
  connect = function(socket)
    local line = socket:read(nil, "\n")
    if line == "hold\n" then moonbridge_io.poll(nil, nil, 1) end
    socket:write(tostring(moonbridge_io.getpid()), "\n"):flush()
    return true
  end,
}
