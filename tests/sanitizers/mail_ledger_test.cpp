// Every leaf of the MIME tree ends somewhere: in the text, released as a disarmed attachment, held
// (the original kept), or removed by a stated policy with a finding. Checked over the layouts real
// mailers write, against the leaves Python's email package finds in the input (tests/mail/leaves.py),
// and over every mail of the shared corpus.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "../../gateway/worker/isolated.hpp"
#include "mail_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::mail;
namespace fs = std::filesystem;

namespace {

// --- building messages -------------------------------------------------------------------------

std::string entity(const std::string& headers, const std::string& body) { return headers + "\r\n" + body; }

std::string multi(const std::string& subtype, const std::vector<std::string>& parts, const std::string& boundary,
                  const std::string& params = "") {
    std::string s = "Content-Type: multipart/" + subtype + "; boundary=\"" + boundary + "\"" + params + "\r\n\r\n";
    s += "This is a multi-part message in MIME format.\r\n";
    for (const auto& p : parts) s += "--" + boundary + "\r\n" + p + "\r\n";
    return s + "--" + boundary + "--\r\n";
}

std::string text_part(const std::string& marker, const std::string& subtype = "plain") {
    std::string body = subtype == "html" ? "<html><body><p>" + marker + "</p><img src=\"cid:img1@x\" alt=\"logo\"></body></html>"
                                         : marker + " です。\r\n";
    return entity("Content-Type: text/" + subtype + "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n", b64(body));
}

std::string file_part(const std::string& type, const std::string& name, const std::string& bytes,
                      const std::string& disposition = "attachment", const std::string& cid = "") {
    std::string h = "Content-Type: " + type + "; name=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n";
    if (!disposition.empty()) h += "Content-Disposition: " + disposition + "; filename=\"" + name + "\"\r\n";
    if (!cid.empty()) h += "Content-ID: <" + cid + ">\r\n";
    return entity(h, b64(bytes));
}

std::string message(const std::string& top_entity, const std::string& subject = "layout") {
    return "Received: from mx.example.net by gw.example.jp; Sun, 22 Nov 2026 10:00:00 +0900\r\n"
           "From: sender@example.co.jp\r\nTo: somu@city.example.lg.jp\r\nSubject: " + subject + "\r\n"
           "Date: Sun, 22 Nov 2026 10:00:00 +0900\r\nMessage-ID: <layout@example.co.jp>\r\nMIME-Version: 1.0\r\n" +
           top_entity;
}

const std::string& pdf() {
    static const std::string p = make_pdf("添付資料");
    return p;
}
const std::string kCsv = "品名,数量\r\nりんご,3\r\n";
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20) + std::string(200, '\0');
const std::string kGif = "GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";

// --- reading the ledger back --------------------------------------------------------------------

struct Entry {
    std::string part, type, name, fate, how;
};

// The mail.parts finding: "N parts: ... | 1 text/plain: text (body); 2.1 image/png "a.png": removed (inline image); ..."
std::vector<Entry> ledger_of(const Outcome& o) {
    std::vector<Entry> out;
    for (const auto& f : o.findings) {
        if (f.kind != "mail.parts" || !f.where.empty()) continue;
        auto bar = f.detail.find(" | ");
        if (bar == std::string::npos) return out;
        std::string rest = f.detail.substr(bar + 3);
        std::size_t start = 0;
        while (start < rest.size()) {
            auto end = rest.find("; ", start);
            std::string item = rest.substr(start, end == std::string::npos ? std::string::npos : end - start);
            start = end == std::string::npos ? rest.size() : end + 2;
            Entry e;
            auto sp = item.find(' ');
            e.part = item.substr(0, sp);
            auto colon = item.rfind(": ");
            std::string head = item.substr(sp + 1, colon - sp - 1);
            auto q = head.find(" \"");
            e.type = head.substr(0, q);
            if (q != std::string::npos) e.name = head.substr(q + 2, head.size() - q - 3);
            std::string tail = item.substr(colon + 2);
            auto paren = tail.find(" (");
            e.fate = tail.substr(0, paren);
            e.how = paren == std::string::npos ? "" : tail.substr(paren + 2, tail.size() - paren - 3);
            out.push_back(e);
        }
    }
    return out;
}

