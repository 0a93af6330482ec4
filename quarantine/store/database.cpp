#include "mugaika/quarantine/database.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>

#include <chrono>
#include <filesystem>
#include <mutex>

namespace mugaika::quarantine {
using namespace Poco::Data::Keywords;

namespace {

void register_connectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
}

// "password=secret" must not reach logs or error messages.
std::string redact(const std::string& conninfo) {
    std::string out;
    std::size_t i = 0;
    while (i < conninfo.size()) {
        std::size_t end = conninfo.find(' ', i);
        std::string word = conninfo.substr(i, end == std::string::npos ? std::string::npos : end - i);
        if (word.rfind("password=", 0) == 0) word = "password=***";
        out += (out.empty() ? "" : " ") + word;
        if (end == std::string::npos) break;
        i = end + 1;
    }
    return out;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Database::Database(const std::string& url) {
    register_connectors();
    try {
        if (url.rfind("sqlite:", 0) == 0) {
            std::filesystem::path file = url.substr(7);
            if (file.empty()) throw DatabaseError("sqlite: needs a file path");
            if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
            description_ = url;
            session_ = std::make_unique<Poco::Data::Session>("sqlite", file.string());
            // Several processes (gateway, officer UI, CLI) share the file: wait for a lock instead of failing,
            // and use WAL so that readers do not block the writer.
            int timeout = 0;
            std::string mode;
            *session_ << "PRAGMA busy_timeout = 10000", into(timeout), Poco::Data::Keywords::now;
            *session_ << "PRAGMA journal_mode = WAL", into(mode), Poco::Data::Keywords::now;
            *session_ << "PRAGMA foreign_keys = ON", Poco::Data::Keywords::now;
        } else if (url.rfind("postgresql:", 0) == 0) {
            postgres_ = true;
            description_ = "postgresql:" + redact(url.substr(11));
            session_ = std::make_unique<Poco::Data::Session>("postgresql", url.substr(11));
        } else {
            throw DatabaseError("database URL must start with sqlite: or postgresql: (got '" + url.substr(0, 20) + "')");
        }
        migrate();
    } catch (const Poco::Exception& e) {
        throw DatabaseError("database " + description_ + ": " + e.displayText());
    }
}

void Database::transaction(const std::function<void()>& body) {
    session_->begin();
    try {
        body();
        session_->commit();
    } catch (...) {
        try {
            session_->rollback();
        } catch (...) {
        }
        throw;
    }
}

int Database::schema_version() {
    Poco::Nullable<Poco::Int64> v;
    *session_ << "SELECT MAX(version) FROM schema_migrations", into(v), Poco::Data::Keywords::now;
    return v.isNull() ? 0 : static_cast<int>(v.value());
}

void Database::migrate() {
    *session_ << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        now;
    for (const auto& m : schema_migrations()) {
        if (schema_version() >= m.version) continue;
        try {
            transaction([&] {
                // Claiming the version first takes the write lock; a second node migrating at the same time
                // fails on the primary key here, rolls back and finds the schema already current.
                Poco::Int64 version = m.version, at = now_seconds();
                std::string description = m.description;
                *session_ << "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
                    use(version), use(description), use(at), Poco::Data::Keywords::now;
                for (const auto& sql : m.statements) *session_ << sql, Poco::Data::Keywords::now;
            });
        } catch (const Poco::Exception&) {
            if (schema_version() >= m.version) continue;   // someone else applied it
            throw;
        }
    }
}

}  // namespace mugaika::quarantine
