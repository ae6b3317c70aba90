-- A small HTTP application. Arguments: port.
local http = require "moonbridge_http"
listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber((...)) },
  pre_fork = 1, min_fork = 1, max_fork = 4, fork_delay = 0.01, fork_error_delay = 0.01,
  connect = http.generate_handler(function(request)
    if request.path == "fail" then error("handler failed") end
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain")
    request:send_data("hello\n")
    return true
  end),
}
