return "sub init " .. select(2, ...)
