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
        {4,
         "self-service enrolment (one-time codes, stored hashed), role grants awaiting a second admin, and a"
         " credentials epoch that ends sessions when a password, second factor or role changes",
         {
             // epoch: bumped by every change of password, TOTP, role or enabled state; a session made at an
             // older epoch is over.
             "ALTER TABLE users ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0",
             // A role given (officer, approver, admin) while four_eyes is on: it takes effect when another
             // admin than pending_by confirms it. role is '' while an account has none yet.
             "ALTER TABLE users ADD COLUMN pending_role TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE users ADD COLUMN pending_by TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE users ADD COLUMN pending_at BIGINT NOT NULL DEFAULT 0",
             // The one-time enrolment code (SHA-256, never the code) and its end; the TOTP secret shown
             // during enrolment, sealed, until the person proves their app has it.
             "ALTER TABLE users ADD COLUMN enrol_hash TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE users ADD COLUMN enrol_expires BIGINT NOT NULL DEFAULT 0",
             "ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE users ADD COLUMN enrolled_at BIGINT NOT NULL DEFAULT 0",
             "UPDATE users SET enrolled_at = created_at WHERE pw_hash <> ''",
         }},
        {5,
         "what people recognise an item by (a mail's subject and sender, its held parts, where the rest went)"
         " and the last failed approval of a request",
         {
             "ALTER TABLE items ADD COLUMN subject TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE items ADD COLUMN from_name TEXT NOT NULL DEFAULT ''",
             // JSON array of {where, name, type, reason}: the parts of a container that were held.
             "ALTER TABLE items ADD COLUMN held_parts TEXT NOT NULL DEFAULT '[]'",
             // 1: only parts were held; the rest was disarmed and delivered (to delivered_to).
             "ALTER TABLE items ADD COLUMN partial BIGINT NOT NULL DEFAULT 0",
             "ALTER TABLE items ADD COLUMN delivered_to TEXT NOT NULL DEFAULT ''",
             // An approval whose release failed (a wrong PPAP password, still unsafe): the requester sees it.
             "ALTER TABLE requests ADD COLUMN failure TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE requests ADD COLUMN failed_by TEXT NOT NULL DEFAULT ''",
             "ALTER TABLE requests ADD COLUMN failed_at BIGINT NOT NULL DEFAULT 0",
         }},
    };
    return all;
}

}  // namespace mugaika::quarantine
