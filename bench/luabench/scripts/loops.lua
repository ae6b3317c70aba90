-- Nested numeric for loops with integer and float arithmetic.
local isum, fsum = 0, 0.0
for i = 1, 6000 do
  for j = 1, 1000 do
    isum = (isum + i * j) % 1000000007
    fsum = fsum + (i - j) * 0.5
  end
end
local x = 0.0
for k = 1, 4000000, 2 do
  x = x + k / 3.0 - (k // 7)
end
print(isum, fsum, string.format("%.6f", x))
