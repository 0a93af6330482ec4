#include "header_encode.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>

#include "../text/charset.hpp"
#include "header_text.hpp"
#include "transfer_decode.hpp"

namespace mugaika::mail {
namespace {

// Splits UTF-8 into whole characters.
std::vector<std::string_view> characters(std::string_view s) {
    std::vector<std::string_view> out;
    for (int32_t i = 0, n = static_cast<int32_t>(s.size()); i < n;) {
        int32_t start = i;
        UChar32 c;
        U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
        out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::string b_word(std::string_view charset, std::string_view bytes) {
    return "=?" + std::string(charset) + "?B?" + encode_base64(bytes, 0) + "?=";
}

// Folds a sequence of tokens after "Name: " so that no line passes 76 columns (RFC 2047 2).
std::string fold(std::string_view name, const std::vector<std::string>& tokens, std::string_view sep) {
    std::string out = std::string(name) + ":";
    std::size_t col = out.size();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::string piece = tokens[i] + (i + 1 < tokens.size() ? std::string(sep) : "");
        if (col + 1 + piece.size() > 76 && col > name.size() + 1) {
            out += "\r\n";
            col = 0;
        }
        out += " " + piece;
        col += 1 + piece.size();
    }
    return out + "\r\n";
}

bool needs_quoting(std::string_view display) {
    return display.find_first_of("()<>[]:;@\\,.\"") != std::string_view::npos;
}

}  // namespace

bool is_printable_ascii(std::string_view s) {
    for (char c : s)
        if (c < 0x20 || c > 0x7E) return false;
    return true;
}

std::vector<std::string> encoded_words(std::string_view utf8, OutCharset cs) {
    std::vector<std::string> words;
    auto chars = characters(utf8);
    // RFC 2047 limits a line holding encoded words to 76 characters, the "Subject: " included: 39
    // bytes make a 64-character UTF-8 word, 36 bytes a 66-character ISO-2022-JP word.
    if (cs == OutCharset::iso2022jp && charset::encode(utf8, "ISO-2022-JP")) {
        std::string chunk, chunk_bytes;
        for (auto ch : chars) {
            auto enc = charset::encode(chunk + std::string(ch), "ISO-2022-JP");
            if (enc && enc->size() <= 36) {
                chunk += ch;
                chunk_bytes = *enc;
                continue;
            }
            if (!chunk.empty()) words.push_back(b_word("ISO-2022-JP", chunk_bytes));
            chunk = std::string(ch);
            chunk_bytes = *charset::encode(chunk, "ISO-2022-JP");
        }
        if (!chunk.empty()) words.push_back(b_word("ISO-2022-JP", chunk_bytes));
        return words;
    }
    std::string chunk;
    for (auto ch : chars) {
        if (chunk.size() + ch.size() > 39) {
            words.push_back(b_word("UTF-8", chunk));
            chunk.clear();
        }
        chunk += ch;
    }
    if (!chunk.empty()) words.push_back(b_word("UTF-8", chunk));
    return words;
}

std::string ascii_header(std::string_view name, std::string_view ascii) {
    std::vector<std::string> tokens;
    std::size_t start = 0;
    while (start <= ascii.size()) {
        auto sp = ascii.find(' ', start);
        auto tok = ascii.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start);
        if (!tok.empty()) tokens.emplace_back(tok);
        if (sp == std::string_view::npos) break;
        start = sp + 1;
    }
    return fold(name, tokens, "");
}

std::string unstructured_header(std::string_view name, std::string_view utf8, OutCharset cs) {
    // Plain ASCII that could not be mistaken for an encoded word stays readable as it is, unless a
    // single word is too long to fold (over 900 bytes): then it is encoded.
    if (is_printable_ascii(utf8) && utf8.find("=?") == std::string_view::npos) {
        bool long_word = false;
        for (std::size_t start = 0, sp; start < utf8.size() && !long_word; start = sp + 1) {
            sp = utf8.find(' ', start);
            if (sp == std::string_view::npos) sp = utf8.size();
            long_word = sp - start > 900;
        }
        if (!long_word) return ascii_header(name, utf8);
    }
    return fold(name, encoded_words(utf8, cs), "");
}

AddressParse parse_addresses(std::string_view unfolded) {
    AddressParse result;
    // Split at commas outside quotes, comments and angle brackets; a group's "name:" and ";" go.
    std::vector<std::string> items;
    std::string cur;
    bool quoted = false;
    int comment = 0, angle = 0;
    for (std::size_t i = 0; i < unfolded.size(); ++i) {
        char c = unfolded[i];
        if (quoted) {
            if (c == '\\' && i + 1 < unfolded.size()) { cur += c; c = unfolded[++i]; }
            else if (c == '"') quoted = false;
        } else if (c == '"') quoted = true;
        else if (c == '(') ++comment;
        else if (c == ')' && comment > 0) --comment;
        else if (c == '<' && !comment) ++angle;
        else if (c == '>' && angle > 0 && !comment) --angle;
        else if ((c == ',' || c == ';') && !comment && !angle) { items.push_back(std::move(cur)); cur.clear(); continue; }
        else if (c == ':' && !comment && !angle) { cur.clear(); continue; }   // group name
        cur += c;
    }
    items.push_back(std::move(cur));

    for (auto& item : items) {
        std::string_view s = item;
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        if (s.empty()) continue;
        Address a;
        std::string display_raw;
        auto lt = s.rfind('<');
        auto gt = s.rfind('>');
        if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
            a.addr = std::string(s.substr(lt + 1, gt - lt - 1));
            display_raw = std::string(s.substr(0, lt));
        } else {
            // addr-spec, possibly with a trailing "(Name)" comment.
            auto paren = s.find('(');
            a.addr = std::string(s.substr(0, paren));
            if (paren != std::string_view::npos) {
                auto close = s.rfind(')');
                display_raw = std::string(s.substr(paren + 1, (close == std::string_view::npos || close < paren ? s.size() : close) - paren - 1));
            }
        }
        while (!a.addr.empty() && a.addr.back() == ' ') a.addr.pop_back();
        while (!a.addr.empty() && a.addr.front() == ' ') a.addr.erase(0, 1);
        // Unquote the display name; encoded words inside quotes are decoded too (a common violation).
        std::string unquoted;
        for (std::size_t i = 0; i < display_raw.size(); ++i) {
            char c = display_raw[i];
            if (c == '"') continue;
            if (c == '\\' && i + 1 < display_raw.size()) c = display_raw[++i];
            unquoted += c;
        }
        TextFlags flags;
        a.display = decode_text(unquoted, flags);
        while (!a.display.empty() && a.display.back() == ' ') a.display.pop_back();
        while (!a.display.empty() && a.display.front() == ' ') a.display.erase(0, 1);
        result.unlabelled_8bit = result.unlabelled_8bit || flags.unlabelled_8bit;
        result.damaged = result.damaged || flags.damaged;
        bool ok = !a.addr.empty() && a.addr.size() <= 254 && is_printable_ascii(a.addr) &&
                  a.addr.find_first_of(" <>()\",;\\") == std::string::npos;
        if (!ok) {
            ++result.dropped;
            continue;
        }
        result.list.push_back(std::move(a));
    }
    return result;
}

