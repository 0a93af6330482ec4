// The quarantine's commands through the built `mugaika` binary: bootstrap, accounts, import, four-eyes
// release, refusals with exit status 4, and `audit verify` finding an edited line (exit status 5).
#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <regex>

#include "fixtures.hpp"
#include "mugaika/file_store.hpp"
#include "mugaika/quarantine/totp.hpp"
#include "quarantine_fixture.hpp"

using namespace mugaika::test;
namespace q = mugaika::quarantine;
namespace fs = std::filesystem;

namespace {

struct Cli {
    TempDir tmp;
    fs::path config = tmp.path / "mugaika.toml";
    std::map<std::string, std::string> secrets;
    std::map<std::string, int> uses;   // codes used per account: each needs a new TOTP step

    Cli() {
        std::ofstream(config) << "[paths]\nout = \"" << (tmp.path / "out").string() << "\"\n"
                              << "[quarantine]\nstore_dir = \"" << (tmp.path / "store").string() << "\"\n"
                              << "db = \"sqlite:" << (tmp.path / "q.db").string() << "\"\n"
                              << "key_file = \"" << (tmp.path / "keys" / "q.key").string() << "\"\n"
                              << "release_dir = \"" << (tmp.path / "drop").string() << "\"\n"
                              << "[audit]\nfile = \"" << (tmp.path / "audit.log").string() << "\"\nsyslog = false\n"
                              // Approved releases are scanned by the gateway's sink: tested with a clamd there.
                              << "[scan]\nenabled = false\n";
    }
    CommandResult mugaika(const std::string& args, const std::string& env = "") {
        return run(env + " " + shell_quote(mugaika_binary().string()) + " " + args + " --config " +
                   shell_quote(config.string()) + " 2>&1");
    }
    // The next unused code of the account: step now, then now+1 (the verifier accepts one step ahead).
    std::string code(const std::string& user) {
        int k = uses[user]++;
        REQUIRE(k < 2);
        return q::totp::code_at(secrets.at(user), q::totp::step_of(std::time(nullptr)) + k);
    }
    CommandResult as(const std::string& user, const std::string& args, const std::string& extra_env = "") {
        return mugaika(args + " --user " + user + " --totp " + code(user),
                       "MUGAIKA_PASSWORD='correct horse battery' " + extra_env);
    }
    void remember_secret(const std::string& user, const std::string& output) {
        std::smatch m;
        static const std::regex re("secret=([A-Z2-7]+)");
        REQUIRE(std::regex_search(output, m, re));
        secrets[user] = q::totp::base32_decode(m[1].str());
    }
};

}  // namespace

TEST_CASE("cli: bootstrap, accounts, import, four-eyes release, refusals and audit verify") {
    Cli c;
    const std::string pw = "MUGAIKA_NEW_PASSWORD='correct horse battery'";
    auto r = c.mugaika("user add kanri --role admin --bootstrap", pw);
    REQUIRE(r.status == 0);
    c.remember_secret("kanri", r.out);
    CHECK(c.mugaika("user add other --role admin --bootstrap", pw).status == 4);   // only while none exists

    r = c.as("kanri", "user add sato --role officer", pw);
    REQUIRE(r.status == 0);
    c.remember_secret("sato", r.out);
    r = c.as("kanri", "user add suzuki --role approver", pw);
    REQUIRE(r.status == 0);
    c.remember_secret("suzuki", r.out);

    // Wrong code: refused, exit 4, a message in Japanese.
    r = c.mugaika("quarantine list --user sato --totp 000000", "MUGAIKA_PASSWORD='correct horse battery'");
    if (r.status == 0) r = c.mugaika("quarantine list --user sato --totp 999999", "MUGAIKA_PASSWORD='correct horse battery'");
    CHECK(r.status == 4);
    CHECK(r.out.find("正しくありません") != std::string::npos);

    // Import what the file-based quarantine holds, then the officer asks for the release.
    mugaika::FileQuarantine fq(c.tmp.path / "old-quarantine");
    auto held = fq.hold_bytes("%PDF-1.4 original", std::string(64, 'c'), sample_report("見積書.pdf", "js"));
    r = c.as("sato", "quarantine import " + shell_quote((c.tmp.path / "old-quarantine").string()));
    REQUIRE(r.status == 0);
    CHECK(r.out.find(held.id) != std::string::npos);
    r = c.as("sato", "quarantine request-release " + held.id + " --reason '取引先の見積書'");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("承認を待っています") != std::string::npos);

    r = c.as("suzuki", "quarantine approve " + held.id + " --note ok");
    REQUIRE(r.status == 0);
    CHECK(read_whole(c.tmp.path / "drop" / "見積書.pdf") == "%PDF-1.4 original");
    r = c.as("suzuki", "quarantine delete " + held.id + " --reason x");   // approvers do not delete
    CHECK(r.status == 4);
    CHECK(r.out.find("権限がありません") != std::string::npos);

    // The log verifies; an edited line is found and named.
    fs::path log = c.tmp.path / "audit.log";
    r = c.mugaika("audit verify " + shell_quote(log.string()));
    CHECK(r.status == 0);
    std::vector<std::string> lines;
    {
        std::ifstream in(log);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    REQUIRE(lines.size() > 6);
    auto pos = lines[3].find("\"actor\":\"");
    REQUIRE(pos != std::string::npos);
    lines[3].insert(pos + 9, "x");
    {
        std::ofstream out(log, std::ios::trunc);
        for (const auto& l : lines) out << l << "\n";
    }
    r = c.mugaika("audit verify " + shell_quote(log.string()));
    CHECK(r.status == 5);
    CHECK(r.out.find("line 4") != std::string::npos);
}
