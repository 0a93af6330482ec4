// A PPAP mail: the password-protected zip attached to a mail, opened through the mail sanitizer with
// the password the officer entered. The safe mail is read back with Python's email package and the zip
// in it with Info-ZIP's unzip.
#include "mail_support.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::mail;

namespace {

const std::string kPassword = "Ppap-メール-2468";

std::string ppap_mail(const std::string& zip) {
    return "From: sender@example.co.jp\r\nTo: somu@city.example.lg.jp\r\nSubject: =?UTF-8?B?6LOH5paZ?=\r\n"
           "Date: Sun, 22 Nov 2026 10:00:00 +0900\r\nMessage-ID: <ppap1@example.co.jp>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           "資料を送ります。パスワードは別メールで送ります。\r\n"
           "--b\r\nContent-Type: application/zip; name=\"shiryo.zip\"\r\n"
           "Content-Disposition: attachment; filename=\"shiryo.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
           b64(zip) + "--b--\r\n";
}

// The attachment named `filename` of a safe mail, decoded by Python's email package.
std::string attachment_of(const std::string& eml, const std::string& filename) {
    TempDir d;
    write_file(d / "m.eml", eml);
    auto r = run("python3 -c " +
                 shell_quote("import email, email.policy, sys\n"
                             "m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n"
                             "for p in m.walk():\n"
                             "    if p.get_filename() == sys.argv[2]:\n"
                             "        sys.stdout.buffer.write(p.get_payload(decode=True))\n") +
                 " " + shell_quote((d / "m.eml").string()) + " " + shell_quote(filename));
    REQUIRE(r.status == 0);
    return r.out;
}

}  // namespace

TEST_CASE("archive: a PPAP zip attached to a mail is held without the password, disarmed with it") {
    std::string zip = make_encrypted_zip({{"見積書.csv", "品名,金額\n机,=2*3\n"}}, kPassword, "aes256");
    std::string eml = ppap_mail(zip);
    Engine e = engine();

    Outcome without = e.process(eml, "message.eml");
    auto j = checked(without);
    REQUIRE(without.held.size() == 1);
    CHECK(without.held[0].reason == reason::encrypted);
    CHECK(without.keeps_original());
    CHECK(body_of(j).find("shiryo.zip … 保留しました。") != std::string::npos);

    Outcome with = e.process(eml, "message.eml", ItemSecrets{{kPassword}});
    auto k = checked(with);
    CHECK(with.held.empty());
    CHECK_FALSE(with.keeps_original());
    CHECK(has_finding(with, "zip.decrypted"));
    std::string released = attachment_of(with.outputs[0].bytes, "shiryo.zip");
    REQUIRE(!released.empty());
    TempDir d;
    write_file(d / "a.zip", released);
    auto listed = run("LC_ALL=C.UTF-8 unzip -Z1 " + shell_quote((d / "a.zip").string()));
    CHECK(listed.out == "見積書.csv\n");
    // Read without any password: the zip that reaches the LGWAN side is not encrypted.
    auto csv = run("unzip -p " + shell_quote((d / "a.zip").string()) + " '見積書.csv' </dev/null");
    CHECK(csv.out == "品名,金額\n机,'=2*3\n");

    for (const Outcome* o : {&without, &with})
        CHECK((to_report_json(*o).dump() + summary_ja(*o)).find(kPassword) == std::string::npos);
    CHECK(with.outputs[0].bytes.find(kPassword) == std::string::npos);
}
