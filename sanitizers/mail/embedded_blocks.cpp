#include "embedded_blocks.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "mugaika/names.hpp"

namespace mugaika::mail {
namespace {

using Kind = EmbeddedBlock::Kind;

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto eol = text.find('\n', start);
        if (eol == std::string_view::npos) eol = text.size();
        lines.push_back(text.substr(start, eol - start));
        start = eol + 1;
    }
    return lines;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Without trailing white space (CR included). Used for end lines, which must match exactly: ending a
// block earlier than a client would is the unsafe direction.
std::string_view rtrim(std::string_view l) {
    while (!l.empty() && is_space(l.back())) l.remove_suffix(1);
    return l;
}

// Both ends trimmed and lower-cased. Used for start lines, which are recognised liberally: starting a
// block where no client would only costs a false hold.
std::string folded(std::string_view l) {
    while (!l.empty() && is_space(l.front())) l.remove_prefix(1);
    l = rtrim(l);
    std::string out(l);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view skip_space(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    return s;
}

// "begin 644 name" (uuencode, xxencode) or "begin-base64 644 name": the keyword, white space, one to
// four octal digits (GNU uudecode reads any octal mode; Thunderbird three or four), then white space
// and the name, or nothing. Returns the name.
std::optional<std::string> begin_line(std::string_view line, std::string_view keyword) {
    std::string_view raw = skip_space(rtrim(line));
    if (raw.size() < keyword.size()) return std::nullopt;
    for (std::size_t i = 0; i < keyword.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(raw[i])) != keyword[i]) return std::nullopt;
    std::string_view s = raw.substr(keyword.size());
    if (s.empty() || !is_space(s.front())) return std::nullopt;
    s = skip_space(s);
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '7') ++digits;
    if (digits == 0 || digits > 4) return std::nullopt;
    s.remove_prefix(digits);
    if (!s.empty() && !is_space(s.front())) return std::nullopt;
    return std::string(skip_space(s));
}

// yEnc's name is the rest of the =ybegin line after " name=".
std::string yenc_name(std::string_view line) {
    std::string l = folded(line);
    auto p = l.find(" name=");
    if (p == std::string::npos) return {};
    std::string_view raw = skip_space(rtrim(line));
    return std::string(raw.substr(std::min(p + 6, raw.size())));
}

bool is_header_field(std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    for (char c : line.substr(0, colon)) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127) return false;
    }
    return true;
}

// A MIME part pasted into the text: a header block at the start of a line with a Content-* field, then
// a blank line. It counts when it announces a file: a name, a transfer encoding that is not plain
// text, an attachment, or a type other than text and multipart. Returns the line index of the blank
// line and the announced name.
struct MimeHead {
    std::size_t blank;
    std::string name;
};

std::string param(const std::string& folded_value, std::string_view key) {
    for (std::size_t p = folded_value.find(key); p != std::string::npos; p = folded_value.find(key, p + 1)) {
        if (p > 0 && folded_value[p - 1] != ';' && !is_space(folded_value[p - 1])) continue;
        std::size_t v = p + key.size();
        while (v < folded_value.size() && folded_value[v] == '*') ++v;   // RFC 2231 name*=, name*0=
        while (v < folded_value.size() && std::isdigit(static_cast<unsigned char>(folded_value[v]))) ++v;
        while (v < folded_value.size() && folded_value[v] == '*') ++v;
        if (v >= folded_value.size() || folded_value[v] != '=') continue;
        std::string out = folded_value.substr(v + 1);
        out = out.substr(0, out.find(';'));
        out.erase(std::remove(out.begin(), out.end(), '"'), out.end());
        return out.empty() ? std::string("?") : out;
    }
    return {};
}

std::optional<MimeHead> mime_head(const std::vector<std::string_view>& lines, std::size_t i) {
    std::string first = folded(lines[i]);
    if (lines[i].empty() || is_space(lines[i].front())) return std::nullopt;
    if (!first.starts_with("content-type:") && !first.starts_with("content-transfer-encoding:") &&
        !first.starts_with("content-disposition:"))
        return std::nullopt;
    std::string ctype, cte, disposition;
    std::string* current = nullptr;
    std::size_t j = i;
    for (; j < lines.size(); ++j) {
        std::string_view raw = lines[j];
        if (rtrim(raw).empty()) break;                          // the end of the header block
        if (is_space(raw.front())) {                            // a folded continuation
            if (current) *current += " " + folded(raw);
            continue;
        }
        if (!is_header_field(raw)) return std::nullopt;         // prose, not a header block
        std::string f = folded(raw);
        current = nullptr;
        if (f.starts_with("content-type:")) current = &ctype;
        else if (f.starts_with("content-transfer-encoding:")) current = &cte;
        else if (f.starts_with("content-disposition:")) current = &disposition;
        if (current) *current = f.substr(f.find(':') + 1);
        if (j - i > 100) return std::nullopt;
    }
    if (j >= lines.size()) return std::nullopt;                 // no blank line: no body follows
    auto trim = [](std::string s) {
        std::string_view v = skip_space(s);
        return std::string(v.substr(0, v.find_first_of("; \t")));
    };
    std::string type = trim(ctype), encoding = trim(cte), disp = trim(disposition);
    std::string name = param(disposition, "filename");
    if (name.empty()) name = param(ctype, "name");
    bool plain_encoding = encoding.empty() || encoding == "7bit" || encoding == "8bit" || encoding == "binary";
    bool text_type = type.empty() || type.starts_with("text/") || type.starts_with("multipart/");
    if (plain_encoding && text_type && name.empty() && disp != "attachment") return std::nullopt;
    return MimeHead{j, name == "?" ? std::string() : name};
}

