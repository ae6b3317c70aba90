-- Deeply nested functions and many constants.
local function a()
  local function b()
    local function c()
      local function d()
        return "deep", 1.5, -0.0, 1/0 > 0, "tab\tand\0nul"
      end
      return d
    end
    return c
  end
  return b
end
local r1, r2, r3, r4, r5 = a()()()()
return r1 .. " " .. r2 .. " " .. tostring(r4) .. " " .. #r5
