// HTML escaping, form decoding and the page frame. Every value from outside goes through html_escape.
#include <ctime>

#include "mugaika/visible_text.hpp"
#include "web_internal.hpp"

namespace mugaika::quarantine::web {
namespace {

std::string escape_only(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::string html_escape(std::string_view s) { return escape_only(visible_text(s)); }

std::string html_multiline(std::string_view s) { return escape_only(visible_text(s, true)); }

std::string name_html(Lang lang, std::string_view name) {
    std::string out = html_escape(name);
    if (has_hidden_characters(name)) out += " <span class=\"warn\">" + tr(lang, "hidden_chars") + "</span>";
    return out;
}

std::string csrf_field(const PageContext& c) {
    return hidden("csrf", c.session ? c.session->csrf : "");
}

std::string hidden(const std::string& name, const std::string& value) {
    return "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) + "\">";
}

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~')
            out.push_back(static_cast<char>(c));
        else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string url_decode(std::string_view s) {
    auto hexval = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') out.push_back(' ');
        else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else out.push_back(s[i]);
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view body) {
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    while (i <= body.size()) {
        std::size_t amp = body.find('&', i);
        std::string_view pair = body.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
        if (!pair.empty()) {
            std::size_t eq = pair.find('=');
            std::string key = url_decode(pair.substr(0, eq));
            std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
            out.emplace(std::move(key), std::move(value));   // the first of repeated keys wins
        }
        if (amp == std::string_view::npos) break;
        i = amp + 1;
    }
    return out;
}

std::string format_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t + 9 * 3600);   // JST has no daylight saving time
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string message_box(const std::string& text, bool error) {
    if (text.empty()) return "";
    return std::string("<p class=\"") + (error ? "msg error" : "msg ok") + "\" role=\"" + (error ? "alert" : "status") +
           "\">" + html_escape(text) + "</p>";
}

std::string page(const PageContext& c, const std::string& title, const std::string& body, const std::string& main_class) {
    std::string nav;
    if (c.session) {
        const Actor& a = c.session->actor;
        nav += "<nav>";
        if (a.role != Role::admin) nav += "<a href=\"/items\">" + tr(c.lang, "items") + "</a> ";
        if (a.role == Role::auditor) nav += "<a href=\"/audit\">" + tr(c.lang, "audit") + "</a> ";
        if (a.role == Role::admin) nav += "<a href=\"/users\">" + tr(c.lang, "users") + "</a> ";
        nav += "<a href=\"/account\">" + tr(c.lang, "account") + "</a> ";
        nav += "<span class=\"who\">" + tr(c.lang, "signed_in_as") + html_escape(a.name) + " (" +
               role_label(c.lang, a.role) + ")</span> ";
        nav += "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"" +
               html_escape(c.session->csrf) + "\"><button type=\"submit\" id=\"logout\">" + tr(c.lang, "logout") +
               "</button></form>";
        nav += "</nav>";
    }
    std::string other = c.lang == Lang::ja ? "en" : "ja";
    return "<!DOCTYPE html>\n<html lang=\"" + std::string(c.lang == Lang::ja ? "ja" : "en") +
           "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
           "<title>" + html_escape(title) + " - " + tr(c.lang, "app") +
           "</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><header><h1>" + tr(c.lang, "app") +
           "</h1>" + nav + "<a class=\"lang\" href=\"/lang?to=" + other + "&amp;back=" + url_encode(c.path) + "\">" +
           tr(c.lang, "lang_switch") +
           "</a></header><main" + (main_class.empty() ? "" : " class=\"" + main_class + "\"") + "><h2>" + html_escape(title) +
           "</h2>" + body + "</main></body></html>\n";
}

}  // namespace mugaika::quarantine::web
