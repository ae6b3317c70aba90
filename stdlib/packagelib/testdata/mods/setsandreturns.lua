package.loaded[...] = "custom"
return "returned"
