// libFuzzer target: arbitrary bytes through the 7z, RAR, LZH and tar reader (libarchive behind our own
// checks, one format at a time) and through the gzip, bzip2, xz and lzma stream readers, each called
// directly with the type forced, so that the replay over samples/ (which holds none of these formats)
// still drives every reader; then the same bytes through the engine under an archive name.
// tests/fuzz/CMakeLists.txt: -DMUGAIKA_FUZZ=ON with clang; otherwise a replay in CTest.
// Run: build-fuzz/tests/fuzz/fuzz_archive_formats -max_len=1000000 SEEDS (7z, rar, lzh, tar, gz files).
// Any crash, hang or sanitizer report is a bug: every input must end as outputs or a SanitizeError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "archive/archive_sanitizer.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/registry.hpp"

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

// One sanitizer on the bytes as if detection had said `type`: what comes out is one zip (archives)
// or whatever the content became (streams), never anything when it throws.
void run_as(const mugaika::Sanitizer& s, std::string_view bytes, const char* type, const char* name) {
    mugaika::Budget budget(engine().policy().limits);
    mugaika::SanitizerOptions none;
    mugaika::Context ctx(engine(), budget, none, 0, "");
    try {
        auto outputs = s.sanitize(mugaika::Input{bytes, name, mugaika::find_file_type(type)}, ctx);
        if (outputs.empty()) __builtin_trap();
        if (s.name() == "archive" && (outputs.size() != 1 || outputs[0].type != "zip")) __builtin_trap();
    } catch (const mugaika::SanitizeError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto archives = mugaika::make_archive_sanitizer();
    static const auto streams = mugaika::make_compressed_sanitizer();
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (const char* type : {"7z", "rar", "lzh", "tar"}) run_as(*archives, bytes, type, "fuzz.bin");
    for (const char* type : {"gzip", "bzip2", "xz", "lzma"}) run_as(*streams, bytes, type, "fuzz.txt.gz");
    mugaika::Outcome o = engine().process(bytes, "fuzz.tar.gz");
    if (o.quarantined() && !o.outputs.empty()) __builtin_trap();
    return 0;
}
