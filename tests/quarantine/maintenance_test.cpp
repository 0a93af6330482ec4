// The object format with its key id (old MQE1 objects still open), key rotation, the maintenance lock and
// backup/restore on SQLite; the PostgreSQL runs are in maintenance_postgres_test.cpp.
#include <doctest/doctest.h>

#include <openssl/evp.h>

#include "maintenance_scenarios.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/backup.hpp"
#include "mugaika/quarantine/maintenance_lock.hpp"
#include "mugaika/quarantine/rekey.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
using mugaika::test::TempDir;
namespace fs = std::filesystem;

namespace {

// The old format, written here with OpenSSL directly (not with our code): "MQE1" | nonce | ct | tag, the
// associated data alone authenticated.
std::string seal_mqe1(const std::string& raw_key, const std::string& plain, const std::string& aad) {
    std::string nonce(12, '\x07');
    std::string out = "MQE1" + nonce;
    std::string ct(plain.size(), '\0');
    unsigned char tag[16];
    int len = 0;
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    REQUIRE(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(raw_key.data()),
                               reinterpret_cast<const unsigned char*>(nonce.data())) == 1);
    REQUIRE(EVP_EncryptUpdate(c, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1);
    REQUIRE(EVP_EncryptUpdate(c, reinterpret_cast<unsigned char*>(ct.data()), &len,
                              reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size())) == 1);
    REQUIRE(EVP_EncryptFinal_ex(c, nullptr, &len) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    return out + ct + std::string(reinterpret_cast<char*>(tag), 16);
}

std::string sha256_of_key_id_input(const std::string& raw) {
    return sha256_hex("mugaika.key-id/1:" + raw).substr(0, 16);
}

}  // namespace

TEST_CASE("crypto: a sealed value names its key, the header is authenticated, MQE1 values still open") {
    std::string raw_a(32, 'a'), raw_b(32, 'b');
    SecretKey a = SecretKey::from_bytes(raw_a), b = SecretKey::from_bytes(raw_b);
    CHECK(a.key_id() == sha256_of_key_id_input(raw_a));
    CHECK(a.key_id() != b.key_id());
    std::string sealed = a.seal("secret text", "aad");
    CHECK(sealed.substr(0, 4) == "MQE2");
    CHECK(to_hex(sealed.substr(4, 8)) == a.key_id());
    CHECK(SecretKey::sealed_key_id(sealed) == a.key_id());
    CHECK(a.open(sealed, "aad") == "secret text");
    CHECK_THROWS_AS(b.open(sealed, "aad"), CryptoError);        // another key: named, and refused
    CHECK_THROWS_AS(a.open(sealed, "other aad"), CryptoError);
    // The key id and the format tag are authenticated: a value relabelled as another key's, or as MQE1, fails.
    SecretKey ring = b.with_opening_keys_of(a);
    std::string relabelled = sealed;
    relabelled.replace(4, 8, from_hex(b.key_id()));
    CHECK_THROWS_AS(ring.open(relabelled, "aad"), CryptoError);
    std::string downgraded = "MQE1" + sealed.substr(12);
    CHECK_THROWS_AS(ring.open(downgraded, "aad"), CryptoError);
    CHECK_THROWS_AS(SecretKey::sealed_key_id("garbage that is not sealed at all"), CryptoError);

    // Old MQE1 objects (no key id) open with whichever key of the ring sealed them.
    std::string old = seal_mqe1(raw_a, "from before key ids", "mugaika.blob/1:x");
    CHECK(SecretKey::sealed_key_id(old).empty());
    CHECK(a.open(old, "mugaika.blob/1:x") == "from before key ids");
    CHECK(ring.open(old, "mugaika.blob/1:x") == "from before key ids");
    CHECK_THROWS_AS(b.open(old, "mugaika.blob/1:x"), CryptoError);
    CHECK_THROWS_AS(a.open(old, "mugaika.blob/1:y"), CryptoError);
    // A ring seals with its first key.
    CHECK(SecretKey::sealed_key_id(ring.seal("x", "")) == b.key_id());
}

