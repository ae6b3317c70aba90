-- Example application for the Moonbridge HTTP module: a form with text
-- fields, a checkbox and a file upload; a page echoing what was posted
-- (with the uploaded file's size and type); a cookie counting visits; a
-- streamed (chunked) response; and an interval job.
--
-- Start it with:  go run ./cmd/mbrun examples/webapp/webapp.lua [port [host]]
-- then open http://127.0.0.1:8080/

local http = require "moonbridge_http"
local enc = http.encode_html

local port = tonumber((...)) or 8080
-- The address to listen on: only this machine by default; "0.0.0.0" or
-- "::" for every interface (in a container).
local host = select(2, ...) or "127.0.0.1"

-- A little style shared by every page.
local style = [[<style>
body { font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-weight: 600; }
label { display: inline-block; min-width: 6em; }
input[type=text] { width: 20em; padding: .3em; }
input[type=submit] { padding: .4em 1.5em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
</style>]]

local function page(request, title, body)
  request:send_status("200 OK")
  request:send_header("Content-Type", "text/html; charset=UTF-8")
  request:send_data(
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>', enc(title),
    '</title>', style, '</head><body>\n<h1>', enc(title), '</h1>\n', body,
    '\n<p><a href="/">form</a> | <a href="/stream">streamed response</a></p>\n</body></html>\n')
end

local function form_page(request)
  local visits = (tonumber(request.cookies.visits) or 0) + 1
  request:send_status("200 OK")
  request:send_header("Content-Type", "text/html; charset=UTF-8")
  request:send_header("Set-Cookie", "visits=" .. visits .. "; Path=/; SameSite=Lax")
  request:send_data([[
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Moonbridge example</title>]], style, [[</head><body>
<h1>Moonbridge example</h1>
<p id="visits">Visit number ]], visits, [[ (counted in a cookie).</p>
<form id="form" method="post" action="/echo" enctype="multipart/form-data">
<p><label>Name <input type="text" name="name" id="name"></label></p>
<p><label>Comment <input type="text" name="comment" id="comment"></label></p>
<p><label><input type="checkbox" name="subscribe" id="subscribe" value="yes"> subscribe</label></p>
<p><label>File <input type="file" name="upload" id="upload"></label></p>
<p><input type="submit" id="submit" value="Send"></p>
</form>
<p><a href="/stream">streamed response</a></p>
</body></html>
]])
  return true
end

local function echo_page(request)
  -- The upload is streamed: only its size and type are kept in memory.
  local size, file_name, content_type = 0, nil, nil
  request:stream_post_param("upload", function(chunk, field_name, meta)
    if field_name then
      file_name, content_type = meta.file_name, meta.content_type
    end
    if chunk then size = size + #chunk end
  end)
  local p = request.post_params
  local rows = {}
  local function row(id, label, value)
    rows[#rows+1] = '<tr><th>' .. enc(label) .. '</th><td id="' .. id .. '">' .. enc(value) .. '</td></tr>'
  end
  row("echo-name", "Name", p.name or "")
  row("echo-comment", "Comment", p.comment or "")
  row("echo-subscribe", "Subscribe", p.subscribe == "yes" and "yes" or "no")
  row("echo-file", "File name", file_name or "")
  row("echo-size", "File size", tostring(size))
  row("echo-type", "File type", content_type or "")
  page(request, "You posted", "<table>\n" .. table.concat(rows, "\n") .. "\n</table>")
  return true
end

local function stream_page(request)
  request:send_status("200 OK")
  request:send_header("Content-Type", "text/plain; charset=UTF-8")
  for i = 1, 10 do
    request:send_data("line ", i, " of a streamed response\n")
    request:flush()  -- each line goes out as its own chunk
  end
  return true
end

local handler = http.generate_handler(
  { static_headers = { "Server: moonbridge-go webapp" }, request_body_size_limit = 256 * 1024 * 1024 },
  function(request)
    local path = request.path
    if path == "" then
      return form_page(request)
    elseif path == "echo" and request.method == "POST" then
      return echo_page(request)
    elseif path == "stream" then
      return stream_page(request)
    end
    request:send_status("404 Not Found")
    request:send_header("Content-Type", "text/plain")
    request:send_data("Not found: /", path, "\n")
    return true
  end
)

local ticks = 0

listen{
  { proto = "tcp", host = host, port = port },
  { proto = "interval", name = "tick", delay = 60 },
  connect = function(socket)
    if socket.interval then
      -- interval job: runs every 60 seconds in a worker
      ticks = ticks + 1
      io.stderr:write("webapp: interval job ", socket.interval, " ran (", ticks, " in this worker)\n")
      return true
    end
    return handler(socket)
  end,
}
