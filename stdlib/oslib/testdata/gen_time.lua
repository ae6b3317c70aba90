-- Generates time.txt: run as `TZ=zone lua5.3 gen_time.lua` for each zone
-- listed in oslib_test.go. Each line: zone, the table given to os.time,
-- then the result and the normalised fields (or the error).
local zone = os.getenv("TZ")
local cases = {
  {year=2000, month=1, day=1},
  {year=2000, month=1, day=1, hour=0},
  {year=1970, month=1, day=1, hour=0},
  {year=1969, month=12, day=31, hour=23, min=59, sec=59},
  {year=2000, month=14, day=-3, hour=25, min=-1, sec=61},
  {year=2000, month=14, day=-3, hour=25, min=-1, sec=61, isdst=true},
  {year=2000, month=14, day=-3, hour=25, min=-1, sec=61, isdst=false},
  {year=2024, month=7, day=1, hour=12, isdst=false},
  {year=2024, month=7, day=1, hour=12, isdst=true},
  {year=2024, month=1, day=1, hour=12, isdst=true},
  {year=2024, month=1, day=1, hour=12, isdst=false},
  {year=2024, month=3, day=31, hour=2, min=30},
  {year=2024, month=3, day=10, hour=2, min=30},
  {year=2024, month=10, day=27, hour=2, min=30},
  {year=2024, month=11, day=3, hour=1, min=30},
  {year=2024, month=10, day=27, hour=2, min=30, isdst=true},
  {year=2024, month=11, day=3, hour=1, min=30, isdst=false},
  {year=2024, month=4, day=7, hour=1, min=45},
  {year=2024, month=10, day=6, hour=2, min=15},
  {year=1, month=1, day=1, hour=0},
  {year=0, month=1, day=1, hour=0},
  {year=-1000, month=6, day=15},
  {year=10000, month=1, day=1},
  {year=1073741823, month=12, day=31},
  {year=-1073741823, month=1, day=1},
  {year=2000, month=1073741823, day=1},
  {year=2000, month=1, day=1073741823},
  {year=2000, month=1, day=1, sec=1073741823, min=1073741823, hour=1073741823},
  {year=2000, month=1, day=1, sec=-1073741823, min=-1073741823, hour=-1073741823},
  {year="2000", month=" 0x10 ", day=1.0},
  {year=1073741824, month=1, day=1},
  {year=2000, month=1, day=-1073741824},
  {year=2000, month=1, day=1, hour=1.5},
  {year=2000, month=1, day=1, min="x"},
  {year=2000, month=1},
  {year=2000, day=1},
  {month=1, day=1},
  {},
}
local keys = {"year", "month", "day", "hour", "min", "sec", "isdst"}
for _, c in ipairs(cases) do
  local desc = {}
  for _, k in ipairs(keys) do
    if c[k] ~= nil then desc[#desc + 1] = k .. "=" .. (type(c[k]) == "string" and string.format("%q", c[k]) or tostring(c[k])) end
  end
  local ok, r = pcall(os.time, c)
  local out = {zone, "{" .. table.concat(desc, ",") .. "}", tostring(r)}
  if ok then
    for _, k in ipairs{"year", "month", "day", "hour", "min", "sec", "wday", "yday", "isdst"} do
      out[#out + 1] = tostring(c[k])
    end
  end
  print(table.concat(out, "\t"))
end