TEST_CASE("rekey: old MQE1 objects in a store are read, then re-sealed under the new key") {
    QuarantineWorld w;
    std::string raw = from_hex(mugaika::read_file(w.tmp.path / "keys" / "quarantine.key", 1024).substr(0, 64));
    // An object as an older mugaika wrote it, and the item that refers to it.
    std::string plain = "an original held by an older version";
    std::string sha = sha256_hex(plain);
    fs::path p = w.blobs->path_of(sha);
    fs::create_directories(p.parent_path());
    mugaika::replace_file(p.parent_path(), p.filename().string(), seal_mqe1(raw, plain, blob_aad(sha)));
    CHECK(w.blobs->get(sha) == plain);
    auto r = rekey_quarantine(mugaika::test::config_of(w, ""), *w.audit);
    CHECK(r.objects_resealed == 1);
    std::string now_sealed = mugaika::read_file(p, 1 << 20);
    CHECK(now_sealed.substr(0, 4) == "MQE2");
    SecretKey fresh = SecretKey::load_or_create(w.tmp.path / "keys" / "quarantine.key", w.store_dir());
    CHECK(BlobStore(w.store_dir(), fresh).get(sha) == plain);
}

TEST_CASE("rekey: every object and secret re-sealed, the old key opens nothing, audited") {
    mugaika::test::scenario_rekey("");
}

TEST_CASE("rekey: a crash midway leaves everything readable with either key, the next run resumes") {
    mugaika::test::scenario_rekey_resume("");
}

TEST_CASE("rekey: a damaged object stops the rotation before the key changes, it resumes once fixed") {
    QuarantineWorld w;
    auto a = w.hold("original A", "a.docm", "a");
    fs::path obj = w.blobs->path_of(a.sha256);
    std::string good = mugaika::read_file(obj, 1 << 20), bad = good;
    bad[bad.size() - 3] ^= 1;
    mugaika::replace_file(obj.parent_path(), obj.filename().string(), bad);
    fs::path key_file = w.tmp.path / "keys" / "quarantine.key";
    std::string old_id = w.blobs->key().key_id();
    try {
        rekey_quarantine(mugaika::test::config_of(w, ""), *w.audit);
        FAIL("a damaged object must stop the rotation");
    } catch (const RekeyError& e) {
        REQUIRE(e.damaged.size() == 1);
        CHECK(e.damaged[0].find(a.sha256) != std::string::npos);
    }
    CHECK(SecretKey::load_file(key_file).key_id() == old_id);   // not committed
    CHECK(fs::exists(pending_key_file(key_file)));
    CHECK(w.audit_lines("key.rotate.incomplete", "error").size() == 1);
    mugaika::replace_file(obj.parent_path(), obj.filename().string(), good);
    auto r = rekey_quarantine(mugaika::test::config_of(w, ""), *w.audit);
    CHECK(r.resumed);
    CHECK(SecretKey::load_file(key_file).key_id() == r.new_key_id);
}

TEST_CASE("maintenance lock: users of the store and a rotation or restore exclude each other") {
    TempDir t;
    {
        MaintenanceLock user1(t.path, MaintenanceLock::Mode::shared);
        MaintenanceLock user2(t.path, MaintenanceLock::Mode::shared);   // the service and the officer UI together
        CHECK_THROWS_AS(MaintenanceLock(t.path, MaintenanceLock::Mode::exclusive), MaintenanceBusy);
    }
    {
        MaintenanceLock rekey(t.path, MaintenanceLock::Mode::exclusive);
        CHECK_THROWS_AS(MaintenanceLock(t.path, MaintenanceLock::Mode::shared), MaintenanceBusy);
        CHECK_THROWS_AS(MaintenanceLock(t.path, MaintenanceLock::Mode::exclusive), MaintenanceBusy);
    }
    MaintenanceLock free_again(t.path, MaintenanceLock::Mode::exclusive);
}

TEST_CASE("backup: a snapshot of key, database, objects and audit log restores into other folders") {
    mugaika::test::scenario_backup_restore("", "");
}

TEST_CASE("backup: an item disposed of while the backup runs is recorded and stays disposed of") {
    mugaika::test::scenario_backup_disposed_meanwhile("", "");
}

