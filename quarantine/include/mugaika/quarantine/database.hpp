// The metadata database through Poco::Data: SQLite (embedded, the default) or PostgreSQL (several gateway
// nodes sharing one quarantine). SQL is written once for both: "$1"-style placeholders (PostgreSQL's own;
// SQLite reads them as named parameters bound in order), TEXT and BIGINT columns only, and every
// state change as a conditional UPDATE whose affected-row count tells whether we won a race.
//
// Each thread gets a connection of its own (opened on first use, closed when the thread ends), so the
// officer UI's request threads work side by side without a lock around the database; the database
// itself orders their writes (SQLite's write lock with a busy timeout, PostgreSQL's row locks).
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Data/Session.h>

namespace mugaika::quarantine {

struct DatabaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct DatabaseConnections;   // per-thread connections (database.cpp)

class Database {
public:
    // "sqlite:PATH" (the folder is created; the file is created 0600 and an existing one readable by
    // others is narrowed to 0640 at most, so that its -wal and -shm files, which SQLite creates with the
    // file's mode, are private too) or "postgresql:CONNINFO" ("host=... port=... dbname=...").
    // Connects and applies pending schema migrations. Throws DatabaseError.
    explicit Database(const std::string& url);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // This thread's connection.
    Poco::Data::Session& session();
    bool postgres() const { return postgres_; }
    int schema_version();
    const std::string& description() const { return description_; }   // the URL without a password

    // Runs `body` in a transaction on this thread's connection: commit when it returns, roll back when
    // it throws (and rethrow).
    void transaction(const std::function<void()>& body);

    // After a secret was wiped from a row: make sure no copy of it survives in the files. SQLite runs
    // with secure_delete (freed space is overwritten with zeros) and write-ahead logging; the old page
    // images stay in the -wal file until a checkpoint copies the current pages back and truncates it.
    // Returns false when another connection's open read kept the checkpoint from completing (the next
    // scrub, or SQLite's own checkpoint, finishes it). PostgreSQL: nothing to do here (its WAL and
    // VACUUM are the database administrator's; the value is sealed with the store key either way).
    bool scrub();

private:
    void migrate();

    std::shared_ptr<DatabaseConnections> connections_;
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