nlohmann::json python_leaves(const std::string& eml) {
    TempDir dir;
    write_file(dir / "in.eml", eml);
    auto r = run("python3 " + shell_quote((source_dir() / "tests" / "mail" / "leaves.py").string()) + " " +
                 shell_quote((dir / "in.eml").string()));
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

bool finding_for_removal(const Outcome& o) {
    for (auto k : {"mail.html", "mail.inline", "mail.signature", "mail.external_body", "mail.attachment", "mail.stub_text"})
        if (has_finding(o, k)) return true;
    return false;
}

// Runs the message and checks the invariant; returns the ledger by part number.
std::map<std::string, Entry> accounted(const std::string& eml, const std::string& policy = "") {
    Outcome o = sanitize(eml, policy);
    auto j = checked(o);
    auto py = python_leaves(eml);
    auto ledger = ledger_of(o);
    std::map<std::string, Entry> by_part;
    for (const auto& e : ledger)
        if (e.part.find('/') == std::string::npos) CHECK_MESSAGE(by_part.emplace(e.part, e).second, "part twice: " << e.part);
    // Every leaf Python finds is in the ledger once, with the same type, and nothing else is.
    CHECK(by_part.size() == py["leaves"].size());
    for (const auto& leaf : py["leaves"]) {
        std::string part = leaf["part"];
        CAPTURE(part);
        REQUIRE(by_part.count(part));
        CHECK(by_part[part].type == leaf["type"].get<std::string>());
    }
    // Each fate has its evidence.
    std::size_t released = 0;
    for (const auto& [part, e] : by_part) {
        CAPTURE(part);
        CAPTURE(e.how);
        if (e.fate == "released") ++released;
        if (e.fate == "held") {
            bool found = false;
            for (const auto& h : o.held) found = found || e.how.find(h.where) != std::string::npos;
            CHECK(found);
        }
        if (e.fate == "removed") CHECK(finding_for_removal(o));
        CHECK((e.fate == "text" || e.fate == "released" || e.fate == "held" || e.fate == "removed"));
    }
    std::size_t attachments = 0;
    for (const auto& p : j["parts"])
        if (p.value("disposition", nlohmann::json()).is_string() && p["disposition"] == "attachment") ++attachments;
    CHECK(attachments == released);
    CHECK(o.keeps_original() == std::any_of(by_part.begin(), by_part.end(), [](auto& kv) { return kv.second.fate == "held"; }));
    // The summary header says the same: parts=N (a text, b released, c held, d removed).
    std::string summary = j["headers"]["X-Mugaika-Sanitized"];
    std::smatch m;
    REQUIRE(std::regex_search(summary, m, std::regex(R"(parts=(\d+) \((\d+) text, (\d+) released, (\d+) held, (\d+) removed)")));
    CHECK(std::stoul(m[1]) == py["leaves"].size());
    CHECK(std::stoul(m[2]) + std::stoul(m[3]) + std::stoul(m[4]) + std::stoul(m[5]) == py["leaves"].size());
    std::map<std::string, std::size_t> fates;
    for (const auto& [part, e] : by_part) ++fates[e.fate];
    CHECK(std::stoul(m[2]) == fates["text"]);
    CHECK(std::stoul(m[3]) == fates["released"]);
    CHECK(std::stoul(m[4]) == fates["held"]);
    CHECK(std::stoul(m[5]) == fates["removed"]);
    return by_part;
}

}  // namespace

