package.loaded[...] = "custom"
