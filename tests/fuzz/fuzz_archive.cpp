// libFuzzer target: arbitrary bytes through the engine as a zip archive (our structure walk, libzip,
// decryption with supplied passwords, member recursion, the rebuild), and the same bytes as a member of
// a zip we write, so that the replay over samples/ (which holds no zip) runs the whole archive path
// too. tests/fuzz/CMakeLists.txt: -DMUGAIKA_FUZZ=ON with clang; otherwise a replay in CTest.
// Run: build-fuzz/tests/fuzz/fuzz_archive -max_len=1000000 SEEDS (e.g. ../shared/corpus/zip-*).
// Any crash, hang or sanitizer report is a bug: the engine must turn every input into an outcome.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"
#include "zip/zip_writer.hpp"

namespace {

const mugaika::Engine& engine() {
    static const mugaika::Engine e = [] {
        mugaika::Policy p = mugaika::Policy::defaults();
        p.limits.max_expanded_bytes = 64ull << 20;   // keep each run small and quick
        p.limits.time_budget = std::chrono::milliseconds(10000);
        return mugaika::Engine(mugaika::builtin_registry(), p);
    }();
    return e;
}

// What every outcome of a zip must be: nothing out when held, exactly one zip out when not.
void check(const mugaika::Outcome& o) {
    if (o.quarantined() && !o.outputs.empty()) __builtin_trap();
    if (!o.quarantined() && o.detected_type == "zip" && (o.outputs.size() != 1 || o.outputs[0].type != "zip"))
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const mugaika::ItemSecrets secrets{{"infected", "password"}};
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check(engine().process(bytes, "fuzz.zip", secrets));

    mugaika::zip::ZipWriter w;
    w.add("member.bin", std::string(bytes));
    w.add("folder/note.txt", "note\n");
    mugaika::Outcome wrapped = engine().process(w.finish(), "wrapped.zip", secrets);
    check(wrapped);
    // The note is always clean, so the wrapper comes out with it whatever the member was, unless the
    // member spent a budget the whole input shares (time, expanded bytes, members).
    if (wrapped.quarantined() && !wrapped.reason.starts_with("limit.")) __builtin_trap();
    return 0;
}
