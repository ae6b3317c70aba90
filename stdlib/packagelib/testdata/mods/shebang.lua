#!/usr/bin/env lua5.3
local t = {}
return t.x.y
