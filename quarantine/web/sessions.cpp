#include "mugaika/quarantine/crypto.hpp"
#include "web_internal.hpp"

namespace mugaika::quarantine::web {

Session SessionStore::create(const Actor& actor, std::int64_t now) {
    Session s{random_hex(32), random_hex(32), actor, now};
    std::lock_guard g(mutex_);
    // Drop sessions that idled out, so the map does not grow with abandoned logins.
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = now - it->second.last_seen > idle_ ? sessions_.erase(it) : std::next(it);
    sessions_[s.id] = s;
    return s;
}

std::optional<Session> SessionStore::get(const std::string& id, std::int64_t now, std::string* expired_user) {
    std::lock_guard g(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    if (now - it->second.last_seen > idle_) {
        if (expired_user) *expired_user = it->second.actor.name;
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.last_seen = now;
    return it->second;
}

void SessionStore::destroy(const std::string& id) {
    std::lock_guard g(mutex_);
    sessions_.erase(id);
}

}  // namespace mugaika::quarantine::web
