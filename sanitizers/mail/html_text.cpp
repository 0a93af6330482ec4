#include "html_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <vector>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"

namespace mugaika::mail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string attr(xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v) return {};
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

bool has_attr(xmlNode* n, const char* name) { return xmlHasProp(n, reinterpret_cast<const xmlChar*>(name)) != nullptr; }

bool name_in(std::string_view name, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

// Elements whose content is never shown as text (active content, metadata, embedded media).
bool is_dropped(std::string_view n) {
    return name_in(n, {"script", "style", "title", "meta", "link", "object", "embed", "applet", "iframe",
                       "frame", "frameset", "template", "svg", "math", "canvas", "audio", "video", "source",
                       "track", "base", "noembed", "noframes", "param", "map"});
}
bool is_form(std::string_view n) {
    return name_in(n, {"form", "input", "button", "select", "option", "optgroup", "textarea", "datalist",
                       "output", "keygen"});
}
bool is_block(std::string_view n) {
    return name_in(n, {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
                       "article", "header", "footer", "address", "center", "ul", "ol", "dl", "dt", "dd", "table",
                       "tr", "caption", "figure", "figcaption", "nav", "aside", "main", "hr", "fieldset",
                       "details", "summary", "body", "html", "tbody", "thead", "tfoot"});
}

// The numeric value of a CSS length ("0", "0px", "0.0pt", "1px") or -1.
double css_length(std::string_view v) {
    std::size_t i = 0;
    while (i < v.size() && v[i] == ' ') ++i;
    std::size_t start = i;
    while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
    if (i == start) return -1;
    try {
        return std::stod(std::string(v.substr(start, i - start)));
    } catch (...) {
        return -1;
    }
}

// Inline styles that hide content from the reader while a filter would still see it.
bool hidden_by_style(const std::string& style_raw) {
    std::string style;
    for (char c : lower(style_raw))
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') style.push_back(c);
    if (style.find("display:none") != std::string::npos || style.find("visibility:hidden") != std::string::npos ||
        style.find("visibility:collapse") != std::string::npos)
        return true;
    for (std::string_view prop : {"font-size:", "max-height:", "max-width:", "opacity:"}) {
        for (std::size_t p = style.find(prop); p != std::string::npos; p = style.find(prop, p + 1)) {
            if (p > 0 && style[p - 1] != ';' && style[p - 1] != '"') continue;   // e.g. line-height vs height
            if (css_length(std::string_view(style).substr(p + prop.size())) == 0) return true;
        }
    }
    for (std::string_view prop : {"height:", "width:"}) {
        for (std::size_t p = style.find(prop); p != std::string::npos; p = style.find(prop, p + 1)) {
            if (p > 0 && style[p - 1] != ';') continue;
            if (css_length(std::string_view(style).substr(p + prop.size())) == 0 &&
                style.find("overflow:hidden") != std::string::npos)
                return true;
        }
    }
    return false;
}

class Writer {
public:
    Writer(LinkMode mode, std::size_t max_nodes, HtmlText& r) : mode_(mode), max_nodes_(max_nodes), r_(r) {}

    void walk(xmlNode* node, int depth) {
        for (xmlNode* n = node; n; n = n->next) {
            if (max_nodes_ && ++nodes_ > max_nodes_)
                throw SanitizeError(reason::limit_members, "HTML body has more than " + std::to_string(max_nodes_) + " nodes");
            if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                text(reinterpret_cast<const char*>(n->content ? n->content : reinterpret_cast<const xmlChar*>("")));
                continue;
            }
            if (n->type != XML_ELEMENT_NODE) continue;
            element(n, depth);
        }
    }

    std::string finish() {
        // Trim trailing blanks on each line and keep at most one empty line in a row.
        std::string out;
        std::size_t blank_run = 0;
        std::size_t start = 0;
        while (start <= buf_.size()) {
            auto eol = buf_.find('\n', start);
            std::string line = buf_.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
            while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
            if (line.empty()) {
                if (++blank_run <= 1 && !out.empty()) out += "\n";
            } else {
                blank_run = 0;
                out += line + "\n";
            }
            if (eol == std::string::npos) break;
            start = eol + 1;
        }
        while (out.size() >= 2 && out.ends_with("\n\n")) out.pop_back();
        return out;
    }

private:
    void newline() {
        if (!buf_.empty() && buf_.back() != '\n') buf_ += "\n";
        space_pending_ = false;
    }
    void blank_line() {
        newline();
        if (buf_.size() >= 2 && !buf_.ends_with("\n\n")) buf_ += "\n";
    }
    void emit(std::string_view s) {
        if (s.empty()) return;
        if (space_pending_ && !buf_.empty() && buf_.back() != '\n' && buf_.back() != ' ') buf_ += ' ';
        space_pending_ = false;
        buf_ += s;
    }

    void text(const char* s) {
        if (pre_ > 0) {
            buf_ += s;
            return;
        }
        // Collapse runs of ASCII whitespace like a browser (ideographic spaces are kept).
        std::string word;
        for (const char* p = s; *p; ++p) {
            char c = *p;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                if (!word.empty()) emit(word);
                word.clear();
                space_pending_ = true;
            } else {
                word.push_back(c);
            }
        }
        if (!word.empty()) emit(word);
    }

    void element(xmlNode* n, int depth) {
        std::string name = lower(reinterpret_cast<const char*>(n->name));
        if (depth > 200) return;   // libxml2 already caps nesting; this keeps our recursion bounded too
        if (is_dropped(name)) {
            if (name != "title" && name != "meta" && name != "link" && name != "base") ++r_.scripts;
            return;
        }
        if (is_form(name)) {
            ++r_.forms;
            return;
        }
        if (has_attr(n, "hidden") || hidden_by_style(attr(n, "style")) || lower(attr(n, "aria-hidden")) == "true") {
            ++r_.hidden;
            return;
        }
        if (name == "br") {
            buf_ += "\n";
            space_pending_ = false;
            return;
        }
        if (name == "img") {
            image(n);
            return;
        }
        if (name == "hr") {
            newline();
            buf_ += "----------------------------------------\n";
            return;
        }
        if (name == "li") {
            newline();
            std::string indent(2 * std::max(0, list_depth_ - 1), ' ');
            if (!ordered_.empty() && ordered_.back() > 0) buf_ += indent + std::to_string(ordered_.back()++) + ". ";
            else buf_ += indent + "・";
            walk(n->children, depth + 1);
            newline();
            return;
        }
        if (name == "ul" || name == "ol") {
            newline();
            ordered_.push_back(name == "ol" ? 1 : 0);
            ++list_depth_;
            walk(n->children, depth + 1);
            --list_depth_;
            ordered_.pop_back();
            newline();
            return;
        }
        if (name == "td" || name == "th") {
            if (!buf_.empty() && buf_.back() != '\n' && cell_in_row_) buf_ += " | ";
            cell_in_row_ = true;
            walk(n->children, depth + 1);
            return;
        }
        if (name == "tr") {
            newline();
            bool saved = cell_in_row_;
            cell_in_row_ = false;
            walk(n->children, depth + 1);
            cell_in_row_ = saved;
            newline();
            return;
        }
        if (name == "a") {
            link(n, depth);
            return;
        }
        bool block = is_block(name);
        bool para = name == "p" || (name.size() == 2 && name[0] == 'h' && std::isdigit(static_cast<unsigned char>(name[1])));
        if (para || name == "blockquote" || name == "table" || name == "pre") blank_line();
        else if (block) newline();
        if (name == "pre") ++pre_;
        walk(n->children, depth + 1);
        if (name == "pre") --pre_;
        if (para || name == "blockquote" || name == "table" || name == "pre") blank_line();
        else if (block) newline();
    }

    void image(xmlNode* n) {
        ++r_.images;
        std::string alt = attr(n, "alt");
        std::string src = lower(attr(n, "src"));
        double w = css_length(attr(n, "width")), h = css_length(attr(n, "height"));
        bool tiny = (w >= 0 && w <= 1) || (h >= 0 && h <= 1);
        bool remote = src.starts_with("http:") || src.starts_with("https:") || src.starts_with("//");
        std::string_view bare = src;
        while (!bare.empty() && (bare.front() == ' ' || bare.front() == '\t' || bare.front() == '\n' || bare.front() == '\r'))
            bare.remove_prefix(1);
        if (bare.starts_with("data:")) ++r_.embedded_images;   // its bytes are never shown: a removed inline image
        std::string trimmed;
        for (char c : alt)
            if (c != ' ' && c != '\t') trimmed.push_back(c);
        if (tiny || (remote && trimmed.empty())) {
            ++r_.tracking;
            return;
        }
        if (!trimmed.empty()) {
            std::string clean;
            for (char c : alt) clean.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
            emit("[画像: " + clean + "]");
        }
    }

    void link(xmlNode* n, int depth) {
        std::string href = attr(n, "href");
        std::size_t before = buf_.size();
        walk(n->children, depth + 1);
        std::string shown_text = buf_.substr(std::min(before, buf_.size()));
        if (href.empty() || href.starts_with("#") || lower(href).starts_with("cid:")) return;
        if (is_dangerous_scheme(href)) {
            ++r_.dangerous_links;
            return;
        }
        std::string target = show_target(href, mode_);
        if (target.empty()) return;
        ++r_.links;
        // A link whose text is its own address shows the (defanged) address once.
        auto strip = [](std::string s) {
            while (!s.empty() && (s.back() == ' ' || s.back() == '/' || s.back() == '\n')) s.pop_back();
            while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.erase(0, 1);
            return s;
        };
        std::string shown = strip(shown_text);
        std::string h = strip(href);
        if (shown == h || "mailto:" + shown == h) {
            buf_.resize(before);
            emit(target);
            return;
        }
        space_pending_ = true;
        emit("<" + target + ">");
    }

    LinkMode mode_;
    std::size_t max_nodes_;
    std::size_t nodes_ = 0;
    HtmlText& r_;
    std::string buf_;
    bool space_pending_ = false;
    int pre_ = 0;
    int list_depth_ = 0;
    std::vector<int> ordered_;
    bool cell_in_row_ = false;
};

