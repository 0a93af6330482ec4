// Scenarios run against both databases: SQLite (db_url empty) and a private PostgreSQL server.
#pragma once

#include <string>

#include "quarantine_fixture.hpp"

namespace mugaika::test {

void scenario_round_trip(const std::string& db_url);
void scenario_no_plaintext(const std::string& db_url);
void scenario_retention(const std::string& db_url);
void scenario_dedupe_delete(const std::string& db_url);
void scenario_four_eyes_release(const std::string& db_url);
void scenario_ppap_password(const std::string& db_url);

}  // namespace mugaika::test
