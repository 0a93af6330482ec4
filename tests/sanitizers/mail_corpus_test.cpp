// The mail sanitizer over the shared corpus's mails (../shared/corpus/eml-*), in isolated workers as
// the service runs it. Skipped when the corpus is absent.
#include <doctest/doctest.h>

#include <filesystem>
#include <iostream>

#include "../../gateway/worker/isolated.hpp"
#include "mail_support.hpp"

using namespace mugaika;
using namespace mugaika::test::mail;
namespace fs = std::filesystem;

namespace {
bool has_replacement(const std::string& s) { return s.find("\xEF\xBF\xBD") != std::string::npos; }
}  // namespace

TEST_CASE("mail corpus: every mail gets an outcome, Japanese decodes without U+FFFD") {
    auto corpus = mugaika::test::corpus_dir();
    if (!corpus) {
        MESSAGE("SKIPPED: ../shared/corpus not present");
        return;
    }
    Engine e = engine();
    WorkerLimits limits;
    limits.wall = std::chrono::milliseconds(60000);
    std::size_t mails = 0, released = 0, held = 0;
    for (const auto& dir : fs::directory_iterator(*corpus)) {
        if (!dir.is_directory() || !dir.path().filename().string().starts_with("eml-")) continue;
        for (const auto& f : fs::directory_iterator(dir.path())) {
            if (!f.is_regular_file()) continue;
            std::string bytes = mugaika::test::read_whole(f.path());
            std::string name = f.path().filename().string();
            CAPTURE(f.path().string());
            Outcome o = process_isolated(e, bytes, name, limits);
            ++mails;
            // No crash, no timeout, no internal fault: a verdict of the sanitizers' own making.
            CHECK(o.reason != "worker.crash");
            CHECK(o.reason != "limit.time");
            CHECK(o.reason != "internal");
            if (o.quarantined()) {
                ++held;
                continue;
            }
            ++released;
            if (o.detected_type != "eml") continue;   // e.g. a bare TNEF file, handled elsewhere
            auto j = python_view(o.outputs[0].bytes);
            CHECK_MESSAGE(j["defects"].empty(), j["defects"].dump());
            CHECK(!j["html_anywhere"].get<bool>());
            // Mails in eml-ja are valid Japanese: their subjects and bodies must decode cleanly.
            if (dir.path().filename() == "eml-ja") {
                bool damaged = false;
                for (const auto& fnd : o.findings) damaged = damaged || fnd.kind == "mail.charset.damaged";
                CHECK(!damaged);
                if (j["headers"].contains("Subject"))
                    CHECK(!has_replacement(j["headers"]["Subject"].get<std::string>()));
                CHECK(!has_replacement(j["body"].get<std::string>()));
            }
        }
    }
    MESSAGE(mails << " corpus mails: " << released << " released, " << held << " held");
    CHECK(mails > 0);
}