struct DocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

}  // namespace

HtmlText html_to_text(std::string_view utf8_html, LinkMode mode, std::size_t max_nodes) {
    HtmlText r;
    if (utf8_html.size() > static_cast<std::size_t>(INT32_MAX))
        throw SanitizeError(reason::limit_size, "HTML body too large");
    // NONET: no network; NOERROR/NOWARNING: hostile input must not flood stderr; IGNORE_ENC: the
    // text is UTF-8 already, whatever its <meta> says. No NOENT: entities are expanded only as text.
    // No NOIMPLIED: without the implied <body>, libxml2 nests content under a leading <meta>.
    int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
                  HTML_PARSE_IGNORE_ENC;
    std::unique_ptr<xmlDoc, DocFree> doc(htmlReadMemory(utf8_html.data(), static_cast<int>(utf8_html.size()),
                                                        nullptr, "UTF-8", options));
    if (!doc) return r;   // nothing readable: an empty body, the caller notes it
    Writer w(mode, max_nodes, r);
    w.walk(doc->children, 0);
    r.text = w.finish();
    return r;
}

std::string html_declared_charset(std::string_view html) {
    std::string head = lower(html.substr(0, 4096));
    for (std::size_t p = head.find("<meta"); p != std::string::npos; p = head.find("<meta", p + 5)) {
        auto end = head.find('>', p);
        std::string_view tag = std::string_view(head).substr(p, end == std::string::npos ? std::string::npos : end - p);
        auto c = tag.find("charset");
        if (c == std::string_view::npos) continue;
        std::size_t i = c + 7;
        while (i < tag.size() && (tag[i] == ' ' || tag[i] == '=' || tag[i] == '"' || tag[i] == '\'')) ++i;
        std::size_t j = i;
        while (j < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[j])) || tag[j] == '-' || tag[j] == '_'))
            ++j;
        // A <meta> can only be read when the document is ASCII-compatible, so a declared UTF-16 or
        // UTF-32 cannot be true: HTML's own rule reads such a document as UTF-8.
        if (j > i) {
            std::string declared(tag.substr(i, j - i));
            if (declared.starts_with("utf-16") || declared.starts_with("utf-32") || declared.starts_with("ucs-") ||
                declared == "unicode")
                return "UTF-8";
            return declared;
        }
    }
    return {};
}

}  // namespace mugaika::mail
