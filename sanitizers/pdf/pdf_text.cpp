#include "pdf_text.hpp"

#include <poppler/PDFDocEncoding.h>

#include <unicode/utf8.h>

#include <cstdint>

namespace mugaika::pdf {
namespace {


std::string from_utf16(std::string_view b, bool big_endian) {
    std::string out;
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
        auto unit = [&](std::size_t at) -> char32_t {
            auto hi = static_cast<unsigned char>(b[at + (big_endian ? 0 : 1)]);
            auto lo = static_cast<unsigned char>(b[at + (big_endian ? 1 : 0)]);
            return static_cast<char32_t>(hi << 8 | lo);
        };
        char32_t c = unit(i);
        if (c >= 0xD800 && c < 0xDC00 && i + 3 < b.size()) {
            char32_t low = unit(i + 2);
            if (low >= 0xDC00 && low < 0xE000) {
                append_utf8(out, 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (c >= 0xD800 && c < 0xE000) c = 0xFFFD;   // a lone surrogate
        append_utf8(out, c);
    }
    return out;
}

// Decodes one UTF-8 sequence at `i`; returns U+FFFD (and advances one byte) for invalid input.
char32_t next_utf8(std::string_view s, std::size_t& i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) { ++i; return 0xFFFD; }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) { ++i; return 0xFFFD; }
        cp = cp << 6 | (b(i + k) & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) { ++i; return 0xFFFD; }
    i += static_cast<std::size_t>(len);
    return cp;
}

bool is_invisible_control(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFFFD ||
           (c >= 0x200B && c <= 0x200F) ||   // zero width and directional marks
           (c >= 0x202A && c <= 0x202E) ||   // bidi embeddings and overrides
           (c >= 0x2066 && c <= 0x2069) ||   // bidi isolates
           c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB);
}

}  // namespace

void append_utf8(std::string& out, char32_t c) {
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) return;   // no NULs, no lone surrogates
    char buf[U8_MAX_LENGTH];
    int32_t n = 0;
    U8_APPEND_UNSAFE(buf, n, static_cast<UChar32>(c));
    out.append(buf, static_cast<std::size_t>(n));
}

std::string decode_text_string(std::string_view raw) {
    if (raw.size() >= 2 && raw[0] == '\xFE' && raw[1] == '\xFF') return from_utf16(raw.substr(2), true);
    if (raw.size() >= 2 && raw[0] == '\xFF' && raw[1] == '\xFE') return from_utf16(raw.substr(2), false);
    if (raw.size() >= 3 && raw.substr(0, 3) == "\xEF\xBB\xBF") return std::string(raw.substr(3));
    std::string out;
    for (unsigned char c : raw) append_utf8(out, static_cast<char32_t>(pdfDocEncoding[c]));
    return out;
}

std::string clean_text(std::string_view utf8, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    bool pending_space = false;
    for (std::size_t i = 0; i < utf8.size() && chars < max_chars;) {
        char32_t c = next_utf8(utf8, i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x2028 || c == 0x2029) {
            pending_space = !out.empty();
            continue;
        }
        if (is_invisible_control(c)) continue;
        if (pending_space) { out += ' '; ++chars; pending_space = false; }
        append_utf8(out, c);
        ++chars;
    }
    return out;
}

}  // namespace mugaika::pdf
