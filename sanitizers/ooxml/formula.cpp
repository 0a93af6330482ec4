// Excel's formula grammar, as far as judging needs it: string literals with "" escapes, sheet names
// in single quotes with '' escapes, bracket groups (structured references, with ' escapes, and
// external workbook prefixes), array constants, error literals, operators. Linear in the length.
#include "formula.hpp"
#include "mugaika/utf8_prefix.hpp"

#include <array>
#include <cctype>

namespace mugaika::ooxml::formula {
namespace {

bool ascii_alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
// Names start with a letter, _, \ or $ (absolute references); any non-ASCII character (Japanese
// defined names such as 税率) counts as a letter.
bool name_start(unsigned char c) { return ascii_alpha(c) || c == '_' || c == '\\' || c == '$' || c >= 0x80; }
bool name_char(unsigned char c) { return name_start(c) || digit(c) || c == '.' || c == '?'; }

std::string upper(std::string_view s) {
    std::string o(s);
    for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return o;
}

constexpr std::array<std::string_view, 18> kErrors{
    "#GETTING_DATA", "#DIV/0!", "#EXTERNAL!", "#UNKNOWN!", "#BLOCKED!", "#CONNECT!", "#TIMEOUT!", "#PYTHON!",
    "#VALUE!", "#SPILL!", "#FIELD!", "#NULL!", "#NAME?", "#CALC!", "#BUSY!", "#REF!", "#NUM!", "#N/A",
};

// Reads a quoted run starting at s[i] == q, doubled quotes standing for one. Returns the index after
// the closing quote, or npos when it never closes.
std::size_t quoted(std::string_view s, std::size_t i, char q, std::string& value) {
    for (std::size_t j = i + 1; j < s.size(); ++j) {
        if (s[j] != q) {
            value += s[j];
            continue;
        }
        if (j + 1 < s.size() && s[j + 1] == q) {
            value += q;
            ++j;
            continue;
        }
        return j + 1;
    }
    return std::string_view::npos;
}

// A bracket group from s[i] == '[' to its matching ']' (nested groups, ' escaping the next character,
// as structured references write [Col']umn]). Returns the index after it, or npos.
std::size_t bracket(std::string_view s, std::size_t i, std::string& inner) {
    int depth = 0;
    for (std::size_t j = i; j < s.size(); ++j) {
        char c = s[j];
        if (c == '\'' && depth > 0) {
            if (j + 1 >= s.size()) return std::string_view::npos;
            inner += c;
            inner += s[++j];
            continue;
        }
        if (c == '[') {
            if (depth++ > 0) inner += c;
            continue;
        }
        if (c == ']') {
            if (--depth == 0) return j + 1;
            inner += c;
            continue;
        }
        inner += c;
    }
    return std::string_view::npos;
}

}  // namespace

std::optional<std::vector<Token>> tokenize(std::string_view s, std::string* error) {
    auto bad = [&](std::string why) -> std::optional<std::vector<Token>> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    std::vector<Token> out;
    std::size_t i = 0;
    if (!s.empty() && s[0] == '=') i = 1;   // validations and cfvo values are sometimes written with '='
    auto last_significant = [&]() -> const Token* {
        for (auto it = out.rbegin(); it != out.rend(); ++it)
            if (it->kind != Kind::space) return &*it;
        return nullptr;
    };
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == ' ' || c == '\r' || c == '\n' || c == '\t') {
            std::size_t j = i;
            while (j < s.size() && (s[j] == ' ' || s[j] == '\r' || s[j] == '\n' || s[j] == '\t')) ++j;
            out.push_back({Kind::space, std::string(s.substr(i, j - i))});
            i = j;
        } else if (c == '"') {
            std::string v;
            std::size_t j = quoted(s, i, '"', v);
            if (j == std::string_view::npos) return bad("unterminated string");
            out.push_back({Kind::string, std::move(v)});
            i = j;
        } else if (c == '\'') {
            std::string v;
            std::size_t j = quoted(s, i, '\'', v);
            if (j == std::string_view::npos) return bad("unterminated quoted sheet name");
            if (j >= s.size() || s[j] != '!') return bad("quoted name not followed by '!'");
            out.push_back({Kind::sheet, std::move(v), true});
            i = j + 1;
        } else if (c == '[') {
            std::string inner;
            std::size_t j = bracket(s, i, inner);
            if (j == std::string_view::npos) return bad("unterminated bracket");
            if (j < s.size() && s[j] == '!') {   // [1]!Name: a name in another workbook
                out.push_back({Kind::sheet, "[" + inner + "]"});
                i = j + 1;
            } else {
                out.push_back({Kind::bracket, std::move(inner)});
                i = j;
            }
        } else if (digit(c) || (c == '.' && i + 1 < s.size() && digit(static_cast<unsigned char>(s[i + 1])))) {
            std::size_t j = i;
            while (j < s.size() && digit(static_cast<unsigned char>(s[j]))) ++j;
            if (j < s.size() && s[j] == '.') {
                ++j;
                while (j < s.size() && digit(static_cast<unsigned char>(s[j]))) ++j;
            }
            if (j < s.size() && (s[j] == 'E' || s[j] == 'e')) {
                std::size_t k = j + 1;
                if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
                if (k < s.size() && digit(static_cast<unsigned char>(s[k]))) {
                    while (k < s.size() && digit(static_cast<unsigned char>(s[k]))) ++k;
                    j = k;
                }
            }
            out.push_back({Kind::number, std::string(s.substr(i, j - i))});
            i = j;
        } else if (name_start(c)) {
            std::size_t j = i;
            while (j < s.size() && name_char(static_cast<unsigned char>(s[j]))) ++j;
            std::string text(s.substr(i, j - i));
            if (j < s.size() && s[j] == '(') {
                out.push_back({Kind::function, std::move(text)});
            } else if (j < s.size() && s[j] == '!') {
                out.push_back({Kind::sheet, std::move(text)});
                ++j;
            } else {
                std::string u = upper(text);
                out.push_back({u == "TRUE" || u == "FALSE" ? Kind::boolean : Kind::name, std::move(text)});
            }
            i = j;
        } else if (c == '#') {
            std::string rest = upper(s.substr(i, 16));
            bool matched = false;
            for (auto e : kErrors)
                if (rest.starts_with(e)) {
                    out.push_back({Kind::error, std::string(s.substr(i, e.size()))});
                    i += e.size();
                    matched = true;
                    break;
                }
            if (matched) continue;
            const Token* prev = last_significant();
            // A1# : the spill range of a dynamic array.
            if (!prev || !(prev->kind == Kind::name || prev->kind == Kind::close || prev->kind == Kind::bracket))
                return bad("'#' that is neither an error value nor a spill reference");
            out.push_back({Kind::op, "#"});
            ++i;
        } else if (c == '(') {
            out.push_back({Kind::open, "("});
            ++i;
        } else if (c == ')') {
            out.push_back({Kind::close, ")"});
            ++i;
        } else if (c == '{') {
            out.push_back({Kind::brace_open, "{"});
            ++i;
        } else if (c == '}') {
            out.push_back({Kind::brace_close, "}"});
            ++i;
        } else if (c == ',') {
            out.push_back({Kind::comma, ","});
            ++i;
        } else if (c == ';') {
            out.push_back({Kind::semicolon, ";"});
            ++i;
        } else if (c == '|') {
            out.push_back({Kind::pipe, "|"});
            ++i;
        } else if (c == '<' || c == '>') {
            std::size_t n = i + 1 < s.size() && (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>')) ? 2 : 1;
            out.push_back({Kind::op, std::string(s.substr(i, n))});
            i += n;
        } else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '&' || c == '=' || c == '%' ||
                   c == ':' || c == '@') {
            out.push_back({Kind::op, std::string(1, static_cast<char>(c))});
            ++i;
        } else {
            return bad("unexpected character '" + std::string(1, static_cast<char>(c)) + "'");
        }
    }
    return out;
}

