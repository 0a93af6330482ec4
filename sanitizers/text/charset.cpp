#include "charset.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>

namespace mugaika::charset {
namespace {

struct ConverterCloser {
    void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Canonical label -> ICU converter name. ISO-2022-JP is handled by hand (see below). EUC-JP uses
// ICU's euc-jp-2007 table: it has the NEC row 13 (① = 0xADA1, ㈱) that Windows senders produce, which
// IBM's EUC-JP tables (ibm-33722, ibm-954) lack.
struct Known {
    std::string_view label;
    std::string_view icu;
    std::array<std::string_view, 8> aliases;
};

// "UTF-16" and "UTF-32" (and their old names) say nothing of the byte order: the BOM does, and
// without one the order is chosen by how the text reads (RFC 2781 says big-endian; Windows writes
// little-endian). ICU's BOM-aware "UTF-16"/"UTF-32" converters read the BOM and drop it.
constexpr std::array<Known, 18> kKnown{{
    {"UTF-8", "UTF-8", {"utf-8", "utf8", "unicode-1-1-utf-8"}},
    {"US-ASCII", "US-ASCII", {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"}},
    {"UTF-16", "UTF-16", {"utf-16", "utf16", "ucs-2", "iso-10646-ucs-2", "csunicode", "unicode"}},
    {"UTF-16LE", "UTF-16LE", {"utf-16le"}},
    {"UTF-16BE", "UTF-16BE", {"utf-16be"}},
    {"UTF-32", "UTF-32", {"utf-32", "utf32", "ucs-4", "iso-10646-ucs-4"}},
    {"UTF-32LE", "UTF-32LE", {"utf-32le"}},
    {"UTF-32BE", "UTF-32BE", {"utf-32be"}},
    {"Shift_JIS", "windows-31j",
     {"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "cp932", "windows-31j", "csshiftjis"}},
    {"EUC-JP", "euc-jp-2007", {"euc-jp", "x-euc-jp", "eucjp", "cseucpkdfmtjapanese", "eucjp-ms", "cp51932"}},
    {"ISO-2022-JP", "", {"iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-ms", "cp50220", "cp50221", "jis"}},
    {"ISO-8859-1", "ISO-8859-1", {"iso-8859-1", "latin1", "l1", "iso_8859-1"}},
    {"windows-1252", "windows-1252", {"windows-1252", "cp1252"}},
    {"GB18030", "GB18030", {"gb18030", "gbk", "gb2312", "cp936", "euc-cn", "x-gbk"}},
    {"Big5", "Big5", {"big5", "big5-hkscs", "cp950", "x-big5"}},
    {"EUC-KR", "EUC-KR", {"euc-kr", "ks_c_5601-1987", "cp949", "ksc5601", "windows-949"}},
    {"ISO-8859-15", "ISO-8859-15", {"iso-8859-15", "latin-9"}},
    {"UTF-7", "UTF-7", {"utf-7"}},
}};

const Known* find_known(std::string_view charset) {
    std::string l = lower(charset);
    for (const auto& k : kKnown) {
        if (lower(k.label) == l) return &k;
        for (auto a : k.aliases)
            if (!a.empty() && a == l) return &k;
    }
    return nullptr;
}

// Converts straight to UTF-8 through a small pivot buffer (no whole-text UTF-16 copy): this runs
// over every mail body. `stop` fails on an invalid sequence; otherwise it becomes U+FFFD.
std::optional<std::string> icu_to_utf8(std::string_view bytes, std::string_view icu_name, bool stop) {
    UErrorCode status = U_ZERO_ERROR;
    Converter conv(ucnv_open(std::string(icu_name).c_str(), &status));
    if (U_FAILURE(status)) return std::nullopt;
    if (stop) ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    else ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_SUBSTITUTE, nullptr, nullptr, nullptr, &status);
    Converter utf8(ucnv_open("UTF-8", &status));
    if (U_FAILURE(status)) return std::nullopt;
    // One input byte never makes more than three UTF-8 bytes (U+FFFD included).
    std::string out(bytes.size() * 3 + 16, '\0');
    char* target = out.data();
    const char* source = bytes.data();
    UChar pivot[2048];
    UChar* pivot_source = pivot;
    UChar* pivot_target = pivot;
    ucnv_convertEx(utf8.get(), conv.get(), &target, out.data() + out.size(), &source, bytes.data() + bytes.size(),
                   pivot, &pivot_source, &pivot_target, pivot + 2048, true, true, &status);
    if (U_FAILURE(status)) return std::nullopt;
    out.resize(static_cast<std::size_t>(target - out.data()));
    return out;
}

std::optional<std::string> icu_decode(std::string_view bytes, std::string_view icu_name) {
    return icu_to_utf8(bytes, icu_name, true);
}

// Like icu_decode, but an invalid sequence becomes U+FFFD instead of failing.
std::optional<std::string> icu_decode_lenient(std::string_view bytes, std::string_view icu_name) {
    return icu_to_utf8(bytes, icu_name, false);
}

std::optional<std::string> icu_encode(std::string_view utf8, std::string_view icu_name) {
    UErrorCode status = U_ZERO_ERROR;
    auto u16 = icu_decode(utf8, "UTF-8");   // validates as well
    if (!u16) return std::nullopt;
    Converter from(ucnv_open("UTF-8", &status));
    std::u16string units(utf8.size() + 16, u'\0');
    int32_t n = ucnv_toUChars(from.get(), units.data(), static_cast<int32_t>(units.size()), utf8.data(),
                              static_cast<int32_t>(utf8.size()), &status);
    if (U_FAILURE(status)) return std::nullopt;
    Converter to(ucnv_open(std::string(icu_name).c_str(), &status));
    if (U_FAILURE(status)) return std::nullopt;
    ucnv_setFromUCallBack(to.get(), UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    std::string out(static_cast<std::size_t>(n) * 4 + 16, '\0');
    int32_t m = ucnv_fromUChars(to.get(), out.data(), static_cast<int32_t>(out.size()), units.data(), n, &status);
    if (U_FAILURE(status)) return std::nullopt;
    out.resize(m);
    return out;
}

// ISO-2022-JP as real mail writes it (CP50220/CP50221 family): ASCII and JIS-Roman, JIS X 0208 with
// the NEC row 13 (①, ㈱) and IBM extensions, half-width kana via ESC ( I or SO/SI. We map every JIS
// pair onto its Shift_JIS bytes and let ICU's Windows-31J table decode them, so the same CP932
// mappings apply to both encodings.
std::optional<std::string> iso2022jp_to_cp932(std::string_view in) {
    enum class Mode { ascii, jis0208, kana } mode = Mode::ascii;
    bool shifted = false;   // SO ... SI selects half-width kana in some senders
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        auto c = static_cast<unsigned char>(in[i]);
        if (c == 0x1B) {
            std::string_view esc = in.substr(i + 1, 3);
            if (esc.starts_with("(B") || esc.starts_with("(J")) { mode = Mode::ascii; i += 3; }
            else if (esc.starts_with("$@") || esc.starts_with("$B")) { mode = Mode::jis0208; i += 3; }
            else if (esc.starts_with("(I")) { mode = Mode::kana; i += 3; }
            else if (esc.starts_with("&@") ) { i += 3; }   // JIS X 0208-1990 prefix, followed by ESC $ B
            else return std::nullopt;                        // JIS X 0212 and others: not supported
            continue;
        }
        if (c == 0x0E) { shifted = true; ++i; continue; }
        if (c == 0x0F) { shifted = false; ++i; continue; }
        if (c >= 0x80) return std::nullopt;                  // 7-bit encoding
        if (c == '\n' || c == '\r') {                          // line ends reset nothing, but are ASCII
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        if (shifted || mode == Mode::kana) {
            if (c < 0x21 || c > 0x5F) return std::nullopt;
            out.push_back(static_cast<char>(c + 0x80));
            ++i;
            continue;
        }
        if (mode == Mode::ascii) { out.push_back(static_cast<char>(c)); ++i; continue; }
        // JIS X 0208: two bytes 0x21-0x7E each.
        if (i + 1 >= in.size()) return std::nullopt;
        auto j1 = c, j2 = static_cast<unsigned char>(in[i + 1]);
        if (j1 < 0x21 || j1 > 0x7E || j2 < 0x21 || j2 > 0x7E) return std::nullopt;
        unsigned s1 = ((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0);
        unsigned s2 = j2 + ((j1 & 1) ? (j2 >= 0x60 ? 0x20 : 0x1F) : 0x7E);
        out.push_back(static_cast<char>(s1));
        out.push_back(static_cast<char>(s2));
        i += 2;
    }
    return out;
}

// ISO-2022-JP straight to UTF-8 with a table of the 94x94 JIS X 0208 cells, each filled once from
// ICU's Windows-31J decoding of the cell's Shift_JIS bytes: the same mappings as
// iso2022jp_to_cp932 + ICU, in one pass (ISO-2022-JP is the most common charset of Japanese mail).
// The table is immutable once built, a cache of a pure function, not state.
struct JisCell {
    char utf8[4];
    std::uint8_t len;   // 0: no mapping
};

const std::array<JisCell, 94 * 94>& jis_table() {
    static std::array<JisCell, 94 * 94> table{};
    static std::once_flag once;
    std::call_once(once, [] {
        for (unsigned j1 = 0x21; j1 <= 0x7E; ++j1)
            for (unsigned j2 = 0x21; j2 <= 0x7E; ++j2) {
                char pair[2] = {static_cast<char>(j1), static_cast<char>(j2)};
                std::string jis = std::string("\x1B$B") + std::string(pair, 2) + "\x1B(B";
                auto sjis = iso2022jp_to_cp932(jis);
                if (!sjis) continue;
                auto u = icu_decode(*sjis, "windows-31j");
                if (!u || u->empty() || u->size() > 4) continue;
                JisCell& cell = table[(j1 - 0x21) * 94 + (j2 - 0x21)];
                std::copy(u->begin(), u->end(), cell.utf8);
                cell.len = static_cast<std::uint8_t>(u->size());
            }
    });
    return table;
}

std::optional<std::string> iso2022jp_to_utf8(std::string_view in) {
    const auto& table = jis_table();
    enum class Mode { ascii, jis0208, kana } mode = Mode::ascii;
    bool shifted = false;
    std::string out;
    out.reserve(in.size() * 3 / 2 + 16);
    for (std::size_t i = 0; i < in.size();) {
        auto c = static_cast<unsigned char>(in[i]);
        if (c == 0x1B) {
            std::string_view esc = in.substr(i + 1, 3);
            if (esc.starts_with("(B") || esc.starts_with("(J")) { mode = Mode::ascii; i += 3; }
            else if (esc.starts_with("$@") || esc.starts_with("$B")) { mode = Mode::jis0208; i += 3; }
            else if (esc.starts_with("(I")) { mode = Mode::kana; i += 3; }
            else if (esc.starts_with("&@")) { i += 3; }
            else return std::nullopt;
            continue;
        }
        if (c == 0x0E) { shifted = true; ++i; continue; }
        if (c == 0x0F) { shifted = false; ++i; continue; }
        if (c >= 0x80) return std::nullopt;
        if (c == '\n' || c == '\r' || (mode == Mode::ascii && !shifted)) {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        if (shifted || mode == Mode::kana) {
            if (c < 0x21 || c > 0x5F) return std::nullopt;
            unsigned u = 0xFF61 + (c - 0x21);   // half-width katakana
            out.push_back(static_cast<char>(0xE0 | (u >> 12)));
            out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
            ++i;
            continue;
        }
        if (i + 1 >= in.size()) return std::nullopt;
        auto j1 = c, j2 = static_cast<unsigned char>(in[i + 1]);
        if (j1 < 0x21 || j1 > 0x7E || j2 < 0x21 || j2 > 0x7E) return std::nullopt;
        const JisCell& cell = table[(j1 - 0x21) * 94 + (j2 - 0x21)];
        if (cell.len == 0) return std::nullopt;
        out.append(cell.utf8, cell.len);
        i += 2;
    }
    return out;
}

// The reverse, for writing text back in the encoding it came in: CP932 bytes to ISO-2022-JP.
std::optional<std::string> cp932_to_iso2022jp(std::string_view in) {
    enum class Mode { ascii, jis0208, kana } mode = Mode::ascii;
    std::string out;
    auto switch_to = [&](Mode m) {
        if (m == mode) return;
        out += m == Mode::ascii ? "\x1B(B" : m == Mode::jis0208 ? "\x1B$B" : "\x1B(I";
        mode = m;
    };
    for (std::size_t i = 0; i < in.size();) {
        auto c = static_cast<unsigned char>(in[i]);
        if (c < 0x80) {
            switch_to(Mode::ascii);
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (c >= 0xA1 && c <= 0xDF) {
            switch_to(Mode::kana);
            out.push_back(static_cast<char>(c - 0x80));
            ++i;
        } else {
            if (i + 1 >= in.size()) return std::nullopt;
            unsigned s1 = c, s2 = static_cast<unsigned char>(in[i + 1]);
            if (s1 > 0xEF) return std::nullopt;   // IBM extensions beyond JIS rows: no 7-bit form
            unsigned j1 = (s1 - (s1 <= 0x9F ? 0x70 : 0xB0)) * 2;
            unsigned j2;
            if (s2 >= 0x9F) { j2 = s2 - 0x7E; }
            else { --j1; j2 = s2 - (s2 >= 0x80 ? 0x20 : 0x1F); }
            if (j1 < 0x21 || j1 > 0x7E || j2 < 0x21 || j2 > 0x7E) return std::nullopt;
            switch_to(Mode::jis0208);
            out.push_back(static_cast<char>(j1));
            out.push_back(static_cast<char>(j2));
            i += 2;
        }
    }
    switch_to(Mode::ascii);
    return out;
}

bool has_iso2022jp_escape(std::string_view s) {
    return s.find("\x1B$B") != std::string_view::npos || s.find("\x1B$@") != std::string_view::npos ||
           s.find("\x1B(I") != std::string_view::npos;
}

// How Japanese a decoding looks: kana and common kanji score, half-width kana (the usual result of
// reading EUC-JP as Shift_JIS) and private-use characters count against.
long japanese_score(std::string_view utf8) {
    long score = 0;
    for (int32_t i = 0, n = static_cast<int32_t>(utf8.size()); i < n;) {
        UChar32 c;
        U8_NEXT(reinterpret_cast<const uint8_t*>(utf8.data()), i, n, c);
        if (c < 0x80) continue;
        if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3000 && c <= 0x303F)) score += 3;
        else if (c >= 0x4E00 && c <= 0x9FFF) score += 2;
        else if (c >= 0xFF01 && c <= 0xFF5E) score += 1;
        else if (c >= 0xFF61 && c <= 0xFF9F) score -= 1;
        else if (c >= 0xE000 && c <= 0xF8FF) score -= 3;
        else score -= 1;
    }
    return score;
}

// How plausible UTF-16 text decoded in one byte order is. Text read in the wrong order turns ASCII
// into U+xx00 characters and Japanese into rarely used or private-use code points.
long utf16_order_score(std::string_view utf8) {
    long score = 0;
    for (int32_t i = 0, n = static_cast<int32_t>(utf8.size()); i < n;) {
        UChar32 c;
        U8_NEXT(reinterpret_cast<const uint8_t*>(utf8.data()), i, n, c);
        if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r') score += 2;
        else if (c < 0x20 || c == 0x7F) score -= 3;
        else if (c > 0xFF && (c & 0xFF) == 0) score -= 4;
        else if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0x4E00 && c <= 0x9FFF) ||
                 (c >= 0xFF01 && c <= 0xFF9F))
            score += 2;
        else if ((c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000 || (c >= 0xFFF0 && c <= 0xFFFF)) score -= 3;
    }
    return score;
}

// The byte order marks, longest first (a UTF-32LE BOM begins like a UTF-16LE one).
struct Bom {
    std::string_view bytes;
    std::string_view label;
    std::size_t unit;
};
constexpr std::array<Bom, 5> kBoms{{
    {std::string_view("\xFF\xFE\0\0", 4), "UTF-32LE", 4},
    {std::string_view("\0\0\xFE\xFF", 4), "UTF-32BE", 4},
    {"\xEF\xBB\xBF", "UTF-8", 1},
    {"\xFF\xFE", "UTF-16LE", 2},
    {"\xFE\xFF", "UTF-16BE", 2},
}};

// A Unicode encoding without a BOM: the order that reads better. nullopt when neither decodes.
std::optional<std::string> unicode_without_bom(std::string_view bytes, bool utf32) {
    auto le = icu_decode(bytes, utf32 ? "UTF-32LE" : "UTF-16LE");
    auto be = icu_decode(bytes, utf32 ? "UTF-32BE" : "UTF-16BE");
    if (le && be) return utf16_order_score(*le) > utf16_order_score(*be) ? le : be;
    return le ? le : be;
}

}  // namespace

std::optional<Decoded> decode_by_bom(std::string_view bytes) {
    for (const auto& b : kBoms) {
        if (!bytes.starts_with(b.bytes)) continue;
        std::string_view rest = bytes.substr(b.bytes.size());
        if (rest.size() % b.unit != 0) continue;
        auto d = b.label == "UTF-8" ? (is_valid_utf8(rest) ? std::optional<std::string>(std::string(rest)) : std::nullopt)
                                    : icu_decode(rest, b.label);
        // FF FE 00 00 may also be a UTF-16LE mark and U+0000: the shorter mark is tried next.
        if (d) return Decoded{std::string(b.label), true, std::move(*d)};
    }
    return std::nullopt;
}

bool is_valid_utf8(std::string_view s) {
    for (int32_t i = 0, n = static_cast<int32_t>(s.size()); i < n;) {
        UChar32 c;
        U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
        if (c < 0) return false;
    }
    return true;
}

std::string canonical(std::string_view charset) {
    const Known* k = find_known(charset);
    return k ? std::string(k->label) : std::string();
}

std::optional<std::string> decode(std::string_view bytes, std::string_view charset) {
    const Known* k = find_known(charset);
    if (!k) return std::nullopt;
    if (k->label == "ISO-2022-JP") return iso2022jp_to_utf8(bytes);
    if (k->label == "UTF-16" || k->label == "UTF-32") {
        bool utf32 = k->label == "UTF-32";
        if (auto d = decode_by_bom(bytes); d && d->charset.starts_with(utf32 ? "UTF-32" : "UTF-16")) return std::move(d->utf8);
        if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF") || (utf32 && bytes.starts_with(std::string_view("\0\0\xFE\xFF", 4))))
            return std::nullopt;   // a BOM of this family that does not decode
        return unicode_without_bom(bytes, utf32);
    }
    if (k->label == "UTF-8" || k->label == "US-ASCII") {
        if (!is_valid_utf8(bytes)) return std::nullopt;
        if (k->label == "US-ASCII" &&
            std::any_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
            return std::nullopt;
        return std::string(bytes);
    }
    return icu_decode(bytes, k->icu);
}

std::optional<std::string> decode_lenient(std::string_view bytes, std::string_view charset) {
    if (auto strict = decode(bytes, charset)) return strict;
    const Known* k = find_known(charset);
    if (!k) return std::nullopt;
    if (k->label == "US-ASCII") return icu_decode_lenient(bytes, "UTF-8");
    // ICU's own ISO-2022-JP converter resynchronises after a bad sequence, which our strict one does not.
    if (k->label == "ISO-2022-JP") return icu_decode_lenient(bytes, "ISO-2022-JP-2");
    return icu_decode_lenient(bytes, k->icu);
}

std::optional<std::string> encode(std::string_view utf8, std::string_view charset) {
    const Known* k = find_known(charset);
    if (!k || !is_valid_utf8(utf8)) return std::nullopt;
    if (k->label == "UTF-8") return std::string(utf8);
    if (k->label == "ISO-2022-JP") {
        auto sjis = icu_encode(utf8, "windows-31j");
        if (!sjis) return std::nullopt;
        return cp932_to_iso2022jp(*sjis);
    }
    return icu_encode(utf8, k->icu);
}

std::optional<Decoded> detect_and_decode(std::string_view bytes) {
    // A byte order mark decides (a UTF-32LE mark is tried before the UTF-16LE one it begins with).
    if (auto d = decode_by_bom(bytes)) return d;
    if (bytes.starts_with("\xEF\xBB\xBF") || bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF"))
        return std::nullopt;   // a mark whose encoding does not decode: not text
    if (bytes.find('\0') != std::string_view::npos) return std::nullopt;

    bool seven_bit = std::none_of(bytes.begin(), bytes.end(),
                                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (seven_bit) {
        if (has_iso2022jp_escape(bytes)) {
            auto d = decode(bytes, "ISO-2022-JP");
            if (!d) return std::nullopt;
            return Decoded{"ISO-2022-JP", false, std::move(*d)};
        }
        return Decoded{"US-ASCII", false, std::string(bytes)};
    }
    if (is_valid_utf8(bytes)) return Decoded{"UTF-8", false, std::string(bytes)};

    // Japanese legacy encodings: keep those that decode strictly, prefer the one that reads as Japanese.
    std::optional<Decoded> best;
    long best_score = 0;
    for (std::string_view cs : {"Shift_JIS", "EUC-JP"}) {
        auto d = decode(bytes, cs);
        if (!d) continue;
        long score = japanese_score(*d);
        if (!best || score > best_score) {
            best = Decoded{std::string(cs), false, std::move(*d)};
            best_score = score;
        }
    }
    if (best) return best;

    // Anything else only when ICU's detector is fairly sure and the strict decode agrees.
    UErrorCode status = U_ZERO_ERROR;
    UCharsetDetector* det = ucsdet_open(&status);
    if (U_FAILURE(status)) return std::nullopt;
    std::unique_ptr<UCharsetDetector, void (*)(UCharsetDetector*)> guard(det, ucsdet_close);
    ucsdet_setText(det, bytes.data(), static_cast<int32_t>(std::min<std::size_t>(bytes.size(), 1 << 20)), &status);
    int32_t count = 0;
    const UCharsetMatch** matches = ucsdet_detectAll(det, &count, &status);
    if (U_FAILURE(status)) return std::nullopt;
    for (int32_t i = 0; i < count; ++i) {
        if (ucsdet_getConfidence(matches[i], &status) < 30) break;
        std::string label = canonical(ucsdet_getName(matches[i], &status));
        if (label.empty() || label.starts_with("UTF-16") || label.starts_with("UTF-32")) continue;
        // Text labelled ISO-8859-1 is in practice windows-1252 (as browsers read it): 0x80-0x9F are
        // printable there (€, “ ”), not C1 controls to be stripped.
        if (label == "ISO-8859-1") label = "windows-1252";
        if (auto d = decode(bytes, label)) return Decoded{label, false, std::move(*d)};
    }
    return std::nullopt;
}

}  // namespace mugaika::charset
