// Pieces of the officer UI shared by its files (not a public header).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mugaika/quarantine/review_service.hpp"

namespace mugaika::quarantine::web {

enum class Lang { ja, en };

// The UI's words, Japanese first. Unknown keys come back as the key (a visible, testable mistake).
std::string tr(Lang lang, std::string_view key);
std::string state_label(Lang lang, const std::string& state);
std::string role_label(Lang lang, Role role);
std::string request_state_label(Lang lang, const std::string& state);
std::string release_kind_label(Lang lang, const std::string& kind);

std::string html_escape(std::string_view s);
std::string url_encode(std::string_view s);
std::string url_decode(std::string_view s);   // '+' is a space; bad escapes are kept as they are
std::map<std::string, std::string> parse_form(std::string_view body);
std::string format_time(std::int64_t unix_seconds);   // "2026-11-22 13:15" in JST (UTC+9), the users' time

struct Session {
    std::string id, csrf;
    Actor actor;
    std::int64_t last_seen = 0;
};

class SessionStore {
public:
    explicit SessionStore(std::int64_t idle_seconds) : idle_(idle_seconds) {}
    Session create(const Actor& actor, std::int64_t now);
    // The session, touched; nothing when unknown. `expired` is set when it existed but idled out (it is
    // then removed; the caller audits that with the returned actor name).
    std::optional<Session> get(const std::string& id, std::int64_t now, std::string* expired_user = nullptr);
    void destroy(const std::string& id);

private:
    std::int64_t idle_;
    std::mutex mutex_;
    std::map<std::string, Session> sessions_;
};

// What a page needs to render its frame.
struct PageContext {
    Lang lang = Lang::ja;
    const Session* session = nullptr;   // null on the login page
    std::string path;                    // for the language switch link
    std::vector<std::string> release_kinds;   // what the site's policy allows, for the request form
};

std::string page(const PageContext& c, const std::string& title, const std::string& body);
std::string message_box(const std::string& text, bool error);

std::string login_page(const PageContext& c, const std::string& pre_token, const std::string& message);
std::string list_page(const PageContext& c, const std::vector<Item>& items, const std::map<std::string, std::string>& q);
std::string detail_page(const PageContext& c, const ItemDetail& d, const std::string& message, bool error);
std::string audit_page(const PageContext& c, const std::vector<nlohmann::json>& lines, const AuditVerifyResult& v,
                       const std::vector<Disposal>& disposals);
std::string users_page(const PageContext& c, const std::vector<Account>& accounts, std::int64_t now,
                       const std::string& message, bool error, const std::string& secret_block);
std::string error_page(const PageContext& c, int status, const std::string& message);

}  // namespace mugaika::quarantine::web
