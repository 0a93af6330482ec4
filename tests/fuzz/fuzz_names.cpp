// Name checks on arbitrary bytes: the safe name must be non-empty, bounded, valid UTF-8 and free of
// path separators, whatever came in.
#include <cstdint>
#include <string_view>

#include "mugaika/names.hpp"
#include "text/charset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    auto n = mugaika::check_name(raw);
    if (n.safe_name.empty() || n.safe_name.size() > mugaika::max_name_bytes) __builtin_trap();
    if (n.safe_name.find_first_of("/\\") != std::string::npos) __builtin_trap();
    if (!mugaika::charset::is_valid_utf8(n.safe_name)) __builtin_trap();
    return 0;
}
