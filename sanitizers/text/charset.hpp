// Japanese-aware character set handling with ICU, shared by the text, CSV and mail sanitizers.
// Shift_JIS is read as Windows-31J (CP932) and ISO-2022-JP with the CP932 extensions real mail uses
// (①, ㈱, half-width kana), because that is what Japanese senders actually produce.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mugaika::charset {

struct Decoded {
    std::string charset;   // canonical label: UTF-8, US-ASCII, UTF-16LE, UTF-16BE, UTF-32LE, UTF-32BE, Shift_JIS, EUC-JP, ISO-2022-JP, ...
    bool bom = false;      // the input began with a byte order mark (not part of `utf8`)
    std::string utf8;
};

// Detects the encoding of text and decodes it strictly. nullopt when it is not text in any supported
// encoding (binary, NUL bytes, invalid sequences everywhere).
std::optional<Decoded> detect_and_decode(std::string_view bytes);

// Decodes text that starts with a byte order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE) in the encoding the
// mark names, strictly, the mark removed (`bom` set). nullopt when there is no mark or the rest does
// not decode. A mark wins over any label, as it does in browsers.
std::optional<Decoded> decode_by_bom(std::string_view bytes);

// Decodes strictly in the named charset (any common label or alias, case-insensitive). nullopt on an
// unknown charset or any invalid sequence.
std::optional<std::string> decode(std::string_view bytes, std::string_view charset);

// Decodes in the named charset, replacing each invalid sequence with U+FFFD (strict first, so valid
// input decodes exactly as decode() does). nullopt only for an unknown charset. For text that must be
// shown even when damaged (mail headers and bodies), with a finding saying so.
std::optional<std::string> decode_lenient(std::string_view bytes, std::string_view charset);

// Encodes UTF-8 into the named charset strictly. nullopt when a character has no mapping.
std::optional<std::string> encode(std::string_view utf8, std::string_view charset);

// The canonical label for a charset name or alias ("sjis" -> "Shift_JIS"), "" when unsupported.
std::string canonical(std::string_view charset);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view s);

}  // namespace mugaika::charset
