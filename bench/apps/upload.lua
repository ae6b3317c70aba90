-- Streaming multipart upload, used by mbbench: counts the bytes of field
-- "file" with stream_post_param and answers with the count. The body limit
-- is raised to 1 GiB (the default is 64 MiB).
--   upload.lua PORT WORKERS
local http = require "moonbridge_http"

local port = tonumber((...)) or 8080
local workers = tonumber((select(2, ...))) or 2

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  pre_fork = workers, min_fork = workers, max_fork = workers,
  connect = http.generate_handler({ request_body_size_limit = 1024 * 1024 * 1024 }, function(req)
    local bytes = 0
    req:stream_post_param("file", function(chunk)
      if chunk then bytes = bytes + #chunk end
    end)
    req:consume_input()
    req:send_status("200 OK")
    req:send_header("Content-Type", "text/plain")
    req:send_data(string.format("%d\n", bytes))
    req:finish()
    return true
  end),
}
