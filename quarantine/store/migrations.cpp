// The versioned schema. Never edit a released migration: add a new one.
#include "mugaika/quarantine/database.hpp"

namespace mugaika::quarantine {

const std::vector<Migration>& schema_migrations() {
    static const std::vector<Migration> all{
        {1,
         "items, release requests and disposal records",
         {
             // One row per held item. sha256/report_sha256 name the encrypted objects in the blob store.
             // purged_at: when the objects were shredded (0 = still stored).
             "CREATE TABLE items ("
             " id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, report_sha256 TEXT NOT NULL, size BIGINT NOT NULL,"
             " name TEXT NOT NULL, section TEXT NOT NULL, sender TEXT NOT NULL, recipients TEXT NOT NULL,"
             " file_type TEXT NOT NULL, reason TEXT NOT NULL, summary_ja TEXT NOT NULL, source TEXT NOT NULL,"
             " state TEXT NOT NULL, held_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
             " purged_at BIGINT NOT NULL)",
             "CREATE INDEX items_held_at ON items (held_at)",
             "CREATE INDEX items_state ON items (state)",
             "CREATE INDEX items_sha256 ON items (sha256)",
             // One row per release request and its decision (pending | approved | rejected | expired).
             "CREATE TABLE requests ("
             " id TEXT PRIMARY KEY, item_id TEXT NOT NULL REFERENCES items (id), kind TEXT NOT NULL,"
             " reason TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at BIGINT NOT NULL,"
             " state TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at BIGINT NOT NULL, note TEXT NOT NULL,"
             " released_to TEXT NOT NULL)",
             "CREATE INDEX requests_item ON requests (item_id)",
             // The disposal register the policies ask for: what was destroyed, when, by whom or which rule.
             "CREATE TABLE disposals ("
             " id TEXT PRIMARY KEY, item_id TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,"
             " actor TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL, disposed_at BIGINT NOT NULL)",
             "CREATE INDEX disposals_item ON disposals (item_id)",
         }},
        {2,
         "accounts with Argon2id password hashes, sealed TOTP secrets and lockout state",
         {
             "CREATE TABLE users ("
             " name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL, totp_sealed TEXT NOT NULL,"
             " totp_last_step BIGINT NOT NULL, failed BIGINT NOT NULL, locked_until BIGINT NOT NULL,"
             " disabled BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
         }},
        {3,
         "a sealed secret per release request (the PPAP password), wiped once the request is decided",
         {
             "ALTER TABLE requests ADD COLUMN secret_sealed TEXT NOT NULL DEFAULT ''",
         }},
    };
    return all;
}

}  // namespace mugaika::quarantine
