// Text from a file (a subject, a sender, a formula, a field instruction) is bounded before it goes into
// a report or a log line. A byte cut can end inside a multi-byte character (every Japanese character is
// three bytes in UTF-8), and the report's JSON then shows U+FFFD where the officer expected a character.
// Every such bound goes through this one function, which cuts at a character boundary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mugaika {

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8 sequence.
// Only continuation bytes (10xxxxxx) are stepped back over, so invalid input is cut as bytes.
inline std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

}  // namespace mugaika
