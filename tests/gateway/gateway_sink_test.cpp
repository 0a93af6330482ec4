// An approved release from the quarantine goes out through the gateway's own release path: share items
// into their section's drop folder, mail to the LGWAN-side Maildir or MTA; re-disarming kinds run the
// engine again (in an isolated worker) and a still-unsafe item is refused, never released.
#include <doctest/doctest.h>

#include "clamd_server.hpp"
#include "config/gateway_config.hpp"
#include "fake_mta.hpp"
#include "fixtures.hpp"
#include "mugaika/registry.hpp"
#include "release/gateway_sink.hpp"
#include "scan/clamd_client.hpp"
#include "temp_quarantine.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;
namespace q = mugaika::quarantine;

namespace {

struct SinkWorld {
    TempDir t;
    GatewayConfig config;
    SinkWorld() {
        config.out_dir = t / "out";
        config.release.maildir = t / "mail";
        config.review = temp_quarantine_config(t.path);
        config.scan.enabled = false;   // the scanning case below starts a clamd of its own
    }
    q::ReleasedItem share_item(const std::string& kind, const std::string& name, const std::string& bytes) const {
        q::ReleasedItem it;
        it.item_id = "20261201T101500Z-0123456789ab-abcdef";
        it.kind = kind;
        it.name = name;
        it.bytes = bytes;
        it.section = "総務課";
        it.source = "share";
        it.requested_by = "sato";
        it.approved_by = "suzuki";
        return it;
    }
    q::ReleasedItem mail_item(const std::string& kind, const std::string& eml) const {
        q::ReleasedItem it = share_item(kind, "message.eml", eml);
        it.section.clear();
        it.source = "mail";
        it.sender = "partner@example.co.jp";
        it.recipients = {"somu@city.example.lg.jp", "kacho@city.example.lg.jp"};
        return it;
    }
};

const std::string plain_mail =
    "From: partner@example.co.jp\nTo: somu@city.example.lg.jp\nSubject: =?UTF-8?B?6KaL56mN5pu4?=\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n見積書をお送りします。\n";

}  // namespace

TEST_CASE("gateway sink: the original of a share item lands in its section's drop folder, never overwriting") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string where = sink.release(w.share_item("original", "現場写真.png", "PNG bytes"));
    CHECK(where == (w.t / "out" / "総務課" / "現場写真.png").string());
    CHECK(read_whole(w.t / "out" / "総務課" / "現場写真.png") == "PNG bytes");
    // Released again (another item of the same name): a new name, the first file untouched.
    std::string second = sink.release(w.share_item("original", "現場写真.png", "other bytes"));
    CHECK(second == (w.t / "out" / "総務課" / "現場写真 (2).png").string());
    CHECK(read_whole(w.t / "out" / "総務課" / "現場写真.png") == "PNG bytes");
}

TEST_CASE("gateway sink: a dangerous or path-like name is made safe in the drop folder") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string where = sink.release(w.share_item("original", "../../etc/\u202Etxt.exe", "MZ"));
    CHECK(fs::path(where).parent_path() == w.t / "out" / "総務課");
    CHECK(where.find("\u202E") == std::string::npos);
    CHECK(files_in(w.t / "out" / "総務課").size() == 1);
}

TEST_CASE("gateway sink: re-disarming with the current policy releases the disarmed copy, not the original") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string where = sink.release(w.share_item("resanitize", "名簿.csv", "名前,式\n山田,=HYPERLINK(\"http://x\")\n"));
    std::string csv = read_whole(where);
    CHECK(csv.find("山田") != std::string::npos);
    CHECK(csv.find(",=HYPERLINK") == std::string::npos);
}

TEST_CASE("gateway sink: pixel mode rebuilds a PDF as images (no text layer left for pdftotext)") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string pdf = make_pdf("Invoice 2026-12");
    std::string text_copy = sink.release(w.share_item("resanitize", "invoice.pdf", pdf));
    std::string pixel_copy = sink.release(w.share_item("pixels", "invoice.pdf", pdf));
    auto text_of = [](const std::string& file) { return run("pdftotext " + shell_quote(file) + " - 2>/dev/null").out; };
    CHECK(text_of(text_copy).find("Invoice 2026-12") != std::string::npos);
    CHECK(text_of(pixel_copy).find("Invoice") == std::string::npos);
    CHECK(run("qpdf --check " + shell_quote(pixel_copy) + " > /dev/null 2>&1").status == 0);
}

TEST_CASE("gateway sink: a PPAP zip is decrypted with the requester's password and its members released disarmed") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string zip = make_encrypted_zip({{"見積書.csv", "品目,金額\n机,=1+2\n"}, {"説明.txt", "ご確認ください。\n"}},
                                         "Pa55word-2026", "aes256");
    auto item = w.share_item("ppap", "見積書.zip", zip);
    // The wrong password opens nothing: refused, nothing written.
    item.password = "wrong";
    CHECK_THROWS_AS(sink.release(item), q::ReleaseError);
    CHECK_FALSE(fs::exists(w.t / "out" / "総務課"));
    item.password = "Pa55word-2026";
    std::string where = sink.release(item);
    CHECK(fs::path(where).parent_path() == w.t / "out" / "総務課");
    // Read back with Info-ZIP's unzip: not encrypted any more, the formula neutralised, the text kept.
    auto list = run("unzip -Z1 " + shell_quote(where));
    CHECK(list.out.find("説明.txt") != std::string::npos);
    auto csv = run("unzip -p " + shell_quote(where) + " 見積書.csv");
    CHECK(csv.status == 0);
    CHECK(csv.out.find("机") != std::string::npos);
    CHECK(csv.out.find(",=1+2") == std::string::npos);
    CHECK(run("unzip -p " + shell_quote(where) + " 説明.txt").out == "ご確認ください。\n");
}

