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

TEST_CASE("config: deadlines, the shutdown deadline, delivery threads and the resend window") {
    auto d = parse_config_text("", "t.toml", builtin_registry());
    CHECK(d.lmtp.min_data_rate == 500);
    CHECK(d.lmtp.shutdown == std::chrono::seconds(10));
    CHECK(d.lmtp.resend_window == std::chrono::hours(120));
    CHECK(d.release.smtp_connections == 2);
    auto c = parse_config_text(R"([lmtp]
timeout_seconds = 30
min_data_rate = 2000
shutdown_seconds = 3
resend_window_hours = 0
[release]
smtp_timeout_seconds = 20
smtp_min_data_rate = 5000
smtp_connections = 4
)", "t.toml", builtin_registry());
    CHECK(c.lmtp.timeout == std::chrono::seconds(30));
    CHECK(c.lmtp.min_data_rate == 2000);
    CHECK(c.lmtp.shutdown == std::chrono::seconds(3));
    CHECK(c.lmtp.resend_window == std::chrono::hours(0));
    CHECK(c.release.smtp_timeout == std::chrono::seconds(20));
    CHECK(c.release.smtp_min_data_rate == 5000);
    CHECK(c.release.smtp_connections == 4);
    CHECK(error_of("[lmtp]\nmin_data_rate = 0\n").find("t.toml:2") != std::string::npos);
    CHECK(error_of("[release]\nsmtp_connections = 100\n").find("at most 64") != std::string::npos);
    // A resend is recognised by the tombstone of the job it repeats: the window cannot outlive it.
    CHECK(error_of("[spool]\nkeep_done_hours = 24\n[lmtp]\nresend_window_hours = 48\n").find("resend_window_hours") !=
          std::string::npos);
}

TEST_CASE("config: the default resend window shrinks to a shorter keep_done_hours") {
    auto c = parse_config_text("[spool]\nkeep_done_hours = 24\n", "t.toml", builtin_registry());
    CHECK(c.lmtp.resend_window == std::chrono::hours(24));
}

TEST_CASE("config: [converter] sets the LibreOffice converters, mistakes are errors with the line") {
    auto c = parse_config_text("[converter]\ncount = 3\nmax_documents = 10\ntimeout_seconds = 30\nstartup_seconds = 60\n"
                               "memory_mib = 2048\ncpu_seconds = 300\nprestart = false\n",
                               "t.toml", builtin_registry());
    CHECK(c.converter.count == 3);
    CHECK(c.converter.max_documents == 10);
    CHECK(c.converter.per_document == std::chrono::seconds(30));
    CHECK(c.converter.startup == std::chrono::seconds(60));
    CHECK(c.converter.memory_bytes == (2048ull << 20));
    CHECK(c.converter.cpu_seconds == 300);
    CHECK_FALSE(c.converter.prestart);
    auto d = parse_config_text("", "t.toml", builtin_registry());
    CHECK(d.converter.count == 2);
    CHECK(d.converter.prestart);
    CHECK(parse_config_text("[converter]\ncount = 0\n", "t.toml", builtin_registry()).converter.count == 0);
    CHECK(error_of("[converter]\nconverters = 2\n").find("unknown key 'converters' in [converter]") != std::string::npos);
    CHECK(error_of("\n[converter]\nmemory_mib = 100\n").starts_with("t.toml:2:"));
    CHECK(error_of("[converter]\nmax_documents = 0\n").starts_with("t.toml:2:"));
    auto shipped = load_config(mugaika::test::source_dir() / "config/mugaika.toml", builtin_registry());
    CHECK(shipped.converter.count == 2);
}
