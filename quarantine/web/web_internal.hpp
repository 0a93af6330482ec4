// Pieces of the officer UI shared by its files (not a public header).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mugaika/labels.hpp"
#include "mugaika/quarantine/audit_read.hpp"
#include "mugaika/quarantine/review_service.hpp"

namespace mugaika::quarantine::web {

using Lang = labels::Lang;

// The UI's own words, Japanese first. Unknown keys come back as the key (a visible, testable mistake).
std::string tr(Lang lang, std::string_view key);
// The codes' words, from the one table shared with the reports (common/labels.cpp).
std::string state_label(Lang lang, const std::string& state);
std::string role_label(Lang lang, Role role);
std::string request_state_label(Lang lang, const std::string& state);
std::string release_kind_label(Lang lang, const std::string& kind);
std::string reason_label(Lang lang, const std::string& code);
std::string type_label(Lang lang, const std::string& type);

// Every value from outside goes through these: HTML-escaped, with bidi, zero-width and control
// characters shown as "[U+202E]" instead of acting on the text around them.
std::string html_escape(std::string_view s);
std::string html_multiline(std::string_view s);   // the same, line breaks kept (shown with pre-line)
// A name as a cell: escaped, plus a warning when it hid characters.
std::string name_html(Lang lang, std::string_view name);
std::string url_encode(std::string_view s);
std::string url_decode(std::string_view s);   // '+' is a space; bad escapes are kept as they are
std::map<std::string, std::string> parse_form(std::string_view body);
std::string format_time(std::int64_t unix_seconds);   // "2026-11-22 13:15" in JST (UTC+9), the users' time

struct Session {
    std::string id, csrf;
    Actor actor;
    std::int64_t created_at = 0, last_seen = 0;
    std::string flash, flash_item;   // a message for the next page of that item (after a redirect)
};

class SessionStore {
public:
    SessionStore(std::int64_t idle_seconds, std::int64_t max_seconds) : idle_(idle_seconds), max_(max_seconds) {}
    Session create(const Actor& actor, std::int64_t now);
    // The session, touched; nothing when unknown. When it existed but idled out or outlived its
    // absolute lifetime, it is removed and `ended_user` / `ended_why` ("idle", "max") say so (audited).
    std::optional<Session> get(const std::string& id, std::int64_t now, std::string* ended_user = nullptr,
                               std::string* ended_why = nullptr);
    void destroy(const std::string& id);
    void set_flash(const std::string& id, const std::string& text, const std::string& item);
    std::string take_flash(const std::string& id, const std::string& item);

private:
    std::int64_t idle_, max_;
    std::mutex mutex_;
    std::map<std::string, Session> sessions_;
};

// What a page needs to render its frame.
struct PageContext {
    Lang lang = Lang::ja;
    const Session* session = nullptr;   // null before sign-in
    std::string path;                    // for the language switch link
};

const char* stylesheet();   // style.cpp
std::string page(const PageContext& c, const std::string& title, const std::string& body, const std::string& main_class = "");
std::string message_box(const std::string& text, bool error);
std::string csrf_field(const PageContext& c);
std::string hidden(const std::string& name, const std::string& value);

// Sign-in and accounts (account_pages.cpp).
std::string login_page(const PageContext& c, const std::string& pre_token, const std::string& message, bool error,
                       const std::string& next);
std::string enrol_start_page(const PageContext& c, const std::string& pre_token, const std::string& message);
std::string enrol_secret_page(const PageContext& c, const std::string& pre_token, const std::string& user,
                              const std::string& code, const NewSecret& secret, const std::string& message);
std::string enrol_done_page(const PageContext& c, bool role_pending);
std::string account_page(const PageContext& c, const std::string& message, bool error);
std::string users_page(const PageContext& c, const std::vector<Account>& accounts, std::int64_t now,
                       const std::string& message, bool error, const std::string& enrolment_block);
std::string enrolment_block(const PageContext& c, const std::string& user, const Enrolment& e, bool role_pending);
// The confirmation page of an account action (disable, reset, role, confirm).
std::string user_confirm_page(const PageContext& c, const Account& a, const std::string& verb, const std::string& role);

// Items (pages.cpp).
std::string list_page(const PageContext& c, const std::vector<Item>& items, const std::map<std::string, std::string>& q,
                      const ItemFacets& facets);
std::string detail_page(const PageContext& c, const ItemDetail& d, const std::vector<std::string>& kinds,
                        const std::string& message, bool error);
std::string approve_confirm_page(const PageContext& c, const ItemDetail& d, const ReleaseRequest& q,
                                 const std::string& note);
std::string delete_confirm_page(const PageContext& c, const ItemDetail& d, const std::string& reason);
std::string error_page(const PageContext& c, int status, const std::string& message);

// The audit log (audit_page.cpp).
std::string audit_page(const PageContext& c, const AuditPage& lines, const std::map<std::string, std::string>& q,
                       std::size_t page_number, const AuditVerifyResult& v, const std::vector<Disposal>& disposals);

}  // namespace mugaika::quarantine::web
