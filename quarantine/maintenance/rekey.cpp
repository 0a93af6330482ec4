#include "mugaika/quarantine/rekey.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/blob_store.hpp"
#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/database.hpp"
#include "mugaika/quarantine/item_store.hpp"
#include "mugaika/quarantine/users.hpp"
#include "ownership.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;
using namespace Poco::Data::Keywords;

namespace {

// Every database column that holds a value sealed with the store's key, and what it is bound to.
// A new sealed column must be added here, or a rotation would leave it unreadable.
struct SealedColumn {
    const char* table;
    const char* key;
    const char* column;
    std::string (*aad)(const std::string& key);
};
const SealedColumn sealed_columns[] = {
    {"users", "name", "totp_sealed", totp_secret_aad},
    {"users", "name", "totp_pending", pending_totp_secret_aad},   // shown during enrolment, not yet confirmed
    {"requests", "id", "secret_sealed", request_secret_aad},
};

std::vector<fs::path> object_files(const fs::path& store_dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::path root = store_dir / "objects";
    if (!fs::is_directory(root, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        const auto& p = e.path();
        // Objects only: replace_file's temp files of an interrupted write are not objects.
        if (e.is_regular_file() && p.extension() == ".mqe" && is_sha256_hex(p.stem().string())) out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string header_key_id(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string head(SecretKey::header_bytes + 28, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return SecretKey::sealed_key_id(head);   // throws on a file that is not sealed at all
}

struct Cell {
    std::string key, sealed_hex;
};

std::vector<Cell> sealed_cells(Database& db, const SealedColumn& c) {
    Poco::Data::Statement st(db.session());
    st << "SELECT " << c.key << ", " << c.column << " FROM " << c.table << " WHERE " << c.column << " <> ''";
    st.execute();
    Poco::Data::RecordSet rs(st);
    std::vector<Cell> out;
    for (std::size_t r = 0; r < rs.rowCount(); ++r)
        out.push_back({rs.value(0, r).convert<std::string>(), rs.value(1, r).convert<std::string>()});
    return out;
}

// What is still sealed under another key than `ring`'s sealing key: object paths and "table.key" cells.
std::vector<std::string> left_to_do(const fs::path& store_dir, Database& db, const SecretKey& ring) {
    std::vector<std::string> out;
    for (const auto& p : object_files(store_dir)) {
        try {
            if (header_key_id(p) != ring.key_id()) out.push_back(p.string());
        } catch (const CryptoError&) {
            out.push_back(p.string());
        }
    }
    for (const auto& c : sealed_columns)
        for (const auto& cell : sealed_cells(db, c)) {
            try {
                if (SecretKey::sealed_key_id(from_hex(cell.sealed_hex)) != ring.key_id())
                    out.push_back(std::string(c.table) + "." + cell.key);
            } catch (const CryptoError&) {
                out.push_back(std::string(c.table) + "." + cell.key);
            }
        }
    return out;
}

void record(AuditLog& audit, const RekeyOptions& o, const std::string& action, const std::string& outcome,
            nlohmann::ordered_json detail) {
    AuditEvent ev;
    ev.actor = o.actor;
    ev.action = action;
    ev.outcome = outcome;
    for (auto it = o.who.begin(); it != o.who.end(); ++it) detail[it.key()] = it.value();
    ev.detail = std::move(detail);
    audit.append(ev);
}

// Replaces the key file by the pending one in one rename, then overwrites the old key's bytes through a
// descriptor opened before the rename (the name then already holds the new key).
void commit_key(const fs::path& key_file, const fs::path& pending) {
    int old_fd = ::open(key_file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (old_fd < 0) throw std::system_error(errno, std::generic_category(), "open " + key_file.string());
    if (::rename(pending.c_str(), key_file.c_str()) != 0) {
        int e = errno;
        ::close(old_fd);
        throw std::system_error(e, std::generic_category(), "rename " + pending.string());
    }
    sync_directory(key_file.has_parent_path() ? key_file.parent_path() : fs::path("."));
    char zeros[128] = {};
    [[maybe_unused]] auto w = ::pwrite(old_fd, zeros, sizeof zeros, 0);
    ::fsync(old_fd);
    ::close(old_fd);
}

}  // namespace

RekeyResult rekey_quarantine(const QuarantineConfig& config, AuditLog& audit, const RekeyOptions& o) {
    const fs::path& key_file = config.key_file;
    fs::path pending = pending_key_file(key_file);
    std::error_code ec;
    if (!fs::exists(key_file, ec))
        throw RekeyError("no key file " + key_file.string() + ": there is no key to rotate");
    // Checks the key's place and mode the same way every user of the store does.
    (void)SecretKey::load_or_create(key_file, config.store_dir);
    SecretKey old_key = SecretKey::load_file(key_file);
    RekeyResult r;
    r.old_key_id = old_key.key_id();
    SecretKey new_key = SecretKey::generate();
    if (fs::exists(pending, ec)) {
        new_key = SecretKey::load_file(pending);
        r.resumed = true;
        r.new_key_id = new_key.key_id();
        record(audit, o, "key.rotate.resume", "ok", {{"old_key", r.old_key_id}, {"new_key", r.new_key_id}});
    } else {
        r.new_key_id = new_key.key_id();
        // Audited before anything changes: a rotation that cannot be recorded does not start.
        record(audit, o, "key.rotate.start", "ok", {{"old_key", r.old_key_id}, {"new_key", r.new_key_id}});
        new_key.write_new_key_file(pending);
        keep_owner(pending, key_file);
    }
    SecretKey ring = new_key.with_opening_keys_of(old_key);
    Database db(config.db);

    RekeyError failure("");
    for (int round = 0; round < 3; ++round) {
        std::vector<std::string> damaged;
        for (const auto& p : object_files(config.store_dir)) {
            std::string sha = p.stem().string();
            try {
                if (header_key_id(p) == ring.key_id()) {
                    if (round == 0) ++r.objects_already;
                    continue;
                }
                std::string plain = ring.open(read_file(p, (std::uint64_t(4) << 30) + 64), blob_aad(sha));
                if (sha256_hex(plain) != sha) throw CryptoError("object " + sha + " does not match its name");
                fs::path owner_of = p.parent_path();
                replace_file(p.parent_path(), p.filename().string(), ring.seal(plain, blob_aad(sha)));
                keep_owner(p, owner_of);
                sodium_memzero(plain.data(), plain.size());
                ++r.objects_resealed;
                if (o.after_object) o.after_object(r.objects_resealed);
            } catch (const CryptoError& e) {
                damaged.push_back(sha + ": " + e.what());
            }
        }
        for (const auto& c : sealed_columns) {
            for (const auto& cell : sealed_cells(db, c)) {
                try {
                    std::string sealed = from_hex(cell.sealed_hex);
                    if (SecretKey::sealed_key_id(sealed) == ring.key_id()) continue;
                    std::string plain = ring.open(sealed, c.aad(cell.key));
                    std::string fresh = to_hex(ring.seal(plain, c.aad(cell.key)));
                    sodium_memzero(plain.data(), plain.size());
                    Poco::Data::Statement st(db.session());
                    std::string key = cell.key, before = cell.sealed_hex;
                    // Conditional: a value changed meanwhile (a TOTP reset) is left for the next pass.
                    st << "UPDATE " << c.table << " SET " << c.column << " = $1 WHERE " << c.key << " = $2 AND "
                       << c.column << " = $3",
                        useRef(fresh), useRef(key), useRef(before);
                    if (st.execute() == 1) ++r.secrets_resealed;
                } catch (const CryptoError& e) {
                    damaged.push_back(std::string(c.table) + "." + c.column + " of " + cell.key + ": " + e.what());
                }
            }
        }
        if (!damaged.empty()) {
            failure = RekeyError("鍵を更新できないデータがあります (" + std::to_string(damaged.size()) +
                                 " sealed value(s) cannot be opened with the old or the new key; the rotation is "
                                 "not finished and resumes when run again)");
            failure.damaged = damaged;
            break;
        }
        if (left_to_do(config.store_dir, db, ring).empty()) {
            commit_key(key_file, pending);
            record(audit, o, "key.rotate.done", "ok",
                   {{"old_key", r.old_key_id},
                    {"new_key", r.new_key_id},
                    {"resumed", r.resumed},
                    {"objects_resealed", r.objects_resealed},
                    {"objects_already", r.objects_already},
                    {"secrets_resealed", r.secrets_resealed}});
            return r;
        }
    }
    if (failure.damaged.empty())
        failure = RekeyError("values sealed under the old key keep appearing (is another process writing?); "
                             "the rotation is not finished and resumes when run again");
    nlohmann::ordered_json damaged = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < failure.damaged.size() && i < 100; ++i) damaged.push_back(failure.damaged[i]);
    record(audit, o, "key.rotate.incomplete", "error",
           {{"old_key", r.old_key_id}, {"new_key", r.new_key_id}, {"damaged", damaged}, {"why", failure.what()}});
    throw failure;
}

}  // namespace mugaika::quarantine
