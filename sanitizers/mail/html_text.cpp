#include "html_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
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

// What the text does with an element, by its (lower-case, local) name: one lookup per element
// instead of a scan of every list.
enum class Tag { plain, script, metadata, form, br, img, hr, li, list, cell, tr, a, pre, para, block };

Tag tag_of(std::string_view n) {
    // Sorted by name for the binary search below (checked once, in the first call).
    static constexpr std::pair<std::string_view, Tag> kTags[] = {
        {"a", Tag::a}, {"address", Tag::block}, {"applet", Tag::script}, {"article", Tag::block},
        {"aside", Tag::block}, {"audio", Tag::script}, {"base", Tag::metadata}, {"blockquote", Tag::para},
        {"body", Tag::block}, {"br", Tag::br}, {"button", Tag::form}, {"canvas", Tag::script},
        {"caption", Tag::block}, {"center", Tag::block}, {"datalist", Tag::form}, {"dd", Tag::block},
        {"details", Tag::block}, {"div", Tag::block}, {"dl", Tag::block}, {"dt", Tag::block},
        {"embed", Tag::script}, {"fieldset", Tag::block}, {"figcaption", Tag::block}, {"figure", Tag::block},
        {"footer", Tag::block}, {"form", Tag::form}, {"frame", Tag::script}, {"frameset", Tag::script},
        {"header", Tag::block}, {"hr", Tag::hr}, {"html", Tag::block}, {"iframe", Tag::script},
        {"img", Tag::img}, {"input", Tag::form}, {"keygen", Tag::form}, {"li", Tag::li},
        {"link", Tag::metadata}, {"main", Tag::block}, {"map", Tag::script}, {"math", Tag::script},
        {"meta", Tag::metadata}, {"nav", Tag::block}, {"noembed", Tag::script}, {"noframes", Tag::script},
        {"object", Tag::script}, {"ol", Tag::list}, {"optgroup", Tag::form}, {"option", Tag::form},
        {"output", Tag::form}, {"p", Tag::para}, {"param", Tag::script}, {"pre", Tag::pre},
        {"script", Tag::script}, {"section", Tag::block}, {"select", Tag::form}, {"source", Tag::script},
        {"style", Tag::script}, {"summary", Tag::block}, {"svg", Tag::script}, {"table", Tag::para},
        {"tbody", Tag::block}, {"td", Tag::cell}, {"template", Tag::script}, {"textarea", Tag::form},
        {"tfoot", Tag::block}, {"th", Tag::cell}, {"thead", Tag::block}, {"title", Tag::metadata},
        {"tr", Tag::tr}, {"track", Tag::script}, {"ul", Tag::list}, {"video", Tag::script},
    };
    static_assert(std::is_sorted(std::begin(kTags), std::end(kTags),
                                 [](const auto& x, const auto& y) { return x.first < y.first; }));
    // h1 to h6 are headings, and so is any h + digit the walk took for a paragraph.
    if (n.size() == 2 && n[0] == 'h' && n[1] >= '0' && n[1] <= '9') return Tag::para;
    auto it = std::lower_bound(std::begin(kTags), std::end(kTags), n, [](const auto& e, std::string_view k) { return e.first < k; });
    return it != std::end(kTags) && it->first == n ? it->second : Tag::plain;
}

