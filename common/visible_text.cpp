#include "mugaika/visible_text.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdio>

namespace mugaika {
namespace {

bool hidden(UChar32 c, bool keep_newlines) {
    if (keep_newlines && (c == '\n' || c == '\t')) return false;
    switch (u_charType(c)) {
        case U_CONTROL_CHAR:        // Cc: C0, DEL, C1
        case U_FORMAT_CHAR:         // Cf: bidi controls, ZWSP/ZWJ, word joiner, tags, BOM, ...
        case U_LINE_SEPARATOR:      // Zl
        case U_PARAGRAPH_SEPARATOR: // Zp
        case U_SURROGATE:           // Cs (cannot appear in valid UTF-8, kept for completeness)
        case U_UNASSIGNED:          // Cn: whatever a later Unicode makes of it
            return true;
        default:
            break;
    }
    // Letters that render as nothing at all.
    return c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800 || c == 0x034F ||
           (c >= 0x180B && c <= 0x180F) || (c >= 0x17B4 && c <= 0x17B5);
}

template <class Emit>
void walk(std::string_view s, bool keep_newlines, Emit&& emit) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    int32_t n = static_cast<int32_t>(s.size()), i = 0;
    while (i < n) {
        int32_t start = i;
        UChar32 c;
        U8_NEXT(p, i, n, c);
        emit(start, i, c, c < 0 || hidden(c, keep_newlines));
    }
}

}  // namespace

std::string visible_text(std::string_view s, bool keep_newlines) {
    std::string out;
    out.reserve(s.size());
    walk(s, keep_newlines, [&](int32_t b, int32_t e, UChar32 c, bool bad) {
        if (!bad) {
            out.append(s.data() + b, static_cast<std::size_t>(e - b));
            return;
        }
        char buf[24];
        if (c < 0) {
            for (int32_t k = b; k < e; ++k) {
                std::snprintf(buf, sizeof buf, "[0x%02X]", static_cast<unsigned char>(s[static_cast<std::size_t>(k)]));
                out += buf;
            }
        } else {
            std::snprintf(buf, sizeof buf, "[U+%04X]", static_cast<unsigned>(c));
            out += buf;
        }
    });
    return out;
}

bool has_hidden_characters(std::string_view s) {
    bool any = false;
    walk(s, false, [&](int32_t, int32_t, UChar32, bool bad) { any = any || bad; });
    return any;
}

std::string without_hidden_characters(std::string_view s, char replacement) {
    std::string out;
    walk(s, false, [&](int32_t b, int32_t e, UChar32, bool bad) {
        if (bad) out.push_back(replacement);
        else out.append(s.data() + b, static_cast<std::size_t>(e - b));
    });
    return out;
}

}  // namespace mugaika
