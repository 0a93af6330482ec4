// The documents that list things the code defines stay complete: every reason code in the README, one
// exit-status table (0-5) in the README, every command in the manual page, every chapter of the Japanese
// guide linked from its index (and the index from the README).
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "fixtures.hpp"

namespace fs = std::filesystem;
using mugaika::test::read_whole;
using mugaika::test::source_dir;

namespace {

std::set<std::string> matches(const std::string& text, const std::string& pattern) {
    std::set<std::string> out;
    std::regex re(pattern);
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) out.insert((*it)[1].str());
    return out;
}

}  // namespace

TEST_CASE("docs: the README names every reason code, each as `code`") {
    auto codes = matches(read_whole(source_dir() / "sanitizers" / "include" / "mugaika" / "reasons.hpp"),
                         "std::string_view [a-z_]+ = \"([a-z.]+)\"");
    for (const auto& c : matches(read_whole(source_dir() / "sanitizers" / "core" / "reasons.cpp"), "\\{\"([a-z.]+)\", \""))
        codes.insert(c);
    REQUIRE(codes.size() >= 20);
    std::string readme = read_whole(source_dir() / "README.md");
    for (const auto& c : codes) CHECK_MESSAGE(readme.find("`" + c + "`") != std::string::npos, c);
}

TEST_CASE("docs: one exit-status table in the README, 0 to 5, as the code defines them") {
    std::string readme = read_whole(source_dir() / "README.md");
    auto at = readme.find("| status | meaning |");
    REQUIRE(at != std::string::npos);
    CHECK(readme.find("| status | meaning |", at + 1) == std::string::npos);
    for (int s = 0; s <= 5; ++s)
        CHECK_MESSAGE(readme.find("\n| " + std::to_string(s) + " | ", at) != std::string::npos, s);
    std::string code = read_whole(source_dir() / "gateway" / "cli" / "commands.hpp") +
                       read_whole(source_dir() / "gateway" / "cli" / "quarantine_cli_support.hpp");
    auto defined = matches(code, "exit_[a-z]+ = ([0-9]+)");
    CHECK(defined == std::set<std::string>{"0", "1", "2", "3", "4", "5"});
}

TEST_CASE("docs: the manual page describes every command mugaika dispatches") {
    auto commands = matches(read_whole(source_dir() / "gateway" / "cli" / "main.cpp"), "\\{\"([a-z-]+)\", [a-z_]+_spec, ");
    REQUIRE(commands.size() >= 9);
    std::string man = read_whole(source_dir() / "docs" / "mugaika.8");
    for (auto c : commands) {
        std::string escaped = std::regex_replace(c, std::regex("-"), "\\-");
        CHECK_MESSAGE(man.find(".B mugaika " + escaped) != std::string::npos, c);
    }
}

TEST_CASE("docs: the Japanese guide's index links each chapter, and the README links the index") {
    fs::path ja = source_dir() / "docs" / "ja";
    std::string index = read_whole(ja / "README.md");
    std::size_t chapters = 0;
    for (const auto& e : fs::directory_iterator(ja)) {
        std::string name = e.path().filename().string();
        if (name == "README.md" || e.path().extension() != ".md") continue;
        ++chapters;
        CHECK_MESSAGE(index.find("](" + name + ")") != std::string::npos, name);
    }
    CHECK(chapters >= 8);
    CHECK(read_whole(source_dir() / "README.md").find("(docs/ja/README.md)") != std::string::npos);
}
