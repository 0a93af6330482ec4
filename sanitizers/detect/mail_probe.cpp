#include <array>
#include <cctype>

#include "probes.hpp"

namespace mugaika::detect {
namespace {

constexpr std::array<std::string_view, 12> kMailHeaders{
    "from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version",
    "content-type", "reply-to", "delivered-to", "x-mailer",
};

}  // namespace

bool looks_like_mail(std::string_view bytes) {
    // Look only at the head; an mbox "From " line may precede the headers.
    std::string_view head = bytes.substr(0, 64 * 1024);
    if (head.starts_with("From ")) head.remove_prefix(std::min(head.find('\n') + 1, head.size()));
    int known = 0, fields = 0;
    bool has_from_or_received = false;
    std::size_t pos = 0;
    while (pos < head.size()) {
        std::size_t eol = head.find('\n', pos);
        if (eol == std::string_view::npos) return false;   // the header block never ends
        std::string_view line = head.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = eol + 1;
        if (line.empty()) break;                             // end of headers
        if (line[0] == ' ' || line[0] == '\t') {             // folded continuation
            if (fields == 0) return false;
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return false;
        std::string name;
        for (char c : line.substr(0, colon)) {
            auto u = static_cast<unsigned char>(c);
            if (u <= 32 || u >= 127) return false;           // RFC 5322 field names are printable ASCII
            name.push_back(static_cast<char>(std::tolower(u)));
        }
        ++fields;
        for (auto h : kMailHeaders)
            if (name == h) ++known;
        if (name == "from" || name == "received") has_from_or_received = true;
    }
    return fields >= 2 && known >= 2 && has_from_or_received;
}

}  // namespace mugaika::detect
