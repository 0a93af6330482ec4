#!/usr/bin/env python3
"""The leaves of a message's MIME tree as Python's email package sees them, numbered as IMAP numbers
body parts ("1", "2.1", ...; a single-part message is "1"). A message/* part is one leaf: its own parts
belong to the nested message. Used to check the mail sanitizer's ledger against an independent reader.

Prints JSON: {"leaves": [{"part", "type", "filename", "content_id", "disposition"}], "defects": [...]}.
"""
import email
import email.policy
import json
import sys


def main(path):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.compat32)
    leaves = []
    defects = [type(d).__name__ for d in msg.defects]

    def walk(part, number):
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            defects.extend(type(d).__name__ for d in part.defects if part is not msg)
            for i, sub in enumerate(part.get_payload()):
                walk(sub, (number + "." if number else "") + str(i + 1))
            return
        filename = None
        try:
            filename = part.get_filename()
        except Exception:  # a broken RFC 2231 parameter: the name does not matter here
            pass
        cid = part.get("Content-ID")
        leaves.append({
            "part": number or "1",
            "type": ctype,
            "filename": str(filename) if filename is not None else None,
            "content_id": str(cid).strip() if cid is not None else None,
            "disposition": part.get_content_disposition(),
        })

    walk(msg, "")
    json.dump({"leaves": leaves, "defects": defects}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
