// The officer UI's pages, rendered on the server. Forms post to the same origin with a CSRF token.
#include "web_internal.hpp"

namespace mugaika::quarantine::web {
namespace {

std::string csrf_field(const PageContext& c) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(c.session ? c.session->csrf : "") + "\">";
}

std::string action_form(const PageContext& c, const std::string& id, const std::string& verb, const std::string& label,
                        const std::string& field, bool required, const std::string& hint, const std::string& css) {
    std::string f = "<form method=\"post\" action=\"/items/" + url_encode(id) + "/" + verb + "\" class=\"action " + css +
                    "\">" + csrf_field(c);
    if (!hint.empty()) f += "<p class=\"hint\">" + html_escape(hint) + "</p>";
    if (!field.empty())
        f += "<label>" + tr(c.lang, field == "reason" ? "reason_input" : "note") + " <input type=\"text\" name=\"" + field +
             "\" id=\"" + verb + "-" + field + "\" maxlength=\"1000\"" + (required ? " required" : "") + "></label> ";
    f += "<button type=\"submit\" id=\"" + verb + "-button\">" + html_escape(label) + "</button></form>";
    return f;
}

// The release request: the kinds the policy allows, the PPAP password (used only for that kind) and a reason.
std::string request_form(const PageContext& c, const std::string& id) {
    std::string f = "<form method=\"post\" action=\"/items/" + url_encode(id) + "/request\" class=\"action\">" +
                    csrf_field(c) + "<p class=\"hint\">" + html_escape(tr(c.lang, "request_hint")) + "</p>";
    f += "<label>" + tr(c.lang, "release_kind") + " <select name=\"kind\" id=\"request-kind\">";
    for (const auto& k : c.release_kinds)
        f += "<option value=\"" + html_escape(k) + "\">" + html_escape(release_kind_label(c.lang, k)) + "</option>";
    f += "</select></label> ";
    bool ppap = false;
    for (const auto& k : c.release_kinds) ppap = ppap || k == release_kind::ppap;
    if (ppap)
        f += "<label>" + tr(c.lang, "zip_password") +
             " <input type=\"password\" name=\"password\" id=\"request-password\" maxlength=\"1024\""
             " autocomplete=\"off\"></label> ";
    f += "<label>" + tr(c.lang, "reason_input") +
         " <input type=\"text\" name=\"reason\" id=\"request-reason\" maxlength=\"1000\" required></label> ";
    f += "<button type=\"submit\" id=\"request-button\">" + html_escape(tr(c.lang, "request_release")) + "</button></form>";
    return f;
}

std::string size_text(std::int64_t n) {
    if (n < 1024) return std::to_string(n) + " B";
    if (n < 1024 * 1024) return std::to_string(n / 1024) + " KiB";
    return std::to_string(n / (1024 * 1024)) + " MiB";
}

std::string select_state(const PageContext& c, const std::string& current) {
    std::string s = "<select name=\"state\"><option value=\"\">" + tr(c.lang, "all") + "</option>";
    for (const char* st : {state::held, state::release_requested, state::released, state::deleted, state::expired})
        s += std::string("<option value=\"") + st + "\"" + (current == st ? " selected" : "") + ">" +
             html_escape(state_label(c.lang, st)) + "</option>";
    return s + "</select>";
}

std::string get(const std::map<std::string, std::string>& q, const std::string& k) {
    auto it = q.find(k);
    return it == q.end() ? "" : it->second;
}

}  // namespace

std::string login_page(const PageContext& c, const std::string& pre_token, const std::string& message) {
    std::string body = message_box(message, true);
    body += "<form method=\"post\" action=\"/login\" class=\"login\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(pre_token) + "\">"
            "<label>" + tr(c.lang, "user") + "<input type=\"text\" name=\"user\" id=\"user\" autocomplete=\"username\" required></label>"
            "<label>" + tr(c.lang, "password") + "<input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\" required></label>"
            "<label>" + tr(c.lang, "totp") + "<input type=\"text\" name=\"totp\" id=\"totp\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" maxlength=\"6\" autocomplete=\"one-time-code\" required></label>"
            "<button type=\"submit\" id=\"login-button\">" + tr(c.lang, "login") + "</button></form>";
    return page(c, tr(c.lang, "login"), body);
}

