#include "part_info.hpp"

#include <stdexcept>

namespace mugaika::mail {
namespace {
std::string trim_lower(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

PartInfo part_info(const MimeNode& node) {
    PartInfo p;
    p.type = node.type;
    p.subtype = node.subtype;
    StructuredValue ct, cd;
    if (const RawHeader* h = find_header(node.headers, "Content-Type")) ct = parse_structured(unfold(h->value));
    if (const RawHeader* h = find_header(node.headers, "Content-Disposition")) cd = parse_structured(unfold(h->value));
    p.charset = param_ascii(ct, "charset");
    if (p.charset.size() >= 2 && p.charset.front() == '\'' && p.charset.back() == '\'')
        p.charset = p.charset.substr(1, p.charset.size() - 2);
    p.disposition = cd.value;
    p.smime_type = param_ascii(ct, "smime-type");
    p.start = param_ascii(ct, "start");   // lower case, like content_id below
    p.protocol = param_ascii(ct, "protocol");
    if (auto f = param_text(cd, "filename", p.name_flags)) p.filename = *f;
    if (p.filename.empty())
        if (auto f = param_text(ct, "name", p.name_flags)) p.filename = *f;
    p.conflicting_params = ct.duplicates || cd.duplicates;
    if (const RawHeader* h = find_header(node.headers, "Content-ID")) {
        std::string id = trim_lower(unfold(h->value));
        if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
        p.content_id = id;
    }
    p.encoding = "7bit";
    if (const RawHeader* h = find_header(node.headers, "Content-Transfer-Encoding")) {
        p.encoding = trim_lower(unfold(h->value));
        if (count_headers(node.headers, "Content-Transfer-Encoding") > 1)
            for (const auto& other : node.headers)
                if (&other != h && trim_lower(other.name) == "content-transfer-encoding" &&
                    trim_lower(unfold(other.value)) != p.encoding)
                    p.conflicting_encoding = true;
    }
    return p;
}

DecodedBody decode_body(const MimeNode& node, const PartInfo& info) {
    DecodedBody d;
    if (info.encoding == "base64") {
        d.bytes = decode_base64(node.body, d.stats);
        // Our decoder and an independent count must agree on the size, or we fail closed.
        if (d.bytes.size() != base64_decoded_size(node.body))
            throw std::logic_error("base64 decoded size does not match its count");
    } else if (info.encoding == "quoted-printable") {
        d.bytes = decode_quoted_printable(node.body, d.stats);
    } else {
        d.unknown_encoding = !(info.encoding == "7bit" || info.encoding == "8bit" || info.encoding == "binary" ||
                               info.encoding.empty());
        d.bytes = node.body;
    }
    return d;
}

}  // namespace mugaika::mail
