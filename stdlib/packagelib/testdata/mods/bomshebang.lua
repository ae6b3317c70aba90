# comment line

error("line 3")
