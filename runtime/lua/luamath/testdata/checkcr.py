#!/usr/bin/env python3
"""Check luamath/lua5.3 mismatches against a 300-bit mpmath evaluation.

Usage: LUAMATH_DUMP=/tmp/mm.txt go test -run Lua53 .
       python3 testdata/checkcr.py /tmp/mm.txt testdata/glibc_not_cr.gz

Reads the dump lines "name index x y ours lua5.3" (hex floats) and writes
the entries where luamath's result is the correctly rounded one and
lua5.3's is not, as "name index d" (d: the ulp step from lua5.3's result
to the correct one); prints any entry where luamath is wrong.
"""
import gzip, struct, sys
import mpmath

mpmath.mp.prec = 300

def parse(s):
    return {'nan': float('nan'), '-nan': float('nan'), 'inf': float('inf'), '-inf': float('-inf')}.get(s) or float.fromhex(s)

def ordered(x):
    b = struct.unpack('<q', struct.pack('<d', x))[0]
    return -(b & 0x7fffffffffffffff) - 1 if b < 0 else b

F = {
    'pow': lambda x, y: mpmath.power(x, y), 'exp': lambda x, y: mpmath.exp(x),
    'log': lambda x, y: mpmath.log(x), 'log2': lambda x, y: mpmath.log(x, 2),
    'log10': lambda x, y: mpmath.log10(x), 'sin': lambda x, y: mpmath.sin(x),
    'cos': lambda x, y: mpmath.cos(x), 'tan': lambda x, y: mpmath.tan(x),
    'asin': lambda x, y: mpmath.asin(x), 'acos': lambda x, y: mpmath.acos(x),
    'atan': lambda x, y: mpmath.atan(x), 'atan2': lambda x, y: mpmath.atan2(x, y),
    'sinh': lambda x, y: mpmath.sinh(x), 'cosh': lambda x, y: mpmath.cosh(x),
    'tanh': lambda x, y: mpmath.tanh(x),
}

out, bad = [], 0
for line in open(sys.argv[1]):
    name, idx, xs, ys, ours, lua = line.split()
    x, y = mpmath.mpf(parse(xs)), mpmath.mpf(parse(ys))
    cr = float(F[name](x, y))  # mpmath rounds to nearest
    o, l = parse(ours), parse(lua)
    if o == cr and l == l:
        out.append('%s %s %d' % (name, idx, ordered(o) - ordered(l)))
    else:
        bad += 1
        print('luamath not correctly rounded?', line.strip(), 'exact', cr.hex())
with gzip.open(sys.argv[2], 'wt') as f:
    f.write('# name index ulps-from-lua5.3-to-correct (made by checkcr.py)\n')
    f.write('\n'.join(out) + '\n')
print(len(out), 'glibc misroundings recorded,', bad, 'other mismatches')
