// The maintenance commands through the built `mugaika` binary: quarantine rekey, backup create/verify/
// restore and audit rotate/verify, with their exit statuses (0, 4 refused, 5 altered).
#include <doctest/doctest.h>

#include <fstream>
#include <regex>

#include "fixtures.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/maintenance_lock.hpp"
#include "mugaika/quarantine/totp.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

struct Site {
    TempDir tmp;
    fs::path config = tmp.path / "mugaika.toml";
    explicit Site(const std::string& root_name = "site") {
        fs::path root = tmp.path / root_name;
        std::ofstream(config) << "[paths]\nout = \"" << (root / "out").string() << "\"\n"
                              << "[quarantine]\nstore_dir = \"" << (root / "store").string() << "\"\n"
                              << "db = \"sqlite:" << (root / "q.db").string() << "\"\n"
                              << "key_file = \"" << (root / "keys" / "q.key").string() << "\"\n"
                              << "[audit]\nfile = \"" << (root / "audit" / "audit.log").string() << "\"\nsyslog = false\n"
                              << "[scan]\nenabled = false\n";
    }
    fs::path root() const { return tmp.path / "site"; }
    CommandResult mugaika(const std::string& args, const std::string& env = "") const {
        return run(env + " " + shell_quote(mugaika_binary().string()) + " " + args + " --config " +
                   shell_quote(config.string()) + " 2>&1");
    }
};

}  // namespace

TEST_CASE("cli: quarantine rekey, refused while the quarantine is in use (exit 4)") {
    Site s;
    auto r = s.mugaika("user add kanri --role admin --bootstrap --init", "MUGAIKA_NEW_PASSWORD='correct horse battery'");
    REQUIRE(r.status == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("secret=([A-Z2-7]+)")));
    std::string secret = mugaika::quarantine::totp::base32_decode(m[1].str());
    std::string before = mugaika::quarantine::SecretKey::load_file(s.root() / "keys" / "q.key").key_id();
    {
        mugaika::quarantine::MaintenanceLock in_use(s.root() / "store", mugaika::quarantine::MaintenanceLock::Mode::shared);
        r = s.mugaika("quarantine rekey");
        CHECK(r.status == 4);
        CHECK(r.out.find("systemctl stop mugaika") != std::string::npos);
    }
    r = s.mugaika("quarantine rekey");
    CHECK(r.status == 0);
    CHECK(r.out.find(before + " -> ") != std::string::npos);
    std::string after = mugaika::quarantine::SecretKey::load_file(s.root() / "keys" / "q.key").key_id();
    CHECK(after != before);
    CHECK(r.out.find(after) != std::string::npos);
    // The account still signs in: its TOTP secret was re-sealed under the new key.
    std::string code = mugaika::quarantine::totp::code_at(secret, mugaika::quarantine::totp::step_of(std::time(nullptr)));
    r = s.mugaika("user list --user kanri --totp " + code, "MUGAIKA_PASSWORD='correct horse battery'");
    CHECK(r.status == 0);
    CHECK(r.out.find("kanri") != std::string::npos);
    r = s.mugaika("audit verify");
    CHECK(r.status == 0);
    std::string log = read_whole(s.root() / "audit" / "audit.log");
    CHECK(log.find("\"key.rotate.done\"") != std::string::npos);
    CHECK(log.find("\"uid\":") != std::string::npos);
}

TEST_CASE("cli: backup create, verify (exit 5 when altered) and restore (exit 4 over existing data)") {
    Site s;
    REQUIRE(s.mugaika("user add kanri --role admin --bootstrap --init", "MUGAIKA_NEW_PASSWORD='correct horse battery'").status == 0);
    fs::path b = s.tmp.path / "backup-1";
    auto r = s.mugaika("backup create " + shell_quote(b.string()));
    REQUIRE(r.status == 0);
    CHECK(r.out.find("backup written") != std::string::npos);
    CHECK(s.mugaika("backup create " + shell_quote(b.string())).status == 4);   // never over an existing folder
    r = s.mugaika("backup verify " + shell_quote(b.string()));
    CHECK(r.status == 0);
    // Restoring over the live quarantine is refused without --force, and then keeps what it replaced.
    r = s.mugaika("backup restore " + shell_quote(b.string()));
    CHECK(r.status == 4);
    CHECK(r.out.find("--force") != std::string::npos);
    r = s.mugaika("backup restore --force " + shell_quote(b.string()));
    CHECK(r.status == 0);
    CHECK(r.out.find("moved aside") != std::string::npos);
    CHECK(s.mugaika("audit verify").status == 0);
    // A backup whose audit copy was edited does not verify.
    fs::path copy = b / "audit" / "audit.log";
    std::string text = read_whole(copy);
    text[text.find("kanri")] = 'K';
    mugaika::replace_file(copy.parent_path(), copy.filename().string(), text);
    r = s.mugaika("backup verify " + shell_quote(b.string()));
    CHECK(r.status == 5);
    CHECK(r.out.find("altered") != std::string::npos);
}

TEST_CASE("cli: audit rotate, then audit verify follows the chain into the archived file") {
    Site s;
    REQUIRE(s.mugaika("user add kanri --role admin --bootstrap --init", "MUGAIKA_NEW_PASSWORD='correct horse battery'").status == 0);
    auto r = s.mugaika("audit rotate");
    REQUIRE(r.status == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("rotated\\): (\\S+audit\\.log\\.[0-9TZ-]+)")));
    fs::path archived = m[1].str();
    CHECK(fs::exists(archived));
    r = s.mugaika("audit verify");
    CHECK(r.status == 0);
    CHECK(r.out.find(archived.string() + ": OK") != std::string::npos);
    // Editing the archived file is found through the link in the new file, even with its head updated.
    std::string text = read_whole(archived);
    auto pos = text.find("kanri");
    REQUIRE(pos != std::string::npos);
    text[pos] = 'K';
    mugaika::replace_file(archived.parent_path(), archived.filename().string(), text);
    r = s.mugaika("audit verify");
    CHECK(r.status == 5);
}
