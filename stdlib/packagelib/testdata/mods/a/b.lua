return "a.b from " .. select(2, ...)
