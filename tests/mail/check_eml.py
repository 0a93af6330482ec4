#!/usr/bin/env python3
"""Independent check of a message written by the mail sanitizer, with Python's email package.

Prints JSON: parse defects, decoded headers, the text body and every leaf part with its hash, so the
C++ tests can assert on what a standard reader sees (not on what our own parser believes).
"""
import email
import email.policy
import hashlib
import json
import sys


def iso2022jp_cp932(data):
    """ISO-2022-JP as Japanese mailers write it (CP50220 family: NEC row 13 such as ① and ㈱,
    half-width kana), decoded via CP932. Python's own iso-2022-jp codec rejects those characters."""
    out = bytearray()
    mode = "ascii"
    i = 0
    while i < len(data):
        if data[i:i + 3] in (b"\x1b(B", b"\x1b(J"):
            mode, i = "ascii", i + 3
        elif data[i:i + 3] in (b"\x1b$B", b"\x1b$@"):
            mode, i = "jis", i + 3
        elif data[i:i + 3] == b"\x1b(I":
            mode, i = "kana", i + 3
        elif data[i] in (0x0A, 0x0D) or mode == "ascii":
            out.append(data[i])
            i += 1
        elif mode == "kana":
            out.append(data[i] + 0x80)
            i += 1
        else:
            j1, j2 = data[i], data[i + 1]
            s1 = (j1 + 1) // 2 + (0x70 if j1 <= 0x5E else 0xB0)
            s2 = j2 + (0x1F if j2 < 0x60 else 0x20) if j1 % 2 else j2 + 0x7E
            out += bytes([s1, s2])
            i += 2
    return out.decode("cp932")


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    result = {
        "defects": [type(d).__name__ for d in msg.defects],
        "seven_bit": all(b < 0x80 for b in raw),
        "max_line": max((len(l) for l in raw.split(b"\r\n")), default=0),
        "crlf_only": b"\n" not in raw.replace(b"\r\n", b""),
        "max_header_line": max((len(l) for l in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")), default=0),
        "headers": {},
        "parts": [],
        "body": None,
    }
    for name in ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "X-Mugaika-Sanitized"):
        if msg[name] is not None:
            result["headers"][name] = str(msg[name])
    result["header_names"] = [k for k in msg.keys()]
    result["html_anywhere"] = any(p.get_content_type() == "text/html" for p in msg.walk())

    def leaves(part):
        # message/rfc822 is a leaf here (an attachment); its own parts are not ours to count.
        if part.get_content_type() == "message/rfc822":
            yield part
        elif part.is_multipart():
            result["defects"].extend(type(d).__name__ for d in part.defects if part is not msg)
            for sub in part.iter_parts():
                yield from leaves(sub)
        else:
            yield part

    for part in leaves(msg):
        if part is not msg:
            result["defects"] += [type(d).__name__ for d in part.defects]
        ctype = part.get_content_type()
        entry = {
            "content_type": ctype,
            "charset": part.get_content_charset(),
            "filename": part.get_filename(),
            "disposition": part.get_content_disposition(),
        }
        if ctype == "message/rfc822":
            inner = part.get_payload(0)
            data = inner.as_bytes()
            entry["inner_subject"] = str(inner["Subject"]) if inner["Subject"] else None
            entry["inner_defects"] = [type(d).__name__ for d in inner.defects]
        else:
            data = part.get_payload(decode=True) or b""
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        entry["size"] = len(data)
        if ctype == "text/plain" and result["body"] is None and entry["disposition"] != "attachment":
            entry["is_body"] = True
            if entry["charset"] == "iso-2022-jp":
                text = iso2022jp_cp932(data)
            else:
                text = part.get_content()
            result["body"] = text.replace("\r\n", "\n")
        result["parts"].append(entry)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
