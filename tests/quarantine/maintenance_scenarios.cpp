#include "maintenance_scenarios.hpp"

#include <sys/stat.h>

#include <fstream>
#include <set>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/backup.hpp"
#include "mugaika/quarantine/rekey.hpp"
#include "mugaika/quarantine/totp.hpp"

namespace mugaika::test {
namespace fs = std::filesystem;
using namespace mugaika::quarantine;

namespace {

const std::string password = "correct horse battery";

std::vector<fs::path> objects_in(const fs::path& store) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(store / "objects"))
        if (e.is_regular_file() && e.path().extension() == ".mqe") out.push_back(e.path());
    return out;
}

// The key id an object names, read from its bytes (4-byte format tag, then the 8-byte id).
std::string id_in_file(const fs::path& p) {
    std::string head = read_file(p, 1 << 30).substr(0, 12);
    REQUIRE(head.substr(0, 4) == "MQE2");
    return to_hex(head.substr(4, 8));
}

std::string sealed_column(Database& db, const std::string& sql, const std::string& key) {
    std::string v, k = key;
    db.session() << sql, Poco::Data::Keywords::useRef(k), Poco::Data::Keywords::into(v), Poco::Data::Keywords::now;
    return v;
}

// Both factors of `user` against `users`, with the world's clock moved to a fresh TOTP step.
AuthStatus sign_in(QuarantineWorld& w, Users& users, const std::string& user) {
    w.clock += totp::step_seconds;
    return users.authenticate(user, password, w.code(user, w.clock), w.clock).status;
}

// Every value in every table of the database that is a sealed value (hex of "MQE1"/"MQE2"...): the key id
// each names. Found by walking the schema, not a list of columns: a sealed column added later is covered.
std::vector<std::string> sealed_values_in(Database& db, bool postgres) {
    std::vector<std::string> tables, ids;
    {
        Poco::Data::Statement st(db.session());
        st << (postgres ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                        : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        st.execute();
        Poco::Data::RecordSet rs(st);
        for (std::size_t r = 0; r < rs.rowCount(); ++r) tables.push_back(rs.value(0, r).convert<std::string>());
    }
    REQUIRE(tables.size() >= 4);
    const std::string tag = to_hex("MQE");
    for (const auto& t : tables) {
        Poco::Data::Statement st(db.session());
        st << "SELECT * FROM " + t;
        st.execute();
        Poco::Data::RecordSet rs(st);
        for (std::size_t r = 0; r < rs.rowCount(); ++r)
            for (std::size_t c = 0; c < rs.columnCount(); ++c) {
                if (rs.value(c, r).isEmpty()) continue;
                std::string v = rs.value(c, r).convert<std::string>();
                if (v.rfind(tag, 0) != 0) continue;
                std::string id = SecretKey::sealed_key_id(from_hex(v));
                ids.push_back(id.empty() ? "MQE1" : id);
            }
    }
    return ids;
}

// A copy of the key file, to prove later that the old key no longer opens anything.
SecretKey old_key_of(const QuarantineWorld& w) { return SecretKey::load_file(w.tmp.path / "keys" / "quarantine.key"); }

}  // namespace

QuarantineConfig config_of(const QuarantineWorld& w, const std::string& db_url) {
    QuarantineConfig c;
    c.store_dir = w.store_dir();
    c.db = db_url.empty() ? "sqlite:" + (w.tmp.path / "db" / "quarantine.db").string() : db_url;
    c.key_file = w.tmp.path / "keys" / "quarantine.key";
    c.audit_file = w.audit_file();
    c.audit_syslog = false;
    return c;
}

