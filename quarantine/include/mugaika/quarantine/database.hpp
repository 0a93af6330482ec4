// The metadata database through Poco::Data: SQLite (embedded, the default) or PostgreSQL (several gateway
// nodes sharing one quarantine). SQL is written once for both: "$1"-style placeholders (PostgreSQL's own;
// SQLite reads them as named parameters bound in order), TEXT and BIGINT columns only, and every
// state change as a conditional UPDATE whose affected-row count tells whether we won a race.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <Poco/Data/Session.h>

namespace mugaika::quarantine {

struct DatabaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Database {
public:
    // "sqlite:PATH" (the folder is created) or "postgresql:CONNINFO" ("host=... port=... dbname=...").
    // Connects and applies pending schema migrations. Throws DatabaseError.
    explicit Database(const std::string& url);

    Poco::Data::Session& session() { return *session_; }
    bool postgres() const { return postgres_; }
    int schema_version();
    const std::string& description() const { return description_; }   // the URL without a password

    // Runs `body` in a transaction: commit when it returns, roll back when it throws (and rethrow).
    void transaction(const std::function<void()>& body);

private:
    void migrate();

    std::unique_ptr<Poco::Data::Session> session_;
    bool postgres_ = false;
    std::string description_;
};

// The schema migrations, in order: migration N brings the schema from version N-1 to N.
struct Migration {
    int version;
    const char* description;
    std::vector<std::string> statements;
};
const std::vector<Migration>& schema_migrations();

}  // namespace mugaika::quarantine
