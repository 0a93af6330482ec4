// The [quarantine], [officer_ui] and [audit] tables.
#include <doctest/doctest.h>

#include "mugaika/quarantine/quarantine_config.hpp"

using namespace mugaika::quarantine;

TEST_CASE("quarantine config: the documented keys, other tables left alone") {
    auto c = parse_quarantine_config(R"(
[paths]
out = "var/out"
[quarantine]
store_dir = "/srv/q/store"
db = "postgresql:host=db port=5432 dbname=q user=q"
key_file = "/etc/mugaika/q.key"
retention_days = 30
four_eyes = true
release_kinds = ["original"]
release_dir = "/srv/drop"
max_failed_logins = 3
lockout_minutes = 5
[officer_ui]
listen = "[::1]:9443"
tls_cert = "/etc/mugaika/ui.crt"
tls_key = "/etc/mugaika/ui.key"
session_idle_minutes = 10
max_form_bytes = 4096
[audit]
file = "/var/log/mugaika/audit.log"
syslog = false
)",
                                     "test.toml");
    CHECK(c.store_dir == "/srv/q/store");
    CHECK(c.db.rfind("postgresql:", 0) == 0);
    CHECK(c.retention_days == 30);
    CHECK(c.max_failed_logins == 3);
    CHECK(c.ui_host == "::1");
    CHECK(c.ui_port == 9443);
    CHECK(c.session_idle_minutes == 10);
    CHECK(c.max_form_bytes == 4096);
    CHECK(c.audit_file == "/var/log/mugaika/audit.log");
    CHECK_FALSE(c.audit_syslog);
}

TEST_CASE("quarantine config: mistakes name the file and line") {
    auto message = [](const char* text) {
        try {
            parse_quarantine_config(text, "bad.toml");
        } catch (const QuarantineConfigError& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    CHECK(message("[quarantine]\nretention = 5\n").find("bad.toml:2: unknown key 'retention'") == 0);
    CHECK(message("[quarantine]\ndb = \"mysql:x\"\n").find("bad.toml:2") == 0);
    CHECK(message("[quarantine]\nrelease_kinds = [\"pixel\"]\n").find("unknown release kind") != std::string::npos);
    CHECK(message("[officer_ui]\nlisten = \"nohost\"\n").find("bad.toml:2") == 0);
    CHECK(message("[officer_ui]\ntls_cert = \"a.crt\"\n").find("together") != std::string::npos);
    CHECK(message("[audit]\nsyslog = \"yes\"\n").find("true or false") != std::string::npos);
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("::1"));
    CHECK_FALSE(is_loopback_host("0.0.0.0"));
    CHECK_FALSE(is_loopback_host("192.168.1.10"));
}
