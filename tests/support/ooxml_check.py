#!/usr/bin/env python3
"""Independent checks of a rebuilt OOXML package, with Python's zipfile and xml.etree only.

Usage: ooxml_check.py FILE
Prints JSON {"problems": [...], "fields": [...], "formulas": [...], "parts": [...]}:
  - relationships: every .rels part belongs to a part that exists, holds only relationships whose
    internal target resolves to an entry of the zip, and external ones only to hyperlinks with an
    http(s) or mailto target; every part except .rels has a content type; no two entries collide
    case-insensitively; every attribute that names a relationship (any attribute in a relationships
    namespace, o:relid) names one the part's .rels declares, and an external one only from a
    hyperlink element; no mc:AlternateContent, mc:Choice or mc:Fallback is left;
  - fields: every Word field (fldChar begin..separate..end, fldSimple) with its instruction as a
    reader sees it, and whether another field begins inside that instruction;
  - formulas: the text of every formula-bearing element and formula attribute.
Written apart from the sanitizer (its own walk, its own resolution rules) so the tests do not check
our output with our own parser.
"""
import json
import posixpath
import re
import sys
import urllib.parse
import zipfile
import xml.etree.ElementTree as ET

REL_NS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.microsoft.com/office/2006/relationships",
}
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
X = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
VML = "urn:schemas-microsoft-com:vml"
HYPERLINK_ELEMENTS = {(W, "hyperlink"), (A, "hlinkClick"), (A, "hlinkHover"), (A, "hlinkMouseOver"), (X, "hyperlink")}
FORMULA_NAMES = {"f", "formula", "formula1", "formula2", "definedName", "calculatedColumnFormula", "totalsRowFormula"}


def split(tag):
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def rels_name_for(part):
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def source_of(rels_name):
    d, f = posixpath.split(rels_name)
    parent = posixpath.dirname(d)
    return posixpath.join(parent, f[: -len(".rels")]) if f != ".rels" else ""


def resolve(source, target):
    target = urllib.parse.unquote(target)
    if target.startswith("/"):
        path = target[1:]
    else:
        path = posixpath.join(posixpath.dirname(source), target)
    return posixpath.normpath(path).lstrip("/")


def main(path):
    problems, fields, formulas = [], [], []
    z = zipfile.ZipFile(path)
    names = [i.filename for i in z.infolist() if not i.is_dir()]
    lower = {}
    for n in names:
        if n.lower() in lower:
            problems.append(f"entries differ only in case: {n}")
        lower[n.lower()] = n
    types = ET.fromstring(z.read("[Content_Types].xml"))
    overrides = {e.get("PartName").lower() for e in types if split(e.tag)[1] == "Override"}
    defaults = {e.get("Extension").lower() for e in types if split(e.tag)[1] == "Default"}
    rels_of = {}
    for n in names:
        if n == "[Content_Types].xml":
            continue
        if n.lower().endswith(".rels") or "/_rels/" in "/" + n.lower():
            if not n.endswith(".rels") or "_rels/" not in "/" + n:
                problems.append(f"relationship-like name that is not a relationship part: {n}")
            src = source_of(n)
            if src and src.lower() not in lower:
                problems.append(f"{n} belongs to no part")
            root = ET.fromstring(z.read(n))
            if root.tag != "{%s}Relationships" % PKG_RELS:
                problems.append(f"{n} is not a relationships part")
            ids = {}
            for r in root:
                rid, rtype, target = r.get("Id"), r.get("Type", ""), r.get("Target", "")
                external = r.get("TargetMode") == "External"
                ids[rid] = external
                if external:
                    ok = rtype.endswith("/hyperlink") and re.match(r"(?i)^(https?://|mailto:)", target)
                    if not ok:
                        problems.append(f"external relationship {rtype} -> {target} in {n}")
                elif not target.startswith("#"):
                    resolved = resolve(src, target)
                    if resolved.lower() not in lower:
                        problems.append(f"{n}: {rid} -> {target} resolves to nothing ({resolved})")
            rels_of[src] = ids
            continue
        ext = n.rsplit(".", 1)[-1].lower() if "." in n else ""
        if "/" + n.lower() not in overrides and ext not in defaults:
            problems.append(f"part without a content type: {n}")

    for n in names:
        if not (n.endswith(".xml") or n.endswith(".vml")) or n == "[Content_Types].xml":
            continue
        try:
            root = ET.fromstring(z.read(n))
        except ET.ParseError as e:
            problems.append(f"{n} is not XML: {e}")
            continue
        ids = rels_of.get(n, {})
        walk_part(n, root, ids, problems, fields, formulas)

    print(json.dumps({"problems": problems, "fields": fields, "formulas": formulas, "parts": names},
                     ensure_ascii=False))


def walk_part(name, root, ids, problems, fields, formulas):
    open_fields = []  # [instr, has_separate, nested]
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ns, local = split(el.tag)
        if ns == MC:
            problems.append(f"{name}: mc:{local} left in the output")
        for key, value in el.attrib.items():
            ans, alocal = split(key)
            if ans in REL_NS or alocal.lower() == "relid":
                if value not in ids:
                    problems.append(f"{name}: {local}/@{alocal}={value} names no relationship")
                elif ids[value] and (ns, local) not in HYPERLINK_ELEMENTS:
                    problems.append(f"{name}: {local}/@{alocal}={value} names an external link")
            if alocal in ("textlink",) or alocal.startswith("fmla") or (alocal == "val" and local == "cfvo"):
                formulas.append({"part": name, "where": local + "/@" + alocal, "text": value})
            if alocal == "macro" and value:
                problems.append(f"{name}: macro assigned: {value}")
        if local in FORMULA_NAMES and ns not in (MATH, VML) and not any(isinstance(c.tag, str) for c in el):
            formulas.append({"part": name, "where": local, "text": "".join(el.itertext())})
        if ns != W:
            continue
        if local == "fldSimple":
            if open_fields and not open_fields[-1][1]:
                open_fields[-1][2] = True
            fields.append({"part": name, "instr": el.get("{%s}instr" % W, ""), "nested": False, "simple": True})
        elif local == "fldChar":
            t = el.get("{%s}fldCharType" % W)
            if t == "begin":
                if open_fields and not open_fields[-1][1]:
                    open_fields[-1][2] = True
                open_fields.append(["", False, False])
            elif t == "separate" and open_fields:
                open_fields[-1][1] = True
            elif t == "end" and open_fields:
                instr, _, nested = open_fields.pop()
                fields.append({"part": name, "instr": instr, "nested": nested, "simple": False})
        elif local in ("instrText", "delInstrText", "t", "delText") and open_fields and not open_fields[-1][1]:
            open_fields[-1][0] += el.text or ""
    for instr, _, nested in open_fields:
        fields.append({"part": name, "instr": instr, "nested": nested, "simple": False, "unclosed": True})


if __name__ == "__main__":
    main(sys.argv[1])
