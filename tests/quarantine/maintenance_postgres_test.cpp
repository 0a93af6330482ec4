// Key rotation and backup/restore on a real PostgreSQL server (private, on 127.0.0.1 and a free port),
// with Debian's pg_dump and pg_restore. Skipped, with the reason, when the server cannot be started.
#include <doctest/doctest.h>

#include <iostream>

#include "maintenance_scenarios.hpp"

TEST_CASE("postgresql: rekey, resumed rekey and backup/restore round trips") {
    mugaika::test::PostgresServer pg;
    if (pg.conninfo.empty()) {
        std::cerr << "SKIPPED postgresql maintenance test: " << pg.why_not << "\n";
        MESSAGE("SKIPPED postgresql maintenance test: " << pg.why_not);
        return;
    }
    int n = 0;
    auto fresh = [&] {
        std::string name = "mugaika_m" + std::to_string(++n);
        mugaika::quarantine::Database admin("postgresql:" + pg.conninfo);
        admin.session() << "CREATE DATABASE " + name, Poco::Data::Keywords::now;
        std::string url = "postgresql:" + pg.conninfo;
        return url.replace(url.find("dbname=postgres"), 15, "dbname=" + name);
    };
    SUBCASE("rekey") { mugaika::test::scenario_rekey(fresh()); }
    SUBCASE("rekey resumed") { mugaika::test::scenario_rekey_resume(fresh()); }
    SUBCASE("backup and restore") { mugaika::test::scenario_backup_restore(fresh(), fresh()); }
    SUBCASE("disposed while the backup runs") { mugaika::test::scenario_backup_disposed_meanwhile(fresh(), fresh()); }
}
