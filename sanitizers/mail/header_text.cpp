#include "header_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "../text/charset.hpp"
#include "transfer_decode.hpp"

namespace mugaika::mail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_ascii(std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// One =?charset?enc?text?= starting at `pos`, or nothing.
struct Word {
    std::size_t end = 0;   // one past "?="
    std::string charset;
    std::string bytes;
};

std::optional<Word> parse_word(std::string_view s, std::size_t pos) {
    if (s.compare(pos, 2, "=?") != 0) return std::nullopt;
    std::size_t q1 = s.find('?', pos + 2);
    if (q1 == std::string_view::npos || q1 == pos + 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
    std::string_view cs = s.substr(pos + 2, q1 - pos - 2);
    if (cs.size() > 40 || cs.find_first_of(" \t\"()<>,;:") != std::string_view::npos) return std::nullopt;
    char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(s[q1 + 1])));
    if (enc != 'B' && enc != 'Q') return std::nullopt;
    std::size_t text_start = q1 + 3;
    // Real words exceed RFC 2047's 75 characters, but not by much: a bounded search keeps a header
    // full of unterminated "=?" from costing quadratic time.
    std::size_t close = s.substr(text_start, 4096).find("?=");
    if (close == std::string_view::npos) return std::nullopt;
    close += text_start;
    std::string_view text = s.substr(text_start, close - text_start);
    if (text.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
    DecodeStats stats;
    Word w;
    w.end = close + 2;
    w.charset = std::string(cs.substr(0, cs.find('*')));   // RFC 2231 language suffix: =?UTF-8*ja?...
    w.bytes = enc == 'B' ? decode_base64(text, stats) : decode_q(text, stats);
    return w;
}

std::string strip_controls(std::string s) {
    for (char& c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) c = ' ';
    }
    // C1 controls (U+0080-U+009F) in UTF-8 are C2 80..C2 9F: replace with two spaces, keeping length.
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) <= 0x9F)
            s[i] = s[i + 1] = ' ';
    return s;
}

}  // namespace

std::string unfold(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw)
        if (c != '\r' && c != '\n') out.push_back(c);
    return out;
}

std::string to_utf8(std::string_view bytes, std::string_view charset, TextFlags& flags) {
    // A byte order mark wins over the label (as in browsers): a "utf-16" body written little-endian
    // with its BOM, or a UTF-8 body with a BOM labelled Shift_JIS, reads as the mark says.
    if (auto d = charset::decode_by_bom(bytes)) {
        std::string label = charset::canonical(charset);
        bool agrees = label == d->charset || (label == "UTF-16" && d->charset.starts_with("UTF-16")) ||
                      (label == "UTF-32" && d->charset.starts_with("UTF-32"));
        if (charset.empty()) flags.unlabelled_8bit = true;
        else if (!agrees) flags.mislabelled = true;
        if (!agrees) flags.guessed_charset = d->charset;
        return std::move(d->utf8);
    }
    if (!charset.empty() && !charset::canonical(charset).empty()) {
        if (auto d = charset::decode(bytes, charset)) return *d;
    }
    if (is_ascii(bytes)) {
        // ASCII with ISO-2022-JP escapes but labelled otherwise (or not at all) still reads as Japanese.
        if (bytes.find('\x1B') != std::string_view::npos)
            if (auto d = charset::decode(bytes, "ISO-2022-JP")) {
                if (!charset.empty()) flags.mislabelled = true;
                return *d;
            }
        return std::string(bytes);
    }
    if (auto d = charset::detect_and_decode(bytes)) {
        if (charset.empty()) flags.unlabelled_8bit = true;
        else flags.mislabelled = true;
        flags.guessed_charset = d->charset;
        return std::move(d->utf8);
    }
    flags.damaged = true;
    std::string label = charset::canonical(charset).empty() ? "UTF-8" : std::string(charset);
    if (auto d = charset::decode_lenient(bytes, label)) return *d;
    return *charset::decode_lenient(bytes, "UTF-8");
}

std::string decode_text(std::string_view value, TextFlags& flags) {
    std::string s = unfold(value);
    std::string out;
    std::string raw;        // pending undecoded text
    std::string pending;    // bytes of adjacent encoded words of one charset
    std::string pending_charset;
    std::string gap;        // whitespace after an encoded word: dropped if another word follows
    auto flush_words = [&] {
        if (pending_charset.empty()) return;
        out += to_utf8(pending, pending_charset, flags);
        pending.clear();
        pending_charset.clear();
    };
    auto flush_raw = [&] {
        if (raw.empty()) return;
        out += to_utf8(raw, "", flags);
        raw.clear();
    };
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '=' && i + 1 < s.size() && s[i + 1] == '?') {
            if (auto w = parse_word(s, i)) {
                flags.encoded_words = true;
                flush_raw();
                // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
                if (!pending_charset.empty() && lower(pending_charset) != lower(w->charset)) flush_words();
                gap.clear();
                pending_charset = w->charset.empty() ? "UTF-8" : w->charset;
                pending += w->bytes;
                i = w->end;
                continue;
            }
        }
        if (!pending_charset.empty() && (s[i] == ' ' || s[i] == '\t')) {
            gap.push_back(s[i]);
            ++i;
            continue;
        }
        flush_words();
        raw += gap;
        gap.clear();
        raw.push_back(s[i]);
        ++i;
    }
    flush_words();
    raw += gap;
    flush_raw();
    return strip_controls(std::move(out));
}

