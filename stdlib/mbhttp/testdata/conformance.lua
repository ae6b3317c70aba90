-- Application for the real-server conformance tests (mbrun_test.go).
--   mbrun conformance.lua SMALLPORT BIGPORT
-- SMALLPORT serves with small limits and short timeouts (error statuses);
-- BIGPORT serves large uploads (1 GiB body limit) and SHA-256 checks
-- through a child sha256sum process.
local http = require "moonbridge_http"
local io_ = require "moonbridge_io"

local small_port = assert(tonumber((...)), "small port expected")
local big_port = assert(tonumber((select(2, ...))), "big port expected")

-- echo reports what the module parsed, one "key=value" line each, sorted.
local function echo(req)
  local out = {}
  local function add(k, v) out[#out+1] = k .. "=" .. tostring(v) end
  add("method", req.method)
  add("path", req.path)
  add("query", req.query)
  add("host", req.host)
  if req.path == "headers" then
    add("ua", req.headers["user-agent"][1])
    add("csv", req.headers_csv_string["X-Multi"])
    add("value", req.headers_value["X-Multi"])
    add("flag", req.headers_flags["X-Multi"]["B"])
    add("noflag", req.headers_flags["X-Multi"]["z"])
    add("n", #req.headers_csv_table["x-multi"])
  end
  for k, v in pairs(req.get_params) do add("get." .. k, v) end
  for k, l in pairs(req.get_params_list) do add("getn." .. k, #l) end
  for k, v in pairs(req.cookies) do add("cookie." .. k, v) end
  if req.method == "POST" then
    for k, v in pairs(req.post_params) do add("post." .. k, v) end
    for k, l in pairs(req.post_params_list) do add("postn." .. k, #l) end
    for k, m in pairs(req.post_metadata or {}) do
      add("meta." .. k, tostring(m.file_name) .. "|" .. tostring(m.content_type))
    end
  end
  table.sort(out)
  req:send_status("200 OK")
  req:send_header("Content-Type", "text/plain")
  req:send_data(table.concat(out, "\n"), "\n")
  return true
end

local routes = {}

routes["body"] = function(req)
  local body = req.body
  req:send_status("200 OK")
  req:send_data("[", body, "]")
  return true
end

routes["forbid"] = function(req)
  -- answers before reading the body: the rest must be drained
  req:send_status("403 Forbidden")
  req:send_data("no")
  return true
end

routes["fail"] = function(req)
  error("handler exploded")
end

routes["nostatus"] = function(req)
  return true
end

routes["monologue"] = function(req)
  req:monologue()
  req:send_status("200 OK")
  req:send_data("bye")
  return true
end

routes["info"] = function(req)
  req:send_status("103 Early Hints")
  req:send_header("Link", "</a.css>")
  req:finish_headers()
  req:send_status("200 OK")
  req:send_header("Content-Length", 2)
  req:send_data("ok")
  return true
end

routes["cl"] = function(req)
  req:send_status("200 OK")
  req:send_header("Content-Length", 5)
  req:send_data("hel", "lo")
  return true
end

routes["json"] = function(req)
  local p = req.post_params -- 415 for a non-form body
  req:send_status("200 OK")
  req:send_data("unexpected")
  return true
end

routes["rawjson"] = function(req)
  -- a non-form body the application reads itself
  local body = req.body
  req:send_status("200 OK")
  req:send_data("got ", #body)
  return true
end

-- sha256 streams field "upload" into a child sha256sum and answers
-- "<field> <file_name> <content_type> <size> <hex digest>".
routes["sha256"] = function(req)
  local child = assert(io_.exec("/usr/bin/env", "sha256sum"))
  local info, size = "", 0
  req:stream_post_param("upload", function(chunk, name, meta)
    if name then
      info = name .. " " .. tostring(meta.file_name) .. " " .. tostring(meta.content_type)
    end
    if chunk then
      size = size + #chunk
      if #chunk > 0 then assert(child.stdin:write(chunk)) end
    end
  end)
  req:consume_input()
  assert(child.stdin:close())
  local out = assert(child.stdout:read())
  assert(child:wait() == 0, "sha256sum failed")
  req:send_status("200 OK")
  req:send_header("Content-Type", "text/plain")
  req:send_data(info, " ", size, " ", (out:match("^(%x+)")))
  return true
end

-- count streams field "upload" and answers its size (speed measurements).
routes["count"] = function(req)
  local size = 0
  req:stream_post_param("upload", function(chunk)
    if chunk then size = size + #chunk end
  end)
  req:consume_input()
  req:send_status("200 OK")
  req:send_data(size)
  return true
end

-- slow answers after a second (SIGTERM arrives meanwhile in a test).
routes["slow"] = function(req)
  io_.poll(nil, nil, 1)
  req:send_status("200 OK")
  req:send_data("slow done")
  return true
end

-- big sends 64 MiB (a client that does not read makes the send stall).
routes["big"] = function(req)
  local block = string.rep("x", 65536)
  req:send_status("200 OK")
  for i = 1, 1024 do req:send_data(block) end
  return true
end

local function handler(req)
  local path = req.path or ""
  local status = path:match("^status/(%d%d%d)$")
  if status then
    req:send_status(status .. " Status")
    if status == "200" then req:send_data("body") end
    return true
  end
  local route = routes[path]
  if route then return route(req) end
  return echo(req)
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = small_port },
  pre_fork = 2, min_fork = 2, max_fork = 8, fork_delay = 0.01, fork_error_delay = 0.01,
  connect = http.generate_handler({
    request_body_size_limit = 4096,
    request_header_size_limit = 1000,
    idle_timeout = 2,
    stall_timeout = 1,
    request_header_timeout = 2,
    drain_timeout = 1,
  }, handler),
}

listen{
  { proto = "tcp", host = "127.0.0.1", port = big_port },
  pre_fork = 1, min_fork = 1, max_fork = 4, fork_delay = 0.01, fork_error_delay = 0.01,
  connect = http.generate_handler({ request_body_size_limit = 1024 * 1024 * 1024 }, handler),
}
