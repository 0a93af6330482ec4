#!/usr/bin/env python3
"""Every file name inside a released output, at every depth, as Python's stdlib sees it.

Usage: leaf_names.py FILE NAME
Walks zip archives (zipfile) and mail messages (email) recursively and prints JSON: a list of
{"path": "outer.zip/mail.eml/attachment.zip/a.txt", "name": "a.txt", "size": N, "head": "first bytes"}
for every leaf. An independent reader for the tests of the text-name allowlist (not our own parser).
"""
import email
import email.policy
import io
import json
import sys
import zipfile


def walk(data, name, path, out, depth=0):
    here = f"{path}/{name}" if path else name
    if depth > 8:
        out.append({"path": here, "name": name, "size": len(data), "head": ""})
        return
    if data[:4] == b"PK\x03\x04" and name.lower().endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                member = info.filename.rsplit("/", 1)[-1]
                walk(z.read(info), member, here, out, depth + 1)
        return
    if name.lower().endswith(".eml"):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        for part in msg.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if filename:
                walk(part.get_payload(decode=True) or b"", filename, here, out, depth + 1)
        return
    out.append({"path": here, "name": name, "size": len(data),
                "head": data[:64].decode("latin-1")})


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out = []
    walk(data, sys.argv[2], "", out)
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
