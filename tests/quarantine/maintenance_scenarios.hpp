// Key rotation and backup/restore, written once and run on SQLite (maintenance_test.cpp) and on a real
// PostgreSQL server (maintenance_postgres_test.cpp).
#pragma once

#include <string>

#include "mugaika/quarantine/quarantine_config.hpp"
#include "quarantine_fixture.hpp"

namespace mugaika::test {

// The [quarantine] and [audit] paths of a QuarantineWorld, as a configuration file would name them.
quarantine::QuarantineConfig config_of(const QuarantineWorld& w, const std::string& db_url);

// Every object and sealed secret re-sealed under a new key; the store, logins and PPAP passwords work
// with the new key only; audited.
void scenario_rekey(const std::string& db_url);
// A rotation that dies in the middle leaves every object and secret readable (the ring holds both keys),
// and the next run resumes it with the same new key.
void scenario_rekey_resume(const std::string& db_url);
// A backup taken while the store is in use, restored into other folders and another database: the same
// items, originals, accounts and audit chain.
void scenario_backup_restore(const std::string& db_url, const std::string& restore_db_url);
// An item disposed of between the snapshot and the copy of its objects is recorded, and stays disposed
// of after a restore.
void scenario_backup_disposed_meanwhile(const std::string& db_url, const std::string& restore_db_url);

}  // namespace mugaika::test
