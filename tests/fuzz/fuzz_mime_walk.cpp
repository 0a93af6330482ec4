// libFuzzer target: the mail sanitizer's MIME walk and its ledger, and the cutter of files hidden in
// text. Whatever GMime makes of the bytes, every leaf must be in the ledger exactly once (walk_mime
// throws `internal` otherwise), and cutting blocks out of a text must leave none behind (cutting again
// finds nothing). Attachments are removed by policy here so that the walk itself is what runs.
// Run: build-fuzz/tests/fuzz/fuzz_mime_walk -max_len=65536 SEEDS (e.g. ../shared/corpus/eml-*).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail/embedded_blocks.hpp"
#include "mail/mime_tree.hpp"
#include "mail/mime_walk.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/registry.hpp"

namespace {
struct Setup {
    mugaika::Registry registry = mugaika::builtin_registry();
    mugaika::Policy policy = mugaika::Policy::defaults();
    mugaika::Engine engine{mugaika::builtin_registry(), mugaika::Policy::defaults()};
    mugaika::SanitizerOptions options = policy.options_for("mail", registry);
};
Setup& setup() {
    static Setup s;
    return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);

    std::string text(bytes);
    auto blocks = mugaika::mail::cut_embedded_blocks(text);
    if (!blocks.empty() && !mugaika::mail::cut_embedded_blocks(text).empty()) __builtin_trap();

    Setup& s = setup();
    mugaika::Limits limits;
    limits.time_budget = std::chrono::milliseconds(5000);
    mugaika::Budget budget(limits);
    mugaika::Context ctx(s.engine, budget, s.options, 0, "");
    try {
        mugaika::mail::ParsedMail pm = mugaika::mail::parse_mail(bytes, mugaika::mail::TreeLimits{});
        mugaika::mail::WalkOptions opt;
        opt.sanitize_attachments = false;
        auto r = mugaika::mail::walk_mime(pm.root, ctx, opt);
        if (r.ledger.leaves.size() != mugaika::mail::count_leaves(pm.root)) __builtin_trap();
    } catch (const mugaika::SanitizeError& e) {
        if (e.code() == mugaika::reason::internal) __builtin_trap();   // the ledger missed a leaf
    }
    return 0;
}
