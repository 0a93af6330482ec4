#include "links.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mugaika::mail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The scheme as a browser reads it: control characters and blanks inside it are ignored
// ("java\tscript:" still runs).
std::string scheme_of(std::string_view url) {
    std::string s;
    for (char c : url) {
        if (c == ':') return lower(s);
        if (static_cast<unsigned char>(c) <= 0x20) continue;
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return "";
        s.push_back(c);
    }
    return "";
}

// hxxp(s)://host with every '.' in the host bracketed; the rest of the URL is kept.
std::string defang(std::string_view url) {
    std::string scheme = scheme_of(url);
    auto colon = url.find(':');
    std::string out;
    if (scheme == "http") out = "hxxp";
    else if (scheme == "https") out = "hxxps";
    else if (scheme == "ftp") out = "fxp";
    else return std::string(url);
    std::string_view rest = url.substr(colon);   // "://host/..."
    std::size_t host_start = rest.starts_with("://") ? 3 : 1;
    std::size_t host_end = rest.find_first_of("/?#", host_start);
    if (host_end == std::string_view::npos) host_end = rest.size();
    out += rest.substr(0, host_start);
    for (char c : rest.substr(host_start, host_end - host_start)) {
        if (c == '.') out += "[.]";
        else out.push_back(c);
    }
    out += rest.substr(host_end);
    return out;
}

}  // namespace

bool is_dangerous_scheme(std::string_view url) {
    static constexpr std::array<std::string_view, 8> kBad{"javascript", "vbscript", "data",  "livescript",
                                                          "file",       "jar",      "about", "ms-its"};
    std::string s = scheme_of(url);
    return std::find(kBad.begin(), kBad.end(), s) != kBad.end();
}

std::string show_target(std::string_view url, LinkMode mode) {
    if (mode == LinkMode::drop || url.empty() || is_dangerous_scheme(url)) return "";
    std::string clean;
    for (char c : url)
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) clean.push_back(c);
    std::string scheme = scheme_of(clean);
    if (scheme == "mailto") return clean.substr(clean.find(':') + 1);
    if (mode == LinkMode::plain) return clean;
    return defang(clean);
}

std::size_t defang_text_urls(std::string& text) {
    std::size_t count = 0;
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t best = std::string::npos;
        for (std::string_view s : {"http://", "https://", "ftp://", "HTTP://", "HTTPS://"}) {
            auto p = text.find(s, i);
            if (p < best) best = p;
        }
        if (best == std::string::npos) break;
        out.append(text, i, best - i);
        std::size_t end = best;
        while (end < text.size()) {
            auto c = static_cast<unsigned char>(text[end]);
            if (c <= 0x20 || c >= 0x80 || c == '<' || c == '>' || c == '"' || c == '\'') break;
            ++end;
        }
        out += defang(std::string_view(text).substr(best, end - best));
        ++count;
        i = end;
    }
    if (count == 0) return 0;
    out.append(text, i, std::string::npos);
    text = std::move(out);
    return count;
}

}  // namespace mugaika::mail