void scenario_rekey(const std::string& db_url) {
    ReviewOptions options;
    options.release_kinds = {"original", "ppap"};
    QuarantineWorld w(db_url, options);
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto a = w.hold("original A", "a.zip");
    auto b = w.hold("original B");
    auto request = w.service->request_release(w.login("sato"), a.id, "ppap", "取引先から受領", "zip-パスワード");
    // An account in the middle of its enrolment: its new TOTP secret is sealed too, until it is confirmed.
    auto enrolment = w.service->add_user(w.admin(), "tanaka", Role::auditor);
    NewSecret shown = w.service->begin_enrolment("tanaka", enrolment.code, "test");
    const bool postgres = !db_url.empty();
    std::size_t sealed_before = sealed_values_in(*w.db, postgres).size();
    CHECK(sealed_before >= 5);   // the TOTP secrets, tanaka's pending one, the PPAP password
    SecretKey old_key = old_key_of(w);
    std::string old_id = old_key.key_id();
    std::size_t objects = objects_in(w.store_dir()).size();
    REQUIRE(objects >= 3);
    for (const auto& p : objects_in(w.store_dir())) CHECK(id_in_file(p) == old_id);

    auto r = rekey_quarantine(config_of(w, db_url), *w.audit);
    CHECK(r.old_key_id == old_id);
    CHECK(r.new_key_id != old_id);
    CHECK_FALSE(r.resumed);
    CHECK(r.objects_resealed == objects);
    CHECK(r.secrets_resealed == sealed_before);
    CHECK_FALSE(fs::exists(pending_key_file(w.tmp.path / "keys" / "quarantine.key")));
    struct stat st{};
    REQUIRE(::stat((w.tmp.path / "keys" / "quarantine.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    // Everything names the new key, and opens with it alone; the old key opens nothing any more.
    SecretKey fresh = SecretKey::load_or_create(w.tmp.path / "keys" / "quarantine.key", w.store_dir());
    CHECK(fresh.key_ids() == std::vector<std::string>{r.new_key_id});
    for (const auto& p : objects_in(w.store_dir())) {
        CHECK(id_in_file(p) == r.new_key_id);
        std::string sha = p.stem().string();
        CHECK_THROWS_AS(old_key.open(read_file(p, 1 << 30), blob_aad(sha)), CryptoError);
    }
    BlobStore blobs(w.store_dir(), fresh);
    ItemStore store(*w.db, blobs);
    CHECK(store.original(*store.find(a.id)) == "original A");
    CHECK(store.original(*store.find(b.id)) == "original B");
    CHECK(store.request_secret(request.id) == "zip-パスワード");
    Users users(*w.db, fresh);
    CHECK(sign_in(w, users, "sato") == AuthStatus::ok);
    CHECK(sign_in(w, users, "suzuki") == AuthStatus::ok);
    std::string totp = sealed_column(*w.db, "SELECT totp_sealed FROM users WHERE name = $1", "sato");
    CHECK(SecretKey::sealed_key_id(from_hex(totp)) == r.new_key_id);
    // Every sealed value anywhere in the database names the new key (none left behind, none of MQE1).
    auto after = sealed_values_in(*w.db, postgres);
    CHECK(after.size() == sealed_before);
    for (const auto& id : after) CHECK(id == r.new_key_id);
    // The pending enrolment goes on under the new key: the secret shown before still works.
    auto finished = users.finish_enrolment("tanaka", enrolment.code, password,
                                           totp::code_at(totp::base32_decode(shown.base32), totp::step_of(w.clock)), w.clock);
    CHECK(finished.ok());
    Users with_old_key(*w.db, old_key);
    w.clock += totp::step_seconds;
    CHECK_THROWS(with_old_key.authenticate("sato", password, w.code("sato", w.clock), w.clock));

    // Audited from start to end, with both key ids; the chain is intact.
    auto start = w.audit_lines("key.rotate.start");
    auto done = w.audit_lines("key.rotate.done");
    REQUIRE(start.size() == 1);
    REQUIRE(done.size() == 1);
    CHECK(start[0]["detail"]["old_key"] == old_id);
    CHECK(start[0]["detail"]["new_key"] == r.new_key_id);
    CHECK(done[0]["detail"]["objects_resealed"] == objects);
    CHECK(verify_audit_log(w.audit_file()).ok());

    // A second rotation works the same way from the new key.
    auto again = rekey_quarantine(config_of(w, db_url), *w.audit);
    CHECK(again.old_key_id == r.new_key_id);
    SecretKey third = SecretKey::load_or_create(w.tmp.path / "keys" / "quarantine.key", w.store_dir());
    BlobStore blobs3(w.store_dir(), third);
    CHECK(blobs3.get(b.sha256) == "original B");
}

void scenario_rekey_resume(const std::string& db_url) {
    QuarantineWorld w(db_url);
    w.add_user("sato", Role::officer);
    std::vector<Item> items;
    for (int i = 0; i < 5; ++i) items.push_back(w.hold("original " + std::to_string(i), "f.docm", "d" + std::to_string(i)));
    std::size_t objects = objects_in(w.store_dir()).size();
    REQUIRE(objects == 10);
    std::string old_id = old_key_of(w).key_id();
    fs::path key_file = w.tmp.path / "keys" / "quarantine.key";

    RekeyOptions crash;
    crash.after_object = [](std::size_t n) {
        if (n == 3) throw std::runtime_error("power failure");
    };
    CHECK_THROWS_WITH(rekey_quarantine(config_of(w, db_url), *w.audit, crash), "power failure");
    REQUIRE(fs::exists(pending_key_file(key_file)));
    REQUIRE(fs::exists(key_file));

    // Mid-rotation: objects under both keys, and every one of them readable by whoever opens the store now.
    SecretKey ring = SecretKey::load_or_create(key_file, w.store_dir());
    CHECK(ring.key_ids().size() == 2);
    CHECK(ring.key_ids().at(1) == old_id);
    std::string new_id = ring.key_id();
    std::size_t under_new = 0;
    for (const auto& p : objects_in(w.store_dir())) under_new += id_in_file(p) == new_id;
    CHECK(under_new == 3);
    BlobStore blobs(w.store_dir(), ring);
    ItemStore store(*w.db, blobs);
    for (int i = 0; i < 5; ++i) CHECK(store.original(*store.find(items[i].id)) == "original " + std::to_string(i));
    Users users(*w.db, ring);
    CHECK(sign_in(w, users, "sato") == AuthStatus::ok);
    // What is held meanwhile is sealed with the new key already.
    HoldRequest h;
    h.original = "held during the rotation";
    h.report_json = sample_report("x.docm", "late");
    auto late = store.hold(h, w.clock);
    CHECK(id_in_file(blobs.path_of(late.sha256)) == new_id);

    auto r = rekey_quarantine(config_of(w, db_url), *w.audit);
    CHECK(r.resumed);
    CHECK(r.new_key_id == new_id);
    CHECK(r.objects_already == 5);            // the three re-sealed before the crash and the two new ones
    CHECK(r.objects_resealed == objects - 3);
    SecretKey fresh = SecretKey::load_or_create(key_file, w.store_dir());
    CHECK(fresh.key_ids() == std::vector<std::string>{new_id});
    BlobStore after(w.store_dir(), fresh);
    ItemStore store2(*w.db, after);
    for (int i = 0; i < 5; ++i) CHECK(store2.original(*store2.find(items[i].id)) == "original " + std::to_string(i));
    CHECK(store2.original(*store2.find(late.id)) == "held during the rotation");
    CHECK(w.audit_lines("key.rotate.start").size() == 1);
    CHECK(w.audit_lines("key.rotate.resume").size() == 1);
    CHECK(w.audit_lines("key.rotate.done").size() == 1);
}

namespace {

QuarantineConfig restore_target(const TempDir& t, const std::string& db_url) {
    QuarantineConfig c;
    c.store_dir = t.path / "store";
    c.db = db_url.empty() ? "sqlite:" + (t.path / "db" / "restored.db").string() : db_url;
    c.key_file = t.path / "keys" / "restored.key";
    c.audit_file = t.path / "audit" / "audit.log";
    c.audit_syslog = false;
    return c;
}

}  // namespace

void scenario_backup_restore(const std::string& db_url, const std::string& restore_db_url) {
    QuarantineWorld w(db_url);
    w.add_user("sato", Role::officer);
    auto a = w.hold("original A", "a.docm", "a");
    auto b = w.hold("original B", "b.docm", "b");
    auto c = w.hold("original C", "c.docm", "c");
    w.service->remove(w.login("sato"), c.id, "誤送信のため削除");
    TempDir out;
    auto r = create_backup(config_of(w, db_url), out.path / "backup", *w.audit);
    CHECK(r.items == 3);
    CHECK(r.objects == 4);   // A and B with their reports; C's were shredded when it was deleted
    CHECK(r.key_id == w.blobs->key().key_id());
    CHECK(r.disposed_meanwhile.empty());
    CHECK(fs::exists(out.path / "backup" / "manifest.json"));
    CHECK_FALSE(fs::exists(out.path / "backup.partial"));
    struct stat st{};
    REQUIRE(::stat((out.path / "backup" / "key" / "quarantine.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((out.path / "backup").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    auto created = w.audit_lines("backup.create");
    REQUIRE(created.size() == 1);
    CHECK(created[0]["detail"]["objects"] == 4);
    CHECK(verify_backup(out.path / "backup").objects == 4);

    // The live store goes on after the backup; the restore brings back the state at the backup.
    w.hold("held after the backup", "later.docm", "later");

    TempDir target;
    auto cfg = restore_target(target, restore_db_url);
    auto restored = restore_backup(cfg, out.path / "backup");
    CHECK(restored.items == 3);
    CHECK(restored.moved_aside.empty());
    SecretKey key = SecretKey::load_or_create(cfg.key_file, cfg.store_dir);
    CHECK(key.key_id() == r.key_id);
    Database db(cfg.db);
    BlobStore blobs(cfg.store_dir, key);
    ItemStore store(db, blobs);
    CHECK(store.original(*store.find(a.id)) == "original A");
    CHECK(store.original(*store.find(b.id)) == "original B");
    CHECK(store.find(c.id)->state == state::deleted);
    CHECK(store.list({}).size() == 3);
    Users users(db, key);
    w.clock += totp::step_seconds;
    CHECK(users.authenticate("sato", password, w.code("sato", w.clock), w.clock).ok());
    // The restored audit log is the chain as it was, continued by the restore itself.
    auto v = verify_audit_log(cfg.audit_file);
    CHECK(v.ok());
    auto lines = read_audit_tail(cfg.audit_file, 100000);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.back()["action"] == "backup.restore");
    CHECK(lines.back()["seq"] == r.audit_seq + 1);

    // A second restore into the same place refuses; --force moves the present files aside, deleting nothing.
    CHECK_THROWS_AS(restore_backup(cfg, out.path / "backup"), BackupError);
    if (restore_db_url.empty()) {
        BackupOptions force;
        force.force = true;
        auto again = restore_backup(cfg, out.path / "backup", force);
        CHECK_FALSE(again.moved_aside.empty());
        for (const auto& p : again.moved_aside) CHECK(fs::exists(p));
        CHECK(verify_audit_log(cfg.audit_file).ok());
    }
}

void scenario_backup_disposed_meanwhile(const std::string& db_url, const std::string& restore_db_url) {
    QuarantineWorld w(db_url);
    w.add_user("sato", Role::officer);
    auto a = w.hold("original A", "a.docm", "a");
    auto b = w.hold("original B", "b.docm", "b");
    TempDir out;
    BackupOptions o;
    // Deleted after the snapshot was taken, before its objects were copied.
    o.after_snapshot = [&] { w.service->remove(w.login("sato"), b.id, "削除"); };
    auto r = create_backup(config_of(w, db_url), out.path / "backup", *w.audit, o);
    CHECK(r.disposed_meanwhile == std::vector<std::string>{b.id});
    CHECK(r.objects == 2);
    TempDir target;
    auto cfg = restore_target(target, restore_db_url);
    restore_backup(cfg, out.path / "backup");
    SecretKey key = SecretKey::load_or_create(cfg.key_file, cfg.store_dir);
    Database db(cfg.db);
    BlobStore blobs(cfg.store_dir, key);
    ItemStore store(db, blobs);
    CHECK(store.original(*store.find(a.id)) == "original A");
    auto gone = store.find(b.id);
    REQUIRE(gone);
    CHECK(gone->state == state::deleted);
    CHECK(gone->purged_at != 0);
}

}  // namespace mugaika::test
