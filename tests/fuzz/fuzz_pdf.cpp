// libFuzzer target: any bytes, presented as a PDF, through the whole engine with the PDF sanitizer's
// deepest paths switched on (links re-added, attachments extracted as children). Seed it with the
// PDFs the tests write and with ../shared/corpus/pdf-*:
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DMUGAIKA_FUZZ=ON
//   ninja -C build-fuzz fuzz_pdf && build-fuzz/tests/fuzz/fuzz_pdf -rss_limit_mb=4096 -timeout=30 seeds/
// Without MUGAIKA_FUZZ it is linked with the replay driver and run over samples/ by CTest.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

namespace {

mugaika::Engine make_engine() {
    mugaika::Policy policy = mugaika::Policy::defaults();
    // Small budgets keep every input fast, so the fuzzer explores instead of waiting.
    policy.limits.time_budget = std::chrono::seconds(10);
    policy.options["pdf"]["links"] = "https";
    policy.options["pdf"]["attachments"] = "extract";
    policy.options["pdf"]["max_pages"] = "50";
    policy.options["pdf"]["max_page_pixels"] = "20000000";
    return mugaika::Engine(mugaika::builtin_registry(), policy);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const mugaika::Engine engine = make_engine();
    // The engine never throws for the input's sake; a crash or a leak here is a finding.
    auto outcome = engine.process(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.pdf");
    if (outcome.quarantined() != outcome.outputs.empty()) __builtin_trap();
    return 0;
}
