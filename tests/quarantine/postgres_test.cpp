// The same scenarios on a real PostgreSQL server (Debian's postgresql package), started privately on
// 127.0.0.1 and a free port for this test and stopped after it. Skipped, with the reason, when it
// cannot be started.
#include <doctest/doctest.h>

#include <iostream>

#include "quarantine_scenarios.hpp"

TEST_CASE("postgresql: store, retention, deletion and four-eyes release") {
    mugaika::test::PostgresServer pg;
    if (pg.conninfo.empty()) {
        std::cerr << "SKIPPED postgresql test: " << pg.why_not << "\n";
        MESSAGE("SKIPPED postgresql test: " << pg.why_not);
        return;
    }
    // Each scenario gets a fresh database on the same server.
    int n = 0;
    auto fresh = [&] {
        std::string name = "mugaika_t" + std::to_string(++n);
        mugaika::quarantine::Database admin("postgresql:" + pg.conninfo);
        using namespace Poco::Data::Keywords;
        admin.session() << "CREATE DATABASE " + name, Poco::Data::Keywords::now;
        std::string url = "postgresql:" + pg.conninfo;
        return url.replace(url.find("dbname=postgres"), 15, "dbname=" + name);
    };
    SUBCASE("round trip") { mugaika::test::scenario_round_trip(fresh()); }
    SUBCASE("no plaintext") { mugaika::test::scenario_no_plaintext(fresh()); }
    SUBCASE("retention") { mugaika::test::scenario_retention(fresh()); }
    SUBCASE("dedupe and delete") { mugaika::test::scenario_dedupe_delete(fresh()); }
    SUBCASE("four-eyes release") { mugaika::test::scenario_four_eyes_release(fresh()); }
    SUBCASE("ppap password sealed and wiped") { mugaika::test::scenario_ppap_password(fresh()); }
}
