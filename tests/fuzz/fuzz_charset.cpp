// Charset detection and the hand-written ISO-2022-JP mapping: whatever decodes must be valid UTF-8
// and, for ISO-2022-JP, survive a round trip.
#include <cstdint>
#include <string_view>

#include "text/charset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (auto d = mugaika::charset::detect_and_decode(raw)) {
        if (!mugaika::charset::is_valid_utf8(d->utf8)) __builtin_trap();
    }
    if (auto j = mugaika::charset::decode(raw, "ISO-2022-JP")) {
        if (auto back = mugaika::charset::encode(*j, "ISO-2022-JP"))
            if (mugaika::charset::decode(*back, "ISO-2022-JP") != *j) __builtin_trap();
    }
    return 0;
}