std::string shown_name(const std::string& name) {
    if (name.empty()) return {};
    return check_name(name).safe_name;
}

std::string placeholder(const EmbeddedBlock& b) {
    std::string n = shown_name(b.name);
    std::string q = n.empty() ? "" : "「" + n + "」";
    switch (b.kind) {
    case Kind::uuencode: return "[uuencodeされたファイル" + q + "は取り除きました]";
    case Kind::base64_file: return "[base64で埋め込まれたファイル" + q + "は取り除きました]";
    case Kind::binhex: return "[BinHex形式のファイルは取り除きました]";
    case Kind::yenc: return "[yEncで埋め込まれたファイル" + q + "は取り除きました]";
    case Kind::mime_part: return "[本文中に埋め込まれた添付ファイル" + q + "は取り除きました]";
    case Kind::pgp_message: return "[PGPで暗号化された部分は取り除きました]";
    case Kind::pgp_key: return "[PGPの鍵などのデータは取り除きました]";
    case Kind::pgp_signature: return "[PGP署名は取り除きました]";
    }
    return "[埋め込まれたデータは取り除きました]";
}

// The first line at or after `from` equal to `end` once trailing white space is gone, or npos.
std::size_t find_end(const std::vector<std::string_view>& lines, std::size_t from, std::string_view end) {
    for (std::size_t j = from; j < lines.size(); ++j)
        if (rtrim(lines[j]) == end) return j;
    return std::string_view::npos;
}

// Whether any start line could be in the text, ignoring case, without a lower-cased copy of it (which
// cost more than the rest of a 20 KB body's cleaning).
bool might_hold_block(std::string_view text) {
    static constexpr std::string_view kMarkers[] = {"begin", "binhex", "=ybegin", "-----begin pgp", "content-"};
    auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = fold(text[i]);
        if (c != 'b' && c != '=' && c != '-' && c != 'c') continue;
        for (std::string_view marker : kMarkers) {
            if (marker[0] != c || text.size() - i < marker.size()) continue;
            std::size_t k = 1;
            while (k < marker.size() && fold(text[i + k]) == marker[k]) ++k;
            if (k == marker.size()) return true;
        }
    }
    return false;
}

}  // namespace

bool holds_original(EmbeddedBlock::Kind kind) { return kind != Kind::pgp_signature; }

std::vector<EmbeddedBlock> cut_embedded_blocks(std::string& text) {
    std::vector<EmbeddedBlock> found;
    if (!might_hold_block(text)) return found;   // the usual case: one pass, no copy of the lines
    auto lines = split_lines(text);
    std::string out;
    out.reserve(text.size());
    auto cut = [&](Kind kind, std::string name, std::size_t from, std::size_t end) {
        EmbeddedBlock b{kind, std::move(name), end != std::string_view::npos, 0};
        std::size_t last = end == std::string_view::npos ? lines.size() - 1 : end;
        b.lines = last - from + 1;
        out += placeholder(b) + "\n";
        found.push_back(std::move(b));
        return last;
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string f = folded(lines[i]);
        if (auto name = begin_line(lines[i], "begin")) {
            i = cut(Kind::uuencode, *name, i, find_end(lines, i + 1, "end"));
            continue;
        }
        if (auto name = begin_line(lines[i], "begin-base64")) {
            i = cut(Kind::base64_file, *name, i, find_end(lines, i + 1, "===="));
            continue;
        }
        if (f.starts_with("(this file must be converted with binhex")) {
            // The decoder starts at the first ':' after the notice and stops at the next one.
            std::size_t colons = 0, end = std::string_view::npos;
            for (std::size_t j = i + 1; j < lines.size() && end == std::string_view::npos; ++j) {
                colons += static_cast<std::size_t>(std::count(lines[j].begin(), lines[j].end(), ':'));
                if (colons >= 2) end = j;
            }
            i = cut(Kind::binhex, "", i, end);
            continue;
        }
        if (f.starts_with("=ybegin")) {
            std::size_t end = std::string_view::npos;
            for (std::size_t j = i + 1; j < lines.size() && end == std::string_view::npos; ++j)
                if (lines[j].starts_with("=yend")) end = j;
            i = cut(Kind::yenc, yenc_name(lines[i]), i, end);
            continue;
        }
        if (f.starts_with("-----begin pgp ") && f.ends_with("-----") && f != "-----begin pgp signed message-----") {
            std::string what = std::string(rtrim(skip_space(lines[i])).substr(15));   // "MESSAGE-----", ...
            std::string upper = f.substr(15);
            Kind kind = upper == "message-----" ? Kind::pgp_message
                        : upper == "signature-----" ? Kind::pgp_signature
                                                    : Kind::pgp_key;
            i = cut(kind, "", i, find_end(lines, i + 1, "-----END PGP " + what));
            continue;
        }
        if (auto head = mime_head(lines, i)) {
            // Its body runs to the next boundary line ("--" at the start of a line) or the end.
            std::size_t end = std::string_view::npos;
            for (std::size_t j = head->blank + 1; j < lines.size() && end == std::string_view::npos; ++j)
                if (lines[j].starts_with("--") && rtrim(lines[j]).size() > 2) end = j - 1;
            if (end == std::string_view::npos && head->blank + 1 >= lines.size()) end = head->blank;
            i = cut(Kind::mime_part, head->name, i, end);
            continue;
        }
        out.append(lines[i]);
        out += "\n";
    }
    if (!found.empty()) text = std::move(out);
    return found;
}

}  // namespace mugaika::mail
