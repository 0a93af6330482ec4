// The public corpus's pictures (images, images-malicious, svg, the picture polyglots): each one is
// rebuilt or held, never released as it came, and every rebuilt picture holds nothing but its pixels.
// Skipped when ../shared/corpus is absent.
#include <doctest/doctest.h>

#include "image_support.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::image;

TEST_CASE("image corpus: every picture is rebuilt from pixels or held, no metadata, no trailing data crosses") {
    auto corpus = corpus_dir();
    if (!corpus) {
        MESSAGE("../shared/corpus not present: image corpus test skipped");
        return;
    }
    Engine engine(builtin_registry(), Policy::defaults());
    int rebuilt = 0, held = 0;
    for (const char* folder : {"images", "images-malicious", "svg", "polyglot"}) {
        auto dir = *corpus / folder;
        if (!std::filesystem::is_directory(dir)) continue;
        for (const auto& file : files_in(dir)) {
            std::string bytes = read_whole(file);
            Outcome o = engine.process(bytes, file.filename().string());
            const FileType* type = find_file_type(o.detected_type);
            if (!type || type->category != Category::image) continue;   // the polyglots' other faces
            CAPTURE(file.string());
            CHECK(o.verdict != Verdict::released);
            if (o.quarantined()) {
                ++held;
                CHECK(o.outputs.empty());
                continue;
            }
            ++rebuilt;
            for (const auto& out : o.outputs) {
                // (Not "different from the input": a clean PNG written by libpng's defaults is a fixed
                // point of a lossless rebuild. What matters is that only pixel chunks remain.)
                auto s = structure(out.bytes);
                REQUIRE(s["format"] != "other");
                CHECK(s["trailing"] == 0);
                auto tags = exif_tags(out.bytes);
                for (auto group : {"GPS", "XMP", "ICC", "Photoshop", "IPTC", "ExifIFD"}) CHECK_MESSAGE(!any_tag_group(tags, group), group);
                CHECK_FALSE(tags.contains("File:Comment"));
            }
        }
    }
    MESSAGE("image corpus: " << rebuilt << " rebuilt, " << held << " held");
    CHECK(rebuilt > 10);
}