std::string address_header(std::string_view name, const std::vector<Address>& list, OutCharset cs) {
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& a = list[i];
        std::string sep = i + 1 < list.size() ? "," : "";
        if (a.display.empty()) {
            tokens.push_back(a.addr + sep);
            continue;
        }
        if (is_printable_ascii(a.display) && a.display.find("=?") == std::string::npos) {
            std::string d = a.display;
            if (needs_quoting(d)) {
                std::string q = "\"";
                for (char c : d) {
                    if (c == '"' || c == '\\') q += '\\';
                    q += c;
                }
                d = q + "\"";
            }
            tokens.push_back(d);
        } else {
            for (auto& w : encoded_words(a.display, cs)) tokens.push_back(std::move(w));
        }
        tokens.push_back("<" + a.addr + ">" + sep);
    }
    return fold(name, tokens, "");
}

std::string rfc2231_param(std::string_view param, std::string_view utf8) {
    std::string pct;
    for (unsigned char c : utf8) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
            pct += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789ABCDEF";
            pct += '%';
            pct += hex[c >> 4];
            pct += hex[c & 15];
        }
    }
    // Sections of at most 60 characters, never splitting a %XX triplet.
    std::vector<std::string> sections;
    for (std::size_t i = 0; i < pct.size();) {
        std::size_t n = std::min<std::size_t>(60, pct.size() - i);
        if (i + n < pct.size()) {
            if (pct[i + n - 1] == '%') n -= 1;
            else if (n >= 2 && pct[i + n - 2] == '%') n -= 2;
        }
        sections.push_back(pct.substr(i, n));
        i += n;
    }
    if (sections.empty()) sections.push_back("");
    std::string out;
    if (sections.size() == 1) return ";\r\n " + std::string(param) + "*=UTF-8''" + sections[0];
    for (std::size_t i = 0; i < sections.size(); ++i)
        out += ";\r\n " + std::string(param) + "*" + std::to_string(i) + "*=" + (i == 0 ? "UTF-8''" : "") + sections[i];
    return out;
}

}  // namespace mugaika::mail