TEST_CASE("gateway sink: an item that is still unsafe when disarmed again is refused and nothing is written") {
    SinkWorld w;
    GatewaySink sink(w.config);
    try {
        sink.release(w.share_item("resanitize", "update.exe", std::string("MZ\x90\x00\x03\x00\x00\x00 program", 17)));
        FAIL("an executable was released by re-disarming");
    } catch (const q::ReleaseError& e) {
        CHECK(std::string(e.message_ja).find("再度無害化しても安全にできませんでした") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(w.t / "out" / "総務課"));
    // A release kind the gateway does not know is refused too.
    CHECK_THROWS_AS(sink.release(w.share_item("everything", "a.txt", "x")), q::ReleaseError);
}

TEST_CASE("gateway sink: a mail's original goes to the Maildir with the item id and the kind") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string where = sink.release(w.mail_item("original", plain_mail));
    REQUIRE(fs::path(where).parent_path() == w.t / "mail" / "new");
    std::string delivered = read_whole(where);
    CHECK(delivered.starts_with("X-Mugaika-ID: 20261201T101500Z-0123456789ab-abcdef\n"));
    CHECK(delivered.find("X-Mugaika-Release: original\n") != std::string::npos);
    CHECK(delivered.find("X-Mugaika-Envelope-To: somu@city.example.lg.jp, kacho@city.example.lg.jp\n") != std::string::npos);
    CHECK(delivered.ends_with(plain_mail));
    CHECK(files_in(w.t / "mail" / "tmp").empty());
}

TEST_CASE("gateway sink: a mail disarmed again is sent to the LGWAN MTA with its original envelope") {
    SinkWorld w;
    FakeMta mta("250 2.1.5 ok");
    w.config.release.smtp_next_hop = mta.address();
    w.config.release.smtp_timeout = std::chrono::seconds(10);
    GatewaySink sink(w.config);
    std::string where = sink.release(w.mail_item("resanitize", plain_mail));
    CHECK(where.starts_with("smtp://" + mta.address() + "/"));
    REQUIRE(mta.messages.size() == 1);
    CHECK(mta.messages[0].find("X-Mugaika-Release: resanitize\r\n") != std::string::npos);
    // The body survives the disarming (read back by Python's email package, not by our parser).
    write_file(w.t / "sent.eml", mta.messages[0]);
    auto body = run("python3 -c \"import email,email.policy,sys;m=email.message_from_binary_file(open(sys.argv[1],'rb'),"
                    "policy=email.policy.default);sys.stdout.write(m.get_body(('plain',)).get_content())\" " +
                    shell_quote((w.t / "sent.eml").string()));
    CHECK(body.out.find("見積書をお送りします。") != std::string::npos);
    CHECK_FALSE(fs::exists(w.t / "mail" / "new"));
}

TEST_CASE("gateway sink: a refusal by the LGWAN MTA is reported, a deferral is an error to retry") {
    SinkWorld w;
    FakeMta refusing("550 5.1.1 no such user");
    w.config.release.smtp_next_hop = refusing.address();
    w.config.release.smtp_timeout = std::chrono::seconds(10);
    CHECK_THROWS_AS(GatewaySink(w.config).release(w.mail_item("original", plain_mail)), q::ReleaseError);
    FakeMta deferring("451 4.3.0 later");
    w.config.release.smtp_next_hop = deferring.address();
    try {
        GatewaySink(w.config).release(w.mail_item("original", plain_mail));
        FAIL("a deferred mail was reported delivered");
    } catch (const q::ReleaseError&) {
        FAIL("a deferral is not a refusal");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("deferred") != std::string::npos);
    }
}

TEST_CASE("gateway sink: an item with no known destination goes to [quarantine] release_dir") {
    SinkWorld w;
    GatewaySink sink(w.config);
    auto it = w.share_item("original", "old.txt", "from the file store");
    it.section.clear();
    it.source = "file-store";
    std::string where = sink.release(it);
    CHECK(fs::path(where).parent_path() == w.t / "released");
    CHECK(read_whole(where) == "from the file store");
}

