-- Memory and time limits. Argument: port.
local port = ...
listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber(port) },
  min_fork = 2, max_fork = 4, fork_delay = 0.01, fork_error_delay = 0.01,
  memory_limit = 200 * 1024 * 1024,
  connect = function(socket)
    local line = socket:read(nil, "\n")
    if line == "grow\n" then
      local t, s = {}, string.rep("x", 1024 * 1024)
      for i = 1, 1e9 do t[i] = s .. i end  -- unbounded: the master must kill us
    elseif line == "spin\n" then
      timeout(1)
      while true do end
    elseif line == "spinclock\n" then
      -- as spin, but first says when the limit was armed (CLOCK_MONOTONIC)
      timeout(1)
      socket:write(string.format("%.6f\n", moonbridge_io.timeref())):flush()
      while true do end
    elseif line:match("^freeze") then
      -- "freeze [seconds]": the test then stops this process, and only the
      -- master can end it
      local secs = line:match("^freeze (%d+)")
      timeout(secs and tonumber(secs) or 1)
      socket:write("armed ", tostring(moonbridge_io.getpid()), "\n"):flush()
      socket:read(nil, "\n")
    elseif line == "nested\n" then
      timeout(10)
      local inner = timeout(0.5, function() return timeout() end)
      local outer = timeout()
      socket:write(string.format("%.1f %.1f\n", inner, outer)):flush()
      timeout(0)
      socket:write(string.format("%.1f\n", timeout())):flush()
    else
      socket:write("pid ", tostring(moonbridge_io.getpid()), "\n"):flush()
    end
    return true
  end,
}