namespace {

std::string excerpt(std::string_view f) { return std::string(utf8_prefix(f, 200)); }

bool is_external_prefix(const std::string& sheet) {
    return sheet.find_first_of("[]\\/") != std::string::npos;
}

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!digit(c)) return false;
    return true;
}

// The target HYPERLINK may keep: one literal string, https:// or mailto:, or a jump inside the
// workbook ("#Sheet2!A1", "#'名簿'!B3", "#名前").
bool hyperlink_target_ok(const std::string& t, bool links_external) {
    for (unsigned char c : t)
        if (c < 0x20 || c == '\\' || c == 0x7F) return false;
    std::string l = upper(t);
    if (t.starts_with("#")) return l.find("://") == std::string::npos && t.find_first_of("/[]") == std::string::npos;
    if (!links_external) return false;
    return (l.starts_with("HTTPS://") && t.size() > 8) || (l.starts_with("MAILTO:") && t.size() > 7);
}

// Index of the next token that is not a space, or tokens.size().
std::size_t next_significant(const std::vector<Token>& t, std::size_t i) {
    while (i < t.size() && t[i].kind == Kind::space) ++i;
    return i;
}

// HYPERLINK's first argument, starting after the function token at `fn`: exactly one string token.
std::string hyperlink_problem(const std::vector<Token>& t, std::size_t fn, bool links_external) {
    std::size_t open = next_significant(t, fn + 1);
    if (open >= t.size() || t[open].kind != Kind::open) return "HYPERLINK without arguments";
    std::size_t arg = next_significant(t, open + 1);
    if (arg >= t.size() || t[arg].kind != Kind::string) return "HYPERLINK target is computed, not a literal";
    std::size_t after = next_significant(t, arg + 1);
    if (after >= t.size() || (t[after].kind != Kind::comma && t[after].kind != Kind::close))
        return "HYPERLINK target is computed, not a literal";
    if (!hyperlink_target_ok(t[arg].text, links_external))
        return "HYPERLINK to a disallowed target: " + std::string(utf8_prefix(t[arg].text, 200));
    return {};
}

}  // namespace

