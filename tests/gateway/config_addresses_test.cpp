// Issue 18: every address, port and path checked when the configuration loads, with file:line, in
// Japanese and English; relative paths are the file's.
#include <doctest/doctest.h>

#include "config/config_messages.hpp"
#include "config/gateway_config.hpp"
#include "fixtures.hpp"
#include "mugaika/endpoint.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_config_text(text, "t.toml", builtin_registry());
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("config: addresses are refused at load with file:line, not at start (\"127.0.0.1:80x\" is not port 80)") {
    struct Case {
        const char* text;
        int line;
        const char* says;
    } cases[] = {
        {"[lmtp]\nlisten = \"127.0.0.1:80x\"\n", 2, "80x"},
        {"[lmtp]\nenabled = true\nlisten = \"127.0.0.1:abc\"\n", 3, "abc"},
        {"[lmtp]\nlisten = \"127.0.0.1:\"\n", 2, "port"},
        {"[lmtp]\nlisten = \"127.0.0.1:65536\"\n", 2, "65535"},
        {"[lmtp]\nlisten = \"localhost:10025\"\n", 2, "not an IP address"},      // LMTP binds numeric only
        {"[lmtp]\nlisten = \"::1:10025\"\n", 2, "brackets"},
        {"[lmtp]\nlisten = \"unix:run/lmtp\"\n", 2, "absolute"},
        {"[lmtp]\nclients = [\"127.0.0.1\", \"127.0.0.300\"]\n", 2, "127.0.0.300"},
        {"[http]\nlisten = \"9925\"\n", 2, "host:port"},
        {"[http]\nlisten = \"127.0.0.1:+99\"\n", 2, "+99"},
        {"[http]\nlisten = \"bad_host!:9925\"\n", 2, "host name"},
        {"[release]\nsmtp_next_hop = \"mx.example.jp:0\"\n", 2, "65535"},
        {"[release]\nsmtp_next_hop = \"unix:/run/x\"\n", 2, "unix"},
        {"[scan]\nclamd = \"127.0.0.1:33 10\"\n", 2, "33 10"},
        {"[officer_ui]\nlisten = \"127.0.0.1:84a3\"\n", 2, "84a3"},
        {"[officer_ui]\nlisten = \"[::1:8443\"\n", 2, "[address]:port"},
        {"[paths]\nout = \"var/o\\nut\"\n", 2, "control"},
        {"[quarantine]\nkey_file = \"store/k\"\nstore_dir = \"store\"\n", 2, "outside"},
        {"[paths]\nout = \"x/in/o\"\n[share]\ninbound = \"x/in\"\n", 2, "separate folders"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        std::string e = error_of(c.text);
        CHECK(e.starts_with("t.toml:" + std::to_string(c.line) + ":"));
        CHECK(e.find(c.says) != std::string::npos);
        // In Japanese too: directly, or through the catalogue.
        std::string ja = config_message_ja(e);
        CHECK((ja.empty() ? e : ja).find_first_of("\xe3") != std::string::npos);
    }
    // Good ones, in their canonical form where the service compares them.
    auto c = parse_config_text("[lmtp]\nlisten = \"[::1]:10025\"\nclients = [\"0:0:0:0:0:0:0:1\", \"127.0.0.1\"]\n"
                               "[http]\nlisten = \"localhost:0\"\n[scan]\nclamd = \"unix:/run/clamav/clamd.ctl\"\n"
                               "[release]\nsmtp_next_hop = \"lgwan-mx.example.lg.jp:25\"\n",
                               "t.toml", builtin_registry());
    CHECK(c.lmtp.clients == std::vector<std::string>{"::1", "127.0.0.1"});
    CHECK(parse_endpoint("[::1]:10025", false, HostKind::numeric, Use::listen).port == 10025);
    CHECK_THROWS_AS(parse_endpoint("127.0.0.1:0"), EndpointError);   // a client needs a real port
}

TEST_CASE("config: every message shape of the parsers has its Japanese") {
    for (const char* text : {"[limits]\nmax_dpeth = 3\n", "[smtp]\nx = 1\n", "[worker]\ncount = -1\n",
                             "[worker]\ncount = 999\n", "[share]\nenabled = 3\n", "[share]\nsections = [\"a\", \"a\"]\n",
                             "[share]\nsections = [\"../x\"]\n", "[lmtp]\nmax_line_bytes = 100\n",
                             "[spool]\nmin_free_bytes = \"12XB\"\n", "[release]\nnotes = \"sometimes\"\n",
                             "[quarantine]\ndb = \"mysql:x\"\n", "[quarantine]\nretention_days = 0\n",
                             "[quarantine]\nrelease_kinds = [\"magic\"]\n", "[types]\nnosuch = \"block\"\n",
                             "[types]\nunknown = \"reconstruct\"\n", "[names]\nextension_mismatch = \"x\"\n",
                             "paths = 3\n", "[officer_ui]\ntls_cert = \"/x\"\n", "[converter]\ncount = 65\n",
                             "[converter]\nmemory_mib = 100\n", "[converter]\nprestart = 1\n", "[converter]\nnosuch = 1\n",
                             "[converter]\ntimeout_seconds = 0\n", "[sanitizer.image]\nnosuch = 1\n"}) {
        std::string shown = text;
        CAPTURE(shown);
        std::string e = error_of(text);
        REQUIRE(e != "(accepted)");
        std::string ja = config_message_ja(e);
        CAPTURE(ja);
        CHECK(!ja.empty());
        CHECK(ja.find("設定ファイルの誤りです") == std::string::npos);   // a specific message, not the fallback
        CHECK(ja.substr(0, ja.find(' ')) == e.substr(0, e.find(' ')));  // the same file:line
    }
}

// A configuration can quote a long line of itself in its error: the catalogue's regex (recursive,
// a level per character) only sees short messages, and a long one gets the plain Japanese frame.
TEST_CASE("config: a message quoting a very long line gets Japanese without being matched") {
    std::string key(200000, 'k');
    std::string e = error_of("[limits]\n" + key + " = 3\n");
    REQUIRE(e != "(accepted)");
    CHECK(e.size() > 2000);
    CHECK(config_message_ja(e) == "設定ファイルの誤りです");
    std::string shortest = error_of("[limits]\nmax_dpeth = 3\n");
    CHECK(config_message_ja(shortest).find("設定ファイルの誤りです") == std::string::npos);
}

TEST_CASE("config: relative paths and the built-in folders are the file's, wherever the command runs") {
    TempDir d;
    write_file(d / "etc" / "m.toml", "[paths]\nout = \"../srv/out\"\n[spool]\ndir = \"/abs/spool\"\n"
                                     "[quarantine]\ndb = \"sqlite:db/q.db\"\n");
    auto c = load_config(d / "etc" / "m.toml", builtin_registry());
    CHECK(c.out_dir == d / "srv" / "out");
    CHECK(c.spool.dir == "/abs/spool");
    CHECK(c.quarantine_dir == d / "etc" / "var" / "quarantine");   // a default: beside the file
    CHECK(c.review.db == "sqlite:" + (d / "etc" / "db" / "q.db").string());
    CHECK(c.review.key_file == d / "etc" / "var" / "keys" / "quarantine.key");
    CHECK(c.review.audit_file.is_absolute());
    // The shipped file: the checkout's var/, beside config/.
    auto shipped = load_config(source_dir() / "config" / "mugaika.toml", builtin_registry());
    CHECK(shipped.out_dir == source_dir() / "var" / "out");
    CHECK(shipped.review.key_file == source_dir() / "var" / "keys" / "quarantine.key");
}

TEST_CASE("cli: a configuration error is exit 2 with file:line in Japanese and English") {
    TempDir d;
    write_file(d / "a.txt", "x\n");
    write_file(d / "bad.toml", "[lmtp]\nenabled = true\nlisten = \"127.0.0.1:abc\"\n");
    for (const std::string cmd : std::vector<std::string>{"serve", "selftest sandbox", "detect " + shell_quote((d / "a.txt").string())}) {
        CAPTURE(cmd);
        auto r = run(shell_quote(mugaika_binary().string()) + " " + cmd + " --config " + shell_quote((d / "bad.toml").string()) + " 2>&1");
        CAPTURE(r.out);
        CHECK(r.status == 2);
        CHECK(r.out.find("bad.toml:3: listen") != std::string::npos);
        CHECK(r.out.find("ポート") != std::string::npos);
        CHECK(r.out.find("is not a number from 1 to 65535") != std::string::npos);
        CHECK(r.out.find("stoi") == std::string::npos);
    }
}
