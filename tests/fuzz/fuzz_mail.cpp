// libFuzzer target: arbitrary bytes through the engine named as a mail, so mail-looking inputs reach
// the mail sanitizer (tests/fuzz/CMakeLists.txt: -DMUGAIKA_FUZZ=ON with clang; otherwise a replay over
// samples/ in CTest). Run: build-fuzz/tests/fuzz/fuzz_mail -max_len=65536 SEEDS (e.g. ../shared/corpus/eml-*).
// Any crash, hang or sanitizer report is a bug: the engine must turn every input into an outcome.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

namespace {
const mugaika::Engine& engine() {
    static const mugaika::Engine e = [] {
        mugaika::Policy p = mugaika::Policy::defaults();
        p.limits.time_budget = std::chrono::milliseconds(5000);
        return mugaika::Engine(mugaika::builtin_registry(), p);
    }();
    return e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    mugaika::Outcome o = engine().process(bytes, "fuzz.eml");
    // A released mail is always one 7-bit message.
    if (!o.quarantined() && o.detected_type == "eml") {
        if (o.outputs.size() != 1) __builtin_trap();
        for (unsigned char c : o.outputs[0].bytes)
            if (c >= 0x80) __builtin_trap();
    }
    return 0;
}
