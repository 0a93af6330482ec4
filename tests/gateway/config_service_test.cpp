// The service's configuration tables: values, defaults, and errors with file:line.
#include <doctest/doctest.h>

#include "config/gateway_config.hpp"
#include "fixtures.hpp"

using namespace mugaika;

namespace {
std::string error_of(const std::string& text) {
    try {
        parse_config_text(text, "t.toml", builtin_registry());
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("config: the service tables are parsed") {
    auto c = parse_config_text(R"([worker]
count = 3
retries = 2
[share]
inbound = "/srv/in"
sections = ["総務課", "税務課"]
settle_ms = 5000
rescan_seconds = 10
[lmtp]
listen = "unix:/run/mugaika/lmtp"
clients = ["127.0.0.1"]
max_message_bytes = "20MiB"
max_recipients = 50
[release]
notes = "quarantined"
maildir = "/srv/mail"
[spool]
dir = "/var/spool/mugaika"
max_queue = 500
min_free_bytes = "1GiB"
keep_done_hours = 24
[http]
listen = "127.0.0.1:9000"
[log]
syslog = false
)",
                               "t.toml", builtin_registry());
    CHECK(c.worker_count() == 3);
    CHECK(c.worker_retries == 2);
    CHECK(c.share.sections == std::vector<std::string>{"総務課", "税務課"});
    CHECK(c.share.settle == std::chrono::milliseconds(5000));
    CHECK(c.lmtp.listen == "unix:/run/mugaika/lmtp");
    CHECK(c.lmtp.max_message_bytes == 20ull << 20);
    CHECK(c.release.notes == NoteMode::quarantined);
    CHECK(c.spool.min_free_bytes == 1ull << 30);
    CHECK(c.spool.keep_done == std::chrono::hours(24));
    CHECK_FALSE(c.syslog);
}

TEST_CASE("config: mistakes in the service tables name the file and line") {
    CHECK(error_of("[share]\nsections = [\"a/b\"]\n") == "t.toml:2: section 'a/b' is not a plain folder name");
    CHECK(error_of("[share]\nsections = [\"x\", \"x\"]\n").find("listed twice") != std::string::npos);
    CHECK(error_of("\n[lmtp]\nmax_recipients = 0\n") == "t.toml:3: max_recipients must be a positive integer");
    CHECK(error_of("[lmtp]\nmax_message_bytes = \"5 MB\"\n").starts_with("t.toml:2:"));
    CHECK(error_of("[release]\nnotes = \"sometimes\"\n").starts_with("t.toml:2:"));
    CHECK(error_of("[spool]\ndirectory = \"x\"\n") ==
          "t.toml:2: unknown key 'directory' in [spool] (known: dir, max_queue, min_free_bytes, keep_done_hours)");
    CHECK(error_of("[http]\nlisten = \"9925\"\n").starts_with("t.toml:2:"));
    CHECK(error_of("[smtp]\nhost = \"x\"\n").find("unknown table [smtp]") != std::string::npos);
}

TEST_CASE("config: the shipped configuration parses") {
    auto c = load_config(mugaika::test::source_dir() / "config/mugaika.toml", builtin_registry());
    CHECK_FALSE(c.share.sections.empty());
    CHECK(c.lmtp.listen.starts_with("127.0.0.1:"));
}

TEST_CASE("config: the quarantine's tables are read by the same file and checked at start") {
    auto reg = mugaika::builtin_registry();
    auto c = mugaika::parse_config_text("[audit]\nfile = \"/tmp/a.log\"\nsyslog = false\n[quarantine]\nretention_days = 30\n",
                                        "site.toml", reg);
    CHECK(c.review.audit_file == "/tmp/a.log");
    CHECK_FALSE(c.review.audit_syslog);
    try {
        mugaika::parse_config_text("[quarantine]\nretention_days = 30\nretension_days = 5\n", "site.toml", reg);
        FAIL("a typo in [quarantine] was accepted");
    } catch (const mugaika::ConfigError& e) {
        CHECK(std::string(e.what()).starts_with("site.toml:3:"));
    }
}

TEST_CASE("config: [worker] isolation is sandbox by default, degraded only when written, anything else an error") {
    CHECK(parse_config_text("", "t.toml", builtin_registry()).worker.isolation == WorkerIsolation::sandbox);
    CHECK(parse_config_text("[worker]\nisolation = \"degraded\"\n", "t.toml", builtin_registry()).worker.isolation ==
          WorkerIsolation::degraded);
    CHECK(error_of("[worker]\nisolation = \"none\"\n").find("t.toml:2") != std::string::npos);
    CHECK(error_of("[worker]\nisolation = \"off\"\n").find("\"sandbox\" or \"degraded\"") != std::string::npos);
}
