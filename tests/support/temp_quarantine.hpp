// A quarantine configuration whose store, database, key and audit log all live under one test folder.
#pragma once

#include <filesystem>

#include "mugaika/quarantine/quarantine_config.hpp"

namespace mugaika::test {

inline quarantine::QuarantineConfig temp_quarantine_config(const std::filesystem::path& root) {
    quarantine::QuarantineConfig c;
    c.store_dir = root / "store";
    c.db = "sqlite:" + (root / "q.db").string();
    c.key_file = root / "keys" / "q.key";
    c.release_dir = root / "released";
    c.audit_file = root / "audit" / "audit.log";
    c.audit_syslog = false;
    return c;
}

}  // namespace mugaika::test
