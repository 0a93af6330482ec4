#include "mugaika/quarantine/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <system_error>
#include <thread>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/blob_store.hpp"
#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/database.hpp"
#include "ownership.hpp"
#include "run_tool.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;
using namespace Poco::Data::Keywords;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* schema = "mugaika.backup/1";
constexpr std::uint64_t max_object_bytes = (std::uint64_t(4) << 30) + 64;

std::string utc_now(const char* format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

bool is_sqlite(const std::string& url) { return url.rfind("sqlite:", 0) == 0; }
bool is_postgres(const std::string& url) { return url.rfind("postgresql:", 0) == 0; }

fs::path object_rel(const std::string& sha) { return fs::path("store") / "objects" / sha.substr(0, 2) / (sha + ".mqe"); }

// A new private file (0600) with exactly `bytes`, fsync'd; its folders are created 0700.
void write_private(const fs::path& file, std::string_view bytes) {
    fs::create_directories(file.parent_path());
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "create " + file.string());
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = errno;
            ::close(fd);
            throw std::system_error(e, std::generic_category(), "write " + file.string());
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int e = errno;
        ::close(fd);
        throw std::system_error(e, std::generic_category(), "fsync " + file.string());
    }
    ::close(fd);
}

void sync_tree(const fs::path& root) {
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.is_directory()) sync_directory(e.path());
    sync_directory(root);
}

// ---- SQLite ------------------------------------------------------------------------------------------

struct Sqlite {
    sqlite3* db = nullptr;
    Sqlite(const fs::path& file, int flags) {
        if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
            std::string e = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close(db);
            throw BackupError("sqlite " + file.string() + ": " + e);
        }
        sqlite3_busy_timeout(db, 10000);
    }
    ~Sqlite() { sqlite3_close(db); }
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string e = err ? err : "?";
            sqlite3_free(err);
            throw BackupError("sqlite: " + sql + ": " + e);
        }
    }
    std::vector<std::vector<std::string>> rows(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw BackupError("sqlite: " + sql + ": " + sqlite3_errmsg(db));
        std::vector<std::vector<std::string>> out;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                auto* t = sqlite3_column_text(st, c);
                row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
            }
            out.push_back(std::move(row));
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) throw BackupError("sqlite: " + sql + ": " + sqlite3_errmsg(db));
        return out;
    }
};

