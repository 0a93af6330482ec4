// What the SQLite files on disk hold: a wiped PPAP password's sealed value survives in none of them (the
// database, its write-ahead log, its shared-memory index), and every path creates them private.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <Poco/Data/Session.h>

#include <thread>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/runtime.hpp"
#include "quarantine_fixture.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
namespace fs = std::filesystem;

namespace {

// Every byte of the database's files, as they are on disk now.
std::string database_bytes(const fs::path& db) {
    std::string all;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        fs::path p = db.string() + suffix;
        if (fs::exists(p)) all += mugaika::read_file(p, 1u << 30);
    }
    return all;
}

std::string sealed_of(QuarantineWorld& w, const std::string& request_id) {
    std::string sealed, rid = request_id;
    w.db->session() << "SELECT secret_sealed FROM requests WHERE id = $1", Poco::Data::Keywords::useRef(rid),
        Poco::Data::Keywords::into(sealed), Poco::Data::Keywords::now;
    return sealed;
}

unsigned mode_of(const fs::path& p) {
    struct stat st{};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("store: a wiped PPAP password's sealed value is in none of the database's files") {
    fs::path db_file;
    for (const char* end : {"approve", "reject", "delete"}) {
        CAPTURE(end);
        QuarantineWorld w("", mugaika::test::all_kinds());
        db_file = w.tmp.path / "db" / "quarantine.db";
        w.add_user("sato", Role::officer);
        w.add_user("suzuki", Role::approver);
        auto item = w.hold("PK encrypted zip", "見積書.zip");
        Actor sato = w.login("sato"), suzuki = w.login("suzuki");
        auto q = w.service->request_release(sato, item.id, release_kind::ppap, "別メールで受領", "Tokyo-2026!");
        std::string sealed = sealed_of(w, q.id);
        REQUIRE(sealed.size() > 40);
        // Before the decision it is there (the test can find it), afterwards it is not.
        REQUIRE(database_bytes(db_file).find(sealed) != std::string::npos);
        if (std::string(end) == "approve") w.service->approve(suzuki, item.id, w.decision(item.id));
        else if (std::string(end) == "reject") w.service->reject(suzuki, item.id, w.decision(item.id));
        else w.service->remove(sato, item.id, "誤送信");
        CHECK(sealed_of(w, q.id).empty());
        std::string bytes = database_bytes(db_file);
        CHECK(bytes.find(sealed) == std::string::npos);
        CHECK(bytes.find(sealed.substr(0, 32)) == std::string::npos);
        CHECK(bytes.find("Tokyo-2026!") == std::string::npos);
    }
}

TEST_CASE("store: the database files are created private, whatever the umask") {
    mugaika::test::TempDir tmp;
    mode_t old = ::umask(0022);
    {
        Database db("sqlite:" + (tmp.path / "q.db").string());
        db.session() << "CREATE TABLE t (x TEXT)", Poco::Data::Keywords::now;
        db.session() << "INSERT INTO t VALUES ('a')", Poco::Data::Keywords::now;
        CHECK(mode_of(tmp.path / "q.db") == 0600);
        CHECK(mode_of(tmp.path / "q.db-wal") == 0600);
        CHECK(mode_of(tmp.path / "q.db-shm") == 0600);
    }
    // A file an older version left readable by everyone is narrowed when opened.
    ::chmod((tmp.path / "q.db").c_str(), 0644);
    {
        Database db("sqlite:" + (tmp.path / "q.db").string());
        CHECK(mode_of(tmp.path / "q.db") == 0640);
    }
    // The way a first CLI run makes them: the whole runtime from a configuration.
    QuarantineConfig c;
    c.store_dir = tmp.path / "store";
    c.db = "sqlite:" + (tmp.path / "var" / "quarantine.db").string();
    c.key_file = tmp.path / "keys" / "q.key";
    c.audit_file = tmp.path / "audit" / "audit.log";
    c.audit_syslog = false;
    {
        QuarantineRuntime rt(c);
        rt.service().bootstrap_admin("kanri", "first admin password");
    }
    for (const char* f : {"quarantine.db", "quarantine.db-wal", "quarantine.db-shm"})
        if (fs::exists(tmp.path / "var" / f)) CHECK(mode_of(tmp.path / "var" / f) == 0600);
    ::umask(old);
}

TEST_CASE("database: each thread works on a connection of its own") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    auto item = w.hold("bytes", "a.docm");
    // A write transaction open on this thread does not stop another thread from reading.
    std::string seen;
    w.db->transaction([&] {
        w.db->session() << "UPDATE items SET name = 'renamed.docm' WHERE id = '" + item.id + "'", Poco::Data::Keywords::now;
        std::thread reader([&] { seen = w.store->find(item.id)->name; });
        reader.join();
    });
    CHECK(seen == "a.docm");   // the other connection sees the last commit, not this transaction
    CHECK(w.store->find(item.id)->name == "renamed.docm");
}
