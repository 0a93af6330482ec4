// Files hidden in the text of a mail (what clients decode out of plain text): every variant of a
// start line cuts, up to its end line or the end of the text, whatever the lines between look like;
// through the engine each cut is a finding and the original mail is held.
#include <doctest/doctest.h>

#include "../../sanitizers/mail/embedded_blocks.hpp"
#include "mail_support.hpp"

using namespace mugaika;
using namespace mugaika::mail;
using namespace mugaika::test::mail;

namespace {

// uuencode lines of `data` as uuencode(1) writes them (written here, independently of any decoder).
std::string uu_lines(const std::string& data, bool xx = false) {
    const char* xx_table = "+-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    auto enc = [&](unsigned v) { return xx ? xx_table[v & 63] : static_cast<char>(v ? (v & 63) + 32 : '`'); };
    std::string out;
    for (std::size_t i = 0; i < data.size(); i += 45) {
        std::string chunk = data.substr(i, 45);
        out += enc(static_cast<unsigned>(chunk.size()));
        for (std::size_t j = 0; j < chunk.size(); j += 3) {
            unsigned a = static_cast<unsigned char>(chunk[j]);
            unsigned b = j + 1 < chunk.size() ? static_cast<unsigned char>(chunk[j + 1]) : 0;
            unsigned c = j + 2 < chunk.size() ? static_cast<unsigned char>(chunk[j + 2]) : 0;
            out += enc(a >> 2);
            out += enc(((a << 4) | (b >> 4)) & 63);
            out += enc(((b << 2) | (c >> 6)) & 63);
            out += enc(c & 63);
        }
        out += "\n";
    }
    return out + (xx ? "+\n" : "`\n");
}

const std::string kExe = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00 This program cannot be run in DOS mode."
                         "PE\0\0 payload payload payload payload payload payload payload";

// What must never be left of the payload in any output: its first encoded bytes.
std::string payload_marker(const std::string& lines) { return lines.substr(1, 12); }

std::string with_suffix_on_every_line(const std::string& s, const std::string& suffix) {
    std::string out;
    std::size_t start = 0;
    while (start < s.size()) {
        auto e = s.find('\n', start);
        out += s.substr(start, e - start) + suffix + "\n";
        start = e + 1;
    }
    return out;
}

struct Cut {
    std::vector<EmbeddedBlock> blocks;
    std::string text;
};

Cut cut(std::string text) {
    auto b = cut_embedded_blocks(text);
    return {b, text};
}

}  // namespace

TEST_CASE("blocks: uuencode variants all cut, whatever the data lines look like") {
    const std::string data = uu_lines(kExe);
    const std::string marker = payload_marker(data);
    std::vector<std::pair<std::string, std::string>> variants = {
        {"plain", "begin 644 evil.exe\n" + data + "end\n"},
        {"trailing spaces (lines still decode)", "begin 644 evil.exe   \n" + with_suffix_on_every_line(data, "   ") + "end   \n"},
        {"trailing tabs, CRLF", with_suffix_on_every_line("begin 644 evil.exe\n" + data + "end\n", "\t\r")},
        {"four-digit mode", "begin 0755 evil.exe\n" + data + "end\n"},
        {"one-digit mode", "begin 6 evil.exe\n" + data + "end\n"},
        {"upper case, indented", "  BEGIN 644 evil.exe\n" + data + "end\n"},
        {"tab separators", "begin\t644\tevil.exe\n" + data + "end\n"},
        {"name with spaces", "begin 644 請求書 2026.pdf .exe\n" + data + "end\n"},
        {"lines too long and short", "begin 644 evil.exe\nMxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n#0V%T\n" + data + "end\n"},
        {"blank and prose lines inside", "begin 644 evil.exe\n\nsome words\n" + data + "\nend\n"},
        {"xxencode", "begin 644 evil.exe\n" + uu_lines(kExe, true) + "end\n"},
        {"no end line", "begin 644 evil.exe\n" + data},
        {"end indented (not an end for every client)", "begin 644 evil.exe\n" + data + " end\n" + data + "end\n"},
    };
    for (const auto& [what, block] : variants) {
        CAPTURE(what);
        auto c = cut("前のテキスト\n" + block + "後のテキスト\n");
        REQUIRE(c.blocks.size() == 1);
        CHECK(c.blocks[0].kind == EmbeddedBlock::Kind::uuencode);
        CHECK(c.text.find(marker) == std::string::npos);
        CHECK(c.text.find(uu_lines(kExe, true).substr(1, 12)) == std::string::npos);
        CHECK(c.text.starts_with("前のテキスト\n[uuencode"));
        // After an end line the text goes on; without one everything after the start is cut.
        bool ends = block.find("\nend") != std::string::npos;
        CHECK(c.blocks[0].terminated == ends);
        CHECK((c.text.find("後のテキスト") != std::string::npos) == ends);
    }
    CHECK(cut("begin 644 evil.exe\n" + data + "end\n").blocks[0].name == "evil.exe");
}