StructuredValue parse_structured(std::string_view unfolded) {
    StructuredValue v;
    std::vector<std::string> pieces;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < unfolded.size(); ++i) {
        char c = unfolded[i];
        if (quoted && c == '\\' && i + 1 < unfolded.size()) {
            cur.push_back(c);
            cur.push_back(unfolded[++i]);
            continue;
        }
        if (c == '"') quoted = !quoted;
        if (c == ';' && !quoted) {
            pieces.push_back(std::move(cur));
            cur.clear();
            continue;
        }
        cur.push_back(c);
    }
    pieces.push_back(std::move(cur));
    v.value = lower(trim(pieces[0]));
    std::map<std::string, std::string> seen;
    for (std::size_t p = 1; p < pieces.size(); ++p) {
        std::string_view piece = trim(pieces[p]);
        auto eq = piece.find('=');
        if (eq == std::string_view::npos) continue;
        Param param;
        param.name = lower(trim(piece.substr(0, eq)));
        std::string_view val = trim(piece.substr(eq + 1));
        if (!val.empty() && val.front() == '"') {
            val.remove_prefix(1);
            if (!val.empty() && val.back() == '"') val.remove_suffix(1);
            for (std::size_t i = 0; i < val.size(); ++i) {
                if (val[i] == '\\' && i + 1 < val.size()) ++i;
                param.value.push_back(val[i]);
            }
        } else {
            param.value = std::string(val);
        }
        if (param.name.empty()) continue;
        auto [it, inserted] = seen.emplace(param.name, param.value);
        if (!inserted) {
            if (it->second != param.value) v.duplicates = true;
            continue;   // the first one wins, as in GMime
        }
        v.params.push_back(std::move(param));
    }
    return v;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}
}  // namespace

std::optional<std::string> param_text(const StructuredValue& v, std::string_view name, TextFlags& flags) {
    std::string n = lower(name);
    // RFC 2231: name* (one extended value) or name*0, name*0*, name*1, ... (sections).
    std::map<int, const Param*> sections;
    const Param* single_ext = nullptr;
    const Param* plain = nullptr;
    for (const auto& p : v.params) {
        if (p.name == n) plain = &p;
        else if (p.name == n + "*") single_ext = &p;
        else if (p.name.starts_with(n + "*")) {
            std::string_view rest = std::string_view(p.name).substr(n.size() + 1);
            if (!rest.empty() && rest.back() == '*') rest.remove_suffix(1);
            if (rest.empty() || rest.size() > 3 || !std::all_of(rest.begin(), rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
                continue;
            sections.emplace(std::stoi(std::string(rest)), &p);
        }
    }
    auto extended = [](const Param& p) { return p.name.back() == '*'; };
    if (single_ext || !sections.empty()) {
        std::string charset, bytes;
        bool first = true;
        auto take = [&](const Param& p) {
            std::string_view val = p.value;
            if (extended(p) && first) {
                // charset'language'value
                auto a = val.find('\'');
                auto b = a == std::string_view::npos ? a : val.find('\'', a + 1);
                if (b != std::string_view::npos) {
                    charset = std::string(val.substr(0, a));
                    val = val.substr(b + 1);
                }
            }
            bytes += extended(p) ? percent_decode(val) : std::string(val);
            first = false;
        };
        if (single_ext) {
            take(*single_ext);
        } else {
            int expect = 0;
            for (const auto& [index, p] : sections) {
                if (index != expect) flags.damaged = true;   // a missing section: joined anyway
                expect = index + 1;
                take(*p);
            }
        }
        if (charset.empty()) return decode_text(bytes, flags);
        return strip_controls(to_utf8(bytes, charset, flags));
    }
    if (plain) return decode_text(plain->value, flags);
    return std::nullopt;
}

std::string param_ascii(const StructuredValue& v, std::string_view name, bool keep_case) {
    std::string n = lower(name);
    for (const auto& p : v.params) {
        if (p.name != n) continue;
        // Only printable ASCII survives: these values end up in reports and comparisons.
        std::string out;
        for (char c : keep_case ? p.value : lower(p.value))
            if (c > 0x20 && c < 0x7F) out.push_back(c);
        return out;
    }
    return {};
}

}  // namespace mugaika::mail
