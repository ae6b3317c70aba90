-- Hello world of the Moonbridge documentation, used by mbbench.
--   hello.lua PORT            the example's pool: min_fork=2, max_fork=8
--   hello.lua PORT WORKERS    WORKERS processes started at once and kept
-- A keep-alive connection holds its worker for as long as it stays open, so
-- the keep-alive rows run with one worker per client connection.
local http = require "moonbridge_http"

local port = tonumber((...)) or 8080
local workers = tonumber((select(2, ...)))

local pool = {
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 2, max_fork = 8,
  connect = http.generate_handler(function(req)
    req:send_status("200 OK")
    req:send_header("Content-Type", "text/plain")
    req:send_data("Hello World!\n")
    req:finish()
    return true
  end),
}
if workers then
  pool.pre_fork, pool.min_fork, pool.max_fork = workers, workers, workers
end
listen(pool)