std::string problem(std::string_view f, bool links_external) {
    std::string why;
    auto tokens = tokenize(f, &why);
    if (!tokens) return "formula not understood (" + why + "): " + excerpt(f);
    const auto& t = *tokens;
    long parens = 0, braces = 0;
    for (const Token& k : t) {
        parens += k.kind == Kind::open ? 1 : k.kind == Kind::close ? -1 : 0;
        braces += k.kind == Kind::brace_open ? 1 : k.kind == Kind::brace_close ? -1 : 0;
        if (parens < 0 || braces < 0) break;
    }
    if (parens != 0 || braces != 0) return "formula not understood (unbalanced brackets): " + excerpt(f);
    for (std::size_t i = 0; i < t.size(); ++i) {
        const Token& k = t[i];
        switch (k.kind) {
        case Kind::pipe:
            return "DDE formula: " + excerpt(f);
        case Kind::sheet:
            if (is_external_prefix(k.text)) return "reference into another workbook or a file: " + excerpt(f);
            break;
        case Kind::bracket: {
            bool after_name = i > 0 && (t[i - 1].kind == Kind::name || t[i - 1].kind == Kind::bracket ||
                                        (t[i - 1].kind == Kind::op && t[i - 1].text == ":"));
            bool before_name = i + 1 < t.size() && (t[i + 1].kind == Kind::name || t[i + 1].kind == Kind::sheet ||
                                                    t[i + 1].kind == Kind::function || t[i + 1].kind == Kind::bracket);
            // [1]Sheet1!A1, [Book.xlsx]Name, [1]!Name: a workbook prefix, never a column of a table.
            if (before_name || (!after_name && all_digits(k.text)))
                return "reference into another workbook: " + excerpt(f);
            break;
        }
        case Kind::name:
            // "CALL (...)": judged as a call whatever the space (at worst an intersection is dropped).
            if (std::size_t n = next_significant(t, i + 1); n < t.size() && t[n].kind == Kind::open) {
                std::string name = upper(k.text);
                if (name.starts_with("_XLPM.")) break;
                if (!function_allowed(name) || name == "HYPERLINK")
                    return "name " + name + " used as a function: " + excerpt(f);
            }
            break;
        case Kind::function: {
            std::string name = upper(k.text);
            if (i > 0 && t[i - 1].kind == Kind::sheet) return "function of another sheet or workbook: " + excerpt(f);
            bool prefixed = true;
            while (prefixed) {
                prefixed = false;
                for (std::string_view p : {"_XLFN.", "_XLWS."})
                    if (name.starts_with(p)) {
                        name = name.substr(p.size());
                        prefixed = true;
                    }
            }
            if (name.starts_with("_XLPM.")) break;   // a LAMBDA parameter called as a function
            if (name == "HYPERLINK") {
                std::string p = hyperlink_problem(t, i, links_external);
                if (!p.empty()) return p;
                break;
            }
            if (!function_allowed(name)) return "function " + name + " is not on the allowlist: " + excerpt(f);
            break;
        }
        default:
            break;
        }
    }
    return {};
}

}  // namespace mugaika::ooxml::formula
