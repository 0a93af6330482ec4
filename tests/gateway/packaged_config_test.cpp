// What the Debian package installs: the configuration with FHS paths (generated from config/mugaika.toml
// at build time) loads, names only absolute paths in their FHS places, and the units start the installed
// binary on it. The package itself is built, installed and run by tests/package/package_test.sh.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>

#include "config/gateway_config.hpp"
#include "fixtures.hpp"

namespace fs = std::filesystem;

TEST_CASE("package: the installed configuration loads and every folder is absolute, in its FHS place") {
    auto c = mugaika::load_config(MUGAIKA_FHS_CONFIG, mugaika::builtin_registry());
    auto under = [](const fs::path& p, const std::string& root) {
        CHECK_MESSAGE(p.is_absolute(), p.string());
        CHECK_MESSAGE(p.string().rfind(root, 0) == 0, (p.string() + " not under " + root));
    };
    under(c.out_dir, "/srv/mugaika/");
    under(c.share.inbound, "/srv/mugaika/");
    under(c.release.maildir, "/srv/mugaika/");
    under(c.quarantine_dir, "/var/lib/mugaika/");
    under(c.reports_dir, "/var/lib/mugaika/");
    under(c.review.store_dir, "/var/lib/mugaika/");
    under(c.review.key_file, "/var/lib/mugaika/keys/");
    under(c.review.release_dir, "/var/lib/mugaika/");
    under(c.spool.dir, "/var/spool/mugaika");
    under(c.review.audit_file, "/var/log/mugaika/");
    CHECK(c.review.db == "sqlite:/var/lib/mugaika/quarantine.db");
    // Everything else is the development default, key for key.
    auto dev = mugaika::load_config(mugaika::test::source_dir() / "config" / "mugaika.toml", mugaika::builtin_registry());
    CHECK(c.lmtp.listen == dev.lmtp.listen);
    CHECK(c.scan.enabled == dev.scan.enabled);
    CHECK(c.keep_reports_days == dev.keep_reports_days);
    CHECK(c.review.retention_days == dev.review.retention_days);
}

TEST_CASE("package: each unit starts /usr/bin/mugaika on /etc/mugaika/mugaika.toml as the mugaika user") {
    for (std::string unit : {"mugaika.service", "mugaika-officer-ui.service", "mugaika-audit-rotate.service"}) {
        std::string text = mugaika::test::read_whole(mugaika::test::source_dir() / "config" / unit);
        std::smatch m;
        REQUIRE_MESSAGE(std::regex_search(text, m, std::regex("\nExecStart=(\\S+) (.*) --config (\\S+)\n")), unit);
        CHECK(m[1].str() == "/usr/bin/mugaika");
        CHECK(m[3].str() == "/etc/mugaika/mugaika.toml");
        CHECK(text.find("\nUser=mugaika\n") != std::string::npos);
        CHECK(text.find("\nNoNewPrivileges=yes\n") != std::string::npos);
        CHECK(text.find("\nProtectSystem=strict\n") != std::string::npos);
    }
    for (std::string unit : {"mugaika.service", "mugaika-officer-ui.service"}) {
        std::string text = mugaika::test::read_whole(mugaika::test::source_dir() / "config" / unit);
        CHECK(text.find("After=network.target local-fs.target clamav-daemon.service") != std::string::npos);
        CHECK(text.find("\nWants=clamav-daemon.service\n") != std::string::npos);
        // The sandboxed workers' namespaces, and no others.
        CHECK(text.find("\nRestrictNamespaces=user mnt pid ipc uts net cgroup\n") != std::string::npos);
    }
}
