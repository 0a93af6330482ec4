// The public corpus (../shared/corpus): real and fuzzed PDFs nobody on the team wrote. Each file is
// sanitized in an isolated child, as the service does, so a parser crash is a verdict, not a test
// crash. Skipped when the corpus is absent.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "pdf_support.hpp"
#include "worker/isolated.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_of(const std::string& category) {
    auto root = corpus_dir();
    if (!root || !fs::is_directory(*root / category)) return {};
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(*root / category))
        if (e.is_regular_file()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string without_space(const std::string& s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

// Control characters in a word mean pdftotext had no Unicode mapping for its glyphs: such words are
// noise, not text anyone can read or search.
bool has_control(const std::string& w) {
    for (std::size_t i = 0; i < w.size(); ++i) {
        auto c = static_cast<unsigned char>(w[i]);
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < w.size() && static_cast<unsigned char>(w[i + 1]) < 0xA0) return true;
    }
    return false;
}

// Share of the words that are visible in the original (pdftotext of the original, restricted to
// words that poppler's own cairo converter also keeps: invisible text, render mode 3, is drawn by
// neither) found in the output's text.
double text_kept(const std::string& original_text, const std::string& visible_text, const std::string& output_text) {
    std::string haystack = without_space(output_text);
    std::string visible = without_space(visible_text);
    std::istringstream words(original_text);
    std::string w;
    int total = 0, found = 0;
    while (words >> w && total < 2000) {
        if (w.size() < 2 || has_control(w) || visible.find(w) == std::string::npos) continue;
        ++total;
        if (haystack.find(w) != std::string::npos) ++found;
    }
    return total == 0 ? 1.0 : double(found) / total;
}

bool poppler_utils_can_open(const std::string& bytes) {
    TempDir dir;
    write_file(dir / "in.pdf", bytes);
    return run("pdfinfo " + shell_quote((dir / "in.pdf").string()) + " >/dev/null 2>&1").status == 0;
}

// The promises that hold for every file: one outcome for it, nothing active in what is released,
// and a PDF is never released as it came.
void check_category(const std::string& category, const std::string& expected_finding = "") {
    auto files = files_of(category);
    if (files.empty()) {
        MESSAGE("corpus category " << category << " not found: skipped");
        return;
    }
    auto engine = pdf::engine();
    WorkerLimits limits;
    limits.wall = std::chrono::seconds(60);
    for (const auto& path : files) {
        INFO(category << "/" << path.filename().string());
        std::string bytes = read_whole(path);
        Outcome o = process_isolated(engine, bytes, path.filename().string(), limits);
        CHECK(o.input_name == path.filename().string());
        CHECK(o.input_sha256.size() == 64);
        if (o.quarantined()) {
            CHECK(!o.reason.empty());
            CHECK(o.outputs.empty());
            continue;
        }
        CHECK(!o.outputs.empty());
        for (const auto& out : o.outputs) {
            if (out.type != "pdf") continue;
            CHECK(out.bytes != bytes);
            CHECK(pdf::residuals(out.bytes) == std::vector<std::string>{});
        }
        if (!expected_finding.empty() && o.detected_type == "pdf")
            CHECK_MESSAGE(pdf::has_finding(o, expected_finding), "no " << expected_finding << " finding");
    }
}

}  // namespace

TEST_CASE("pdf corpus: pdf-js") { check_category("pdf-js", "pdf.javascript"); }
TEST_CASE("pdf corpus: pdf-launch") { check_category("pdf-launch", "pdf.launch"); }
TEST_CASE("pdf corpus: pdf-embedded") { check_category("pdf-embedded", "pdf.embedded_file"); }
TEST_CASE("pdf corpus: pdf-xfa") { check_category("pdf-xfa", "pdf.xfa"); }
TEST_CASE("pdf corpus: pdf-tricks") { check_category("pdf-tricks"); }
TEST_CASE("pdf corpus: pdf-malformed") { check_category("pdf-malformed"); }
TEST_CASE("pdf corpus: resource-bomb") { check_category("resource-bomb"); }
TEST_CASE("pdf corpus: polyglot") { check_category("polyglot"); }

TEST_CASE("pdf corpus: benign PDFs are released with their text") {
    check_category("benign-pdf");
    auto engine = pdf::engine();
    WorkerLimits limits;
    limits.wall = std::chrono::seconds(60);
    for (const auto& path : files_of("benign-pdf")) {
        INFO("benign-pdf/" << path.filename().string());
        std::string bytes = read_whole(path);
        // A few corpus files are parser-confusion demos that poppler itself cannot open: those may
        // be quarantined (malformed); everything poppler's own tools can read must come out.
        if (!poppler_utils_can_open(bytes)) continue;
        Outcome o = process_isolated(engine, bytes, path.filename().string(), limits);
        REQUIRE_MESSAGE(!o.quarantined(), o.reason << ": " << o.reason_detail);
        const Output* out = pdf::pdf_output(o);
        REQUIRE(out);
        CHECK(pdf::pdfinfo(out->bytes).pages == pdf::pdfinfo(bytes).pages);
        TempDir dir;
        write_file(dir / "in.pdf", bytes);
        run("pdftocairo -pdf " + shell_quote((dir / "in.pdf").string()) + " " + shell_quote((dir / "cairo.pdf").string()) +
            " 2>/dev/null");
        auto original = pdf::pdftotext(bytes);
        REQUIRE(fs::exists(dir / "cairo.pdf"));
        CHECK(text_kept(original, pdf::pdftotext(read_whole(dir / "cairo.pdf")), pdf::pdftotext(out->bytes)) >= 0.95);
    }
}
