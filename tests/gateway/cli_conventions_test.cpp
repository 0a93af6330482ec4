// The command's conventions (issue 18): --help for every command and action with exit 0, --version,
// --opt=value and short options, hints for the usual mistakes, the exit statuses of the README's table.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>

#include "fixtures.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

std::string bin() { return shell_quote(mugaika_binary().string()); }
CommandResult both(const std::string& args) { return run(bin() + " " + args + " 2>&1"); }

// The commands `mugaika --help` lists (so that a command added later is covered without editing this).
std::vector<std::string> listed_commands() {
    auto r = run(bin() + " --help");
    REQUIRE(r.status == 0);
    std::vector<std::string> names;
    std::istringstream in(r.out);
    bool in_list = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "commands:") { in_list = true; continue; }
        if (in_list && line.empty()) break;
        if (in_list && line.starts_with("  ")) names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
}

// The actions a command's --help lists under SUBCOMMANDS (CLI11's heading).
std::vector<std::string> listed_actions(const std::string& command) {
    auto r = run(bin() + " " + command + " --help");
    std::vector<std::string> names;
    std::istringstream in(r.out);
    bool in_list = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("Subcommands:") || line.starts_with("SUBCOMMANDS:")) { in_list = true; continue; }
        if (in_list && (line.empty() || !line.starts_with("  "))) break;
        if (in_list) names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
}

}  // namespace

TEST_CASE("cli conventions: --help, -h and `help CMD` answer for every command and action with exit 0") {
    auto commands = listed_commands();
    REQUIRE(commands.size() >= 9);
    for (const char* must : {"sanitize", "mail", "detect", "serve", "quarantine", "user", "audit", "officer-ui", "selftest"})
        CHECK(std::find(commands.begin(), commands.end(), must) != commands.end());
    int actions = 0;
    for (const auto& c : commands) {
        CAPTURE(c);
        for (const char* flag : {" --help", " -h"}) {
            auto r = run(bin() + " " + c + flag);
            CHECK(r.status == 0);
            CHECK(r.out.find("mugaika " + c) != std::string::npos);
            CHECK(r.out.find("--help") != std::string::npos);
            CHECK(r.out.find("Exit status") != std::string::npos);
        }
        CHECK(run(bin() + " help " + c).status == 0);
        for (const auto& a : listed_actions(c)) {
            CAPTURE(a);
            ++actions;
            auto r = run(bin() + " " + c + " " + a + " --help");
            CHECK(r.status == 0);
            CHECK(r.out.find("mugaika " + c + " " + a) != std::string::npos);
            // --help wins over everything else on the line, also over what would be refused.
            CHECK(run(bin() + " " + c + " " + a + " --no-such-option x --help").status == 0);
        }
    }
    CHECK(actions >= 20);   // quarantine's, user's, audit's, selftest's
    CHECK(run(bin() + " --help").status == 0);
    CHECK(run(bin() + " help").status == 0);
    CHECK(run(bin() + " 2>/dev/null").status == 2);   // no command at all: usage on stderr
}

TEST_CASE("cli conventions: --version prints the version, exit 0") {
    for (const char* v : {" --version", " -V"}) {
        auto r = run(bin() + v);
        CHECK(r.status == 0);
        CHECK(std::regex_match(r.out, std::regex("mugaika [0-9]+\\.[0-9]+\\.[0-9]+\n")));
    }
}

TEST_CASE("cli conventions: --opt=value, --opt value and short options are the same") {
    TempDir d;
    write_file(d / "in" / "a.txt", "hello\n");
    fs::path cfg = scanless_config(d.path);
    const std::string in = shell_quote((d / "in" / "a.txt").string());
    CHECK(run(bin() + " sanitize " + in + " --out=" + shell_quote((d / "o1").string()) + " --config=" + shell_quote(cfg.string())).status == 0);
    CHECK(run(bin() + " sanitize " + in + " -o " + shell_quote((d / "o2").string()) + " -c " + shell_quote(cfg.string())).status == 0);
    CHECK(run(bin() + " sanitize -o" + shell_quote((d / "o3").string()) + " -c" + shell_quote(cfg.string()) + " -- " + in).status == 0);
    for (const char* o : {"o1", "o2", "o3"}) CHECK(read_whole(d / o / "a.txt") == "hello\n");
    // --json as -j, with the quarantine and reports folders in = form.
    auto r = run(bin() + " sanitize " + in + " -j --out=" + shell_quote((d / "o4").string()) + " --reports=" +
                 shell_quote((d / "r").string()) + " --config=" + shell_quote(cfg.string()));
    CHECK(r.status == 0);
    CHECK(r.out.find("\"verdict\": \"released\"") != std::string::npos);
    CHECK(files_in(d / "r").size() == 1);
}