TEST_CASE("mail ledger: Apple Mail, inline attachment in the HTML alternative (alternative{text, mixed{html, pdf, html}})") {
    auto l = accounted(message(multi("alternative",
                                  {text_part("TXT-1"),
                                   multi("mixed", {text_part("HTML-2.1", "html"), file_part("application/pdf", "見積書.pdf", pdf(), "inline"),
                                                   text_part("HTML-2.3", "html")},
                                         "m")},
                                  "a")));
    CHECK(l["1"].fate == "text");
    CHECK(l["2.1"].fate == "removed");
    CHECK(l["2.2"].fate == "released");   // the PDF is rebuilt and attached, not lost with the HTML
    CHECK(l["2.3"].fate == "removed");
}

TEST_CASE("mail ledger: Outlook HTML with a logo and attachments, and Outlook rich text (TNEF)") {
    auto l = accounted(message(multi("mixed",
                                  {multi("related",
                                         {multi("alternative", {text_part("TXT"), text_part("HTML", "html")}, "alt"),
                                          file_part("image/png", "image001.png", make_png(2, 2), "inline", "img1@x")},
                                         "rel", "; type=\"multipart/alternative\""),
                                   file_part("text/csv", "集計.csv", kCsv), file_part("application/pdf", "資料.pdf", pdf())},
                                  "mix")));
    CHECK(l["1.1.1"].fate == "text");
    CHECK(l["1.1.2"].fate == "removed");
    CHECK(l["1.2"].fate == "removed");   // referenced by cid: from the HTML: an inline image, by policy
    CHECK(l["1.2"].how == "inline image");
    CHECK(l["2"].fate == "released");
    CHECK(l["3"].fate == "released");
    auto t = accounted(message(multi("mixed", {text_part("TXT"), file_part("application/ms-tnef", "winmail.dat", "\x78\x9f\x3e\x22rest")}, "t")));
    CHECK(t["2"].fate == "held");
}

TEST_CASE("mail ledger: iPhone photos inline in mixed are files, not inline images") {
    auto l = accounted(message(multi("mixed",
                                  {text_part("TXT-A"), file_part("image/jpeg", "IMG_0001.JPG", kJpeg, "inline", "photo1@iphone"),
                                   text_part("TXT-B")},
                                  "ip")));
    CHECK(l["1"].fate == "text");
    CHECK(l["2"].fate == "held");   // no image sanitizer: held, the original kept
    CHECK(l["3"].fate == "text");
}

TEST_CASE("mail ledger: Gmail and Thunderbird layouts, with a forwarded message") {
    auto g = accounted(message(multi("mixed",
                                  {multi("related",
                                         {multi("alternative", {text_part("TXT"), text_part("HTML", "html")}, "ga"),
                                          file_part("image/png", "image.png", make_png(3, 3), "inline", "img1@x")},
                                         "gr"),
                                   file_part("application/pdf", "a.pdf", pdf())},
                                  "gm")));
    CHECK(g["1.2"].fate == "removed");
    CHECK(g["2"].fate == "released");
    std::string inner = message(multi("mixed", {text_part("INNER"), file_part("text/csv", "inner.csv", kCsv)}, "in"), "転送元");
    auto t = accounted(message(multi("mixed",
                                  {multi("alternative",
                                         {text_part("TXT"), multi("related", {text_part("HTML", "html"),
                                                                              file_part("image/png", "p.png", make_png(2, 2), "inline", "img1@x")},
                                                                  "tr")},
                                         "ta"),
                                   entity("Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n", inner)},
                                  "tm")));
    CHECK(t["1.1"].fate == "text");
    CHECK(t["1.2.1"].fate == "removed");
    CHECK(t["1.2.2"].fate == "removed");   // the inline image of the HTML alternative goes with it
    CHECK(t["2"].fate == "released");      // the forwarded message, rebuilt
}