TEST_CASE("gateway sink: what people approved still goes through the malware scanner") {
    ClamdServer clamd;
    if (clamd.address.empty()) {
        MESSAGE("skipped: " << clamd.why_not);
        return;
    }
    SinkWorld w;
    w.config.scan.enabled = true;
    w.config.scan.clamd = clamd.address;
    GatewaySink sink(w.config);
    try {
        sink.release(w.share_item("original", "readme.txt", eicar()));
        FAIL("malware was released because two people approved it");
    } catch (const q::ReleaseError& e) {
        CHECK(e.message_ja.find("マルウェアが検出されたため解放できません") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(w.t / "out" / "総務課"));
    // A PPAP zip hides its members from the scanner until the password opens them: the disarmed output,
    // scanned before it is released, shows what was inside.
    auto ppap = w.share_item("ppap", "請求書.zip", make_encrypted_zip({{"readme.txt", eicar() + "\n"}}, "secret-pw", "zipcrypto"));
    ppap.password = "secret-pw";
    CHECK(clamd_scan(clamd.address, ppap.bytes, std::chrono::seconds(10)).kind == ClamdResult::clean);
    try {
        sink.release(ppap);
        FAIL("malware inside a PPAP zip was released");
    } catch (const q::ReleaseError& e) {
        CHECK(e.message_ja.find("マルウェアが検出されたため解放できません") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(w.t / "out" / "総務課"));
    // A clean original passes; with the scanner gone, nothing is released (an error to retry, not a refusal).
    CHECK_NOTHROW(sink.release(w.share_item("original", "memo.txt", "会議のメモ\n")));
    clamd.stop();
    CHECK_THROWS_AS(sink.release(w.share_item("original", "memo2.txt", "会議のメモ\n")), ScannerUnavailable);
    CHECK_FALSE(fs::exists(w.t / "out" / "総務課" / "memo2.txt"));
}

TEST_CASE("gateway sink: a re-disarming worker that names its output outside the drop folder is refused") {
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    SinkWorld w;
    GatewaySink sink(w.config);
    for (std::string name : {std::string("../../escaped.txt"), (w.t / "escaped-abs.txt").string(), std::string("a/b.txt")}) {
        CAPTURE(name);
        CHECK_THROWS_AS(sink.release(w.share_item("resanitize", "mugaika-test-badname.txt", name)), q::ReleaseError);
    }
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    CHECK_FALSE(fs::exists(w.t / "out" / "総務課"));
    CHECK_FALSE(fs::exists(w.t / "escaped.txt"));
    CHECK_FALSE(fs::exists(w.t / "escaped-abs.txt"));
}

TEST_CASE("gateway sink: only the release kinds that can succeed are offered") {
    SinkWorld w;
    GatewaySink sink(w.config);
    auto kinds = [&](const std::string& type, const std::string& reason, std::vector<q::ReleaseCandidate::Part> held = {},
                     bool partial = false) {
        q::ReleaseCandidate c;
        c.file_type = type;
        c.reason = reason;
        c.held = std::move(held);
        c.partial = partial;
        return sink.possible_kinds(c);
    };
    using V = std::vector<std::string>;
    // Disarming again cannot change a verdict on the name, an ambiguous zip or an encryption.
    CHECK(kinds("exe", "blocked.name") == V{"original"});
    CHECK(kinds("zip", "zip.ambiguous") == V{"original"});
    CHECK(kinds("office-encrypted", "encrypted") == V{"original"});
    // A type the policy blocks, and one with no sanitizer in this build.
    CHECK(kinds("exe", "blocked.type") == V{"original"});
    CHECK(kinds("cab", "unsupported") == V{"original"});
    // A PPAP zip: its password, not another disarming.
    CHECK(kinds("zip", "encrypted") == V{"ppap", "original"});
    // A PDF over a limit: again (a raised limit), as images, or as it is.
    CHECK(kinds("pdf", "limit.pages") == V{"resanitize", "pixels", "original"});
    CHECK(kinds("docx", "malformed") == V{"resanitize", "original"});
    // A mail partly held: judged by its held parts.
    CHECK(kinds("eml", "encrypted", {{"zip", "encrypted"}}, true) == V{"ppap", "original"});
    CHECK(kinds("eml", "blocked.type", {{"exe", "blocked.type"}}, true) == V{"original"});
    CHECK(kinds("eml", "limit.time", {{"pdf", "limit.time"}}, true) == V{"resanitize", "pixels", "original"});
    // A type held as blocked is worth disarming again once the policy reconstructs it (the default
    // for docx here), not while the policy still blocks it.
    CHECK(kinds("docx", "blocked.type") == V{"resanitize", "original"});
    SinkWorld w2;
    w2.config.policy.actions["docx"] = TypeAction::block;
    GatewaySink sink2(w2.config);
    q::ReleaseCandidate c;
    c.file_type = "docx";
    c.reason = "blocked.type";
    CHECK(sink2.possible_kinds(c) == V{"original"});
}

TEST_CASE("gateway sink: disarming again while parts are still held is refused, not delivered twice") {
    SinkWorld w;
    GatewaySink sink(w.config);
    std::string zip = make_zip({{"readme.txt", "hello\n"}, {"tool.exe", "MZ\x90\x00 not really"}});
    auto item = w.share_item(q::release_kind::resanitize, "bundle.zip", zip);
    CHECK_THROWS_AS(sink.release(item), q::ReleaseError);
    CHECK_FALSE(fs::exists(w.config.out_dir / "総務課" / "bundle.zip"));
}
