#include "mugaika/quarantine/crypto.hpp"
#include "web_internal.hpp"

namespace mugaika::quarantine::web {

Session SessionStore::create(const Actor& actor, std::int64_t now) {
    Session s{random_hex(32), random_hex(32), actor, now, now, {}, {}};
    std::lock_guard g(mutex_);
    // Drop sessions that ended, so the map does not grow with abandoned logins.
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = now - it->second.last_seen > idle_ || now - it->second.created_at > max_ ? sessions_.erase(it) : std::next(it);
    sessions_[s.id] = s;
    return s;
}

std::optional<Session> SessionStore::get(const std::string& id, std::int64_t now, std::string* ended_user,
                                         std::string* ended_why) {
    std::lock_guard g(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    // An absolute lifetime as well as the idle one: a session kept busy does not live forever.
    const char* why = now - it->second.created_at > max_ ? "max" : now - it->second.last_seen > idle_ ? "idle" : nullptr;
    if (why) {
        if (ended_user) *ended_user = it->second.actor.name;
        if (ended_why) *ended_why = why;
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

void SessionStore::set_flash(const std::string& id, const std::string& text, const std::string& item) {
    std::lock_guard g(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    it->second.flash = text;
    it->second.flash_item = item;
}

std::string SessionStore::take_flash(const std::string& id, const std::string& item) {
    std::lock_guard g(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.flash.empty() || it->second.flash_item != item) return {};
    std::string text = std::move(it->second.flash);
    it->second.flash.clear();
    it->second.flash_item.clear();
    return text;
}

}  // namespace mugaika::quarantine::web