TEST_CASE("cli conventions: the usual mistakes get a hint and exit 2") {
    TempDir d;
    write_file(d / "a.txt", "x\n");
    const std::string a = shell_quote((d / "a.txt").string());
    auto expect = [](const CommandResult& r, const std::string& hint) {
        CAPTURE(r.out);
        CHECK(r.status == 2);
        CHECK(r.out.find(hint) != std::string::npos);
    };
    expect(both("sanitze " + a), "did you mean sanitize?");
    expect(both("sanitize " + a + " --ot x"), "did you mean --out?");
    expect(both("sanitize " + a + " --conifg x --out y"), "did you mean --config?");
    expect(both("sanitize " + a), "--out DIR is required");
    expect(both("sanitize " + a + " --out"), "--out needs a value");
    expect(both("sanitize --out " + shell_quote((d / "o").string())), "INPUT is required");
    expect(both("sanitize " + shell_quote(d.path.string()) + " --out x"), "not a regular file");
    expect(both("--config x serve"), "comes after the command");
    expect(both("quarantine lst"), "did you mean list?");
    expect(both("quarantine"), "which action? one of: list, show");
    expect(both("quarantine show"), "ID is required");
    expect(both("quarantine list --keep-source"), "does not take it");
    expect(both("audit verify a b"), "too many arguments (FILE is one)");
    expect(both("serve extra"), "unexpected argument 'extra'");
    // Every refusal points at the command's help.
    expect(both("detect --bogus x"), "mugaika detect --help");
}

TEST_CASE("cli sanitize: clamd not answering is exit 1 with the hint to start it or switch scanning off") {
    TempDir d;
    write_file(d / "a.txt", "hello\n");
    write_file(d / "c.toml", "[scan]\nenabled = true\nclamd = \"unix:" + (d / "no-clamd.sock").string() + "\"\n");
    auto r = both("sanitize " + shell_quote((d / "a.txt").string()) + " --out " + shell_quote((d / "o").string()) +
                  " --quarantine " + shell_quote((d / "q").string()) + " --config " + shell_quote((d / "c.toml").string()));
    CAPTURE(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.find("enabled = false") != std::string::npos);
    CHECK(r.out.find("systemctl start clamav-daemon") != std::string::npos);
    CHECK(files_in(d / "o").empty());
    CHECK_FALSE(fs::exists(d / "q"));
}

TEST_CASE("cli sanitize: an --out that cannot be written is exit 1, nothing quarantined (regression)") {
    TempDir d;
    write_file(d / "a.txt", "hello\n");
    write_file(d / "file", "a file, not a folder");
    fs::path cfg = scanless_config(d.path);
    for (fs::path out : {d / "file", d / "file" / "below"}) {
        CAPTURE(out);
        auto r = both("sanitize " + shell_quote((d / "a.txt").string()) + " --out " + shell_quote(out.string()) +
                      " --quarantine " + shell_quote((d / "q").string()) + " --config " + shell_quote(cfg.string()));
        CHECK(r.status == 1);
        CHECK(r.out.find("--out") != std::string::npos);
        CHECK_FALSE(fs::exists(d / "q"));
        CHECK(read_whole(d / "a.txt") == "hello\n");
    }
}

TEST_CASE("cli detect: the extension mismatch sanitize acts on is reported, with what sanitize does") {
    TempDir d;
    // A PDF named as a Word document, and a zip named .pdf.
    write_file(d / "請求書.docx", "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    write_file(d / "a.txt", "plain text\n");
    fs::path cfg = scanless_config(d.path);
    auto r = both("detect " + shell_quote((d / "請求書.docx").string()) + " " + shell_quote((d / "a.txt").string()) +
                  " --config " + shell_quote(cfg.string()));
    CAPTURE(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("name.mismatch: extension .docx but content is pdf; sanitize renames it to .pdf") != std::string::npos);
    CHECK(r.out.find("拡張子と実際の形式") != std::string::npos);
    CHECK(r.out.find("a.txt: text") != std::string::npos);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') >= 3);
    // The site's [names] rule is what detect reports.
    fs::path block = scanless_config(d.path, "[names]\nextension_mismatch = \"block\"\n");
    r = both("detect " + shell_quote((d / "請求書.docx").string()) + " --config " + shell_quote(block.string()));
    CHECK(r.out.find("sanitize blocks it (blocked.mismatch)") != std::string::npos);
    // And sanitize acts as detect said.
    auto s = run(bin() + " sanitize " + shell_quote((d / "請求書.docx").string()) + " --json --out " +
                 shell_quote((d / "o").string()) + " --quarantine " + shell_quote((d / "q").string()) + " --config " +
                 shell_quote(block.string()));
    CHECK(s.status == 3);
    CHECK(s.out.find("blocked.mismatch") != std::string::npos);
}
