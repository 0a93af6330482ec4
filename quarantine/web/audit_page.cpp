// The auditor's page: the hash chain's verification in Japanese, the log newest first with filters and
// pages, times in JST, actions and outcomes by their labels, each line's detail as labelled fields. A line
// that is not what it should be (wrong types, not JSON) is shown as it is: it is evidence.
#include <ctime>

#include "web_internal.hpp"

namespace mugaika::quarantine::web {
namespace {

std::string get(const std::map<std::string, std::string>& q, const std::string& k) {
    auto it = q.find(k);
    return it == q.end() ? "" : it->second;
}

// "2026-11-22T04:05:06.123Z" (UTC) as "2026-11-22 13:05:06" (JST); anything else as it is.
std::string jst(const std::string& ts) {
    std::tm tm{};
    const char* end = ::strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) return ts;
    std::time_t t = ::timegm(&tm) + 9 * 3600;
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string value_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string s;
        for (const auto& e : v) s += (s.empty() ? "" : ", ") + value_text(e);
        return s;
    }
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string detail_html(Lang lang, const nlohmann::json& d) {
    if (d.is_null()) return "";
    if (!d.is_object()) return "<code>" + html_escape(value_text(d)) + "</code>";
    std::string s = "<dl class=\"detail\">";
    for (const auto& [k, v] : d.items()) {
        std::string shown = v.is_object() ? "" : value_text(v);
        if (v.is_object()) {
            for (const auto& [k2, v2] : v.items()) shown += (shown.empty() ? "" : "; ") + k2 + " = " + value_text(v2);
        }
        if (k == "role" && v.is_string()) shown = std::string(labels::role_label(shown, lang));
        if (k == "kind" && v.is_string()) shown = release_kind_label(lang, shown);
        if (k == "reason" && v.is_string() && shown.find(' ') == std::string::npos && shown.find('.') != std::string::npos)
            shown = reason_label(lang, shown) + " (" + shown + ")";
        s += "<dt>" + html_escape(std::string(labels::audit_detail_label(k, lang))) + "</dt><dd>" + html_escape(shown) + "</dd>";
    }
    return s + "</dl>";
}

std::string text_of(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string query_string(const std::map<std::string, std::string>& q, std::size_t page_number) {
    std::string s;
    for (const char* k : {"from", "to", "actor", "action", "item", "outcome"}) {
        std::string v = get(q, k);
        if (!v.empty()) s += std::string(s.empty() ? "?" : "&") + k + "=" + url_encode(v);
    }
    return s + (s.empty() ? "?" : "&") + "page=" + std::to_string(page_number);
}

}  // namespace

std::string audit_page(const PageContext& c, const AuditPage& lines, const std::map<std::string, std::string>& q,
                       std::size_t page_number, const AuditVerifyResult& v, const std::vector<Disposal>& disposals) {
    std::string body;
    if (!lines.unrecorded.empty())
        body += "<p class=\"msg error\" role=\"alert\" id=\"unrecorded\">" + tr(c.lang, "audit_unrecorded") + "<br><small>" +
                html_escape(lines.unrecorded) + "</small></p>";
    if (v.ok()) {
        body += "<p class=\"msg ok\" role=\"status\" id=\"verify\">" + tr(c.lang, "verify_ok") + " (" +
                std::to_string(v.lines) + tr(c.lang, "lines_suffix") + ")</p>";
    } else {
        body += "<div class=\"msg error\" role=\"alert\" id=\"verify\"><p><strong>" + tr(c.lang, "verify_bad") +
                "</strong></p><ul>";
        for (const auto& p : v.problems)
            body += "<li>" + html_escape(c.lang == Lang::ja && !p.message_ja.empty() ? p.message_ja : p.message) + "</li>";
        body += "</ul><p>" + tr(c.lang, "verify_bad_hint") + "</p></div>";
    }

    // Filters: dates in JST, the actions by their labels (families first), outcome.
    std::string action = get(q, "action");
    std::string actions = "<select name=\"action\" id=\"filter-action\"><option value=\"\">" + tr(c.lang, "all") + "</option>";
    for (const char* fam : {"item.", "release.", "login", "user.", "http."}) {
        std::string f = fam;
        actions += "<option value=\"" + f + "\"" + (action == f ? " selected" : "") + ">" +
                   tr(c.lang, "family_" + std::string(f.back() == '.' ? f.substr(0, f.size() - 1) : f)) + "</option>";
    }
    for (const auto& t : labels::audit_actions())
        actions += "<option value=\"" + std::string(t.code) + "\"" + (action == t.code ? " selected" : "") + ">" +
                   html_escape(std::string(c.lang == Lang::ja ? t.ja : t.en)) + "</option>";
    actions += "</select>";
    std::string outcome = get(q, "outcome");
    std::string outcomes = "<select name=\"outcome\" id=\"filter-outcome\"><option value=\"\">" + tr(c.lang, "all") + "</option>";
    for (const auto& t : labels::audit_outcomes())
        outcomes += "<option value=\"" + std::string(t.code) + "\"" + (outcome == t.code ? " selected" : "") + ">" +
                    html_escape(std::string(c.lang == Lang::ja ? t.ja : t.en)) + "</option>";
    outcomes += "</select>";
    auto text = [&](const char* name, const char* label, const char* type = "text") {
        return std::string("<label>") + tr(c.lang, label) + " <input type=\"" + type + "\" name=\"" + name + "\" id=\"filter-" +
               name + "\" value=\"" + html_escape(get(q, name)) + "\"></label>";
    };
    body += "<form method=\"get\" action=\"/audit\" class=\"filter\">" + text("from", "from", "date") +
            text("to", "to", "date") + text("actor", "actor") + "<label>" + tr(c.lang, "action") + " " + actions +
            "</label>" + text("item", "item") + "<label>" + tr(c.lang, "outcome") + " " + outcomes +
            "</label><button type=\"submit\" id=\"audit-filter-button\">" + tr(c.lang, "filter") + "</button> <a href=\"/audit\">" +
            tr(c.lang, "clear") + "</a></form>";

    if (lines.entries.empty()) {
        body += "<p>" + tr(c.lang, "no_lines") + "</p>";
    } else {
        body += "<table class=\"audit\"><colgroup><col class=\"c-seq\"><col class=\"c-time\"><col class=\"c-who\">"
                "<col class=\"c-action\"><col class=\"c-item\"><col class=\"c-outcome\"><col></colgroup><thead><tr><th>#</th><th>" +
                tr(c.lang, "time_jst") + "</th><th>" + tr(c.lang, "actor") + "</th><th>" + tr(c.lang, "action") + "</th><th>" +
                tr(c.lang, "item") + "</th><th>" + tr(c.lang, "outcome") + "</th><th>" + tr(c.lang, "detail") +
                "</th></tr></thead><tbody>";
        for (const auto& e : lines.entries) {
            const auto& j = e.line;
            if (j.is_null()) {
                body += "<tr class=\"error\"><td></td><td colspan=\"6\"><strong>" + tr(c.lang, "raw_line") +
                        "</strong><br><code>" + html_escape(e.raw) + "</code></td></tr>";
                continue;
            }
            std::string seq = j.contains("seq") && j["seq"].is_number_unsigned() ? std::to_string(j["seq"].get<std::uint64_t>())
                              : j.contains("seq") ? html_escape(value_text(j["seq"])) + " ⚠"
                                                  : "⚠";
            std::string act = text_of(j, "action"), out = text_of(j, "outcome");
            body += "<tr class=\"" + html_escape(out) + "\"><td>" + seq + "</td><td>" + html_escape(jst(text_of(j, "ts"))) +
                    "</td><td class=\"wrap\">" + html_escape(text_of(j, "actor")) + "</td><td>" +
                    html_escape(std::string(labels::audit_action_label(act, c.lang))) + "<br><small>" + html_escape(act) +
                    "</small></td><td class=\"wrap\">" +
                    (valid_item_id(text_of(j, "item")) ? "<a href=\"/items/" + text_of(j, "item") + "\">" +
                                                             html_escape(text_of(j, "item")) + "</a>"
                                                       : html_escape(text_of(j, "item"))) +
                    "</td><td>" + html_escape(std::string(labels::audit_outcome_label(out, c.lang))) +
                    "</td><td class=\"wrap\">" + detail_html(c.lang, j.contains("detail") ? j["detail"] : nlohmann::json()) +
                    "</td></tr>";
        }
        body += "</tbody></table>";
    }
    body += "<p class=\"pager\">";
    if (page_number > 1)
        body += "<a href=\"/audit" + query_string(q, page_number - 1) + "\" id=\"newer\">" + tr(c.lang, "newer") + "</a> ";
    body += tr(c.lang, "page") + " " + std::to_string(page_number);
    if (lines.more)
        body += " <a href=\"/audit" + query_string(q, page_number + 1) + "\" id=\"older\">" + tr(c.lang, "older") + "</a>";
    body += "</p>";

    if (disposals.empty()) {
        body += "<h3>" + tr(c.lang, "disposals") + "</h3><p>" + tr(c.lang, "no_disposals") + "</p>";
        return page(c, tr(c.lang, "audit"), body, "wide");
    }
    body += "<h3>" + tr(c.lang, "disposals") + "</h3><table class=\"disposals\"><thead><tr><th>" + tr(c.lang, "time") +
            "</th><th>" + tr(c.lang, "item") + "</th><th>" + tr(c.lang, "kind") + "</th><th>" + tr(c.lang, "actor") +
            "</th><th>" + tr(c.lang, "rule") + "</th><th>" + tr(c.lang, "reason") + "</th></tr></thead><tbody>";
    for (const auto& d : disposals)
        body += "<tr><td>" + format_time(d.disposed_at) + "</td><td class=\"wrap\">" + html_escape(d.item_id) + "</td><td>" +
                html_escape(tr(c.lang, "disposal_" + d.kind)) + "</td><td>" + html_escape(d.actor) + "</td><td>" +
                html_escape(d.rule) + "</td><td class=\"wrap\">" + html_escape(d.reason) + "</td></tr>";
    body += "</tbody></table>";
    return page(c, tr(c.lang, "audit"), body, "wide");
}

}  // namespace mugaika::quarantine::web
