// The encrypted, content-addressed store and the item lifecycle (SQLite; the PostgreSQL run is in
// postgres_test.cpp and goes through the same scenarios).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "mugaika/atomic_file.hpp"
#include "mugaika/file_store.hpp"
#include "quarantine_scenarios.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
using mugaika::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("store: round trip, state and fields from the report") { mugaika::test::scenario_round_trip(""); }
TEST_CASE("store: no stored file contains the plaintext") { mugaika::test::scenario_no_plaintext(""); }
TEST_CASE("store: retention purge shreds and records each disposal") { mugaika::test::scenario_retention(""); }
TEST_CASE("store: delete shreds shared objects only when unused") { mugaika::test::scenario_dedupe_delete(""); }

TEST_CASE("store: an altered object is refused, not returned") {
    QuarantineWorld w;
    auto item = w.hold("the original bytes");
    fs::path obj = w.blobs->path_of(item.sha256);
    std::string sealed = mugaika::read_file(obj, 1 << 20);
    sealed[sealed.size() / 2] ^= 1;
    mugaika::replace_file(obj.parent_path(), obj.filename().string(), sealed);
    CHECK_THROWS_AS(w.store->original(item), CryptoError);
    // An object copied to another name does not decrypt either (the name is authenticated).
    auto other = w.hold("other bytes");
    fs::copy_file(w.blobs->path_of(other.sha256), obj, fs::copy_options::overwrite_existing);
    CHECK_THROWS_AS(w.store->original(item), CryptoError);
}

TEST_CASE("store: the key file is created 0600 and must stay outside the store and private") {
    TempDir t;
    fs::path key = t.path / "keys" / "q.key";
    SecretKey::load_or_create(key, t.path / "store");
    struct stat st{};
    REQUIRE(::stat(key.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto a = SecretKey::load_or_create(key, t.path / "store").seal("x", "aad");
    CHECK(SecretKey::load_or_create(key, t.path / "store").open(a, "aad") == "x");   // same key when reloaded
    CHECK_THROWS_AS(SecretKey::load_or_create(t.path / "store" / "q.key", t.path / "store"), CryptoError);
    fs::permissions(key, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    CHECK_THROWS_AS(SecretKey::load_or_create(key, t.path / "store"), CryptoError);
}

TEST_CASE("store: schema migrations are versioned and applied once") {
    TempDir t;
    std::string url = "sqlite:" + (t.path / "q.db").string();
    {
        Database db(url);
        CHECK(db.schema_version() == static_cast<int>(schema_migrations().size()));
    }
    Database again(url);   // reopening applies nothing twice
    CHECK(again.schema_version() == static_cast<int>(schema_migrations().size()));
    Poco::Int64 n = 0;
    using namespace Poco::Data::Keywords;
    again.session() << "SELECT COUNT(*) FROM schema_migrations", into(n), Poco::Data::Keywords::now;
    CHECK(n == static_cast<Poco::Int64>(schema_migrations().size()));
}

TEST_CASE("store: item ids are checked before any query or path") {
    CHECK(valid_item_id("20261122T031500Z-0123456789ab-a1b2c3"));
    for (std::string bad : {"", "../../etc/passwd", "20261122T031500Z-0123456789ab-a1b2c3/../x",
                            "20261122T031500Z-0123456789AB-a1b2c3", "20261122T031500Z-0123456789ab-a1b2c3\n",
                            "20261122T031500Z-0123456789ab-a1b2c3' OR '1'='1", "%2e%2e%2f"})
        CHECK_FALSE(valid_item_id(bad));
    QuarantineWorld w;
    CHECK_FALSE(w.store->find("../../etc/passwd").has_value());
    CHECK_THROWS(w.blobs->path_of("../../../../etc/passwd"));
}

TEST_CASE("store: the file-based quarantine's folders are imported, once, and their plaintext removed") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    TempDir old;
    mugaika::FileQuarantine fq(old.path);
    auto a = fq.hold_bytes("first original", std::string(64, 'a'), mugaika::test::sample_report("a.docm", "x"));
    auto b = fq.hold_bytes("second original", std::string(64, 'b'), "not json at all");
    fs::create_directory(old.path / ".staging-abc");   // an unfinished hold: ignored
    Actor sato = w.login("sato");
    auto ids = w.service->import_file_store(sato, old.path.string(), true);
    CHECK(ids.size() == 2);
    auto ia = w.store->find(a.id);
    REQUIRE(ia.has_value());
    CHECK(w.store->original(*ia) == "first original");
    CHECK(ia->name == "a.docm");
    CHECK(ia->source == "file-store");
    auto ib = w.store->find(b.id);
    REQUIRE(ib.has_value());
    CHECK(w.store->report(*ib) == "not json at all");
    CHECK_FALSE(fs::exists(a.dir));
    CHECK_FALSE(fs::exists(b.dir));
    CHECK(w.audit_lines("item.import").size() == 2);
    CHECK(w.service->import_file_store(sato, old.path.string(), true).empty());
}