// SQLite's online backup API: a consistent copy of the database while others read and write it (the WAL
// included); the copy is then switched to a plain rollback journal, a single self-contained file.
void sqlite_snapshot(const fs::path& live, const fs::path& copy) {
    std::error_code ec;
    if (!fs::exists(live, ec)) throw BackupError("the database " + live.string() + " does not exist");
    fs::create_directories(copy.parent_path());
    {
        Sqlite src(live, SQLITE_OPEN_READONLY);
        Sqlite dst(copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
        if (!b) throw BackupError(std::string("sqlite backup: ") + sqlite3_errmsg(dst.db));
        int rc;
        // One step copies everything under one read transaction: a single point in time.
        while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE) throw BackupError(std::string("sqlite backup: ") + sqlite3_errstr(rc));
        dst.exec("PRAGMA journal_mode = DELETE");
    }
    ::chmod(copy.c_str(), 0600);
    int fd = ::open(copy.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// ---- what the snapshot refers to ----------------------------------------------------------------------

struct Snapshot {
    int schema_version = 0;
    std::size_t items = 0;
    std::map<std::string, std::set<std::string>> objects;   // sha256 -> ids of unpurged items using it
};

void add_reference(Snapshot& s, const std::string& id, const std::string& sha) {
    if (is_sha256_hex(sha)) s.objects[sha].insert(id);
}

Snapshot read_sqlite_snapshot(const fs::path& copy) {
    Sqlite db(copy, SQLITE_OPEN_READONLY);
    Snapshot s;
    s.schema_version = std::stoi(db.rows("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").at(0).at(0));
    s.items = std::stoul(db.rows("SELECT COUNT(*) FROM items").at(0).at(0));
    for (const auto& r : db.rows("SELECT id, sha256, report_sha256 FROM items WHERE purged_at = 0")) {
        add_reference(s, r[0], r[1]);
        add_reference(s, r[0], r[2]);
    }
    return s;
}

Snapshot read_session_snapshot(Poco::Data::Session& session) {
    Snapshot s;
    Poco::Nullable<Poco::Int64> v;
    Poco::Int64 n = 0;
    session << "SELECT MAX(version) FROM schema_migrations", into(v), now;
    s.schema_version = v.isNull() ? 0 : static_cast<int>(v.value());
    session << "SELECT COUNT(*) FROM items", into(n), now;
    s.items = static_cast<std::size_t>(n);
    Poco::Data::Statement st(session);
    st << "SELECT id, sha256, report_sha256 FROM items WHERE purged_at = 0";
    st.execute();
    Poco::Data::RecordSet rs(st);
    for (std::size_t r = 0; r < rs.rowCount(); ++r) {
        std::string id = rs.value(0, r).convert<std::string>();
        add_reference(s, id, rs.value(1, r).convert<std::string>());
        add_reference(s, id, rs.value(2, r).convert<std::string>());
    }
    return s;
}

// PostgreSQL: a repeatable-read transaction exports its snapshot; pg_dump dumps exactly that snapshot
// while the list of objects is read in it too, so the dump and the objects describe the same moment.
Snapshot postgres_snapshot(const std::string& url, const fs::path& dump, const BackupOptions& o) {
    Database db(url);
    auto& s = db.session();
    try {
        s << "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", now;
        std::string snapshot_id;
        s << "SELECT pg_export_snapshot()", into(snapshot_id), now;
        fs::create_directories(dump.parent_path());
        auto [conninfo, password] = split_password(url.substr(11));
        std::vector<std::pair<std::string, std::string>> env;
        if (!password.empty()) env.emplace_back("PGPASSWORD", password);
        auto r = run_tool({o.pg_dump, "--format=custom", "--no-owner", "--snapshot=" + snapshot_id,
                           "--file=" + dump.string(), "--dbname=" + conninfo},
                          env);
        if (r.status != 0)
            throw BackupError("pg_dump failed (status " + std::to_string(r.status) + "): " + r.errors +
                              (r.status == 127 ? " (install postgresql-client, the same major version as the server)" : ""));
        ::chmod(dump.c_str(), 0600);
        Snapshot snap = read_session_snapshot(s);
        s << "COMMIT", now;
        return snap;
    } catch (const Poco::Exception& e) {
        throw BackupError("database " + db.description() + ": " + e.displayText());
    }
}

// ---- the audit log -------------------------------------------------------------------------------------

// Archived files of the chain (immutable) first, then the live file and its head under the log's lock.
json copy_audit(const fs::path& audit_file, const fs::path& dest_dir, std::uint64_t& last_seq, std::string& last_sha) {
    json files = json::array();
    fs::path dir = audit_file.has_parent_path() ? audit_file.parent_path() : fs::path(".");
    std::string base = audit_file.filename().string();
    std::error_code ec;
    if (!fs::exists(audit_file, ec)) return files;
    struct stat live{};
    ::stat(audit_file.c_str(), &live);
    std::vector<fs::path> archives;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename().string();
        if (!e.is_regular_file() || name.rfind(base + ".", 0) != 0 || name == base + ".head" || name == base + ".rotating")
            continue;
        struct stat st{};
        if (::stat(e.path().c_str(), &st) == 0 && st.st_ino == live.st_ino && st.st_dev == live.st_dev) continue;
        archives.push_back(e.path());
    }
    std::sort(archives.begin(), archives.end());
    for (const auto& a : archives) {
        std::string bytes = read_file(a, std::uint64_t(16) << 30);
        write_private(dest_dir / a.filename(), bytes);
        files.push_back({{"file", "audit/" + a.filename().string()}, {"sha256", sha256_hex(bytes)}});
    }
    int fd = open_locked_audit_file(audit_file);
    try {
        struct stat st{};
        if (::fstat(fd, &st) != 0) throw std::system_error(errno, std::generic_category(), "stat " + audit_file.string());
        std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
        if (::pread(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
            throw std::system_error(errno, std::generic_category(), "read " + audit_file.string());
        write_private(dest_dir / base, bytes);
        files.push_back({{"file", "audit/" + base}, {"sha256", sha256_hex(bytes)}});
        fs::path head = dir / (base + ".head");
        if (fs::exists(head, ec)) {
            std::string h = read_file(head, 4096);
            write_private(dest_dir / (base + ".head"), h);
            files.push_back({{"file", "audit/" + base + ".head"}, {"sha256", sha256_hex(h)}});
        }
        if (!bytes.empty()) {
            std::size_t end = bytes.size() - (bytes.back() == '\n' ? 1 : 0);
            std::size_t start = bytes.rfind('\n', end == 0 ? 0 : end - 1);
            std::string last = bytes.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1));
            auto j = json::parse(last, nullptr, false);
            if (j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned()) last_seq = j["seq"].get<std::uint64_t>();
            last_sha = sha256_hex(last);
        }
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);   // releases the lock
    return files;
}

json read_manifest(const fs::path& dir) {
    json m = json::parse(read_file(dir / "manifest.json", 256u << 20), nullptr, false);
    if (!m.is_object() || m.value("schema", "") != schema)
        throw BackupError(dir.string() + " is not a mugaika backup (no " + schema + " manifest.json)");
    return m;
}

// A path from the manifest: relative, inside the backup, no "..".
fs::path inside(const fs::path& dir, const std::string& rel) {
    fs::path p(rel);
    if (rel.empty() || p.is_absolute()) throw BackupError("manifest names an unsafe path: " + rel);
    for (const auto& part : p)
        if (part == ".." || part == ".") throw BackupError("manifest names an unsafe path: " + rel);
    return dir / p;
}

void check_file(const fs::path& dir, const json& entry) {
    std::string rel = entry.value("file", "");
    fs::path p = inside(dir, rel);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) throw BackupError("the backup lacks " + rel);
    if (sha256_file(p) != entry.value("sha256", "")) throw BackupError(rel + " in the backup was altered or damaged");
}

}  // namespace

