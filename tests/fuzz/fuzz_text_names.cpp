// Text, CSV and names together: the first line of the input is a file name, the rest its content.
// Whatever the engine makes of it, an output whose bytes are plain text (text, CSV, mail) carries
// only an extension from its type's allowlist, and a quarantined outcome has no output.
#include <cstdint>
#include <string>
#include <string_view>

#include "mugaika/engine.hpp"
#include "mugaika/file_type.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const mugaika::Engine engine(mugaika::builtin_registry(), [] {
        auto p = mugaika::Policy::defaults();
        p.limits.time_budget = std::chrono::seconds(10);
        p.name_mismatch = mugaika::NameMismatch::keep;   // the allowlist must hold even when names are kept
        return p;
    }());
    std::string_view all(reinterpret_cast<const char*>(data), size);
    auto nl = all.find('\n');
    std::string_view name = nl == std::string_view::npos ? all : all.substr(0, nl);
    std::string_view bytes = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
    auto outcome = engine.process(bytes, name);
    if (outcome.quarantined() != outcome.outputs.empty()) __builtin_trap();
    for (const auto& out : outcome.outputs) {
        const mugaika::FileType* type = mugaika::find_file_type(out.type);
        if (!type) __builtin_trap();
        const mugaika::PlainTextNaming* naming = mugaika::plain_text_naming(*type);
        if (!naming) continue;
        auto dot = out.name.rfind('.');
        if (dot == std::string::npos) __builtin_trap();
        std::string ext = out.name.substr(dot + 1);
        for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!mugaika::extension_in(naming->allowed, ext)) __builtin_trap();
    }
    return 0;
}
