-- An HTTP application for the held-connection tests (held_test.go).
-- Arguments: port, max_fork, timeouts (seconds for idle_timeout,
-- request_header_timeout and stall_timeout; "default" for the defaults),
-- hold ("false" sets hold_in_master = false).
-- Paths: "" hello, "body" echoes the body's length, "wait" answers after 0.3 s.
local http = require "moonbridge_http"
local port, max_fork, timeouts, hold = ...
local options = { hold_in_master = hold ~= "false" }
if timeouts ~= "default" then
  local t = tonumber(timeouts)
  options.idle_timeout, options.request_header_timeout, options.stall_timeout = t, t, t
end
listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber(port) },
  pre_fork = 1, min_fork = 1, max_fork = tonumber(max_fork),
  connect = http.generate_handler(options, function(request)
    local text = "hello\n"
    if request.path == "body" then
      text = #request.body .. "\n"
    elseif request.path == "wait" then
      moonbridge_io.poll(nil, nil, 0.3)
    end
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain")
    request:send_data(text)
    return true
  end),
}