std::string list_page(const PageContext& c, const std::vector<Item>& items, const std::map<std::string, std::string>& q) {
    auto field = [&](const char* name, const char* label, const char* type = "text") {
        return std::string("<label>") + tr(c.lang, label) + " <input type=\"" + type + "\" name=\"" + name + "\" value=\"" +
               html_escape(get(q, name)) + "\"></label> ";
    };
    std::string body = "<form method=\"get\" action=\"/items\" class=\"filter\">" + field("from", "from", "date") +
                       field("to", "to", "date") + field("section", "section") + field("party", "party") +
                       field("type", "type") + field("reason", "reason") + "<label>" + tr(c.lang, "state") + " " +
                       select_state(c, get(q, "state")) + "</label> <button type=\"submit\">" + tr(c.lang, "filter") +
                       "</button></form>";
    if (items.empty()) return page(c, tr(c.lang, "items"), body + "<p>" + tr(c.lang, "no_items") + "</p>");
    body += "<table class=\"items\"><thead><tr><th>" + tr(c.lang, "held_at") + "</th><th>" + tr(c.lang, "name") +
            "</th><th>" + tr(c.lang, "section") + "</th><th>" + tr(c.lang, "sender") + "</th><th>" +
            tr(c.lang, "recipients") + "</th><th>" + tr(c.lang, "type") + "</th><th>" + tr(c.lang, "reason") +
            "</th><th>" + tr(c.lang, "state") + "</th></tr></thead><tbody>";
    for (const auto& it : items) {
        std::string rcpt;
        for (const auto& r : it.recipients) rcpt += (rcpt.empty() ? "" : ", ") + r;
        body += "<tr><td>" + format_time(it.held_at) + "</td><td><a href=\"/items/" + url_encode(it.id) + "\">" +
                html_escape(it.name.empty() ? it.id : it.name) + "</a></td><td>" + html_escape(it.section) +
                "</td><td>" + html_escape(it.sender) + "</td><td>" + html_escape(rcpt) + "</td><td>" +
                html_escape(it.file_type) + "</td><td>" + html_escape(it.reason) + "</td><td class=\"state " +
                html_escape(it.state) + "\">" + html_escape(state_label(c.lang, it.state)) + "</td></tr>";
    }
    body += "</tbody></table>";
    return page(c, tr(c.lang, "items"), body);
}

