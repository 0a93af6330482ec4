// [paths] keep_reports_days: old per-item reports are removed, nothing else is touched.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <utime.h>

#include <fstream>

#include "config/gateway_config.hpp"
#include "fixtures.hpp"
#include "service/report_pruning.hpp"

using mugaika::test::TempDir;
namespace fs = std::filesystem;

namespace {

void file_aged(const fs::path& p, std::time_t mtime) {
    std::ofstream(p) << "{}\n";
    utimbuf t{mtime, mtime};
    REQUIRE(::utime(p.c_str(), &t) == 0);
}

}  // namespace

TEST_CASE("reports: files NAME.json older than the cutoff are removed, others, folders and links stay") {
    TempDir t;
    fs::path dir = t.path / "reports";
    fs::create_directories(dir);
    std::time_t now = std::time(nullptr), day = 86400;
    file_aged(dir / "old1.json", now - 100 * day);
    file_aged(dir / "old2.json", now - 91 * day);
    file_aged(dir / "recent.json", now - 89 * day);
    file_aged(dir / "old-notes.txt", now - 100 * day);   // not a report
    fs::create_directories(dir / "sub.json");            // a folder named like one
    file_aged(t.path / "outside.json", now - 100 * day);
    fs::create_symlink(t.path / "outside.json", dir / "link.json");
    struct stat st{};
    REQUIRE(::lstat((dir / "link.json").c_str(), &st) == 0);

    CHECK(mugaika::prune_reports(dir, now - 90 * day) == 2);
    CHECK_FALSE(fs::exists(dir / "old1.json"));
    CHECK_FALSE(fs::exists(dir / "old2.json"));
    CHECK(fs::exists(dir / "recent.json"));
    CHECK(fs::exists(dir / "old-notes.txt"));
    CHECK(fs::is_directory(dir / "sub.json"));
    CHECK(fs::is_symlink(dir / "link.json"));
    CHECK(fs::exists(t.path / "outside.json"));
    CHECK(mugaika::prune_reports(t.path / "missing", now) == 0);
}

TEST_CASE("reports: keep_reports_days is read from [paths], 0 keeps all, anything else is an error with its line") {
    auto reg = mugaika::builtin_registry();
    CHECK(mugaika::parse_config_text("", "x.toml", reg).keep_reports_days == 90);
    CHECK(mugaika::parse_config_text("[paths]\nkeep_reports_days = 7\n", "x.toml", reg).keep_reports_days == 7);
    CHECK(mugaika::parse_config_text("[paths]\nkeep_reports_days = 0\n", "x.toml", reg).keep_reports_days == 0);
    CHECK_THROWS_WITH(mugaika::parse_config_text("[paths]\n\nkeep_reports_days = -1\n", "x.toml", reg),
                      doctest::Contains("x.toml:3"));
    CHECK_THROWS_WITH(mugaika::parse_config_text("[paths]\nkeep_reports_days = \"7\"\n", "x.toml", reg),
                      doctest::Contains("keep_reports_days"));
}
