#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "mugaika/policy.hpp"
#include "mugaika/registry.hpp"

using namespace mugaika;

namespace {

const Registry& registry() {
    static Registry r = builtin_registry();
    return r;
}

// The ConfigError for a text, or an empty message when it parses.
std::string error_of(const std::string& text) {
    try {
        parse_policy_text(text, "test.toml", registry());
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("policy: the shipped config/mugaika.toml parses and blocks what runs code") {
    std::string text = test::read_whole(test::source_dir() / "config" / "mugaika.toml");
    REQUIRE_FALSE(text.empty());
    Policy p = parse_policy_text(text, "config/mugaika.toml", registry());
    CHECK(p.limits.max_input_bytes == 100ull << 20);
    CHECK(p.limits.max_expanded_bytes == 1ull << 30);
    for (std::string t : {"exe", "elf", "macho", "java", "apk", "script", "lnk", "msi", "iso", "disk-image", "unknown"}) {
        CAPTURE(t);
        CHECK(p.action_for(t) == TypeAction::block);
    }
    CHECK(p.action_for("pdf") == TypeAction::reconstruct);
    CHECK(p.name_mismatch == NameMismatch::rename);
}

TEST_CASE("policy: defaults block unknown and executables") {
    Policy p = Policy::defaults();
    CHECK(p.action_for("unknown") == TypeAction::block);
    CHECK(p.action_for("exe") == TypeAction::block);
    CHECK(p.action_for("no-such-type") == TypeAction::block);
    CHECK(p.action_for("text") == TypeAction::reconstruct);
}

TEST_CASE("policy: values and units") {
    Policy p = parse_policy_text("[limits]\nmax_input_bytes = \"512KiB\"\nmax_depth = 3\ntime_budget_seconds = 7\n"
                                 "[types]\npdf = \"block\"\n[names]\nextension_mismatch = \"block\"\n",
                                 "t.toml", registry());
    CHECK(p.limits.max_input_bytes == 512 * 1024);
    CHECK(p.limits.max_depth == 3);
    CHECK(p.limits.time_budget == std::chrono::seconds(7));
    CHECK(p.action_for("pdf") == TypeAction::block);
    CHECK(p.name_mismatch == NameMismatch::block);
}

TEST_CASE("policy: every error names the file and the line") {
    CHECK(error_of("[limits]\nmax_depth = 3\nmax_dpeth = 4\n").starts_with("test.toml:3: unknown key 'max_dpeth'"));
    CHECK(error_of("[types]\n\npdf = \"rebuild\"\n").starts_with("test.toml:3: type 'pdf' must be"));
    CHECK(error_of("[types]\nexcel = \"block\"\n").starts_with("test.toml:2: unknown file type 'excel'"));
    CHECK(error_of("[types]\nunknown = \"reconstruct\"\n").starts_with("test.toml:2: type 'unknown' can only be blocked"));
    CHECK(error_of("[types]\ntext = \"convert\"\n").starts_with("test.toml:2: no converter exists"));
    CHECK(error_of("[limits]\nmax_input_bytes = \"100MB\"\n").starts_with("test.toml:2: max_input_bytes"));
    CHECK(error_of("[limits]\nmax_depth = -1\n").starts_with("test.toml:2: max_depth must be a positive integer"));
    CHECK(error_of("[sanitizer.nosuch]\nx = 1\n").starts_with("test.toml:1: unknown sanitizer"));
    CHECK(error_of("[names]\nextension_mismatch = \"maybe\"\n").starts_with("test.toml:2:"));
    // TOML syntax errors come with their line too.
    CHECK(error_of("[limits\nmax_depth = 1\n").starts_with("test.toml:1:"));
    CHECK(error_of("[limits]\nmax_depth = \n").starts_with("test.toml:2:"));
}