TEST_CASE("blocks: the other encodings clients decode from text") {
    SUBCASE("begin-base64 (GNU uuencode -m)") {
        auto c = cut("x\nbegin-base64 644 a.exe\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\n====\ny\n");
        REQUIRE(c.blocks.size() == 1);
        CHECK(c.blocks[0].kind == EmbeddedBlock::Kind::base64_file);
        CHECK(c.blocks[0].name == "a.exe");
        CHECK(c.text.find("TVqQ") == std::string::npos);
        CHECK(c.text.find("y\n") != std::string::npos);
    }
    SUBCASE("BinHex: to the closing colon, or the end of the text") {
        std::string hqx = "(This file must be converted with BinHex 4.0)\n\n:$f*TEQKPH#jdCA0d,R0TG!\"6594%8dP8)3#3\"!%3!!!\n"
                          "3!*!$\"!!!!!9'8R9!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!:\n";
        auto c = cut("前\n" + hqx + "後\n");
        REQUIRE(c.blocks.size() == 1);
        CHECK(c.blocks[0].kind == EmbeddedBlock::Kind::binhex);
        CHECK(c.text == "前\n[BinHex形式のファイルは取り除きました]\n後\n");
        auto open = cut("(this file must be converted with binhex 4.0)\n:abc\ndef\n");   // never closed
        REQUIRE(open.blocks.size() == 1);
        CHECK_FALSE(open.blocks[0].terminated);
        CHECK(open.text.find("def") == std::string::npos);
        auto one = cut("(This file must be converted with BinHex 4.0)\n:data:\nafter\n");   // one line
        CHECK(one.text.find("after") != std::string::npos);
        CHECK(one.text.find("data") == std::string::npos);
    }
    SUBCASE("yEnc") {
        auto c = cut("=ybegin line=128 size=123 name=請求書.exe\r\n\x8A\x9B\xC3garbage\r\n=yend size=123\r\nafter\r\n");
        REQUIRE(c.blocks.size() == 1);
        CHECK(c.blocks[0].kind == EmbeddedBlock::Kind::yenc);
        CHECK(c.blocks[0].name == "請求書.exe");
        CHECK(c.text.find("garbage") == std::string::npos);
        CHECK(c.text.find("after") != std::string::npos);
        auto multi = cut("=YBEGIN part=1 line=128 size=500 name=a.bin\n=ypart begin=1 end=100\nxyz\n");
        REQUIRE(multi.blocks.size() == 1);
        CHECK_FALSE(multi.blocks[0].terminated);
    }
    SUBCASE("PGP armour: messages and keys held, signatures removed") {
        auto c = cut("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n本文\n-----BEGIN PGP SIGNATURE-----\n\niQEz\n"
                     "-----END PGP SIGNATURE-----\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQEN\n-----END PGP PUBLIC KEY BLOCK-----\n"
                     "-----BEGIN PGP MESSAGE-----\nhQEM\n-----END PGP MESSAGE-----\nおわり\n");
        REQUIRE(c.blocks.size() == 3);
        CHECK(c.blocks[0].kind == EmbeddedBlock::Kind::pgp_signature);
        CHECK(c.blocks[1].kind == EmbeddedBlock::Kind::pgp_key);
        CHECK(c.blocks[2].kind == EmbeddedBlock::Kind::pgp_message);
        CHECK_FALSE(holds_original(EmbeddedBlock::Kind::pgp_signature));
        CHECK(holds_original(EmbeddedBlock::Kind::pgp_key));
        for (auto s : {"iQEz", "mQEN", "hQEM"}) CHECK(c.text.find(s) == std::string::npos);
        CHECK(c.text.find("本文") != std::string::npos);
        CHECK(c.text.find("おわり") != std::string::npos);
    }
    SUBCASE("a MIME part pasted into the text, up to the next boundary") {
        auto c = cut("転送します\n--b1\nContent-Type: application/octet-stream;\n name=\"x.exe\"\n"
                     "Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\nAAAAAAAA\n--b1--\n以上\n");
        REQUIRE(c.blocks.size() == 1);
        CHECK(c.blocks[0].kind == EmbeddedBlock::Kind::mime_part);
        CHECK(c.blocks[0].name == "x.exe");
        CHECK(c.text.find("TVqQ") == std::string::npos);
        CHECK(c.text.find("以上") != std::string::npos);
        for (std::string head : {"Content-Disposition: attachment; filename*=UTF-8''%E8%AB%8B.pdf\n",
                                 "Content-Type: image/png\n", "Content-Transfer-Encoding: quoted-printable\n",
                                 "content-type: text/plain; name=memo.txt\n"}) {
            CAPTURE(head);
            auto m = cut("a\n" + head + "\nDATA-LINE\n");
            REQUIRE(m.blocks.size() == 1);
            CHECK(m.text.find("DATA-LINE") == std::string::npos);
        }
    }
}

