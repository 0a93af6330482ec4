// Issue 18: paths are the configuration file's, and a command that would make a new key or database
// where one was expected refuses unless told --init.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "mugaika/quarantine/first_use.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

std::string bin() { return shell_quote(mugaika_binary().string()); }

// A site's folder with a configuration of relative paths only, and another folder to run from.
struct Site {
    TempDir tmp;
    fs::path dir = tmp.path / "site" / "config";
    fs::path cfg = dir / "mugaika.toml";
    fs::path elsewhere = tmp.path / "elsewhere";
    Site() {
        fs::create_directories(elsewhere);
        write_file(cfg, "[paths]\nout = \"../out\"\n"
                        "[quarantine]\nstore_dir = \"../state/store\"\ndb = \"sqlite:../state/q.db\"\n"
                        "key_file = \"../keys/q.key\"\n"
                        "[audit]\nfile = \"../log/audit.log\"\nsyslog = false\n[scan]\nenabled = false\n");
    }
    // Runs from `elsewhere`, with the configuration named relative to there.
    CommandResult mugaika(const std::string& args, const std::string& env = "") {
        return run("cd " + shell_quote(elsewhere.string()) + " && " + env + " " + bin() + " " + args + " --config " +
                   shell_quote(fs::relative(cfg, elsewhere).string()) + " 2>&1");
    }
};

}  // namespace

TEST_CASE("first use: nothing is created without --init, the message names what is missing and --init") {
    Site s;
    for (const char* cmd : {"quarantine purge", "user list --user x --totp 000000", "quarantine list --user x --totp 1"}) {
        CAPTURE(cmd);
        auto r = s.mugaika(cmd, "MUGAIKA_PASSWORD=x");
        CAPTURE(r.out);
        CHECK(r.status == 2);
        CHECK(r.out.find("--init") != std::string::npos);
        CHECK(r.out.find((s.tmp.path / "site" / "keys" / "q.key").string()) != std::string::npos);
        CHECK(r.out.find("鍵") != std::string::npos);
    }
    auto r = s.mugaika("user add kanri --role admin --bootstrap", "MUGAIKA_NEW_PASSWORD='correct horse battery'");
    CHECK(r.status == 2);
    CHECK_FALSE(fs::exists(s.tmp.path / "site" / "keys"));
    CHECK_FALSE(fs::exists(s.tmp.path / "site" / "state" / "q.db"));
    CHECK(fs::is_empty(s.elsewhere));
}

TEST_CASE("first use: relative paths are the configuration file's, from any working directory") {
    Site s;
    auto r = s.mugaika("quarantine init");
    CAPTURE(r.out);
    REQUIRE(r.status == 0);
    const fs::path site = s.tmp.path / "site";
    CHECK(fs::is_regular_file(site / "keys" / "q.key"));
    CHECK(fs::is_regular_file(site / "state" / "q.db"));
    CHECK(fs::is_empty(s.elsewhere));   // nothing in the folder the command ran from
    // From a third folder the same file finds the same key and database: the bootstrap works once.
    fs::create_directories(s.tmp.path / "third");
    r = run("cd " + shell_quote((s.tmp.path / "third").string()) + " && MUGAIKA_NEW_PASSWORD='correct horse battery' " +
            bin() + " user add kanri --role admin --bootstrap --config " + shell_quote(s.cfg.string()) + " 2>&1");
    CAPTURE(r.out);
    CHECK(r.status == 0);
    CHECK(fs::is_empty(s.tmp.path / "third"));
    CHECK(s.mugaika("quarantine purge").status == 0);
    // The audit log is where the file says, and records the bootstrap.
    CHECK(read_whole(site / "log" / "audit.log").find("kanri") != std::string::npos);
    // $MUGAIKA_CONFIG stands in for --config.
    r = run("cd " + shell_quote(s.elsewhere.string()) + " && MUGAIKA_CONFIG=" + shell_quote(s.cfg.string()) + " " + bin() +
            " quarantine purge 2>&1");
    CHECK(r.status == 0);
}

