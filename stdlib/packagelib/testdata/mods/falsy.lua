print("loading falsy")
return false
