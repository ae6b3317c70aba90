-- urlencoded form parsing, used by mbbench: answers with the number of
-- fields in post_params and the length of field "f10".
--   form.lua PORT WORKERS
local http = require "moonbridge_http"

local port = tonumber((...)) or 8080
local workers = tonumber((select(2, ...))) or 2

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  pre_fork = workers, min_fork = workers, max_fork = workers,
  connect = http.generate_handler(function(req)
    local n = 0
    for _ in pairs(req.post_params) do n = n + 1 end
    local f10 = req.post_params.f10 or ""
    req:send_status("200 OK")
    req:send_header("Content-Type", "text/plain")
    req:send_data(n, " ", #f10, "\n")
    req:finish()
    return true
  end),
}
