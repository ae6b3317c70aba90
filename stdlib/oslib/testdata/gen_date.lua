-- Generates date.txt: run as `TZ=zone lua5.3 gen_date.lua` for each zone
-- listed in oslib_test.go (the test concatenates the outputs).
local fmt = "%a|%A|%b|%B|%c|%C|%d|%D|%e|%F|%g|%G|%h|%H|%I|%j|%m|%M|%n|%p|%r|%R|%S|%t|%T|%u|%U|%V|%w|%W|%x|%X|%y|%Y|%z|%Z|%%|%Ec|%EC|%Ex|%EX|%Ey|%EY|%Od|%Oe|%OH|%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy"
local zone = os.getenv("TZ")
local times = {0, -1, 1, 86399, 951782400, 951868800, 1234567890, 2147483647, 2147483648, -2147483648,
  1711846799, 1711846800, 1729990799, 1729990800, 1710054000, 1710050400, 1730613600, 1730610000,
  -62167219200, -62135596800, -62198755200, -62230291200, -377705116800, 253402300799, 253402300800,
  4102444800, 32503680000, 1<<60, -(1<<60), math.maxinteger, math.mininteger, 67768036191676800, -67768040609740801, 67767976233532800, -67768040609740800 + 86400*2}
-- ISO week boundaries: Dec 25 .. Jan 7 around several years
for _, y in ipairs{1999, 2003, 2004, 2008, 2009, 2010, 2015, 2020, 2021, 2026} do
  local base = os.time{year = y, month = 12, day = 25, hour = 12}
  for d = 0, 13 do times[#times + 1] = base + d * 86400 end
end
for i = 1, 200 do times[#times + 1] = (i * 7919 * 104729 * 37) % 8000000000 - 2000000000 end
for _, t in ipairs(times) do
  for _, p in ipairs{"", "!"} do
    local ok, s = pcall(os.date, p .. fmt, t)
    print(zone, p, t, (s:gsub("\n", "\\n"):gsub("\t", "\\t")))
    local ok, tt = pcall(os.date, p .. "*t", t)
    if ok then
      print(zone, p .. "*t", t, tt.year, tt.month, tt.day, tt.hour, tt.min, tt.sec, tt.wday, tt.yday, tt.isdst)
    else
      print(zone, p .. "*t", t, tt)
    end
  end
end
