#include "text_filter.hpp"

#include <unicode/utf8.h>

#include "mugaika/reasons.hpp"

namespace mugaika::text {

charset::Decoded decode_or_quarantine(std::string_view bytes) {
    auto decoded = charset::detect_and_decode(bytes);
    if (!decoded) throw SanitizeError(reason::charset, "text is not valid in any supported encoding");
    return std::move(*decoded);
}

std::size_t strip_controls(std::string& s) {
    std::string out;
    out.reserve(s.size());
    std::size_t removed = 0;
    for (int32_t i = 0, n = static_cast<int32_t>(s.size()); i < n;) {
        int32_t start = i;
        UChar32 c;
        U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
        bool control = (c >= 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ||
                       (c >= 0x80 && c <= 0x9F) || c < 0;
        if (control) { ++removed; continue; }
        out.append(s, static_cast<std::size_t>(start), static_cast<std::size_t>(i - start));
    }
    s = std::move(out);
    return removed;
}

std::string encode_like(const charset::Decoded& original, std::string_view utf8, Context& ctx) {
    std::string bom;
    if (original.bom) {
        if (original.charset == "UTF-8") bom = "\xEF\xBB\xBF";
        else if (original.charset == "UTF-16LE") bom = "\xFF\xFE";
        else if (original.charset == "UTF-16BE") bom = "\xFE\xFF";
        else if (original.charset == "UTF-32LE") bom = std::string("\xFF\xFE\0\0", 4);
        else if (original.charset == "UTF-32BE") bom = std::string("\0\0\xFE\xFF", 4);
    }
    if (auto encoded = charset::encode(utf8, original.charset)) return bom + *encoded;
    ctx.add("text.reencoded", Action::converted,
            "characters not representable in " + original.charset + "; written as UTF-8",
            "元の文字コード(" + original.charset + ")で表せない文字があるため、UTF-8で保存しました。");
    return "\xEF\xBB\xBF" + std::string(utf8);
}

}  // namespace mugaika::text
