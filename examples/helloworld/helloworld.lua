-- Hello World for the Moonbridge HTTP module.
-- Start it with:  go run ./cmd/mbrun examples/helloworld/helloworld.lua [port]
-- then open http://127.0.0.1:8080/ (or http://[::1]:8080/).

local http = require "moonbridge_http"

local port = tonumber((...)) or 8080

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "tcp", host = "::1", port = port },
  connect = http.generate_handler(
    {
      static_headers = { "Server: moonbridge-go helloworld" },
    },
    function(request)
      request:send_status("200 OK")
      request:send_header("Content-Type", "text/plain; charset=UTF-8")
      request:send_data("Hello World!\n")
      return true
    end
  ),
}
