-- Templating: render a 200-row HTML table from a template with {{name}}
-- placeholders filled by gsub, with a table and with a function.
local rowTemplate = "<tr><td>{{id}}</td><td>{{name}}</td><td>{{price}}</td><td>{{qty}}</td></tr>\n"
local rows = {}
for i = 1, 200 do
  rows[i] = {id = tostring(i), name = "product-" .. i, price = string.format("%.2f", i * 1.25), qty = tostring(i % 17)}
end
local checksum = 0
for round = 1, 900 do
  local out = {"<table>\n"}
  for i = 1, #rows do
    local row = rows[i]
    local line
    if i % 2 == 0 then
      line = rowTemplate:gsub("{{(%w+)}}", row)
    else
      line = rowTemplate:gsub("{{(%w+)}}", function(k) return row[k] end)
    end
    out[#out + 1] = line
  end
  out[#out + 1] = string.format("</table><!-- round %d, %d rows -->\n", round, #rows)
  local html = table.concat(out)
  checksum = (checksum + #html + html:byte(round % #html + 1)) % 1000000007
end
print(checksum)
