for line in io.lines() do print("line:", line) end
