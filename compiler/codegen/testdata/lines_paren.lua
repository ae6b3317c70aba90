local f
return
  f
  (
  {
  }
  )
