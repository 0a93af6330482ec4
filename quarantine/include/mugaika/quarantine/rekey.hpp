// Key rotation: every encrypted object of the store and every sealed secret in the database (TOTP
// secrets, PPAP passwords of open requests) re-sealed under a new key, resumably and audited.
//
//   1. A new key is made and written as KEY_FILE.new (audited first: key.rotate.start with both key ids).
//      From then on every SecretKey loaded from KEY_FILE seals with the new key and opens with either.
//   2. Each object still naming the old key is opened, checked against its name and re-sealed with the
//      new key in place (temp file, fsync, rename): at any moment each object is whole, under one key
//      or the other. Each sealed database value is re-sealed with a conditional UPDATE.
//   3. Once a last pass finds nothing under the old key, KEY_FILE.new replaces KEY_FILE in one rename
//      and the old key's bytes are overwritten (key.rotate.done). The old key is gone: older backups
//      carry their own key (`mugaika backup`).
// A crash or an error anywhere leaves KEY_FILE and KEY_FILE.new in place and every object readable;
// running it again resumes (key.rotate.resume) with the same new key.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/quarantine_config.hpp"

namespace mugaika::quarantine {

struct RekeyResult {
    std::string old_key_id, new_key_id;
    bool resumed = false;
    std::size_t objects_resealed = 0, objects_already = 0, secrets_resealed = 0;
};

struct RekeyError : std::runtime_error {
    using std::runtime_error::runtime_error;
    std::vector<std::string> damaged;   // objects that could not be opened (altered, or sealed with no key held)
};

struct RekeyOptions {
    std::string actor = "local-admin";
    nlohmann::ordered_json who = nlohmann::ordered_json::object();   // recorded with each audit line
    // Called after each object re-sealed (tests: a crash in the middle).
    std::function<void(std::size_t resealed)> after_object;
};

// The caller holds the MaintenanceLock exclusively. Throws RekeyError (nothing committed; resumable).
RekeyResult rekey_quarantine(const QuarantineConfig& config, AuditLog& audit, const RekeyOptions& options = {});

}  // namespace mugaika::quarantine
