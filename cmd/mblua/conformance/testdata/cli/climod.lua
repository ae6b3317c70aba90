-- Loaded by "-l climod": sets a global and returns a table (stored as the
-- global climod by lua5.3's -l).
CLIMOD_LOADED = (CLIMOD_LOADED or 0) + 1
print("climod loaded", ...)
return { answer = 42 }
