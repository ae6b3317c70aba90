-- A coroutine-based proxy: client <-> backend through poll and the _yield
-- forms. Globals: client (handle), backend_port.
local io = moonbridge_io
local backend = assert(io.tcpconnect("127.0.0.1", backend_port))

local function pipe(from, to)
  return coroutine.create(function()
    while true do
      local data, status = from:read_yield(16384)
      assert(data, status)
      if #data > 0 then assert(to:write_yield(data)) end
      if status == "eof" then
        assert(to:flush_yield())
        assert(to:finish())
        return
      end
    end
  end)
end

local tasks = { pipe(client, backend), pipe(backend, client) }
local waiting = {}
while #tasks > 0 do
  local input, output = {}, {}
  local rest = {}
  for _, co in ipairs(tasks) do
    local ok, h, mode = coroutine.resume(co)
    assert(ok, h)
    if coroutine.status(co) ~= "dead" then
      assert(h == client or h == backend, "yielded a handle")
      if mode == "r" then input[h] = true else output[h] = true end
      rest[#rest + 1] = co
    end
  end
  tasks = rest
  if #tasks > 0 then
    assert(io.poll(input, output, 30), "proxy stalled")
  end
end
backend:close()
client:close()
