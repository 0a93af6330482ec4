// The public corpus (../shared/corpus; skipped when absent): every Office, XML-bomb and zip-trick
// file goes through the engine in an isolated child. One outcome each, no crash, nothing active left
// in what is released, and the benign documents released and readable by LibreOffice.
#include <set>

#include "ooxml_support.hpp"
#include "worker/isolated.hpp"

using namespace mugaika;
using namespace mugaika::test;
using namespace mugaika::test::ooxml;
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kOoxmlTypes{"docx", "dotx", "xlsx", "xltx", "pptx", "potx", "ppsx"};

bool in_scope(const std::string& category) {
    return category.starts_with("ooxml-") || category.starts_with("office-") || category.starts_with("zip-") ||
           category == "xlm-macro" || category == "benign-office" || category == "xml-xxe-bomb";
}

}  // namespace

TEST_CASE("ooxml corpus: one outcome per file, no crash, no residual constructs, benign documents readable") {
    auto corpus = corpus_dir();
    if (!corpus) {
        MESSAGE("../shared/corpus not found: corpus test skipped");
        return;
    }
    Engine engine(builtin_registry(), Policy::defaults());
    WorkerLimits limits;
    limits.wall = std::chrono::milliseconds(60000);
    TempDir work;
    std::vector<fs::path> benign_outputs;
    int files = 0, released = 0, quarantined = 0;

    std::vector<fs::path> inputs;
    for (const auto& dir : fs::directory_iterator(*corpus))
        if (dir.is_directory() && in_scope(dir.path().filename().string()))
            for (const auto& f : files_in(dir.path())) inputs.push_back(f);
    std::sort(inputs.begin(), inputs.end());

    for (const auto& path : inputs) {
        std::string category = path.parent_path().filename().string();
        std::string bytes = read_whole(path);
        Outcome o = process_isolated(engine, bytes, path.filename().string(), limits);
        ++files;
        INFO(category, "/", path.filename().string(), " -> ", to_string(o.verdict), " ", o.reason, " ", o.reason_detail);
        CHECK(o.reason != "worker.crash");
        CHECK(o.reason != "internal");
        if (o.quarantined()) {
            ++quarantined;
            CHECK(o.outputs.empty());
            CHECK_FALSE(o.reason.empty());
        } else {
            ++released;
            CHECK(o.outputs.size() == 1);
        }
        std::string ext = path.extension().string();
        bool ooxml_name = ext == ".docx" || ext == ".xlsx" || ext == ".pptx" || ext == ".docm";
        if (category == "benign-office" && ooxml_name) CHECK(!o.quarantined());
        for (const auto& out : o.outputs) {
            if (!kOoxmlTypes.contains(out.type)) continue;
            fs::path file = work / (std::to_string(files) + "-" + out.name);
            write_file(file, out.bytes);
            auto residue = residual_constructs(file);
            std::string first = residue.empty() ? std::string() : residue.front();
            CHECK_MESSAGE(residue.empty(), first);
            if (category == "benign-office") benign_outputs.push_back(file);
        }
    }
    MESSAGE(files, " corpus files: ", released, " released or disarmed, ", quarantined, " quarantined");
    CHECK(files > 0);

    if (!soffice_available() || benign_outputs.empty()) return;
    auto text = libreoffice_text(work, benign_outputs);
    for (const auto& f : benign_outputs) {
        INFO(f.filename().string());
        CHECK_FALSE(text[f.stem().string()].empty());
    }
}
