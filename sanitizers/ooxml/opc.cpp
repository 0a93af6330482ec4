#include "opc.hpp"

#include <cctype>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "xml_safe.hpp"

namespace mugaika::ooxml {

std::string lower(std::string_view s) {
    std::string o(s);
    for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

std::string percent_decode(std::string_view s) {
    std::string o;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            o += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            o += s[i];
        }
    }
    return o;
}

namespace {
bool owned(const std::string& name) {
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string::npos) end = name.size();
        std::string_view seg(name.data() + start, end - start);
        if (seg == "_rels" || seg == "[content_types].xml" || seg.ends_with(".rels")) return true;
        start = end + 1;
    }
    return false;
}
}  // namespace

bool is_writer_owned(std::string_view name) {
    std::string once = percent_decode(name);
    // Twice too: a reader that decodes once more than we do must not find one either.
    return owned(lower(name)) || owned(lower(once)) || owned(lower(percent_decode(once)));
}

std::string target_for_entry(std::string_view zip_name) {
    static const char* hex = "0123456789ABCDEF";
    std::string out = "/";
    for (unsigned char c : zip_name) {
        bool plain = c > 0x20 && c < 0x7F && std::string_view("\"<>\\^`{|}#?").find(static_cast<char>(c)) == std::string_view::npos;
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

ContentTypes ContentTypes::parse(std::string_view xml) {
    ContentTypes t;
    XmlDoc doc = parse_xml(xml, "[Content_Types].xml");
    xmlNodePtr root = xmlDocGetRootElement(doc.get());
    if (!is(root, ns::ct, "Types")) throw SanitizeError(reason::malformed, "[Content_Types].xml has no Types root");
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (is(n, ns::ct, "Override")) t.overrides_[lower(attr(n, "PartName"))] = attr(n, "ContentType");
        else if (is(n, ns::ct, "Default")) t.defaults_[lower(attr(n, "Extension"))] = attr(n, "ContentType");
    }
    return t;
}

std::string ContentTypes::of(const std::string& part) const {
    std::string key = lower(part);
    if (auto it = overrides_.find(key); it != overrides_.end()) return it->second;
    auto slash = key.rfind('/'), dot = key.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
    if (auto it = defaults_.find(key.substr(dot + 1)); it != defaults_.end()) return it->second;
    return {};
}

std::vector<Relationship> parse_relationships(std::string_view xml, const std::string& source_part) {
    std::vector<Relationship> out;
    XmlDoc doc = parse_xml(xml, rels_part_for(source_part));
    xmlNodePtr root = xmlDocGetRootElement(doc.get());
    if (!is(root, ns::rels, "Relationships"))
        throw SanitizeError(reason::malformed, rels_part_for(source_part) + " has no Relationships root");
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (!is(n, ns::rels, "Relationship")) continue;
        Relationship r;
        r.id = attr(n, "Id");
        r.type = attr(n, "Type");
        r.target = attr(n, "Target");
        r.external = attr(n, "TargetMode") == "External";
        r.anchor = !r.external && r.target.starts_with("#");
        if (!r.external && !r.anchor) r.part = resolve_target(source_part, r.target);
        out.push_back(std::move(r));
    }
    return out;
}

std::string rels_part_for(const std::string& part) {
    if (part == "/" || part.empty()) return "/_rels/.rels";
    auto slash = part.rfind('/');
    return part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
}

std::string resolve_target(const std::string& source_part, std::string_view target) {
    if (target.empty() || target.find_first_of("?#\\") != std::string_view::npos) return {};
    if (target.find(':') != std::string_view::npos) return {};   // a scheme: not a part
    std::string base = target.front() == '/' ? std::string() : source_part.substr(0, source_part.rfind('/') + 1);
    std::string path = base + std::string(target);
    std::vector<std::string> segs;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string seg = path.substr(start, end - start);
        if (seg == "..") {
            if (segs.empty()) return {};
            segs.pop_back();
        } else if (!seg.empty() && seg != ".") {
            segs.push_back(seg);
        }
        start = end + 1;
    }
    if (segs.empty()) return {};
    std::string out;
    for (const auto& s : segs) out += "/" + s;
    return out;
}

}  // namespace mugaika::ooxml
