// `mugaika mail`: pipe mode through the built binary.
#include <doctest/doctest.h>

#include "fixtures.hpp"

using namespace mugaika::test;

namespace {
// Items in the quarantine store (one folder each).
std::size_t held_items(const std::filesystem::path& q) {
    if (!std::filesystem::exists(q)) return 0;
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(q)) n += e.is_directory() ? 1 : 0;
    return n;
}

std::string mail_cmd(const TempDir& dir, const std::string& in_file) {
    return shell_quote(mugaika_binary().string()) + " mail --config " + shell_quote(scanless_config(dir.path).string()) +
           " --quarantine " + shell_quote((dir / "q").string()) + " < " +
           shell_quote(in_file) + " 2>" + shell_quote((dir / "stderr").string());
}
}  // namespace

TEST_CASE("mugaika mail: a Japanese mail in, the safe mail out, exit 0") {
    TempDir dir;
    write_file(dir / "in.eml",
               "From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: =?ISO-2022-JP?B?GyRCN29MPi0hLWobKEI=?=\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
               "<p>\xE6\x9C\xAC\xE6\x96\x87<script>x()</script></p>\r\n");
    auto r = run(mail_cmd(dir, (dir / "in.eml").string()));
    CHECK(r.status == 0);
    CHECK(r.out.find("X-Mugaika-Sanitized:") != std::string::npos);
    CHECK(r.out.find("<script>") == std::string::npos);
    write_file(dir / "out.eml", r.out);
    auto py = run("python3 -c \"import email,email.policy,sys; m=email.message_from_binary_file(open(sys.argv[1],'rb'),"
                  "policy=email.policy.default); print(m['Subject']); print(m.get_content_type()); "
                  "print(m.get_content().splitlines()[-1])\" " + shell_quote((dir / "out.eml").string()));
    CHECK(py.status == 0);
    CHECK(py.out == "件名①㈱\ntext/plain\n本文\n");
    CHECK(held_items(dir / "q") == 0);
}

TEST_CASE("mugaika mail: not a mail is held, exit 3, nothing on stdout") {
    TempDir dir;
    write_file(dir / "in.bin", std::string("MZ\x90\x00", 4) + std::string(100, '\0'));
    auto r = run(mail_cmd(dir, (dir / "in.bin").string()));
    CHECK(r.status == 3);
    CHECK(r.out.empty());
    CHECK(held_items(dir / "q") == 1);
}

TEST_CASE("mugaika mail: a held attachment keeps the original in quarantine, the mail still goes out") {
    TempDir dir;
    write_file(dir / "in.eml",
               "From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: exe\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
               "--b\r\nContent-Type: application/octet-stream; name=\"a.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n--b--\r\n");
    auto r = run(mail_cmd(dir, (dir / "in.eml").string()));
    CHECK(r.status == 0);
    CHECK(r.out.find("TVqQ") == std::string::npos);
    CHECK(held_items(dir / "q") == 1);
}
