// The officer UI's item pages, rendered on the server: the list, an item, and the confirmation pages of
// the decisions that cannot be taken back. Forms post to the same origin with a CSRF token.
#include <set>

#include "web_internal.hpp"

namespace mugaika::quarantine::web {
namespace {

std::string size_text(std::int64_t n) {
    if (n < 1024) return std::to_string(n) + " B";
    if (n < 1024 * 1024) return std::to_string(n / 1024) + " KiB";
    return std::to_string(n / (1024 * 1024)) + " MiB";
}

std::string get(const std::map<std::string, std::string>& q, const std::string& k) {
    auto it = q.find(k);
    return it == q.end() ? "" : it->second;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
    return s;
}

// A <select> of codes shown by their labels; the first option ("all") is empty.
std::string select_codes(const PageContext& c, const std::string& name, const std::vector<std::string>& codes,
                         const std::string& current, std::string (*label)(Lang, const std::string&)) {
    std::string s = "<select name=\"" + name + "\" id=\"filter-" + name + "\"><option value=\"\">" + tr(c.lang, "all") +
                    "</option>";
    bool seen = current.empty();
    for (const auto& code : codes) {
        seen = seen || code == current;
        s += "<option value=\"" + html_escape(code) + "\"" + (code == current ? " selected" : "") + ">" +
             html_escape(label ? label(c.lang, code) : code) + "</option>";
    }
    // A value typed into the address bar that no item has: still shown as chosen, so the empty list is explained.
    if (!seen)
        s += "<option value=\"" + html_escape(current) + "\" selected>" +
             html_escape(label ? label(c.lang, current) : current) + "</option>";
    return s + "</select>";
}

std::string plain(Lang, const std::string& s) { return s; }

// What the item is called on screen: a mail by its subject, anything else by its file name.
std::string title_of(const Item& it) {
    if (!it.subject.empty()) return it.subject;
    return it.name.empty() ? it.id : it.name;
}

// The reason as people read it; a partial hold says so.
std::string reason_text(Lang lang, const Item& it) {
    std::string r = it.reason.empty() ? "" : reason_label(lang, it.reason);
    if (it.partial) return tr(lang, "partial_hold") + (r.empty() ? "" : ": " + r);
    return r;
}

// The name of the part a finding's `where` points into ("attachment[1]/word/vbaProject.bin"): the
// report's children and held parts carry the names their container gave them.
std::string where_text(const std::map<std::string, std::string>& names, const std::string& where) {
    std::string best;
    for (const auto& [w, name] : names)
        if (!name.empty() && (where == w || where.starts_with(w + "/")) && w.size() > best.size()) best = w;
    if (best.empty()) return where;
    std::string rest = where.substr(best.size());
    return "「" + names.at(best) + "」" + rest;
}

// How the item came in: by mail, from a section's share, or otherwise (an import).
std::string source_text(Lang lang, const Item& it) {
    if (it.source == "mail") return tr(lang, "source_mail");
    if (it.source == "share") return tr(lang, "source_share") + (it.section.empty() ? "" : " (" + it.section + ")");
    return it.source;
}

std::string text_of(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string kind_option(const PageContext& c, const std::string& k, bool selected) {
    return "<option value=\"" + html_escape(k) + "\"" + (selected ? " selected" : "") + ">" +
           html_escape(release_kind_label(c.lang, k)) + "</option>";
}

// The release request: only the kinds that can succeed for this item, the PPAP password only when that
// kind is among them, and a reason.
std::string request_form(const PageContext& c, const Item& it, const std::vector<std::string>& kinds) {
    if (kinds.empty()) return "<p class=\"hint\" id=\"no-kinds\">" + tr(c.lang, "no_kinds") + "</p>";
    std::string f = "<form method=\"post\" action=\"/items/" + url_encode(it.id) + "/request\" class=\"action\">" +
                    csrf_field(c) + "<h3>" + tr(c.lang, "request_release") + "</h3><p class=\"hint\">" +
                    html_escape(tr(c.lang, "request_hint")) + "</p>";
    // The most specific kind first: a PPAP zip is decrypted, not disarmed again (which cannot work).
    bool ppap = false;
    for (const auto& k : kinds) ppap = ppap || k == release_kind::ppap;
    std::string first = ppap ? std::string(release_kind::ppap) : kinds.front();
    f += "<label>" + tr(c.lang, "release_kind") + " <select name=\"kind\" id=\"request-kind\">";
    f += kind_option(c, first, true);
    for (const auto& k : kinds)
        if (k != first) f += kind_option(c, k, false);
    f += "</select></label>";
    if (ppap)
        f += "<label>" + tr(c.lang, "zip_password") +
             " <input type=\"password\" name=\"password\" id=\"request-password\" maxlength=\"1024\""
             " autocomplete=\"off\"></label>";
    f += "<label>" + tr(c.lang, "reason_input") +
         " <input type=\"text\" name=\"reason\" id=\"request-reason\" maxlength=\"1000\" required></label>";
    f += "<button type=\"submit\" id=\"request-button\">" + html_escape(tr(c.lang, "request_release")) + "</button></form>";
    return f;
}

std::string reason_form(const PageContext& c, const Item& it, const std::string& verb, const std::string& label,
                        const std::string& hint, const std::string& css) {
    return "<form method=\"post\" action=\"/items/" + url_encode(it.id) + "/" + verb + "\" class=\"action " + css + "\">" +
           csrf_field(c) + "<p class=\"hint\">" + html_escape(hint) + "</p><label>" + tr(c.lang, "reason_input") +
           " <input type=\"text\" name=\"reason\" id=\"" + verb + "-reason\" maxlength=\"1000\" required></label>"
           "<button type=\"submit\" id=\"" + verb + "-button\">" + html_escape(label) + "</button></form>";
}

// The decision forms name the request the approver is looking at, by id and kind.
std::string decision_form(const PageContext& c, const Item& it, const ReleaseRequest& q, const std::string& verb,
                          const std::string& label, const std::string& css) {
    return "<form method=\"post\" action=\"/items/" + url_encode(it.id) + "/" + verb + "\" class=\"action " + css + "\">" +
           csrf_field(c) + hidden("request", q.id) + hidden("kind", q.kind) + "<p class=\"hint\">" +
           tr(c.lang, verb == "approve" ? "decide_approve" : "decide_reject") + " " +
           html_escape(release_kind_label(c.lang, q.kind)) + " (" + tr(c.lang, "request_id") + " " + html_escape(q.id) +
           ")</p><label>" + tr(c.lang, "note") +
           " <input type=\"text\" name=\"note\" id=\"" + verb + "-note\" maxlength=\"1000\"></label>"
           "<button type=\"submit\" id=\"" + verb + "-button\">" + html_escape(label) + "</button></form>";
}

// The pending request, as the approver (and everyone) sees it: the kind in large type, the original in red.
std::string pending_box(const PageContext& c, const ReleaseRequest& q) {
    bool original = q.kind == release_kind::original;
    std::string s = "<div class=\"pending" + std::string(original ? " danger" : "") + "\" id=\"pending-request\">";
    s += "<p class=\"pending-title\">" + tr(c.lang, "pending_request") + "</p>";
    s += "<p class=\"release-kind" + std::string(original ? " danger" : "") + "\">" +
         html_escape(release_kind_label(c.lang, q.kind)) + "</p>";
    if (original) s += "<p class=\"warn-text\">" + tr(c.lang, "original_warning") + "</p>";
    s += "<dl class=\"meta\"><dt>" + tr(c.lang, "requested_by") + "</dt><dd>" + html_escape(q.requested_by) +
         "</dd><dt>" + tr(c.lang, "time") + "</dt><dd>" + format_time(q.requested_at) + "</dd><dt>" +
         tr(c.lang, "reason") + "</dt><dd class=\"wrap\">" + html_escape(q.reason) + "</dd><dt>" +
         tr(c.lang, "request_id") + "</dt><dd><code>" + html_escape(q.id) + "</code></dd></dl>";
    if (!q.failure.empty())
        s += "<p class=\"msg error\" id=\"last-failure\">" + tr(c.lang, "last_failure") + " (" + html_escape(q.failed_by) +
             ", " + format_time(q.failed_at) + "): " + html_escape(q.failure) + "</p>";
    return s + "</div>";
}

std::string held_parts_list(const PageContext& c, const Item& it) {
    std::string s = "<ul class=\"held-parts\">";
    for (const auto& h : it.held_parts)
        s += "<li>" + (h.name.empty() ? html_escape(h.where) : name_html(c.lang, h.name)) + " <small>(" +
             html_escape(type_label(c.lang, h.type)) + ")</small>: " + html_escape(reason_label(c.lang, h.reason)) +
             "</li>";
    return s + "</ul>";
}

}  // namespace

std::string list_page(const PageContext& c, const std::vector<Item>& items, const std::map<std::string, std::string>& q,
                      const ItemFacets& facets) {
    auto date = [&](const char* name, const char* label) {
        return std::string("<label>") + tr(c.lang, label) + " <input type=\"date\" name=\"" + name + "\" value=\"" +
               html_escape(get(q, name)) + "\"></label>";
    };
    std::vector<std::string> states;
    for (const auto& t : labels::item_states()) states.emplace_back(t.code);
    std::string body = "<form method=\"get\" action=\"/items\" class=\"filter\">" + date("from", "from") +
                       date("to", "to") + "<label>" + tr(c.lang, "section") + " " +
                       select_codes(c, "section", facets.sections, get(q, "section"), plain) + "</label><label>" +
                       tr(c.lang, "party") + " <input type=\"text\" name=\"party\" value=\"" +
                       html_escape(get(q, "party")) + "\" placeholder=\"" + tr(c.lang, "party_hint") + "\"></label><label>" +
                       tr(c.lang, "type") + " " + select_codes(c, "type", facets.file_types, get(q, "type"), type_label) +
                       "</label><label>" + tr(c.lang, "reason") + " " +
                       select_codes(c, "reason", facets.reasons, get(q, "reason"), reason_label) + "</label><label>" +
                       tr(c.lang, "state") + " " + select_codes(c, "state", states, get(q, "state"), state_label) +
                       "</label><button type=\"submit\">" + tr(c.lang, "filter") + "</button> <a href=\"/items\">" +
                       tr(c.lang, "clear") + "</a></form>";
    if (items.empty()) return page(c, tr(c.lang, "items"), body + "<p>" + tr(c.lang, "no_items") + "</p>");
    body += "<p class=\"count\">" + std::to_string(items.size()) + tr(c.lang, "count_suffix") + "</p>";
    body += "<table class=\"items\"><colgroup><col class=\"c-time\"><col class=\"c-title\"><col class=\"c-section\">"
            "<col class=\"c-party\"><col class=\"c-type\"><col class=\"c-reason\"><col class=\"c-state\"></colgroup>"
            "<thead><tr><th>" + tr(c.lang, "held_at") + "</th><th>" + tr(c.lang, "title") + "</th><th>" +
            tr(c.lang, "section") + "</th><th>" + tr(c.lang, "sender_recipients") + "</th><th>" + tr(c.lang, "type") +
            "</th><th>" + tr(c.lang, "reason") + "</th><th>" + tr(c.lang, "state") + "</th></tr></thead><tbody>";
    for (const auto& it : items) {
        std::string title = "<a href=\"/items/" + url_encode(it.id) + "\">" + name_html(c.lang, title_of(it)) + "</a>";
        if (!it.subject.empty() && !it.name.empty()) title += "<br><small>" + html_escape(it.name) + "</small>";
        for (const auto& h : it.held_parts)
            if (!h.name.empty()) title += "<br><small class=\"held\">" + tr(c.lang, "held_part") + name_html(c.lang, h.name) + "</small>";
        std::string party = html_escape(it.from_name.empty() ? it.sender : it.from_name);
        if (!it.recipients.empty()) party += "<br><small>→ " + html_escape(joined(it.recipients)) + "</small>";
        if (party.empty()) party = "<small>" + html_escape(source_text(c.lang, it)) + "</small>";
        body += "<tr><td>" + format_time(it.held_at) + "</td><td class=\"wrap\">" + title + "</td><td>" +
                html_escape(it.section) + "</td><td class=\"wrap\">" + party + "</td><td>" +
                html_escape(type_label(c.lang, it.file_type)) + "</td><td class=\"wrap\">" +
                html_escape(reason_text(c.lang, it)) + "</td><td class=\"state " + html_escape(it.state) + "\">" +
                html_escape(state_label(c.lang, it.state)) + "</td></tr>";
    }
    body += "</tbody></table>";
    return page(c, tr(c.lang, "items"), body, "wide");
}

std::string detail_page(const PageContext& c, const ItemDetail& d, const std::vector<std::string>& kinds,
                        const std::string& message, bool error) {
    const Item& it = d.item;
    const auto& r = d.report;
    std::string body = message_box(message, error);
    const ReleaseRequest* pending = nullptr;
    const ReleaseRequest* approved = nullptr;
    for (const auto& q : d.requests) {
        if (q.state == "pending") pending = &q;
        if (q.state == "approved") approved = &q;
    }

    // Where it stands, in one sentence at the top.
    body += "<div class=\"status state-" + html_escape(it.state) + "\"><p><strong>" + tr(c.lang, "state") + ": " +
            html_escape(state_label(c.lang, it.state)) + "</strong>" +
            (it.purged_at ? " " + tr(c.lang, "disposed") : "") + "</p>";
    if (it.state == state::released && approved)
        body += "<p id=\"released-to\">" + tr(c.lang, "released_to") + ": " + html_escape(approved->released_to) +
                " <small>(" + html_escape(release_kind_label(c.lang, approved->kind)) + ", " +
                tr(c.lang, "approved_by") + " " + html_escape(approved->decided_by) + ")</small></p>";
    body += "</div>";

    if (it.partial) {
        body += "<div class=\"partial\" id=\"partial\"><p><strong>" + tr(c.lang, "partial_title") + "</strong></p>" +
                "<p>" + tr(c.lang, "partial_held") + "</p>" + held_parts_list(c, it) + "<p>" +
                (it.delivered_to.empty() ? tr(c.lang, "partial_rest")
                                         : tr(c.lang, "partial_rest_to") + " " + html_escape(it.delivered_to)) +
                "</p><p class=\"hint\">" + tr(c.lang, "partial_kinds") + "</p></div>";
    } else if (!it.held_parts.empty()) {
        body += "<div class=\"partial\"><p>" + tr(c.lang, "held_because") + "</p>" + held_parts_list(c, it) + "</div>";
    }
    if (pending) body += pending_box(c, *pending);

    body += "<dl class=\"meta\">";
    auto row = [&](const char* k, const std::string& html) { body += "<dt>" + tr(c.lang, k) + "</dt><dd>" + html + "</dd>"; };
    row("held_at", format_time(it.held_at));
    if (!it.subject.empty()) row("subject", name_html(c.lang, it.subject));
    if (!it.from_name.empty()) row("from_header", html_escape(it.from_name));
    row("name", name_html(c.lang, it.name));
    row("source", html_escape(source_text(c.lang, it)));
    if (!it.section.empty()) row("section", html_escape(it.section));
    if (!it.sender.empty()) row("sender", html_escape(it.sender));
    if (!it.recipients.empty()) row("recipients", html_escape(joined(it.recipients)));
    row("type", html_escape(type_label(c.lang, it.file_type)) + " <small>(" + html_escape(it.file_type) + ")</small>");
    row("reason", html_escape(reason_text(c.lang, it)) +
                      (it.reason.empty() ? "" : " <small>(" + html_escape(it.reason) + ")</small>"));
    row("size", size_text(it.size));
    row("item_id", "<code>" + html_escape(it.id) + "</code>");
    body += "<dt>SHA-256</dt><dd><code>" + html_escape(it.sha256) + "</code></dd></dl>";

    // The findings in plain Japanese: the report's summary, the reason's explanation, each finding's `ja`.
    std::map<std::string, std::string> part_names;
    for (const char* list : {"children", "held"})
        if (r.is_object() && r.contains(list) && r[list].is_array())
            for (const auto& e : r[list]) part_names[text_of(e, "where")] = text_of(e, "name");
    body += "<section class=\"findings\"><h3>" + tr(c.lang, "summary") + "</h3>";
    std::string summary = r.is_object() && r.contains("summary_ja") && r["summary_ja"].is_string()
                              ? r["summary_ja"].get<std::string>()
                              : it.summary_ja;
    body += "<p class=\"summary\">" + html_multiline(summary) + "</p>";
    if (r.is_object() && r.contains("reason") && r["reason"].is_object()) {
        const auto& reason = r["reason"];
        std::string text = c.lang == Lang::ja ? text_of(reason, "message_ja") : text_of(reason, "detail");
        if (text.empty()) text = text_of(reason, "message_ja");
        // The summary usually says it already; the reason's words are shown once.
        if (!text.empty() && summary.find(text) == std::string::npos)
            body += "<p class=\"reason\">" + html_escape(text) + "</p>";
    }
    if (r.is_object() && r.contains("findings") && r["findings"].is_array() && !r["findings"].empty()) {
        body += "<h3>" + tr(c.lang, "findings") + "</h3><ul class=\"findings\">";
        std::size_t shown = 0;
        for (const auto& f : r["findings"]) {
            if (!f.is_object()) continue;
            if (++shown > 200) {
                body += "<li>" + tr(c.lang, "more_findings") + "</li>";
                break;
            }
            std::string text = c.lang == Lang::ja ? text_of(f, "ja") : text_of(f, "detail");
            if (text.empty()) text = text_of(f, "ja").empty() ? text_of(f, "detail") : text_of(f, "ja");
            std::string where = text_of(f, "where");
            body += "<li>" + html_escape(text) + " <small>(" +
                    (where.empty() ? "" : html_escape(where_text(part_names, where)) + " · ") +
                    html_escape(text_of(f, "kind")) + ")</small></li>";
        }
        body += "</ul>";
    }
    body += "</section>";

    if (!d.requests.empty()) {
        body += "<h3>" + tr(c.lang, "requests") + "</h3><table class=\"requests\"><colgroup><col class=\"c-time\">"
                "<col class=\"c-who\"><col class=\"c-kind\"><col><col class=\"c-state\"><col class=\"c-who\"><col></colgroup>"
                "<thead><tr><th>" + tr(c.lang, "time") + "</th><th>" + tr(c.lang, "requested_by") + "</th><th>" +
                tr(c.lang, "release_kind") + "</th><th>" + tr(c.lang, "reason") + "</th><th>" + tr(c.lang, "state") +
                "</th><th>" + tr(c.lang, "decided_by") + "</th><th>" + tr(c.lang, "note_result") + "</th></tr></thead><tbody>";
        for (const auto& q : d.requests) {
            std::string result = html_escape(q.note);
            if (!q.released_to.empty())
                result += (result.empty() ? "" : "<br>") + tr(c.lang, "released_to") + ": " + html_escape(q.released_to);
            if (!q.failure.empty())
                result += (result.empty() ? "" : "<br>") + std::string("<span class=\"failure\">") +
                          tr(c.lang, "last_failure") + ": " + html_escape(q.failure) + "</span>";
            body += "<tr><td>" + format_time(q.requested_at) + "</td><td>" + html_escape(q.requested_by) + "</td><td" +
                    (q.kind == release_kind::original ? " class=\"danger-text\"" : "") + ">" +
                    html_escape(release_kind_label(c.lang, q.kind)) + "</td><td class=\"wrap\">" + html_escape(q.reason) +
                    "</td><td>" + html_escape(request_state_label(c.lang, q.state)) + "</td><td>" +
                    html_escape(q.decided_by) + "</td><td class=\"wrap\">" + result + "</td></tr>";
        }
        body += "</tbody></table>";
    }

    // Only the actions this person may take on this item in its state; the service checks again.
    Role role = c.session->actor.role;
    const std::string& me = c.session->actor.name;
    bool live = it.purged_at == 0;
    if (role == Role::officer && live) {
        if (it.state == state::held) body += request_form(c, it, kinds);
        if (it.state == state::held || it.state == state::release_requested)
            body += reason_form(c, it, "delete", tr(c.lang, "delete"), tr(c.lang, "delete_hint"), "danger");
        body += reason_form(c, it, "download", tr(c.lang, "download"), tr(c.lang, "download_hint"), "");
    }
    if (role == Role::approver && live && it.state == state::release_requested && pending) {
        if (pending->requested_by == me) {
            body += "<p class=\"hint\">" + tr(c.lang, "own_request") + "</p>";
        } else {
            body += decision_form(c, it, *pending, "approve",
                                  tr(c.lang, pending->kind == release_kind::original ? "approve_original" : "approve"),
                                  pending->kind == release_kind::original ? "danger" : "");
            body += decision_form(c, it, *pending, "reject", tr(c.lang, "reject"), "");
        }
    }
    body += "<p><a href=\"/items\">" + tr(c.lang, "back") + "</a></p>";
    return page(c, tr(c.lang, "detail") + ": " + title_of(it), body);
}

std::string approve_confirm_page(const PageContext& c, const ItemDetail& d, const ReleaseRequest& q,
                                 const std::string& note) {
    const Item& it = d.item;
    std::string body = "<div class=\"pending danger\"><p class=\"release-kind danger\">" +
                       html_escape(release_kind_label(c.lang, q.kind)) + "</p><p class=\"warn-text\">" +
                       tr(c.lang, "original_confirm_text") + "</p>";
    body += "<dl class=\"meta\"><dt>" + tr(c.lang, "name") + "</dt><dd>" + name_html(c.lang, it.name) + "</dd>";
    if (!it.subject.empty()) body += "<dt>" + tr(c.lang, "subject") + "</dt><dd>" + name_html(c.lang, it.subject) + "</dd>";
    body += "<dt>" + tr(c.lang, "type") + "</dt><dd>" + html_escape(type_label(c.lang, it.file_type)) + "</dd><dt>" +
            tr(c.lang, "reason") + "</dt><dd>" + html_escape(reason_text(c.lang, it)) + "</dd><dt>" +
            tr(c.lang, "requested_by") + "</dt><dd>" + html_escape(q.requested_by) + "</dd><dt>" +
            tr(c.lang, "request_reason") + "</dt><dd class=\"wrap\">" + html_escape(q.reason) + "</dd></dl></div>";
    body += "<form method=\"post\" action=\"/items/" + url_encode(it.id) + "/approve\" class=\"action danger\">" +
            csrf_field(c) + hidden("request", q.id) + hidden("kind", q.kind) + hidden("note", note) +
            "<label class=\"check\"><input type=\"checkbox\" name=\"confirm_original\" value=\"yes\" id=\"confirm-original\""
            " required> " + tr(c.lang, "original_confirm_check") + "</label>"
            "<button type=\"submit\" id=\"confirm-original-button\">" + tr(c.lang, "approve_original") + "</button> <a href=\"/items/" +
            url_encode(it.id) + "\">" + tr(c.lang, "cancel") + "</a></form>";
    return page(c, tr(c.lang, "confirm_title"), body);
}

std::string delete_confirm_page(const PageContext& c, const ItemDetail& d, const std::string& reason) {
    const Item& it = d.item;
    std::string body = "<div class=\"pending danger\"><p class=\"warn-text\">" + tr(c.lang, "delete_confirm_text") +
                       "</p><dl class=\"meta\"><dt>" + tr(c.lang, "title") + "</dt><dd>" + name_html(c.lang, title_of(it)) +
                       "</dd><dt>" + tr(c.lang, "held_at") + "</dt><dd>" + format_time(it.held_at) + "</dd><dt>" +
                       tr(c.lang, "reason_input") + "</dt><dd class=\"wrap\">" + html_escape(reason) + "</dd></dl></div>";
    body += "<form method=\"post\" action=\"/items/" + url_encode(it.id) + "/delete\" class=\"action danger\">" +
            csrf_field(c) + hidden("reason", reason) + hidden("confirm", "yes") +
            "<button type=\"submit\" id=\"confirm-delete-button\">" + tr(c.lang, "delete") + "</button> <a href=\"/items/" +
            url_encode(it.id) + "\">" + tr(c.lang, "cancel") + "</a></form>";
    return page(c, tr(c.lang, "confirm_title"), body);
}

std::string error_page(const PageContext& c, int status, const std::string& message) {
    std::string body = message_box(message, true);
    if (c.session) body += "<p><a href=\"/\">" + tr(c.lang, "back") + "</a></p>";
    else body += "<p><a href=\"/login\">" + tr(c.lang, "login") + "</a></p>";
    return page(c, std::to_string(status), body);
}

}  // namespace mugaika::quarantine::web