TEST_CASE("mail ledger: Becky! and Japanese mobile carriers (ISO-2022-JP, decomail)") {
    std::string jis_text = entity("Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n",
                                  "\x1B$B$*CN$i$;\x1B(B\r\n");
    auto b = accounted(message(multi("mixed",
                                  {jis_text, entity("Content-Type: application/octet-stream;\r\n name=\"=?ISO-2022-JP?B?GyRCO3FOQRsoQg==?=.csv\"\r\n"
                                                    "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n"
                                                    " filename=\"=?ISO-2022-JP?B?GyRCO3FOQRsoQg==?=.csv\"\r\n",
                                                    b64(kCsv))},
                                  "becky")));
    CHECK(b["1"].fate == "text");
    CHECK(b["2"].fate == "released");
    // docomo decomail: related{alternative{text, html}, gif (cid), gif (cid)} in mixed with a photo.
    std::string html = entity("Content-Type: text/html; charset=Shift_JIS\r\nContent-Transfer-Encoding: quoted-printable\r\n",
                              "<html><body>=82=A8=92m=82=E7=82=B9<img src=3D\"cid:deco1@docomo\"><img src=3D\"cid:deco2@docomo\"></body></html>\r\n");
    auto d = accounted(message(multi("mixed",
                                  {multi("related",
                                         {multi("alternative", {jis_text, html}, "dalt"),
                                          file_part("image/gif", "deco1.gif", kGif, "inline", "deco1@docomo"),
                                          file_part("image/gif", "deco2.gif", kGif, "", "deco2@docomo")},
                                         "drel"),
                                   file_part("image/jpeg", "photo.jpg", kJpeg)},
                                  "dmix")));
    CHECK(d["1.1.1"].fate == "text");
    CHECK(d["1.2"].fate == "removed");
    CHECK(d["1.3"].fate == "removed");
    CHECK(d["2"].fate == "held");
}

TEST_CASE("mail ledger: multipart/related keeps what is not an inline resource of its HTML") {
    // A PDF with a Content-ID and no disposition, and an image nothing refers to: files, not decoration.
    auto l = accounted(message(multi("related",
                                  {text_part("HTML", "html"), file_part("application/pdf", "x.pdf", pdf(), "", "pdf1@x"),
                                   file_part("image/png", "unused.png", make_png(2, 2), "", "unused@x"),
                                   file_part("image/png", "logo.png", make_png(2, 2), "", "img1@x")},
                                  "r")));
    CHECK(l["1"].fate == "text");
    CHECK(l["2"].fate == "released");
    CHECK(l["3"].fate == "released");   // kept as a file: rebuilt from its pixels like any attached picture
    CHECK(l["4"].fate == "removed");
}

TEST_CASE("mail ledger: signed, encrypted, fragments and references") {
    auto smime = accounted(message(multi("signed",
                                      {multi("mixed", {text_part("SIGNED"), file_part("application/pdf", "s.pdf", pdf())}, "sm"),
                                       file_part("application/pkcs7-signature", "smime.p7s", "\x30\x82\x01\x00sig")},
                                      "sig", "; protocol=\"application/pkcs7-signature\"; micalg=sha-256")));
    CHECK(smime["1.1"].fate == "text");
    CHECK(smime["1.2"].fate == "released");
    CHECK(smime["2"].fate == "removed");
    auto pgp = accounted(message(multi("signed", {text_part("PGP-SIGNED"),
                                               entity("Content-Type: application/pgp-signature\r\n", "-----BEGIN PGP SIGNATURE-----\r\n\r\niQEz\r\n-----END PGP SIGNATURE-----\r\n")},
                                    "ps", "; protocol=\"application/pgp-signature\"")));
    CHECK(pgp["2"].fate == "removed");
    auto enc = accounted(message(multi("encrypted", {entity("Content-Type: application/pgp-encrypted\r\n", "Version: 1\r\n"),
                                                  entity("Content-Type: application/octet-stream\r\n", "-----BEGIN PGP MESSAGE-----\r\nhQEM\r\n-----END PGP MESSAGE-----\r\n")},
                                    "pe", "; protocol=\"application/pgp-encrypted\"")));
    CHECK(enc["1"].fate == "held");
    CHECK(enc["2"].fate == "held");
    auto env = accounted(message(entity("Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
                                     "Content-Transfer-Encoding: base64\r\n", b64("\x30\x80\x06\x09enveloped"))));
    CHECK(env["1"].fate == "held");
    auto part = accounted(message(multi("mixed", {text_part("T"), entity("Content-Type: message/partial; id=\"x@y\"; number=1; total=2\r\n",
                                                                       "Subject: part\r\n\r\nfragment\r\n")}, "mp")));
    CHECK(part["2"].fate == "held");
    auto ext = accounted(message(multi("mixed", {text_part("T"), entity("Content-Type: message/external-body; access-type=URL; URL=\"http://example.jp/x.exe\"\r\n",
                                                                      "Content-Type: application/octet-stream\r\n\r\n")}, "me")));
    CHECK(ext["2"].fate == "removed");
}

