-- connect returns nothing: every connection gets a fresh worker; finish runs each time.
local port, out = ...
listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber(port) },
  fork_delay = 0, min_fork = 1, pre_fork = 1,
  connect = function(socket)
    socket:write(tostring(moonbridge_io.getpid()), "\n")
  end,
  finish = function()
    local f = assert(io.open(out, "a")); f:write("finish\n"); f:close()
  end,
}
