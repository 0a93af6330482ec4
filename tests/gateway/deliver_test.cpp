#include <doctest/doctest.h>

#include <sys/stat.h>

#include "fixtures.hpp"
#include "release/deliver.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {
Outcome disarmed_with_held_part() {
    Outcome o;
    o.input_name = "mail.eml";
    o.input_size = 4;
    o.input_sha256 = std::string(64, 'c');
    o.detected_type = "eml";
    o.verdict = Verdict::disarmed;
    o.outputs.push_back(Output{"mail.eml", "eml", "safe"});
    o.held.push_back(HeldItem{"attachment[1]", "a.exe", "exe", "blocked.type", ""});
    return o;
}
}  // namespace

TEST_CASE("deliver: a held part sends the original to quarantine beside the released parts") {
    TempDir d;
    write_file(d / "in" / "mail.eml", "orig");
    Delivery r = deliver(disarmed_with_held_part(), d / "in" / "mail.eml", {d / "out", d / "q", d / "rep"});
    CHECK(r.released.size() == 1);
    REQUIRE(r.held);
    CHECK(read_whole(r.held->dir / "original") == "orig");
    CHECK(r.report_file);
    CHECK(r.report["quarantine_id"] == r.held->id);
}

TEST_CASE("deliver: when the quarantine cannot be written, released parts are taken back") {
    TempDir d;
    write_file(d / "in" / "mail.eml", "orig");
    write_file(d / "q", "not a folder");
    CHECK_THROWS(deliver(disarmed_with_held_part(), d / "in" / "mail.eml", {d / "out", d / "q", {}}));
    CHECK(files_in(d / "out").empty());
}

TEST_CASE("deliver: a failed release is the command's own error, released whole or not at all, nothing held") {
    TempDir d;
    write_file(d / "in" / "x.txt", "x");
    write_file(d / "out", "not a folder");   // release must fail
    Outcome o;
    o.input_name = "x.txt";
    o.input_sha256 = std::string(64, 'd');
    o.verdict = Verdict::disarmed;
    o.outputs = {Output{"a.txt", "text", "a"}, Output{"b.txt", "text", "b"}};
    CHECK_THROWS_AS(deliver(o, d / "in" / "x.txt", {d / "out", d / "q", {}}), ReleaseError);
    CHECK_FALSE(fs::exists(d / "q"));
    CHECK(read_whole(d / "in" / "x.txt") == "x");
}
