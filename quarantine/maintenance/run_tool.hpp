// Runs an external tool of the database (pg_dump, pg_restore) and waits for it: no shell, the
// password only in the child's environment (never on its command line, which every user can read).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mugaika::quarantine {

struct ToolResult {
    int status = -1;       // exit status; -1 when it could not be started or was killed
    std::string errors;    // its standard error (the first 64 KiB)
};

ToolResult run_tool(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env);

// Splits a libpq conninfo ("host=... password=...") into the conninfo without the password, and the password.
std::pair<std::string, std::string> split_password(const std::string& conninfo);

}  // namespace mugaika::quarantine
