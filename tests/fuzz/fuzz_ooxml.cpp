// libFuzzer target: arbitrary bytes through the whole engine as an Office file (detection, safe zip,
// OOXML rebuild). Seed it with OOXML files, e.g. ../shared/corpus/benign-office and ooxml-*:
//   build-fuzz/tests/fuzz/fuzz_ooxml -max_len=1000000 corpus-dir/
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mugaika/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const mugaika::Engine engine = [] {
        mugaika::Policy policy = mugaika::Policy::defaults();
        policy.limits.max_expanded_bytes = 64ull << 20;   // keep each run small and quick
        policy.limits.time_budget = std::chrono::milliseconds(10000);
        return mugaika::Engine(mugaika::builtin_registry(), policy);
    }();
    mugaika::Outcome o = engine.process(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.docx");
    // A released or disarmed item has exactly one output; only a multi-page TIFF has one per page.
    if (!o.quarantined() && (o.detected_type == "tiff" ? o.outputs.empty() : o.outputs.size() != 1)) __builtin_trap();
    return 0;
}
