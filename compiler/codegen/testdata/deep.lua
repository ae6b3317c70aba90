local x = 0
if x then local v0 = x
  if x then local v1 = x
    if x then local v2 = x
      if x then local v3 = x
        if x then local v4 = x
          if x then local v5 = x
            if x then local v6 = x
              if x then local v7 = x
                if x then local v8 = x
                  if x then local v9 = x
                    if x then local v10 = x
                      if x then local v11 = x
                        if x then local v12 = x
                          if x then local v13 = x
                            if x then local v14 = x
                              if x then local v15 = x
                                if x then local v16 = x
                                  if x then local v17 = x
                                    if x then local v18 = x
                                      if x then local v19 = x
                                        if x then local v20 = x
                                          if x then local v21 = x
                                            if x then local v22 = x
                                              if x then local v23 = x
                                                if x then local v24 = x
                                                  if x then local v25 = x
                                                    if x then local v26 = x
                                                      if x then local v27 = x
                                                        if x then local v28 = x
                                                          if x then local v29 = x
                                                            if x then local v30 = x
                                                              if x then local v31 = x
                                                                if x then local v32 = x
                                                                  if x then local v33 = x
                                                                    if x then local v34 = x
                                                                      if x then local v35 = x
                                                                        if x then local v36 = x
                                                                          if x then local v37 = x
                                                                            if x then local v38 = x
                                                                              if x then local v39 = x
                                                                                if x then local v40 = x
                                                                                  if x then local v41 = x
                                                                                    if x then local v42 = x
                                                                                      if x then local v43 = x
                                                                                        if x then local v44 = x
                                                                                          if x then local v45 = x
                                                                                            if x then local v46 = x
                                                                                              if x then local v47 = x
                                                                                                if x then local v48 = x
                                                                                                  if x then local v49 = x
                                                                                                    if x then local v50 = x
                                                                                                      if x then local v51 = x
                                                                                                        if x then local v52 = x
                                                                                                          if x then local v53 = x
                                                                                                            if x then local v54 = x
                                                                                                              if x then local v55 = x
                                                                                                                if x then local v56 = x
                                                                                                                  if x then local v57 = x
                                                                                                                    if x then local v58 = x
                                                                                                                      if x then local v59 = x
                                                                                                                      end
                                                                                                                    end
                                                                                                                  end
                                                                                                                end
                                                                                                              end
                                                                                                            end
                                                                                                          end
                                                                                                        end
                                                                                                      end
                                                                                                    end
                                                                                                  end
                                                                                                end
                                                                                              end
                                                                                            end
                                                                                          end
                                                                                        end
                                                                                      end
                                                                                    end
                                                                                  end
                                                                                end
                                                                              end
                                                                            end
                                                                          end
                                                                        end
                                                                      end
                                                                    end
                                                                  end
                                                                end
                                                              end
                                                            end
                                                          end
                                                        end
                                                      end
                                                    end
                                                  end
                                                end
                                              end
                                            end
                                          end
                                        end
                                      end
                                    end
                                  end
                                end
                              end
                            end
                          end
                        end
                      end
                    end
                  end
                end
              end
            end
          end
        end
      end
    end
  end
end
return ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
local f = function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return function() return x end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end end
local y = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + x12 + x13 + x14 + x15 + x16 + x17 + x18 + x19 + x20 + x21 + x22 + x23 + x24 + x25 + x26 + x27 + x28 + x29 + x30 + x31 + x32 + x33 + x34 + x35 + x36 + x37 + x38 + x39 + x40 + x41 + x42 + x43 + x44 + x45 + x46 + x47 + x48 + x49 + x50 + x51 + x52 + x53 + x54 + x55 + x56 + x57 + x58 + x59 + x60 + x61 + x62 + x63 + x64 + x65 + x66 + x67 + x68 + x69 + x70 + x71 + x72 + x73 + x74 + x75 + x76 + x77 + x78 + x79 + x80 + x81 + x82 + x83 + x84 + x85 + x86 + x87 + x88 + x89 + x90 + x91 + x92 + x93 + x94 + x95 + x96 + x97 + x98 + x99
local z = x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x
local w = {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}
