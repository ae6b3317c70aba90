local m = require "does.not.exist"
listen{}
