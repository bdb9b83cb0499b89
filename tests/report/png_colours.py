#!/usr/bin/env python3
"""png_colours.py PNG RRGGBB... : exit 0 iff every colour is painted on at least 20 pixels of the
screenshot (8-bit RGB/RGBA, non-interlaced, as chromium writes them). Prints the counts."""
import struct, sys, zlib

def pixels(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and ctype in (2, 6) and not interlace, 'unsupported PNG layout'
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), {}
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            key = bytes(line[x:x + 3])
            out[key] = out.get(key, 0) + 1
        prev = line
    return out

counts = pixels(sys.argv[1])
ok = True
for hexrgb in sys.argv[2:]:
    n = counts.get(bytes.fromhex(hexrgb), 0)
    print(f'#{hexrgb}: {n} pixels')
    ok &= n >= 20
sys.exit(0 if ok else 1)