TEST_CASE("blocks: text that only resembles a start line stays") {
    for (std::string t : {"Let's begin at 10.\n", "begin\n", "begin 89 things\n", "begin 12345 too many digits\n",
                          "beginning 644 x\n", "Content-Type: text/plain; charset=utf-8\n\nhello\n",
                          "Content-Type: application/pdf is what the server sends\nno blank line here\n",
                          "  Content-Type: application/pdf\n\nindented is not a header\n", "=y begin\n",
                          "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\ntext\n", "BinHex is old\n"}) {
        CAPTURE(t);
        auto c = cut(t);
        CHECK(c.blocks.empty());
        CHECK(c.text == t);
    }
}

TEST_CASE("mail: a file hidden in the text is cut, reported and the original held, in every body form") {
    const std::string data = uu_lines(kExe);
    const std::string block = "begin 644 evil.exe  \r\n" + with_suffix_on_every_line(data, "  ") + "end\r\n";
    const std::string marker = payload_marker(data);
    std::vector<std::pair<std::string, std::string>> mails = {
        {"text/plain 7bit", headers("x", "text/plain; charset=us-ascii") + "Hello\r\n" + block + "Bye\r\n"},
        {"text/plain base64", headers("x", "text/plain; charset=utf-8", "base64") + b64("Hello\r\n" + block + "Bye\r\n")},
        {"HTML <pre> (the converted text would carry it)",
         headers("x", "text/html; charset=utf-8") + "<html><body><p>Hello</p><pre>\r\n" + block + "</pre><p>Bye</p></body></html>\r\n"},
        {"multipart preamble",
         headers("x", "multipart/mixed; boundary=\"b\"") + "Hello\r\n" + block + "--b\r\nContent-Type: text/plain\r\n\r\nBye\r\n--b--\r\n"},
    };
    for (const auto& [what, eml] : mails) {
        CAPTURE(what);
        Outcome o = sanitize(eml);
        auto j = checked(o);
        std::string body = body_of(j);
        CHECK(body.find(marker) == std::string::npos);
        CHECK(body.find("evil.exe") != std::string::npos);   // the notice and the placeholder name it
        CHECK(has_finding(o, "mail.uuencode"));
        CHECK(o.keeps_original());
        bool held = false;
        for (const auto& h : o.held) held = held || h.type == "uuencode";
        CHECK(held);
        CHECK(j["headers"]["X-Mugaika-Sanitized"].get<std::string>().find("1 held") != std::string::npos);
    }
}

