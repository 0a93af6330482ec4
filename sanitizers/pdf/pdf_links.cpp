#include "pdf_links.hpp"

#include <cctype>
#include <cstring>

namespace mugaika::pdf {

std::optional<std::string> safe_http_uri(std::string_view uri) {
    constexpr std::size_t kMaxLength = 2048;
    if (uri.empty() || uri.size() > kMaxLength) return std::nullopt;
    std::string lower;
    for (std::size_t i = 0; i < uri.size() && i < 8; ++i)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(uri[i])));
    std::size_t scheme_len = lower.starts_with("https://") ? 8 : lower.starts_with("http://") ? 7 : 0;
    if (scheme_len == 0) return std::nullopt;
    // Needs a host: "http:///x" or "https://" alone is no link.
    if (uri.size() == scheme_len || uri[scheme_len] == '/') return std::nullopt;

    static constexpr const char* kSafe = "-._~:/?#[]@!$&*+,;=%";
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = lower.substr(0, scheme_len);
    for (std::size_t i = scheme_len; i < uri.size(); ++i) {
        auto c = static_cast<unsigned char>(uri[i]);
        if (c < 0x20 || c == 0x7F) return std::nullopt;   // control characters: not a link we trust
        if (std::isalnum(c) || (c < 0x80 && std::strchr(kSafe, c))) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    if (out.size() > kMaxLength * 3) return std::nullopt;
    return out;
}

}  // namespace mugaika::pdf
