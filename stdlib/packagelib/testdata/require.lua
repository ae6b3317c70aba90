package.path = "testdata/mods/?.lua;testdata/mods/?/init.lua"
package.cpath = "testdata/mods/?.so"
local s = require("simple")
print(s.x, package.loaded.simple == s)
print(require("simple") == s)
print(require("noret"), package.loaded.noret)
print(require("setsloaded"))
print(require("setsandreturns"))
print(require("falsy"), package.loaded.falsy)
print(require("falsy"))
print(require("sub"))
print(require("a.b"))
print(require("nested"))
print(pcall(require, "nope"))
print(pcall(require, "nope.sub"))
print(pcall(require, "syntaxerr"))
print(pcall(require, "shebang"))
print(require("bom"))
print(pcall(require, "bomshebang"))
print(require("onlycomment"))
print(pcall(require, "runtimeerr"))
print(select(2, pcall(require, "errtable")).code)
print(pcall(require))
print(pcall(require, {}))
package.preload.pre = function(...) print("preload", ...) return "from preload" end
print(require("pre"))
package.preload.notfn = "a message"
print(pcall(require, "notfn"))
package.preload.notfn = nil
print(pcall(require, 42))
table = nil
package.loaded["x.y"] = "already"
print(require("x.y"))
local saved = package.path
package.path = nil
print(pcall(require, "other"))
package.path = 12
print(pcall(require, "other"))
package.path = saved
local searchers = package.searchers
print(#searchers)
package.searchers = {function(n) return 7 end, function(n) return nil, "x" end,
  function(n) return "\n\tcustom " .. n end, function(n) return true end}
print(pcall(require, "mine"))
package.searchers = {function(n) return function(...) print("loader", ...) return n end, "extra" end}
print(require("viacustom"))
package.searchers = "no"
print(pcall(require, "zzz"))
package.searchers = searchers
print(package.loaded._G == _G, package.loaded.package == package)
print(package.config == "/\n;\n?\n!\n-\n")
print(type(package.preload), type(package.loaded))
print(pcall(require, "isdir"))
