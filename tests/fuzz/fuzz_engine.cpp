// The whole engine on arbitrary bytes: detection, name checks, policy and whichever sanitizer the
// bytes reach. Every input must end in an outcome; none may crash or hang.
#include <cstdint>
#include <string_view>

#include "mugaika/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const mugaika::Engine engine(mugaika::builtin_registry(), [] {
        auto p = mugaika::Policy::defaults();
        p.limits.time_budget = std::chrono::seconds(10);
        return p;
    }());
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto outcome = engine.process(bytes, "input");
    // An outcome is either quarantined with no output, or has at least one output.
    if (outcome.quarantined() != outcome.outputs.empty()) __builtin_trap();
    return 0;
}
