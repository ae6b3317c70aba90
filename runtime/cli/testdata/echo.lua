-- Line echo over TCP and a local socket. Arguments: port, socket path, max_fork.
local port, path, max_fork = ...
local io_ = require "moonbridge_io"
assert(io_ == moonbridge_io, "moonbridge_io is preloaded and global")
assert(type(_MOONBRIDGE_VERSION) == "string")

listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber(port) },
  { proto = "tcp", host = "::1", port = tonumber(port) },
  { proto = "local", path = path },
  pre_fork = 1,
  min_fork = 1,
  max_fork = tonumber(max_fork) or 4,
  fork_delay = 0.01,
  connect = function(socket)
    socket.greeting = "hello"            -- arbitrary fields can be stored
    while true do
      local line, status = socket:read(nil, "\n")
      if not line or line == "" then break end
      if line == "quit\n" then socket:write("bye\n"):flush() break end
      if line == "pid\n" then
        socket:write(tostring(moonbridge_io.getpid()), "\n"):flush()
      elseif line == "addr\n" then
        socket:write(tostring(socket.remote_ip4 or socket.remote_ip6), " ", tostring(socket.local_tcpport), " ", socket.greeting, "\n"):flush()
      elseif line == "slow\n" then
        moonbridge_io.poll(nil, nil, 1.5)
        socket:write("slow done\n"):flush()
      elseif line == "stderr\n" then
        io.stderr:write("from io.stderr\n")
        moonbridge_io.stderr:flush("from moonbridge_io.stderr\n")
        socket:write("written\n"):flush()
      elseif line == "error\n" then
        error("requested failure")
      else
        socket:write(line):flush()
      end
    end
    return true
  end,
}