TEST_CASE("backup: the SQLite copy is a whole, self-contained database (checked with Python's sqlite3)") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    for (int i = 0; i < 20; ++i) w.hold("original " + std::to_string(i), "f.docm", std::to_string(i));
    // The live database is in WAL mode with its recent pages in the -wal file, never checkpointed here.
    TempDir out;
    create_backup(mugaika::test::config_of(w, ""), out.path / "b", *w.audit);
    fs::path copy = out.path / "b" / "database" / "quarantine.sqlite";
    CHECK_FALSE(fs::exists(out.path / "b" / "database" / "quarantine.sqlite-wal"));
    auto r = mugaika::test::run(
        "python3 -c \"import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); "
        "print(c.execute('pragma integrity_check').fetchone()[0], c.execute('pragma journal_mode').fetchone()[0], "
        "c.execute('select count(*) from items').fetchone()[0], c.execute('select count(*) from users').fetchone()[0])\" " +
        mugaika::test::shell_quote(copy.string()));
    // As many accounts as the live database has (the bootstrap admins and sato).
    CHECK(r.out == "ok delete 20 " + std::to_string(w.users->count()) + "\n");
    CHECK(w.users->count() >= 2);
}

TEST_CASE("backup: verify finds an altered object, database or key, and a missing object") {
    QuarantineWorld w;
    auto a = w.hold("original A", "a.docm", "a");
    w.hold("original B", "b.docm", "b");
    TempDir out;
    fs::path b = out.path / "b";
    create_backup(mugaika::test::config_of(w, ""), b, *w.audit);
    CHECK(verify_backup(b).objects == 4);
    auto corrupt = [](const fs::path& p) {
        std::string s = mugaika::read_file(p, 1 << 30);
        s[s.size() / 2] ^= 0x20;
        mugaika::replace_file(p.parent_path(), p.filename().string(), s);
    };
    fs::path obj = b / "store" / "objects" / a.sha256.substr(0, 2) / (a.sha256 + ".mqe");
    std::string original_obj = mugaika::read_file(obj, 1 << 20);
    corrupt(obj);
    CHECK_THROWS_AS(verify_backup(b), BackupError);
    mugaika::replace_file(obj.parent_path(), obj.filename().string(), original_obj);
    CHECK(verify_backup(b).objects == 4);
    fs::remove(obj);
    CHECK_THROWS_AS(verify_backup(b), BackupError);
    mugaika::replace_file(obj.parent_path(), obj.filename().string(), original_obj);
    fs::path db = b / "database" / "quarantine.sqlite";
    std::string original_db = mugaika::read_file(db, 1 << 30);
    corrupt(db);
    CHECK_THROWS_AS(verify_backup(b), BackupError);
    mugaika::replace_file(db.parent_path(), db.filename().string(), original_db);
    CHECK(verify_backup(b).objects == 4);
    // A restore verifies first: a damaged backup restores nothing.
    corrupt(b / "audit" / "audit.log");
    TempDir target;
    QuarantineConfig cfg = mugaika::test::config_of(w, "");
    cfg.store_dir = target.path / "store";
    cfg.key_file = target.path / "k.key";
    cfg.db = "sqlite:" + (target.path / "q.db").string();
    cfg.audit_file = target.path / "audit.log";
    CHECK_THROWS_AS(restore_backup(cfg, b), BackupError);
    CHECK_FALSE(fs::exists(cfg.key_file));
    CHECK_FALSE(fs::exists(target.path / "q.db"));
}

TEST_CASE("backup: refuses an existing folder, an unfinished rotation, and a missing object, leaves no partial backup") {
    QuarantineWorld w;
    auto a = w.hold("original A", "a.docm", "a");
    TempDir out;
    fs::create_directories(out.path / "exists");
    CHECK_THROWS_AS(create_backup(mugaika::test::config_of(w, ""), out.path / "exists", *w.audit), BackupError);
    // An object missing for no reason the database knows: the store is damaged, no backup is written.
    fs::path obj = w.blobs->path_of(a.sha256);
    std::string keep = mugaika::read_file(obj, 1 << 20);
    fs::remove(obj);
    CHECK_THROWS_AS(create_backup(mugaika::test::config_of(w, ""), out.path / "b", *w.audit), BackupError);
    CHECK_FALSE(fs::exists(out.path / "b"));
    CHECK_FALSE(fs::exists(out.path / "b.partial"));
    mugaika::replace_file(obj.parent_path(), obj.filename().string(), keep);
    // A rotation that is not finished: back up after it, so that a backup always holds one key.
    SecretKey::generate().write_new_key_file(pending_key_file(w.tmp.path / "keys" / "quarantine.key"));
    CHECK_THROWS_AS(create_backup(mugaika::test::config_of(w, ""), out.path / "b", *w.audit), BackupError);
    CHECK(w.audit_lines("backup.create").empty());
}
