// mugaika backup create DIR | verify DIR | restore DIR [--force] [--config FILE]: a consistent snapshot of
// the quarantine (key, database, objects, audit log) and its restore (quarantine/maintenance/backup.cpp).
#include <iostream>

#include "cli_config.hpp"
#include "commands.hpp"
#include "mugaika/quarantine/backup.hpp"
#include "mugaika/quarantine/maintenance_lock.hpp"
#include "quarantine_cli_support.hpp"

namespace mugaika::cli {
namespace fs = std::filesystem;

const CommandSpec& backup_spec() {
    static const CommandSpec spec{
        "backup",
        "a consistent snapshot of key, database, encrypted store and audit log, and its restore (バックアップ)",
        "The backup holds the key: keep it as safe as the key.",
        {config_option(),
         {"--pg-dump", "PATH", "pg_dump to use (PostgreSQL)"},
         {"--pg-restore", "PATH", "pg_restore to use (PostgreSQL)"},
         {"--force", "", "move what is already there aside (*.before-restore-TIME) instead of refusing"}},
        {},
        {{"create", "write a snapshot into the new folder DIR; the service may keep running", {{"DIR", "a new folder"}}, {"--pg-dump"}},
         {"verify", "check a backup: every file's SHA-256, every object under the backup's key (exit 5 when damaged)",
          {{"DIR", "the backup"}}, {}},
         {"restore", "put a backup back (stop mugaika and mugaika-officer-ui first; exit 4 while they run)",
          {{"DIR", "the backup"}}, {"--force", "--pg-restore"}}},
        {"--config"}};
    return spec;
}

int backup_command(const std::vector<std::string>& argv) {
    Args args;
    try {
        args = parse_args(argv, backup_spec());
    } catch (const UsageError& e) {
        std::cerr << "mugaika backup: " << e.what() << "\n";
        return exit_usage;
    }
    const std::string action = args.positional[0];
    const fs::path dir = args.positional[1];
    quarantine::BackupOptions options;
    options.who = local_operator();
    if (auto p = args.value("--pg-dump")) options.pg_dump = *p;
    if (auto p = args.value("--pg-restore")) options.pg_restore = *p;
    options.force = args.flag("--force");
    try {
        if (action == "verify") {
            auto r = quarantine::verify_backup(dir);
            std::cout << dir.string() << ": OK, バックアップは完全です (" << r.items << " items, " << r.objects
                      << " objects, key " << r.key_id << ", " << r.database << ", audit log up to line " << r.audit_seq
                      << ")\n";
            return exit_ok;
        }
        auto config = quarantine_config(args);
        if (action == "create") {
            quarantine::MaintenanceLock lock(config.store_dir, quarantine::MaintenanceLock::Mode::shared);
            quarantine::AuditLog audit(config.audit_file, config.audit_syslog);
            auto r = quarantine::create_backup(config, dir, audit, options);
            std::cout << "バックアップを作成しました (backup written): " << r.dir.string() << "\n  " << r.items
                      << " items, " << r.objects << " objects (" << r.object_bytes << " bytes), key " << r.key_id
                      << ", " << r.database << ", audit log up to line " << r.audit_seq << "\n";
            if (!r.disposed_meanwhile.empty())
                std::cout << "  " << r.disposed_meanwhile.size()
                          << " item(s) were disposed of while the backup ran; recorded as disposed\n";
            if (r.database == "postgresql")
                std::cout << "  the database is in database/quarantine.pgdump (pg_dump, taken in the same snapshot)\n";
            std::cout << "  鍵が含まれています。バックアップは鍵と同じく厳重に保管してください "
                         "(the backup holds the key: keep it as safe as the key)\n";
            return exit_ok;
        }
        quarantine::MaintenanceLock lock(config.store_dir, quarantine::MaintenanceLock::Mode::exclusive);
        auto r = quarantine::restore_backup(config, dir, options);
        std::cout << "復元しました (restored) from " << dir.string() << ": " << r.items << " items, " << r.objects
                  << " objects, key " << r.key_id << "\n";
        for (const auto& p : r.moved_aside) std::cout << "  moved aside: " << p.string() << "\n";
        return exit_ok;
    } catch (const quarantine::QuarantineConfigError& e) {
        return report_config_error(e.what());
    } catch (const quarantine::MaintenanceBusy& e) {
        std::cerr << "mugaika backup " << action << ": " << e.what() << "\n";
        return exit_refused;
    } catch (const quarantine::BackupRefused& e) {
        std::cerr << "mugaika backup " << action << ": " << e.what() << "\n";
        return exit_refused;
    } catch (const quarantine::BackupError& e) {
        std::cerr << "mugaika backup " << action << ": " << e.what() << "\n";
        return action == "verify" ? exit_tampered : exit_internal;
    } catch (const std::exception& e) {
        std::cerr << "mugaika backup " << action << ": internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace mugaika::cli