TEST_CASE("mail ledger: attachments = remove is a stated removal, listed in the ledger") {
    auto l = accounted(message(multi("mixed", {text_part("T"), file_part("application/pdf", "a.pdf", pdf())}, "rm")),
                       "[sanitizer.mail]\nattachments = \"remove\"\n");
    CHECK(l["2"].fate == "removed");
}

TEST_CASE("mail ledger: a zip holding the Apple Mail layout releases the PDF inside the rebuilt mail") {
    std::string apple = message(multi("alternative",
                                   {text_part("TXT"), multi("mixed", {text_part("HTML", "html"), file_part("application/pdf", "in.pdf", pdf(), "inline"),
                                                                      text_part("HTML2", "html")}, "m")},
                                   "a"));
    Outcome o = engine().process(make_zip({{"mail.eml", apple}}), "mails.zip");
    REQUIRE_MESSAGE(!o.quarantined(), o.reason << ": " << o.reason_detail);
    REQUIRE(o.outputs.size() == 1);
    TempDir dir;
    write_file(dir / "out.zip", o.outputs[0].bytes);
    auto r = run("cd " + shell_quote(dir.path.string()) + " && unzip -o -q out.zip && ls");
    REQUIRE(r.status == 0);
    std::string eml = read_whole(dir / "mail.eml");
    auto j = python_view(eml);
    bool pdf_attached = false;
    for (const auto& p : j["parts"]) pdf_attached = pdf_attached || p["content_type"] == "application/pdf";
    CHECK(pdf_attached);
}

TEST_CASE("mail ledger: every mail of the shared corpus is accounted for") {
    auto corpus = corpus_dir();
    if (!corpus) {
        MESSAGE("SKIPPED: ../shared/corpus not present");
        return;
    }
    Engine e = engine();
    std::size_t mails = 0, agreeing = 0;
    for (const auto& f : fs::recursive_directory_iterator(*corpus)) {
        if (!f.is_regular_file()) continue;
        std::string bytes = read_whole(f.path());
        Outcome o = e.process(bytes, f.path().filename().string());
        if (o.detected_type != "eml" || o.quarantined()) continue;
        CAPTURE(f.path().string());
        ++mails;
        auto ledger = ledger_of(o);
        std::set<std::string> ours;
        for (const auto& x : ledger)
            if (x.part.find('/') == std::string::npos) ours.insert(x.part + " " + x.type);
        auto py = python_leaves(bytes);
        std::set<std::string> theirs;
        for (const auto& leaf : py["leaves"]) theirs.insert(leaf["part"].get<std::string>() + " " + leaf["type"].get<std::string>());
        // Where both readers see the same tree, the ledger must name every leaf. Where they disagree the
        // message is malformed: GMime's reading is what we used, and a parser finding must say so.
        if (ours == theirs) {
            ++agreeing;
        } else {
            MESSAGE("GMime and Python see different trees: " << f.path().filename().string());
            bool noted = false;
            for (const auto& fnd : o.findings) noted = noted || fnd.kind.starts_with("mail.parser.");
            CHECK_MESSAGE(noted, "GMime and Python disagree on a mail GMime found nothing wrong with");
        }
        CHECK(ledger.size() >= ours.size());
    }
    MESSAGE(mails << " corpus mails, " << agreeing << " with the same tree in GMime and Python");
    CHECK(mails > 0);
}
