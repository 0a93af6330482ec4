#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "mugaika/file_store.hpp"

using namespace mugaika;
using namespace mugaika::test;

TEST_CASE("file quarantine: one complete folder per held item") {
    TempDir dir;
    write_file(dir / "in" / "evil.exe", "MZ program");
    FileQuarantine q(dir / "q");
    HeldEntry a = q.hold(dir / "in" / "evil.exe", std::string(64, 'a'), R"({"verdict":"quarantined"})");
    HeldEntry b = q.hold_bytes("MZ program", std::string(64, 'a'), R"({"verdict":"quarantined"})");
    CHECK(a.id != b.id);
    CHECK(a.id.find("-aaaaaaaaaaaa-") != std::string::npos);
    CHECK(read_whole(a.dir / "original") == "MZ program");
    CHECK(read_whole(b.dir / "report.json") == R"({"verdict":"quarantined"})");
    // No staging folders remain.
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir / "q")) {
        ++entries;
        CHECK_FALSE(e.path().filename().string().starts_with(".staging"));
    }
    CHECK(entries == 2);
}

TEST_CASE("file quarantine: a failed copy leaves nothing behind") {
    TempDir dir;
    FileQuarantine q(dir / "q");
    CHECK_THROWS(q.hold(dir / "does-not-exist", std::string(64, 'b'), "{}"));
    CHECK(std::filesystem::is_empty(dir / "q"));
}
