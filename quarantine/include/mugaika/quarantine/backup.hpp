// A consistent snapshot of the whole quarantine, and its restore: the key, the database, the encrypted
// objects the database refers to, and the audit log with its head (and the archived files of its chain).
//
//   DIR/manifest.json                 mugaika.backup/1: what is in it, with the SHA-256 of every file
//   DIR/key/quarantine.key            the key (0600): whoever holds the backup holds the originals
//   DIR/database/quarantine.sqlite    SQLite: a copy made with SQLite's online backup API (WAL included)
//   DIR/database/quarantine.pgdump    PostgreSQL: pg_dump --format=custom, taken in the same snapshot
//                                     (pg_export_snapshot) as the list of objects
//   DIR/store/objects/..              every object an item of the snapshot still refers to, each checked
//                                     by decrypting it
//   DIR/audit/                        the audit log and its head, copied under the log's lock, and its
//                                     archived files
//
// The database is the reference: every object it refers to is in the backup. An object disposed of by the
// retention rule (or deleted by an officer) after the snapshot was taken cannot be copied any more; the
// manifest lists those items and a restore marks them disposed, as they really are. The service keeps
// running while a backup is taken; a restore needs it stopped (MaintenanceLock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/quarantine_config.hpp"

namespace mugaika::quarantine {

struct BackupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Refused before anything was written: the folder exists, a restore would replace data, a key rotation is
// unfinished, the database is not empty.
struct BackupRefused : BackupError {
    using BackupError::BackupError;
};

struct BackupOptions {
    std::string pg_dump = "pg_dump";         // PostgreSQL's tools, found in PATH unless a path is given
    std::string pg_restore = "pg_restore";
    std::string actor = "local-admin";
    nlohmann::ordered_json who = nlohmann::ordered_json::object();   // recorded with the audit line
    bool force = false;                      // restore: move what is in the way aside instead of refusing
    std::function<void()> after_snapshot;    // tests: runs between the snapshot and the copy of the objects
};

struct BackupResult {
    std::filesystem::path dir;
    std::string key_id, database;            // database: "sqlite" or "postgresql"
    std::size_t items = 0, objects = 0;
    std::uint64_t object_bytes = 0;
    std::uint64_t audit_seq = 0;             // the audit log's last line in the backup
    std::vector<std::string> disposed_meanwhile;   // items disposed of between the snapshot and their copy
    std::vector<std::filesystem::path> moved_aside;   // restore --force: where the replaced files went
};

// The caller holds the MaintenanceLock shared (like any user of the store). `dest` must not exist.
// Audited (backup.create) once the backup is complete. Throws BackupError.
BackupResult create_backup(const QuarantineConfig& config, const std::filesystem::path& dest, AuditLog& audit,
                           const BackupOptions& options = {});

// Checks a backup without touching the live quarantine: the manifest, every file's SHA-256, every object
// decrypting under the backup's key to content that matches its name. Throws BackupError.
BackupResult verify_backup(const std::filesystem::path& dir);

// Restores a backup into the places the configuration names. The caller holds the MaintenanceLock
// exclusively (the service and the officer UI are stopped). Verifies it first; refuses when a key,
// database, object or audit log is already there unless `force` (then they are moved aside, never
// deleted). PostgreSQL: restores into the configured database, which must be empty. The restored audit
// log continues its chain with a backup.restore line. Throws BackupError.
BackupResult restore_backup(const QuarantineConfig& config, const std::filesystem::path& dir,
                            const BackupOptions& options = {});

}  // namespace mugaika::quarantine
