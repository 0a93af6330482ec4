// libFuzzer target: arbitrary bytes through the whole engine without a converter, so that the legacy
// scans (compound file tree, BIFF, PowerPoint and Word records, RTF control words, ODF packages and
// flat ODF), the flat-ODF and Ichitaro detection, and the HTML and XML sanitizers are exercised. Seed it
// with ../shared/corpus/ole-macro, xlm-macro, rtf-object, office-dde, html and xml-xxe-bomb:
//   build-fuzz/tests/fuzz/fuzz_legacy -max_len=1000000 corpus-dir/
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mugaika/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const mugaika::Engine engine = [] {
        mugaika::Policy policy = mugaika::Policy::defaults();
        policy.limits.max_expanded_bytes = 64ull << 20;
        policy.limits.time_budget = std::chrono::milliseconds(10000);
        return mugaika::Engine(mugaika::builtin_registry(), policy);
    }();
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    mugaika::Outcome o = engine.process(bytes, "fuzz.doc");
    // Without a converter a legacy document can only be held; HTML and XML give one output.
    // A released or disarmed item has exactly one output; only a multi-page TIFF has one per page.
    if (!o.quarantined() && (o.detected_type == "tiff" ? o.outputs.empty() : o.outputs.size() != 1)) __builtin_trap();
    if (!o.quarantined() && (o.detected_type == "doc" || o.detected_type == "xls" || o.detected_type == "ppt" ||
                             o.detected_type == "rtf" || o.detected_type == "odt"))
        __builtin_trap();
    return 0;
}
