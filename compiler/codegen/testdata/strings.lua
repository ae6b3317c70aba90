local s = "\0\1\2\t\n\r\\\"'\a\b\f\v\127\128\255 \z
   x\x41\u{48}\u{7FF}\u{FFFF}\65\066"
local l = [==[
]]x]=]
]==]
local e = ''
local n = 0x10; n = 0xA.8p1; n = 1e2; n = .5; n = 3.; n = 0x.1; n = 9223372036854775808; n = 0xffffffffffffffffff
n = 1e-310; n = 2^-1074; n = 1e400; n = -1e400
