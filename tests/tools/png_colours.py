#!/usr/bin/env python3
"""Counts pixels of given colours in a PNG (8-bit RGB or RGBA, as Chromium writes screenshots).

Usage: png_colours.py FILE '#rrggbb' ...
Prints "distinct=<n>" (how many different colours the image has: a blank page has one or two)
and "<colour> <pixels>" for each colour asked about (exact match, alpha ignored).
Standard library only (zlib, struct): the test machine needs no imaging package.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG")
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit("unsupported PNG: depth %d type %d" % (depth, ctype))
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = decode(sys.argv[1])
    counts = {}
    for row in rows:
        for x in range(0, width * bpp, bpp):
            key = row[x:x + 3]
            counts[key] = counts.get(key, 0) + 1
    print("distinct=%d" % len(counts))
    for colour in sys.argv[2:]:
        rgb = bytes.fromhex(colour.lstrip("#"))
        print("%s %d" % (colour, counts.get(rgb, 0)))


if __name__ == "__main__":
    main()
