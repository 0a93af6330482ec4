#include "svg_draw_count.hpp"

#include <cctype>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::image {
namespace {

constexpr int kMaxReferenceDepth = 256;

std::string text_of(xmlNode* n) {
    xmlChar* v = xmlNodeGetContent(n);
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Every "#id" a value points to: url(#id) anywhere in it, quoted or not, white space around it or
// not, the function's name in any case (CSS names are case-insensitive; the id is not). Escapes and
// comments never get here: the cleaner removes every value that has one.
void url_targets(std::string_view value, std::vector<std::string>& out) {
    std::string folded(value);
    for (char& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (std::size_t at = folded.find("url("); at != std::string::npos; at = folded.find("url(", at + 4)) {
        std::size_t i = at + 4;
        while (i < value.size() && (space(value[i]) || value[i] == '"' || value[i] == '\'')) ++i;
        if (i >= value.size() || value[i] != '#') continue;
        std::size_t end = i + 1;
        while (end < value.size() && !space(value[end]) && value[end] != ')' && value[end] != '"' && value[end] != '\'') ++end;
        out.emplace_back(value.substr(i + 1, end - i - 1));
    }
}

struct Counter {
    std::unordered_map<std::string, xmlNode*> ids;
    std::unordered_map<xmlNode*, double> memo;
    std::unordered_set<xmlNode*> open;
    std::vector<std::string> sheet_targets;   // url(#id) in <style> elements
    double elements = 0;

    void index(xmlNode* parent) {
        for (xmlNode* n = parent->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE) continue;
            ++elements;
            for (xmlAttr* a = n->properties; a; a = a->next)
                if (std::string_view(reinterpret_cast<const char*>(a->name)) == "id") ids.emplace(svg_attribute(a), n);
            if (std::string_view(reinterpret_cast<const char*>(n->name)) == "style") url_targets(text_of(n), sheet_targets);
            index(n);
        }
    }

    double target(const std::string& id, int depth) {
        auto it = ids.find(id);
        return it == ids.end() ? 0 : count(it->second, depth + 1);
    }

    double count(xmlNode* n, int depth) {
        if (auto it = memo.find(n); it != memo.end()) return it->second;
        if (depth > kMaxReferenceDepth)
            throw SanitizeError(reason::limit_depth, "SVG references nested deeper than " + std::to_string(kMaxReferenceDepth));
        if (!open.insert(n).second) throw SanitizeError(reason::malformed, "SVG references itself (a reference cycle)");
        double total = 1;
        std::vector<std::string> refs;
        for (xmlAttr* a = n->properties; a; a = a->next) {
            std::string value = svg_attribute(a);
            std::string_view name(reinterpret_cast<const char*>(a->name));
            std::string_view href = svg_trim(value);
            if (name == "href" && href.size() > 1 && href[0] == '#') refs.emplace_back(href.substr(1));
            url_targets(value, refs);
        }
        for (const auto& id : refs) total += target(id, depth);
        for (xmlNode* c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) total += count(c, depth + 1);
        open.erase(n);
        memo.emplace(n, total);
        return total;
    }
};

}  // namespace

std::string svg_attribute(xmlAttr* a) {
    xmlChar* v = xmlNodeListGetString(a->doc, a->children, 1);
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

std::string_view svg_trim(std::string_view s) {
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

double svg_draw_count(xmlNode* root) {
    Counter c;
    c.elements = 1;
    c.index(root);
    double total = c.count(root, 0);
    for (const auto& id : c.sheet_targets) total += c.elements * c.target(id, 0);
    return total;
}

}  // namespace mugaika::image