bool blank_char(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool equals_ignoring_case(std::string_view a, std::string_view lower_b) {
    if (a.size() != lower_b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != lower_b[i]) return false;
    return true;
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
bool hidden_by_style(std::string_view style_raw, std::string& style) {
    style.clear();   // the caller's buffer, reused from element to element
    for (char c : style_raw)
        if (!blank_char(c)) style.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
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

// The text a reader sees, written while libxml2's HTML parser reads the document (SAX): no tree is
// built. The parser's events are the ones its own tree builder receives (implied <html>, <body>, <p>,
// elements closed by others, entities already decoded), so the text is the one a walk of that tree
// gives: an element's start does what the walk did on entering it, its end what it did on leaving.
// Elements whose content is never shown (scripts, forms, hidden ones, content deeper than kMaxDepth)
// are skipped with their whole subtree, whose nodes are neither shown nor counted, as in the walk.
class Writer {
public:
    Writer(LinkMode mode, std::size_t max_nodes, HtmlText& r) : mode_(mode), max_nodes_(max_nodes), r_(r) {}

    // The SAX handlers (the parser's `userData` is the Writer).
    static void on_start(void* self, const xmlChar* name, const xmlChar** atts) {
        static_cast<Writer*>(self)->start(reinterpret_cast<const char*>(name), reinterpret_cast<const char**>(atts));
    }
    static void on_end(void* self, const xmlChar*) { static_cast<Writer*>(self)->end(); }
    static void on_text(void* self, const xmlChar* s, int len) {
        static_cast<Writer*>(self)->characters(std::string_view(reinterpret_cast<const char*>(s), static_cast<std::size_t>(len)));
    }
    static void on_other(void* self, const xmlChar*) { static_cast<Writer*>(self)->other_node(); }
    static void on_pi(void* self, const xmlChar*, const xmlChar*) { static_cast<Writer*>(self)->other_node(); }

    void set_parser(xmlParserCtxtPtr parser) { parser_ = parser; }
    // The node bound, when it was hit (the parser is stopped then; the caller throws).
    bool over_limit() const { return over_limit_; }

    std::string finish() {
        // Trim trailing blanks on each line and keep at most one empty line in a row.
        std::string out;
        out.reserve(buf_.size());
        std::size_t blank_run = 0;
        std::size_t start = 0;
        while (start <= buf_.size()) {
            auto eol = buf_.find('\n', start);
            std::string_view line = std::string_view(buf_).substr(start, eol == std::string::npos ? std::string::npos : eol - start);
            while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
            if (line.empty()) {
                if (++blank_run <= 1 && !out.empty()) out += "\n";
            } else {
                blank_run = 0;
                out += line;
                out += "\n";
            }
            if (eol == std::string::npos) break;
            start = eol + 1;
        }
        while (out.size() >= 2 && out.ends_with("\n\n")) out.pop_back();
        return out;
    }

private:
    // What an open element does when it ends.
    enum class Kind { plain, list_item, list, cell, row, link, block, para, pre };
    struct Frame {
        Kind kind;
        bool saved_cell = false;    // row: cell_in_row_ of the enclosing row
        std::size_t before = 0;     // link: where its text starts in buf_
        std::string href = {};      // link
    };
    static constexpr std::size_t kMaxDepth = 200;   // libxml2 caps nesting too; this bounds our stack

    // Every node of the document counts against the bound, once: an element, a comment or processing
    // instruction, a run of text (the parser may hand one text node over in several pieces), and the
    // document type node the tree always has.
    bool count_node() {
        if (!max_nodes_ || ++nodes_ <= max_nodes_) return true;
        over_limit_ = true;
        if (parser_) xmlStopParser(parser_);
        return false;
    }

    void other_node() {
        if (skipping_ || over_limit_) return;
        in_text_ = false;
        count_node();
    }

    void characters(std::string_view s) {
        // Text outside every element has no node to go into: the tree builder drops it.
        if (skipping_ || over_limit_ || open_ == 0) return;
        if (!in_text_ && !count_node()) return;
        in_text_ = true;
        // Text stops at a NUL like the tree's text did (the parser does not hand one over anyway).
        if (auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
        text(s);
    }

    static const char* attr(const char** atts, std::string_view name) {
        if (!atts) return nullptr;
        for (std::size_t i = 0; atts[i]; i += 2)
            if (name == atts[i]) return atts[i + 1] ? atts[i + 1] : "";
        return nullptr;
    }
    static std::string attr_value(const char** atts, std::string_view name) {
        const char* v = attr(atts, name);
        return v ? std::string(v) : std::string();
    }

    void skip() { skipping_ = 1; }

    // The tree builder names an element by the part of its name after a prefix ("a:script" is a
    // script), with libxml2's own rule for splitting it.
    std::string local_name(const char* name) const {
        if (!std::strchr(name, ':')) return name;
        xmlChar* prefix = nullptr;
        xmlChar* local = xmlSplitQName(parser_, BAD_CAST name, &prefix);
        std::string out = local ? reinterpret_cast<const char*>(local) : name;
        xmlFree(local);
        xmlFree(prefix);
        return out;
    }

    // The element's name as the walk compared it: local (after a prefix) and lower-case. libxml2's
    // HTML parser hands names over lower-case already, so the copy is only made when one is not.
    std::string_view element_name(const char* raw_name) {
        std::string_view name = raw_name;
        if (name.find(':') != std::string_view::npos) {
            name_buf_ = local_name(raw_name);
            name = name_buf_;
        }
        auto upper = [](char c) { return std::tolower(static_cast<unsigned char>(c)) != static_cast<unsigned char>(c); };
        if (std::any_of(name.begin(), name.end(), upper)) {
            if (name.data() != name_buf_.data()) name_buf_.assign(name);
            for (char& c : name_buf_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            name = name_buf_;
        }
        return name;
    }

    void start(const char* raw_name, const char** atts) {
        in_text_ = false;
        // The tree builder stops the parse at libxml2's depth limit (256 without XML_PARSE_HUGE): so
        // do we. It bounds the parser's own work too (closing tags search its stack of open elements).
        if (open_ > xmlParserMaxDepth) {
            if (parser_) xmlStopParser(parser_);
            return;
        }
        ++open_;
        if (skipping_) {
            ++skipping_;
            return;
        }
        if (over_limit_ || !count_node()) return skip();
        if (frames_.size() > kMaxDepth) return skip();
        std::string_view name = element_name(raw_name);
        Tag tag = tag_of(name);
        if (tag == Tag::script || tag == Tag::metadata) {
            if (tag == Tag::script) ++r_.scripts;   // title, meta, link and base are not counted
            return skip();
        }
        if (tag == Tag::form) {
            ++r_.forms;
            return skip();
        }
        const char* style = attr(atts, "style");
        const char* aria_hidden = attr(atts, "aria-hidden");
        if (attr(atts, "hidden") || (style && hidden_by_style(style, style_buf_)) ||
            (aria_hidden && equals_ignoring_case(aria_hidden, "true"))) {
            ++r_.hidden;
            return skip();
        }
        switch (tag) {
        case Tag::br:
            buf_ += "\n";
            space_pending_ = false;
            return skip();   // its content, if the parser gave it any, was never shown
        case Tag::img:
            image(atts);
            return skip();
        case Tag::hr:
            newline();
            buf_ += "----------------------------------------\n";
            return skip();
        case Tag::li: {
            newline();
            buf_.append(2 * static_cast<std::size_t>(std::max(0, list_depth_ - 1)), ' ');
            if (!ordered_.empty() && ordered_.back() > 0) buf_ += std::to_string(ordered_.back()++) + ". ";
            else buf_ += "・";
            return frames_.push_back({Kind::list_item});
        }
        case Tag::list:
            newline();
            ordered_.push_back(name == "ol" ? 1 : 0);
            ++list_depth_;
            return frames_.push_back({Kind::list});
        case Tag::cell:
            if (!buf_.empty() && buf_.back() != '\n' && cell_in_row_) buf_ += " | ";
            cell_in_row_ = true;
            return frames_.push_back({Kind::cell});
        case Tag::tr:
            newline();
            frames_.push_back({Kind::row, cell_in_row_});
            cell_in_row_ = false;
            return;
        case Tag::a: return frames_.push_back({Kind::link, false, buf_.size(), attr_value(atts, "href")});
        case Tag::pre:
            blank_line();
            ++pre_;
            return frames_.push_back({Kind::pre});
        case Tag::para:
            blank_line();
            return frames_.push_back({Kind::para});
        case Tag::block:
            newline();
            return frames_.push_back({Kind::block});
        default: break;
        }
        frames_.push_back({Kind::plain});
    }

    void end() {
        in_text_ = false;
        if (open_) --open_;
        if (skipping_) {
            --skipping_;
            return;
        }
        if (frames_.empty()) return;   // the parser balances its events; this only guards the stack
        Frame f = std::move(frames_.back());
        frames_.pop_back();
        switch (f.kind) {
        case Kind::plain:
        case Kind::cell: break;
        case Kind::list_item: newline(); break;
        case Kind::list:
            --list_depth_;
            ordered_.pop_back();
            newline();
            break;
        case Kind::row:
            cell_in_row_ = f.saved_cell;
            newline();
            break;
        case Kind::link: link_end(f); break;
        case Kind::block: newline(); break;
        case Kind::para: blank_line(); break;
        case Kind::pre:
            --pre_;
            blank_line();
            break;
        }
    }

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

    void text(std::string_view s) {
        if (pre_ > 0) {
            buf_ += s;
            return;
        }
        // Collapse runs of ASCII whitespace like a browser (ideographic spaces are kept).
        auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
        std::size_t i = 0;
        while (i < s.size()) {
            if (blank(s[i])) {
                space_pending_ = true;
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < s.size() && !blank(s[j])) ++j;
            emit(s.substr(i, j - i));
            i = j;
        }
    }

    static bool starts_ignoring_case(std::string_view s, std::string_view lower_prefix) {
        return equals_ignoring_case(s.substr(0, lower_prefix.size()), lower_prefix);
    }

    void image(const char** atts) {
        ++r_.images;
        const char* alt_attr = attr(atts, "alt");
        const char* src_attr = attr(atts, "src");
        std::string_view alt = alt_attr ? alt_attr : "", src = src_attr ? src_attr : "";
        double w = css_length(attr_value(atts, "width")), h = css_length(attr_value(atts, "height"));
        bool tiny = (w >= 0 && w <= 1) || (h >= 0 && h <= 1);
        bool remote = starts_ignoring_case(src, "http:") || starts_ignoring_case(src, "https:") || src.starts_with("//");
        std::string_view bare = src;
        while (!bare.empty() && (bare.front() == ' ' || bare.front() == '\t' || bare.front() == '\n' || bare.front() == '\r'))
            bare.remove_prefix(1);
        if (starts_ignoring_case(bare, "data:")) ++r_.embedded_images;   // its bytes are never shown: a removed inline image
        bool no_alt = std::all_of(alt.begin(), alt.end(), [](char c) { return c == ' ' || c == '\t'; });
        if (tiny || (remote && no_alt)) {
            ++r_.tracking;
            return;
        }
        if (!no_alt) {
            scratch_ = "[画像: ";
            for (char c : alt) scratch_.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
            scratch_ += "]";
            emit(scratch_);
        }
    }

    void link_end(const Frame& f) {
        const std::string& href = f.href;
        std::size_t before = f.before;
        if (href.empty() || href.starts_with("#") || starts_ignoring_case(href, "cid:")) return;
        if (is_dangerous_scheme(href)) {
            ++r_.dangerous_links;
            return;
        }
        std::string target = show_target(href, mode_);
        if (target.empty()) return;
        ++r_.links;
        // A link whose text is its own address shows the (defanged) address once.
        auto strip = [](std::string_view s) {
            while (!s.empty() && (s.back() == ' ' || s.back() == '/' || s.back() == '\n')) s.remove_suffix(1);
            while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
            return s;
        };
        std::string_view shown = strip(std::string_view(buf_).substr(std::min(before, buf_.size())));
        std::string_view h = strip(href);
        if (shown == h || (h.starts_with("mailto:") && h.substr(7) == shown)) {
            buf_.resize(before);
            emit(target);
            return;
        }
        space_pending_ = true;
        scratch_.clear();
        scratch_.push_back('<');
        scratch_.append(target);
        scratch_.push_back('>');
        emit(scratch_);
    }

    LinkMode mode_;
    std::size_t max_nodes_;
    std::size_t nodes_ = 1;   // the document type node
    bool over_limit_ = false;
    xmlParserCtxtPtr parser_ = nullptr;
    HtmlText& r_;
    std::string buf_;
    std::vector<Frame> frames_;   // open elements that are shown
    std::size_t skipping_ = 0;    // open elements of a skipped subtree (0: not in one)
    std::size_t open_ = 0;        // open elements, shown or skipped
    bool in_text_ = false;        // the last event was text: more of it is the same text node
    bool space_pending_ = false;
    int pre_ = 0;
    int list_depth_ = 0;
    std::vector<int> ordered_;
    bool cell_in_row_ = false;
    std::string name_buf_;    // element_name's copy, when it needs one
    std::string style_buf_;   // hidden_by_style's folded style
    std::string scratch_;     // text built before it is emitted
};

struct ParserFree {
    void operator()(htmlParserCtxtPtr p) const { htmlFreeParserCtxt(p); }
};

}  // namespace

HtmlText html_to_text(std::string_view utf8_html, LinkMode mode, std::size_t max_nodes) {
    HtmlText r;
    if (utf8_html.size() > static_cast<std::size_t>(INT32_MAX))
        throw SanitizeError(reason::limit_size, "HTML body too large");
    if (utf8_html.empty()) return r;   // nothing readable: an empty body, the caller notes it
    // NONET: no network; NOERROR/NOWARNING: hostile input must not flood stderr; IGNORE_ENC: the
    // text is UTF-8 already, whatever its <meta> says. No NOENT: entities are expanded only as text.
    // No NOIMPLIED: without the implied <body>, libxml2 nests content under a leading <meta>.
    int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
                  HTML_PARSE_IGNORE_ENC;
    // The steps of htmlReadMemory with our handlers in place of the tree builder's.
    std::unique_ptr<htmlParserCtxt, ParserFree> parser(
        htmlCreateMemoryParserCtxt(utf8_html.data(), static_cast<int>(utf8_html.size())));
    if (!parser || !parser->sax) throw SanitizeError(reason::limit_memory, "no HTML parser context");
    Writer w(mode, max_nodes, r);
    // Only the events the text needs; no document is built (startDocument is not set).
    xmlSAXHandler* sax = parser->sax;
    std::memset(sax, 0, sizeof(*sax));
    sax->startElement = Writer::on_start;
    sax->endElement = Writer::on_end;
    sax->characters = Writer::on_text;
    sax->cdataBlock = Writer::on_text;
    sax->ignorableWhitespace = Writer::on_text;   // the tree builder keeps blanks (keepBlanks): text here too
    sax->comment = Writer::on_other;
    sax->processingInstruction = Writer::on_pi;
    parser->userData = &w;
    w.set_parser(parser.get());
    htmlCtxtUseOptions(parser.get(), options);
    parser->html = 1;
    // UTF-8 as the input says, never what a <meta> declares (IGNORE_ENC, and a set input encoding).
    if (xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8")) {
        xmlSwitchToEncoding(parser.get(), utf8);
        if (parser->input->encoding) xmlFree(const_cast<xmlChar*>(parser->input->encoding));
        parser->input->encoding = xmlStrdup(BAD_CAST "UTF-8");
    }
    htmlParseDocument(parser.get());
    if (parser->myDoc) {   // none is built; freed should a libxml2 ever make one anyway
        xmlFreeDoc(parser->myDoc);
        parser->myDoc = nullptr;
    }
    if (w.over_limit())
        throw SanitizeError(reason::limit_members, "HTML body has more than " + std::to_string(max_nodes) + " nodes");
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
