-- An HTTP application for the hostile-client tests (hostile_test.go).
-- Arguments: port [, max_fork (default 4)]. Paths: "" hello, "body" echoes the body's length,
-- "form" reads post_params, "slow" sends 16 MiB, "late" answers after
-- 0.3 s, "fail" raises an error (the one thing that ends a worker).
local http = require "moonbridge_http"
local port, max_fork = ...
listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber(port) },
  pre_fork = 1, min_fork = 2, max_fork = tonumber(max_fork) or 4,
  connect = http.generate_handler(function(request)
    local path = request.path
    if path == "fail" then error("handler failed") end
    local text = "hello\n"
    if path == "body" then
      text = #request.body .. "\n"
    elseif path == "form" then
      local n = 0
      for _ in pairs(request.post_params) do n = n + 1 end
      text = n .. " fields\n"
    elseif path == "late" then
      moonbridge_io.poll(nil, nil, 0.3)
    end
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain")
    if path == "slow" then
      local piece = string.rep("x", 65536)
      for _ = 1, 256 do
        request:send_data(piece)
        request:flush()
      end
      return true
    end
    request:send_data(text)
    return true
  end),
}