BackupResult create_backup(const QuarantineConfig& config, const fs::path& dest, AuditLog& audit,
                           const BackupOptions& o) {
    std::error_code ec;
    if (fs::exists(dest, ec)) throw BackupRefused(dest.string() + " exists already: a backup goes into a new folder");
    if (fs::exists(pending_key_file(config.key_file), ec))
        throw BackupRefused("a key rotation is unfinished (" + pending_key_file(config.key_file).string() +
                          "): finish it first with `mugaika quarantine rekey`");
    if (!fs::exists(config.key_file, ec)) throw BackupError("no key file " + config.key_file.string());
    SecretKey key = SecretKey::load_or_create(config.key_file, config.store_dir);

    fs::path partial = dest;
    partial += ".partial";
    fs::remove_all(partial);   // a backup that was interrupted before: ours, never a finished one
    fs::create_directories(partial);
    fs::permissions(partial, fs::perms::owner_all, fs::perm_options::replace);

    BackupResult r;
    r.dir = dest;
    r.key_id = key.key_id();
    json m;
    m["schema"] = schema;
    m["created_at"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
    try {
        // 1. The key, byte for byte.
        std::string key_text = read_file(config.key_file, 1024);
        write_private(partial / "key" / "quarantine.key", key_text);
        m["key"] = {{"file", "key/quarantine.key"}, {"key_id", r.key_id}, {"sha256", sha256_hex(key_text)}};
        sodium_memzero(key_text.data(), key_text.size());

        // 2. The database: the point in time the backup describes.
        Snapshot snap;
        if (is_sqlite(config.db)) {
            r.database = "sqlite";
            fs::path copy = partial / "database" / "quarantine.sqlite";
            sqlite_snapshot(config.db.substr(7), copy);
            snap = read_sqlite_snapshot(copy);
            m["database"] = {{"kind", "sqlite"}, {"file", "database/quarantine.sqlite"}, {"sha256", sha256_file(copy)}};
        } else if (is_postgres(config.db)) {
            r.database = "postgresql";
            fs::path dump = partial / "database" / "quarantine.pgdump";
            snap = postgres_snapshot(config.db, dump, o);
            m["database"] = {{"kind", "postgresql"}, {"file", "database/quarantine.pgdump"}, {"sha256", sha256_file(dump)}};
        } else {
            throw BackupError("database URL must start with sqlite: or postgresql:");
        }
        m["database"]["schema_version"] = snap.schema_version;
        m["database"]["items"] = snap.items;
        r.items = snap.items;
        if (o.after_snapshot) o.after_snapshot();

        // 3. Every object the snapshot refers to, checked by decrypting it.
        std::vector<std::string> gone;
        for (const auto& [sha, ids] : snap.objects) {
            fs::path src = config.store_dir / "objects" / sha.substr(0, 2) / (sha + ".mqe");
            try {
                std::string sealed = read_file(src, max_object_bytes);
                std::string plain = key.open(sealed, blob_aad(sha));
                bool matches = sha256_hex(plain) == sha;
                sodium_memzero(plain.data(), plain.size());
                if (!matches) throw CryptoError("does not match its name");
                write_private(partial / object_rel(sha), sealed);
                ++r.objects;
                r.object_bytes += sealed.size();
            } catch (const std::exception&) {
                gone.push_back(sha);
            }
        }
        // An object that cannot be copied must have been disposed of after the snapshot; anything else is
        // a damaged store, and a backup that silently lacks an original is worse than none.
        json disposed = json::array();
        if (!gone.empty()) {
            Database live(config.db);
            std::set<std::string> recorded;   // an item's original and report may both be gone: one entry
            for (const auto& sha : gone) {
                for (const auto& id : snap.objects[sha]) {
                    if (!recorded.insert(id).second) continue;
                    Poco::Int64 purged = 0;
                    std::string state, item = id;
                    live.session() << "SELECT purged_at, state FROM items WHERE id = $1", useRef(item), into(purged),
                        into(state), now;
                    if (purged == 0)
                        throw BackupError("object " + sha + " of item " + id +
                                          " is missing or damaged in the store (" + config.store_dir.string() +
                                          "): run the backup again; if it fails again, the store is damaged");
                    disposed.push_back({{"id", id}, {"state", state}, {"purged_at", purged}});
                    r.disposed_meanwhile.push_back(id);
                }
            }
        }
        m["objects"] = {{"dir", "store/objects"}, {"count", r.objects}, {"bytes", r.object_bytes}};
        m["disposed_after_snapshot"] = disposed;

        // 4. The audit log, as far as it went when the backup was taken.
        std::string last_sha;
        json audit_files = copy_audit(config.audit_file, partial / "audit", r.audit_seq, last_sha);
        m["audit"] = {{"file", "audit/" + config.audit_file.filename().string()},
                      {"files", audit_files},
                      {"last_seq", r.audit_seq},
                      {"last_sha256", last_sha}};

        std::string manifest = m.dump(2) + "\n";
        write_private(partial / "manifest.json", manifest);
        sync_tree(partial);
        if (::rename(partial.c_str(), dest.c_str()) != 0)
            throw std::system_error(errno, std::generic_category(), "rename " + partial.string());
        sync_directory(dest.has_parent_path() ? dest.parent_path() : fs::path("."));

        AuditEvent ev;
        ev.actor = o.actor;
        ev.action = "backup.create";
        json detail{{"dir", fs::absolute(dest).string()},
                    {"key", r.key_id},
                    {"database", r.database},
                    {"items", r.items},
                    {"objects", r.objects},
                    {"object_bytes", r.object_bytes},
                    {"audit_seq", r.audit_seq},
                    {"manifest_sha256", sha256_hex(manifest)},
                    {"disposed_after_snapshot", r.disposed_meanwhile.size()}};
        for (auto it = o.who.begin(); it != o.who.end(); ++it) detail[it.key()] = it.value();
        ev.detail = detail;
        audit.append(ev);
    } catch (const BackupError&) {
        fs::remove_all(partial, ec);
        throw;
    } catch (const std::exception& e) {
        fs::remove_all(partial, ec);
        throw BackupError(e.what());
    }
    return r;
}

BackupResult verify_backup(const fs::path& dir) {
    BackupResult r;
    r.dir = dir;
    try {
        json m = read_manifest(dir);
        check_file(dir, m.at("key"));
        check_file(dir, m.at("database"));
        for (const auto& f : m.at("audit").at("files")) check_file(dir, f);
        SecretKey key = SecretKey::load_file(inside(dir, m["key"].value("file", "")));
        r.key_id = key.key_id();
        if (r.key_id != m["key"].value("key_id", "")) throw BackupError("the key in the backup is not the one its manifest names");
        r.database = m["database"].value("kind", "");
        r.items = m["database"].value("items", std::size_t(0));
        r.audit_seq = m["audit"].value("last_seq", std::uint64_t(0));
        fs::path objects = dir / "store" / "objects";
        std::error_code ec;
        if (fs::is_directory(objects, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(objects)) {
                if (!e.is_regular_file()) continue;
                std::string sha = e.path().stem().string();
                if (e.path().extension() != ".mqe" || !is_sha256_hex(sha))
                    throw BackupError("unexpected file in the backup's store: " + e.path().string());
                std::string sealed = read_file(e.path(), max_object_bytes);
                std::string plain = key.open(sealed, blob_aad(sha));
                bool ok = sha256_hex(plain) == sha;
                sodium_memzero(plain.data(), plain.size());
                if (!ok) throw BackupError("object " + sha + " in the backup does not match its name");
                ++r.objects;
                r.object_bytes += sealed.size();
            }
        }
        if (r.objects != m["objects"].value("count", std::size_t(0)))
            throw BackupError("the backup holds " + std::to_string(r.objects) + " objects, its manifest " +
                              std::to_string(m["objects"].value("count", std::size_t(0))));
        for (const auto& d : m.value("disposed_after_snapshot", json::array())) r.disposed_meanwhile.push_back(d.value("id", ""));
    } catch (const BackupError&) {
        throw;
    } catch (const std::exception& e) {
        throw BackupError("backup " + dir.string() + ": " + e.what());
    }
    return r;
}

BackupResult restore_backup(const QuarantineConfig& config, const fs::path& dir, const BackupOptions& o) {
    BackupResult r = verify_backup(dir);
    json m = read_manifest(dir);
    std::string kind = m["database"].value("kind", "");
    if ((kind == "sqlite") != is_sqlite(config.db) || (kind == "postgresql") != is_postgres(config.db))
        throw BackupError("the backup holds a " + kind + " database, but [quarantine] db is " + config.db.substr(0, 11) + "...");

    // What the restore would replace.
    std::error_code ec;
    std::string stamp = utc_now("%Y%m%dT%H%M%SZ");
    fs::path audit_dir = config.audit_file.has_parent_path() ? config.audit_file.parent_path() : fs::path(".");
    std::string audit_base = config.audit_file.filename().string();
    std::vector<fs::path> in_the_way;
    for (const fs::path& p : {config.key_file, pending_key_file(config.key_file), config.store_dir / "objects"})
        if (fs::exists(p, ec)) in_the_way.push_back(p);
    if (kind == "sqlite") {
        fs::path db = config.db.substr(7);
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            fs::path p = db;
            p += suffix;
            if (fs::exists(p, ec)) in_the_way.push_back(p);
        }
    }
    if (fs::is_directory(audit_dir, ec))
        for (const auto& e : fs::directory_iterator(audit_dir)) {
            std::string name = e.path().filename().string();
            if (name == audit_base || name.rfind(audit_base + ".", 0) == 0) in_the_way.push_back(e.path());
        }
    if (kind == "postgresql") {
        Database db(config.db);   // migrations create the tables of an empty database: then they are empty
        Poco::Int64 items = 0, users = 0;
        db.session() << "SELECT COUNT(*) FROM items", into(items), now;
        db.session() << "SELECT COUNT(*) FROM users", into(users), now;
        if (items != 0 || users != 0)
            throw BackupRefused("the database " + db.description() +
                                " is not empty: restore into a new, empty database (createdb) and point [quarantine] db at it");
        // pg_restore brings the tables itself: drop the empty ones the migrations just made.
        db.session() << "DROP TABLE requests, disposals, users, items, schema_migrations", now;
    }
    if (!in_the_way.empty() && !o.force) {
        std::string list;
        for (const auto& p : in_the_way) list += "\n  " + p.string();
        throw BackupRefused("復元先に既存のデータがあります。--force で退避してから復元します "
                          "(these exist already; --force moves them aside, nothing is deleted):" + list);
    }
    for (const auto& p : in_the_way) {
        fs::path aside = p;
        aside += ".before-restore-" + stamp;
        fs::rename(p, aside);
        r.moved_aside.push_back(aside);
    }

    try {
        // The key.
        fs::path key_src = inside(dir, m["key"].value("file", ""));
        std::string key_text = read_file(key_src, 1024);
        write_private(config.key_file, key_text);
        sodium_memzero(key_text.data(), key_text.size());
        keep_owner(config.key_file, config.key_file.parent_path());
        sync_directory(config.key_file.parent_path());

        // The database.
        fs::path db_src = inside(dir, m["database"].value("file", ""));
        if (kind == "sqlite") {
            fs::path db = config.db.substr(7);
            if (db.has_parent_path()) fs::create_directories(db.parent_path());
            fs::path tmp = db;
            tmp += ".restoring";
            fs::remove(tmp, ec);
            write_private(tmp, read_file(db_src, std::uint64_t(64) << 30));
            fs::rename(tmp, db);
            keep_owner(db, db.has_parent_path() ? db.parent_path() : fs::path("."));
            sync_directory(db.has_parent_path() ? db.parent_path() : fs::path("."));
        } else {
            auto [conninfo, password] = split_password(config.db.substr(11));
            std::vector<std::pair<std::string, std::string>> env;
            if (!password.empty()) env.emplace_back("PGPASSWORD", password);
            auto t = run_tool({o.pg_restore, "--no-owner", "--exit-on-error", "--single-transaction",
                               "--dbname=" + conninfo, db_src.string()},
                              env);
            if (t.status != 0)
                throw BackupError("pg_restore failed (status " + std::to_string(t.status) + "): " + t.errors);
        }

        // The objects.
        fs::path objects_src = dir / "store" / "objects";
        fs::create_directories(config.store_dir / "objects");
        keep_owner(config.store_dir / "objects", config.store_dir);
        if (fs::is_directory(objects_src, ec))
            for (const auto& e : fs::recursive_directory_iterator(objects_src)) {
                if (!e.is_regular_file()) continue;
                std::string sha = e.path().stem().string();
                fs::path to = config.store_dir / object_rel(sha).lexically_relative("store");
                if (!fs::exists(to.parent_path(), ec)) {
                    fs::create_directories(to.parent_path());
                    keep_owner(to.parent_path(), config.store_dir);
                }
                replace_file(to.parent_path(), to.filename().string(), read_file(e.path(), max_object_bytes));
                keep_owner(to, config.store_dir);
            }

        // The audit log and its archived files.
        fs::create_directories(audit_dir);
        for (const auto& f : m["audit"]["files"]) {
            fs::path src = inside(dir, f.value("file", ""));
            replace_file(audit_dir, src.filename().string(), read_file(src, std::uint64_t(16) << 30));
            keep_owner(audit_dir / src.filename(), audit_dir);
        }

        // Items disposed of while the backup was being taken stay disposed of.
        Database db(config.db);
        for (const auto& d : m.value("disposed_after_snapshot", json::array())) {
            std::string id = d.value("id", ""), state = d.value("state", "");
            Poco::Int64 purged = d.value("purged_at", Poco::Int64(0));
            db.session() << "UPDATE items SET state = $1, purged_at = $2 WHERE id = $3", useRef(state), use(purged),
                useRef(id), now;
        }
    } catch (const BackupError&) {
        throw;
    } catch (const std::exception& e) {
        throw BackupError(std::string("restore: ") + e.what() +
                          (r.moved_aside.empty() ? "" : " (what was there before is kept beside it, *.before-restore-" + stamp + ")"));
    }

    AuditLog log(config.audit_file, config.audit_syslog);
    AuditEvent ev;
    ev.actor = o.actor;
    ev.action = "backup.restore";
    json detail{{"from", fs::absolute(dir).string()},
                {"created_at", m.value("created_at", "")},
                {"key", r.key_id},
                {"database", kind},
                {"items", r.items},
                {"objects", r.objects},
                {"audit_seq", r.audit_seq},
                {"moved_aside", r.moved_aside.size()}};
    for (auto it = o.who.begin(); it != o.who.end(); ++it) detail[it.key()] = it.value();
    ev.detail = detail;
    log.append(ev);
    return r;
}

}  // namespace mugaika::quarantine
