#include "mugaika/quarantine/database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

namespace mugaika::quarantine {
using namespace Poco::Data::Keywords;

// One connection per thread. A thread's connections are closed when it ends (Poco's thread pool retires
// idle threads), and all of them when the Database goes.
struct DatabaseConnections {
    std::string connector, target;
    bool sqlite = false;
    std::mutex mutex;
    std::map<std::thread::id, std::unique_ptr<Poco::Data::Session>> by_thread;

    std::unique_ptr<Poco::Data::Session> open() const {
        auto s = std::make_unique<Poco::Data::Session>(connector, target);
        if (sqlite) {
            // Several processes (gateway, officer UI, CLI) and threads share the file: wait for a lock
            // instead of failing, and use WAL so that readers do not block the writer. secure_delete:
            // freed space (a wiped PPAP password's sealed value) is overwritten with zeros.
            int timeout = 0, secure = 0;
            std::string mode;
            *s << "PRAGMA busy_timeout = 10000", into(timeout), now;
            *s << "PRAGMA journal_mode = WAL", into(mode), now;
            *s << "PRAGMA foreign_keys = ON", now;
            *s << "PRAGMA secure_delete = ON", into(secure), now;
        }
        return s;
    }
};

namespace {

void register_connectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
}

// Closes this thread's connections of every Database it used, when the thread ends.
struct ThreadConnections {
    std::vector<std::weak_ptr<DatabaseConnections>> used;
    ~ThreadConnections() {
        auto id = std::this_thread::get_id();
        for (auto& w : used) {
            auto c = w.lock();
            if (!c) continue;
            std::unique_ptr<Poco::Data::Session> mine;
            {
                std::lock_guard g(c->mutex);
                auto it = c->by_thread.find(id);
                if (it == c->by_thread.end()) continue;
                mine = std::move(it->second);
                c->by_thread.erase(it);
            }
            try {
                mine.reset();
            } catch (...) {
            }
        }
    }
};
thread_local ThreadConnections thread_connections;

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

// The database file is created by us, 0600, before SQLite opens it: SQLite gives its -wal and -shm files
// the database file's mode, so they are private too, whatever the process's umask. A file that others
// may read (made by an older version, or by hand) is narrowed: group keeps at most read.
void prepare_sqlite_file(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + file.string());
    struct stat st{};
    bool ok = ::fstat(fd, &st) == 0;
    if (ok && (st.st_mode & 0027) != 0) ok = ::fchmod(fd, st.st_mode & 0740) == 0;
    int e = errno;
    ::close(fd);
    if (!ok) throw std::system_error(e, std::generic_category(), "chmod " + file.string());
    for (const char* suffix : {"-wal", "-shm"}) {
        std::filesystem::path side = file.string() + suffix;
        if (::stat(side.c_str(), &st) == 0 && (st.st_mode & 0027) != 0) ::chmod(side.c_str(), st.st_mode & 0740);
    }
}

}  // namespace

Database::Database(const std::string& url) : connections_(std::make_shared<DatabaseConnections>()) {
    register_connectors();
    try {
        if (url.rfind("sqlite:", 0) == 0) {
            std::filesystem::path file = url.substr(7);
            if (file.empty()) throw DatabaseError("sqlite: needs a file path");
            if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
            description_ = url;
            prepare_sqlite_file(file);
            connections_->connector = "sqlite";
            connections_->target = file.string();
            connections_->sqlite = true;
        } else if (url.rfind("postgresql:", 0) == 0) {
            postgres_ = true;
            description_ = "postgresql:" + redact(url.substr(11));
            connections_->connector = "postgresql";
            connections_->target = url.substr(11);
        } else {
            throw DatabaseError("database URL must start with sqlite: or postgresql: (got '" + url.substr(0, 20) + "')");
        }
        migrate();
    } catch (const Poco::Exception& e) {
        throw DatabaseError("database " + description_ + ": " + e.displayText());
    } catch (const std::system_error& e) {
        throw DatabaseError("database " + description_ + ": " + e.what());
    }
}

Database::~Database() {
    std::lock_guard g(connections_->mutex);
    connections_->by_thread.clear();
}

Poco::Data::Session& Database::session() {
    auto id = std::this_thread::get_id();
    {
        std::lock_guard g(connections_->mutex);
        auto it = connections_->by_thread.find(id);
        if (it != connections_->by_thread.end()) return *it->second;
    }
    // Opened outside the lock: a slow PostgreSQL connect must not hold up the other threads.
    auto s = connections_->open();
    std::lock_guard g(connections_->mutex);
    auto& slot = connections_->by_thread[id];
    slot = std::move(s);
    std::erase_if(thread_connections.used, [](const auto& w) { return w.expired(); });
    thread_connections.used.push_back(connections_);
    return *slot;
}

void Database::transaction(const std::function<void()>& body) {
    auto& s = session();
    s.begin();
    try {
        body();
        s.commit();
    } catch (...) {
        try {
            s.rollback();
        } catch (...) {
        }
        throw;
    }
}

bool Database::scrub() {
    if (postgres_) return true;
    for (int attempt = 0; attempt < 20; ++attempt) {
        int busy = 1, log = 0, done = 0;
        session() << "PRAGMA wal_checkpoint(TRUNCATE)", into(busy), into(log), into(done), now;
        if (busy == 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
}

int Database::schema_version() {
    Poco::Nullable<Poco::Int64> v;
    session() << "SELECT MAX(version) FROM schema_migrations", into(v), now;
    return v.isNull() ? 0 : static_cast<int>(v.value());
}

void Database::migrate() {
    session() << "CREATE TABLE IF NOT EXISTS schema_migrations ("
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
                session() << "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
                    use(version), use(description), use(at), now;
                for (const auto& sql : m.statements) session() << sql, now;
            });
        } catch (const Poco::Exception&) {
            if (schema_version() >= m.version) continue;   // someone else applied it
            throw;
        }
    }
}

}  // namespace mugaika::quarantine