TEST_CASE("mail: images carried in the HTML itself (data: URIs) are removed with a finding") {
    std::string png = b64(mugaika::test::make_png(2, 2), 0);
    Outcome o = sanitize(headers("x", "text/html; charset=utf-8") + "<html><body><p>本文</p><img src=\"data:image/png;base64," + png +
                         "\" alt=\"\"><img src=\" DATA:application/octet-stream;base64,TVqQAAMAAAAEAAAA\"></body></html>\r\n");
    auto j = checked(o);
    CHECK(body_of(j).find(png.substr(0, 16)) == std::string::npos);
    CHECK(body_of(j).find("TVqQ") == std::string::npos);
    CHECK(has_finding(o, "mail.inline"));
}

TEST_CASE("mail: a text attachment that hides a file is held, not attached") {
    const std::string data = uu_lines(kExe);
    std::string eml = headers("x", "multipart/mixed; boundary=\"b\"") + "--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                      "see attached\r\n--b\r\nContent-Type: text/plain; name=\"notes.txt\"\r\n"
                      "Content-Disposition: inline; filename=\"notes.txt\"\r\n\r\nnotes\r\nbegin 644 evil.exe\r\n" + data +
                      "end\r\n--b--\r\n";
    Outcome o = sanitize(eml);
    auto j = checked(o);
    for (const auto& p : j["parts"]) CHECK(p.value("filename", nlohmann::json()) != "notes.txt");
    CHECK(has_finding(o, "mail.attachment.hidden_file"));
    CHECK(o.keeps_original());
    // A text attachment without one is attached as usual.
    std::string clean = headers("x", "multipart/mixed; boundary=\"b\"") + "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
                        "Content-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\n"
                        "let us begin at ten\r\n--b--\r\n";
    Outcome c = sanitize(clean);
    auto cj = checked(c);
    bool attached = false;
    for (const auto& p : cj["parts"]) attached = attached || p.value("filename", nlohmann::json()) == "notes.txt";
    CHECK(attached);
    CHECK_FALSE(c.keeps_original());
}

TEST_CASE("blocks: start lines are found in any case, at the first and the last line of the text") {
    // The quick look for a start line (before the text is split into lines) ignores case itself.
    auto mixed = cut("CoNtEnT-TrAnSfEr-EnCoDiNg: BaSe64\nContent-TYPE: application/octet-stream; NAME=a.exe\n\nTVqQAAMAAAAEAAAA\n");
    REQUIRE(mixed.blocks.size() == 1);
    CHECK(mixed.blocks[0].kind == EmbeddedBlock::Kind::mime_part);
    CHECK(mixed.text.find("TVqQ") == std::string::npos);
    auto first = cut("BeGiN 644 x.exe\n" + uu_lines(kExe) + "end\n");
    REQUIRE(first.blocks.size() == 1);
    CHECK(first.blocks[0].kind == EmbeddedBlock::Kind::uuencode);
    auto last = cut("本文です。\n=yBegin line=128 size=3 name=y.bin\n");
    REQUIRE(last.blocks.size() == 1);
    CHECK(last.blocks[0].kind == EmbeddedBlock::Kind::yenc);
    // A marker cut short at the end of the text is no marker, and the text stays as it was.
    auto none = cut("本文です。 begi");
    CHECK(none.blocks.empty());
    CHECK(none.text == "本文です。 begi");
}
