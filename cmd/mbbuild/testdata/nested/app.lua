#!/usr/bin/env mbrun
-- Fixture for mbbuild's tests: nested modules (lib/greet.lua,
-- lib/util/init.lua, lib/deep/inner.lua), a module from an -I directory
-- (shared.fmt), an optional missing module and embedded files.
-- Argument: the TCP port to listen on (127.0.0.1).
local port = ...
local greet = require "lib.greet"
local util = require("lib.util")
local fmt = require "shared.fmt"
local has_optional = pcall(require, "optional.missing")

listen{
  { proto = "tcp", host = "127.0.0.1", port = assert(tonumber(port), "port argument") },
  pre_fork = 1,
  min_fork = 1,
  max_fork = 2,
  connect = function(socket)
    while true do
      local line = socket:read(nil, "\n")
      if not line or line == "" then break end
      line = line:gsub("\n$", "")
      local cmd, arg = line:match("^(%S+)%s*(.*)$")
      local reply
      if cmd == "greet" then
        reply = greet.hello(arg)
      elseif cmd == "upper" then
        reply = util.upper(arg)
      elseif cmd == "deep" then
        reply = greet.deep(arg)
      elseif cmd == "optional" then
        reply = tostring(has_optional)
      elseif cmd == "file" then
        local f, err = io.open(arg, "r")
        if f then
          reply = f:read("*a"):gsub("\n", "\\n")
          f:close()
        else
          reply = "error: " .. tostring(err)
        end
      elseif cmd == "error" then
        local ok, err = pcall(greet.fail)
        reply = tostring(err)
      else
        reply = fmt.bracket("unknown " .. tostring(cmd))
      end
      socket:write(reply, "\n"):flush()
    end
  end,
}