TEST_CASE("first use: a missing key beside an existing database is refused even with --init") {
    Site s;
    REQUIRE(s.mugaika("quarantine init").status == 0);
    fs::remove(s.tmp.path / "site" / "keys" / "q.key");
    for (const char* cmd : {"quarantine purge", "quarantine purge --init", "quarantine init"}) {
        CAPTURE(cmd);
        auto r = s.mugaika(cmd);
        CAPTURE(r.out);
        CHECK(r.status == 2);
        CHECK(r.out.find("backup") != std::string::npos);
        CHECK_FALSE(fs::exists(s.tmp.path / "site" / "keys" / "q.key"));
    }
    // The key alone (made by the package's postinst) and nothing else: a prepared new installation.
    Site t;
    fs::create_directories(t.tmp.path / "site" / "keys");
    write_file(t.tmp.path / "site" / "keys" / "q.key", std::string(64, 'a') + "\n");
    fs::permissions(t.tmp.path / "site" / "keys" / "q.key", fs::perms::owner_read | fs::perms::owner_write);
    CHECK(t.mugaika("quarantine purge").status == 0);
    CHECK(fs::exists(t.tmp.path / "site" / "state" / "q.db"));
    // But a database lost beside a key and an audit log that were in use is not made anew without --init.
    fs::remove(t.tmp.path / "site" / "state" / "q.db");
    write_file(t.tmp.path / "site" / "log" / "audit.log", "{}\n");
    CHECK(t.mugaika("quarantine purge").status == 2);
    CHECK_FALSE(fs::exists(t.tmp.path / "site" / "state" / "q.db"));
    CHECK(t.mugaika("quarantine purge --init").status == 0);
}

TEST_CASE("first use: check_first_use on its own (sqlite, postgresql, store in use)") {
    namespace q = mugaika::quarantine;
    TempDir d;
    q::QuarantineConfig c;
    c.source = "t.toml";
    c.key_file = d / "k";
    c.store_dir = d / "store";
    c.db = "sqlite:" + (d / "db").string();
    CHECK_THROWS_AS(q::check_first_use(c, false), q::FirstUseRefused);
    CHECK_NOTHROW(q::check_first_use(c, true));
    write_file(d / "store" / "ab" / "object", "x");   // objects without their key
    CHECK_THROWS_AS(q::check_first_use(c, true), q::FirstUseRefused);
    write_file(d / "k", "key");
    CHECK_THROWS_AS(q::check_first_use(c, false), q::FirstUseRefused);   // the database is missing, objects exist
    write_file(d / "db", "");
    CHECK_NOTHROW(q::check_first_use(c, false));
    c.db = "postgresql:host=/nowhere";   // its server knows whether the schema exists; the key is checked
    CHECK_NOTHROW(q::check_first_use(c, false));
    fs::remove(d / "k");
    CHECK_THROWS_AS(q::check_first_use(c, true), q::FirstUseRefused);
}

TEST_CASE("cli user add: with no terminal and no variable, one usage error naming the variable (regression)") {
    Site s;
    REQUIRE(s.mugaika("quarantine init").status == 0);
    // setsid: no controlling terminal, as under cron or a script.
    auto r = run("cd " + shell_quote(s.elsewhere.string()) + " && setsid -w " + bin() +
                 " user add kanri --role admin --bootstrap --config " + shell_quote(s.cfg.string()) + " </dev/null 2>&1");
    CAPTURE(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find("MUGAIKA_NEW_PASSWORD") != std::string::npos);
    CHECK(r.out.find("12") == std::string::npos);
    std::size_t first = r.out.find("MUGAIKA_NEW_PASSWORD");
    CHECK(r.out.find("端末", 0) != std::string::npos);
    CHECK(r.out.find("no terminal", first) != std::string::npos);
    CHECK(r.out.find("no terminal", r.out.find("no terminal") + 1) == std::string::npos);
}
