// The quarantine's commands through the built `mugaika` binary: bootstrap, accounts, import, four-eyes
// release, refusals with exit status 4, and `audit verify` finding an edited line (exit status 5).
#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <thread>
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
    // The next code of the account: each TOTP step is accepted once per account, and the verifier
    // takes one step back and one ahead. A code is never computed in the last seconds of a step (it
    // could be a step too old by the time the command checks it), and when an account has used the
    // steps within reach, this waits for the next one.
    std::map<std::string, std::int64_t> last_step;
    std::string code(const std::string& user, bool step_back = false) {
        if (30 - std::time(nullptr) % 30 < 4) std::this_thread::sleep_for(std::chrono::seconds(30 - std::time(nullptr) % 30 + 1));
        std::int64_t now = q::totp::step_of(std::time(nullptr));
        std::int64_t s = step_back ? now - 1 : now;
        if (last_step.contains(user)) s = std::max(s, last_step[user] + 1);
        if (s > now + 1) {
            std::this_thread::sleep_for(std::chrono::seconds(30 - std::time(nullptr) % 30 + 1));
            now = q::totp::step_of(std::time(nullptr));
            s = std::max(now, last_step[user] + 1);
        }
        last_step[user] = s;
        return q::totp::code_at(secrets.at(user), s);
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
    static std::string enrolment_code(const std::string& output) {
        std::smatch m;
        static const std::regex re("([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})");
        REQUIRE(std::regex_search(output, m, re));
        return m[1].str();
    }
    // The person enrols with the code an admin gave them: the secret is shown, then a second run with the
    // app's code (no terminal here) sets their password.
    void enrol(const std::string& user, const std::string& code) {
        std::string env = "MUGAIKA_ENROL_CODE=" + code + " MUGAIKA_TOTP= ";
        auto r = mugaika("user enrol " + user, env);
        REQUIRE(r.status == 0);
        remember_secret(user, r.out);
        r = mugaika("user enrol " + user + " --totp " + this->code(user, true),
                    env + "MUGAIKA_NEW_PASSWORD='correct horse battery'");
        REQUIRE_MESSAGE(r.status == 0, r.out);
    }
};

}  // namespace

TEST_CASE("cli: bootstrap, accounts, import, four-eyes release, refusals and audit verify") {
    Cli c;
    const std::string pw = "MUGAIKA_NEW_PASSWORD='correct horse battery'";
    auto r = c.mugaika("user add kanri --role admin --bootstrap --init", pw);   // a new installation
    REQUIRE(r.status == 0);
    c.remember_secret("kanri", r.out);
    // A second admin from the console (while fewer than two exist), to confirm the first one's grants.
    r = c.mugaika("user add kanri2 --role admin --bootstrap", "MUGAIKA_NEW_PASSWORD='correct horse battery'");
    REQUIRE(r.status == 0);
    c.remember_secret("kanri2", r.out);
    CHECK(c.mugaika("user add other --role admin --bootstrap", pw).status == 4);   // only while fewer than two

    r = c.as("kanri", "user add sato --role officer");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("secret=") == std::string::npos);   // the admin never sees the person's factors
    c.enrol("sato", Cli::enrolment_code(r.out));
    r = c.as("kanri", "user add suzuki --role approver");
    REQUIRE(r.status == 0);
    c.enrol("suzuki", Cli::enrolment_code(r.out));
    CHECK(c.as("kanri2", "user confirm sato").status == 0);
    CHECK(c.as("kanri2", "user confirm suzuki").status == 0);

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
    r = c.as("sato", "quarantine request-release " + held.id + " --reason '取引先の見積書' --kind original");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("承認を待っています") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("request ([0-9a-f]+)")));

    // The approver names the request and kind they saw; the original needs its extra confirmation.
    r = c.as("suzuki", "quarantine approve " + held.id + " --request " + m[1].str() +
                           " --kind original --confirm-original --note ok");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    CHECK(r.out.find("原本をそのまま解放") != std::string::npos);   // the kind, in words
    CHECK(r.out.find("見積書.pdf") != std::string::npos);            // and where it went
    CHECK(read_whole(c.tmp.path / "drop" / "見積書.pdf") == "%PDF-1.4 original");
    r = c.as("suzuki", "quarantine delete " + held.id + " --reason x");   // approvers do not delete
    CHECK(r.status == 4);
    CHECK(r.out.find("権限がありません") != std::string::npos);
    CHECK(c.as("kanri", "user reset kanri").status == 4);   // nobody resets their own factors

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

TEST_CASE("cli: approve shows the pending request and its kind, and claims nothing before a refusal") {
    Cli c;
    const std::string pw = "MUGAIKA_NEW_PASSWORD='correct horse battery'";
    for (const char* admin : {"kanri", "kanri2"}) {
        auto r = c.mugaika(std::string("user add ") + admin + " --role admin --bootstrap --init", pw);
        REQUIRE(r.status == 0);
        c.remember_secret(admin, r.out);
    }
    for (const auto& [user, role] : std::vector<std::pair<std::string, std::string>>{{"sato", "officer"}, {"suzuki", "approver"}}) {
        auto r = c.as("kanri", "user add " + user + " --role " + role);
        REQUIRE(r.status == 0);
        c.enrol(user, Cli::enrolment_code(r.out));
        REQUIRE(c.as("kanri2", "user confirm " + user).status == 0);
    }
    mugaika::FileQuarantine fq(c.tmp.path / "old-quarantine");
    auto held = fq.hold_bytes("MZ original", std::string(64, 'd'), sample_report("請求書.exe", "exe"));
    REQUIRE(c.as("sato", "quarantine import " + shell_quote((c.tmp.path / "old-quarantine").string())).status == 0);
    auto r = c.as("sato", "quarantine request-release " + held.id + " --kind original --reason 'ベンダー提供のツール'");
    REQUIRE(r.status == 0);
    // Without the request and kind, approve shows what is pending and does nothing.
    r = c.as("suzuki", "quarantine approve " + held.id);
    CHECK(r.status == 2);
    CHECK(r.out.find("原本をそのまま解放") != std::string::npos);
    CHECK(r.out.find("ベンダー提供のツール") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("--request ([0-9a-f]+) --kind original --confirm-original")));
    CHECK_FALSE(fs::exists(c.tmp.path / "drop"));
    // The original without --confirm-original: refused, and no success line printed before the refusal.
    r = c.as("suzuki", "quarantine approve " + held.id + " --request " + m[1].str() + " --kind original");
    CHECK(r.status == 4);
    CHECK(r.out.find("承認し、解放しました") == std::string::npos);
    CHECK(r.out.find("確認") != std::string::npos);
    CHECK_FALSE(fs::exists(c.tmp.path / "drop"));
}
