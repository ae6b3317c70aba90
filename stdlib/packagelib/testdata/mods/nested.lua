local s = require("simple")
return "nested got " .. s.x
