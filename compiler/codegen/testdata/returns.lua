local function f0() return end
local function f1(a) return a end
local function f2(a, b) return a, b end
local function f3(a) return a.b end
local function f4(a) return f1(a) end
local function f5(...) return ... end
local function f6(...) return 1, ... end
local function f7(a) return (f1(a)) end
local function f8(a) return a + 1, f1(a) end
local function f9(a) return a:m() end
local function f10() return {} end
local function f11() return 1; end
local function f12(a) if a then return 1 else return 2 end end
local function f13(a) do return a end end
local function f14(a, b) return a == b end
local function f15(a, b) return a and b end
local function f16() return nil end
local function f17() return true, false, nil end
return f0, f1
