#!/usr/bin/env python3
"""Independent structure check of a PNG, JPEG or GIF file (Python standard library only).

Prints JSON: the format, the list of chunks / markers / blocks in file order, and how many bytes
follow the format's end marker. The tests use it to see that a rebuilt image holds nothing but
pixels: no metadata segment, no comment, no trailing data.
"""
import json
import struct
import sys


def png(d):
    out, i = [], 8
    while i + 8 <= len(d):
        n, t = struct.unpack(">I4s", d[i:i + 8])
        out.append(t.decode("latin-1"))
        i += 12 + n
        if t == b"IEND":
            break
    return {"format": "png", "chunks": out, "trailing": max(0, len(d) - i)}


def jpeg(d):
    out, i = [], 2
    while i + 2 <= len(d):
        if d[i] != 0xFF:
            return {"format": "jpeg", "markers": out, "error": "lost at %d" % i}
        m = d[i + 1]
        if m == 0xD9:
            out.append("D9")
            i += 2
            break
        if i + 4 > len(d):
            return {"format": "jpeg", "markers": out, "error": "truncated"}
        n = struct.unpack(">H", d[i + 2:i + 4])[0]
        out.append("%02X" % m)
        i += 2 + n
        if m == 0xDA:  # entropy-coded data up to the next marker that is not a stuffed 0 or a restart
            while i + 1 < len(d) and not (d[i] == 0xFF and d[i + 1] not in (0x00,) and not 0xD0 <= d[i + 1] <= 0xD7):
                i += 1
    return {"format": "jpeg", "markers": out, "trailing": max(0, len(d) - i)}


def sub_blocks(d, i):
    while i < len(d) and d[i] != 0:
        i += 1 + d[i]
    return i + 1


def gif(d):
    out = []
    flags = d[10]
    i = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    while i < len(d):
        b = d[i]
        if b == 0x3B:
            out.append("trailer")
            i += 1
            break
        if b == 0x21:
            label = d[i + 1]
            name = "ext:%02X" % label
            if label == 0xFF and d[i + 2] == 11:
                name += ":" + d[i + 3:i + 14].decode("latin-1")
            out.append(name)
            i = sub_blocks(d, i + 2)
        elif b == 0x2C:
            out.append("image")
            fl = d[i + 9]
            i += 10 + (3 * (2 << (fl & 7)) if fl & 0x80 else 0)
            i = sub_blocks(d, i + 1)  # LZW minimum code size, then the data
        else:
            return {"format": "gif", "blocks": out, "error": "unknown block at %d" % i}
    return {"format": "gif", "blocks": out, "trailing": max(0, len(d) - i)}


def main():
    d = open(sys.argv[1], "rb").read()
    if d.startswith(b"\x89PNG\r\n\x1a\n"):
        r = png(d)
    elif d.startswith(b"\xff\xd8"):
        r = jpeg(d)
    elif d[:6] in (b"GIF87a", b"GIF89a"):
        r = gif(d)
    else:
        r = {"format": "other"}
    print(json.dumps(r))


main()