std::string detail_page(const PageContext& c, const ItemDetail& d, const std::string& message, bool error) {
    const Item& it = d.item;
    std::string rcpt;
    for (const auto& r : it.recipients) rcpt += (rcpt.empty() ? "" : ", ") + r;
    std::string body = message_box(message, error);
    body += "<dl class=\"meta\">";
    auto row = [&](const char* k, const std::string& v) {
        body += "<dt>" + tr(c.lang, k) + "</dt><dd>" + html_escape(v) + "</dd>";
    };
    row("state", state_label(c.lang, it.state) + (it.purged_at ? " " + tr(c.lang, "disposed") : ""));
    row("held_at", format_time(it.held_at));
    row("name", it.name);
    row("section", it.section);
    row("sender", it.sender);
    row("recipients", rcpt);
    row("type", it.file_type);
    row("reason", it.reason);
    row("size", size_text(it.size));
    body += "<dt>SHA-256</dt><dd><code>" + html_escape(it.sha256) + "</code></dd></dl>";

    // The findings in plain Japanese: the report's summary, the reason's explanation, each finding's `ja`.
    const auto& r = d.report;
    body += "<section class=\"findings\"><h3>" + tr(c.lang, "summary") + "</h3>";
    std::string summary = r.is_object() ? r.value("summary_ja", it.summary_ja) : it.summary_ja;
    body += "<p class=\"summary\">" + html_escape(summary) + "</p>";
    if (r.is_object() && r.contains("reason") && r["reason"].is_object()) {
        const auto& reason = r["reason"];
        std::string text = c.lang == Lang::ja ? reason.value("message_ja", "") : reason.value("detail", "");
        if (text.empty()) text = reason.value("message_ja", "");
        body += "<p class=\"reason\">" + html_escape(text) + "</p>";
    }
    if (r.is_object() && r.contains("findings") && r["findings"].is_array() && !r["findings"].empty()) {
        body += "<h3>" + tr(c.lang, "findings") + "</h3><ul class=\"findings\">";
        for (const auto& f : r["findings"]) {
            if (!f.is_object()) continue;
            std::string text = c.lang == Lang::ja ? f.value("ja", "") : f.value("detail", "");
            if (text.empty()) text = f.value("ja", f.value("detail", ""));
            std::string where = f.value("where", "");
            body += "<li>" + html_escape(text) + " <small>(" + (where.empty() ? "" : html_escape(where) + " · ") +
                    html_escape(f.value("kind", "")) + " · " + html_escape(f.value("action", "")) + ")</small></li>";
        }
        body += "</ul>";
    }
    body += "</section>";

    if (!d.requests.empty()) {
        body += "<h3>" + tr(c.lang, "requests") + "</h3><table class=\"requests\"><thead><tr><th>" + tr(c.lang, "time") +
                "</th><th>" + tr(c.lang, "requested_by") + "</th><th>" + tr(c.lang, "release_kind") + "</th><th>" +
                tr(c.lang, "reason") + "</th><th>" +
                tr(c.lang, "state") + "</th><th>" + tr(c.lang, "decided_by") + "</th><th>" + tr(c.lang, "note") +
                "</th></tr></thead><tbody>";
        for (const auto& q : d.requests)
            body += "<tr><td>" + format_time(q.requested_at) + "</td><td>" + html_escape(q.requested_by) + "</td><td>" +
                    html_escape(release_kind_label(c.lang, q.kind)) + "</td><td>" + html_escape(q.reason) + "</td><td>" + html_escape(request_state_label(c.lang, q.state)) + "</td><td>" + html_escape(q.decided_by) +
                    "</td><td>" + html_escape(q.note) + "</td></tr>";
        body += "</tbody></table>";
    }

    // Only the actions this person may take on this item in its state; the service checks again.
    Role role = c.session->actor.role;
    const std::string& me = c.session->actor.name;
    bool live = it.purged_at == 0;
    if (role == Role::officer && live) {
        if (it.state == state::held)
            body += request_form(c, it.id);
        if (it.state == state::held || it.state == state::release_requested)
            body += action_form(c, it.id, "delete", tr(c.lang, "delete"), "reason", true, tr(c.lang, "delete_hint"),
                                "danger");
        body += action_form(c, it.id, "download", tr(c.lang, "download"), "reason", true, tr(c.lang, "download_hint"),
                            "");
    }
    if (role == Role::approver && live && it.state == state::release_requested) {
        std::string requester, kind;
        for (const auto& q : d.requests)
            if (q.state == "pending") requester = q.requested_by, kind = q.kind;
        body += "<p>" + tr(c.lang, "pending_by") + html_escape(requester) + ")</p>";
        body += "<p class=\"release-kind" + std::string(kind == release_kind::original ? " danger" : "") + "\">" +
                tr(c.lang, "release_kind") + ": " + html_escape(release_kind_label(c.lang, kind)) + "</p>";
        if (requester != me) {
            body += action_form(c, it.id, "approve", tr(c.lang, "approve"), "note", false, "", "");
            body += action_form(c, it.id, "reject", tr(c.lang, "reject"), "note", false, "", "danger");
        }
    }
    body += "<p><a href=\"/items\">" + tr(c.lang, "back") + "</a></p>";
    return page(c, tr(c.lang, "detail") + ": " + (it.name.empty() ? it.id : it.name), body);
}

