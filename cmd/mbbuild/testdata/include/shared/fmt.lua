return {
  bracket = function(s) return "[" .. s .. "]" end,
}