std::string audit_page(const PageContext& c, const std::vector<nlohmann::json>& lines, const AuditVerifyResult& v,
                       const std::vector<Disposal>& disposals) {
    std::string body;
    if (v.ok()) body += message_box(tr(c.lang, "verify_ok"), false);
    else {
        body += "<div class=\"msg error\" role=\"alert\">" + tr(c.lang, "verify_bad") + "<ul>";
        for (const auto& p : v.problems)
            body += "<li>line " + std::to_string(p.line) + ": " + html_escape(p.message) + "</li>";
        body += "</ul></div>";
    }
    body += "<table class=\"audit\"><thead><tr><th>#</th><th>" + tr(c.lang, "time") + "</th><th>" +
            tr(c.lang, "actor") + "</th><th>" + tr(c.lang, "action") + "</th><th>" + tr(c.lang, "item") + "</th><th>" +
            tr(c.lang, "outcome") + "</th><th>" + tr(c.lang, "detail") + "</th></tr></thead><tbody>";
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const auto& j = *it;
        auto s = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
        body += "<tr class=\"" + html_escape(s("outcome")) + "\"><td>" +
                (j.contains("seq") ? std::to_string(j["seq"].get<std::uint64_t>()) : "") + "</td><td>" +
                html_escape(s("ts")) + "</td><td>" + html_escape(s("actor")) + "</td><td>" + html_escape(s("action")) +
                "</td><td>" + html_escape(s("item")) + "</td><td>" + html_escape(s("outcome")) + "</td><td><code>" +
                html_escape(j.contains("detail") ? j["detail"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "") +
                "</code></td></tr>";
    }
    body += "</tbody></table><h3>" + tr(c.lang, "disposals") + "</h3><table class=\"disposals\"><thead><tr><th>" +
            tr(c.lang, "time") + "</th><th>" + tr(c.lang, "item") + "</th><th>" + tr(c.lang, "kind") + "</th><th>" +
            tr(c.lang, "actor") + "</th><th>" + tr(c.lang, "rule") + "</th><th>" + tr(c.lang, "reason") +
            "</th></tr></thead><tbody>";
    for (const auto& d : disposals)
        body += "<tr><td>" + format_time(d.disposed_at) + "</td><td>" + html_escape(d.item_id) + "</td><td>" +
                html_escape(d.kind) + "</td><td>" + html_escape(d.actor) + "</td><td>" + html_escape(d.rule) +
                "</td><td>" + html_escape(d.reason) + "</td></tr>";
    body += "</tbody></table>";
    return page(c, tr(c.lang, "audit"), body);
}

std::string users_page(const PageContext& c, const std::vector<Account>& accounts, std::int64_t now,
                       const std::string& message, bool error, const std::string& secret_block) {
    std::string body = message_box(message, error) + secret_block;
    body += "<table class=\"users\"><thead><tr><th>" + tr(c.lang, "user") + "</th><th>" + tr(c.lang, "role") +
            "</th><th>" + tr(c.lang, "status") + "</th><th></th></tr></thead><tbody>";
    for (const auto& a : accounts) {
        std::string status = a.disabled ? tr(c.lang, "disabled") : tr(c.lang, "active");
        if (a.locked_until > now) status += " / " + tr(c.lang, "locked");
        std::string n = url_encode(a.name);
        body += "<tr><td>" + html_escape(a.name) + "</td><td>" + role_label(c.lang, a.role) + "</td><td>" + status +
                "</td><td>";
        if (a.name != c.session->actor.name) {
            body += "<form method=\"post\" action=\"/users/" + n + (a.disabled ? "/enable" : "/disable") +
                    "\" class=\"inline\">" + csrf_field(c) + "<button type=\"submit\">" +
                    tr(c.lang, a.disabled ? "enable" : "disable") + "</button></form> ";
            body += "<form method=\"post\" action=\"/users/" + n + "/totp-reset\" class=\"inline\">" + csrf_field(c) +
                    "<button type=\"submit\">" + tr(c.lang, "totp_reset") + "</button></form>";
        }
        body += "</td></tr>";
    }
    body += "</tbody></table><h3>" + tr(c.lang, "add_user") + "</h3><form method=\"post\" action=\"/users/add\">" +
            csrf_field(c) + "<label>" + tr(c.lang, "user") + " <input type=\"text\" name=\"name\" required></label> <label>" +
            tr(c.lang, "role") + " <select name=\"role\">";
    for (Role r : {Role::officer, Role::approver, Role::auditor, Role::admin})
        body += "<option value=\"" + to_string(r) + "\">" + role_label(c.lang, r) + "</option>";
    body += "</select></label> <label>" + tr(c.lang, "password") +
            " <input type=\"password\" name=\"password\" minlength=\"12\" required autocomplete=\"new-password\"></label> "
            "<button type=\"submit\">" + tr(c.lang, "add_user") + "</button></form>";
    return page(c, tr(c.lang, "users"), body);
}

std::string error_page(const PageContext& c, int status, const std::string& message) {
    std::string body = message_box(message, true);
    if (c.session) body += "<p><a href=\"/\">" + tr(c.lang, "back") + "</a></p>";
    else body += "<p><a href=\"/login\">" + tr(c.lang, "login") + "</a></p>";
    return page(c, std::to_string(status), body);
}

}  // namespace mugaika::quarantine::web
