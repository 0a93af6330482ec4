// The built binary over the shared real-world corpus: one outcome per file, no crash, nothing of a
// blocked type released. Skipped when ../shared/corpus is absent.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "clamd_server.hpp"
#include "fixtures.hpp"
#include "mugaika/file_type.hpp"
#include "mugaika/policy.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

TEST_CASE("e2e: mugaika sanitize over the shared corpus") {
    auto corpus = corpus_dir();
    if (!corpus) {
        MESSAGE("../shared/corpus is absent: corpus test skipped");
        return;
    }
    std::vector<fs::path> files;
    std::ifstream manifest(*corpus / "MANIFEST.tsv");
    std::string line;
    std::getline(manifest, line);   // header
    while (std::getline(manifest, line)) {
        auto tab1 = line.find('\t');
        auto tab2 = line.find('\t', tab1 + 1);
        fs::path p = *corpus / line.substr(tab1 + 1, tab2 - tab1 - 1);
        if (fs::is_regular_file(p)) files.push_back(p);
    }
    REQUIRE(files.size() > 100);

    TempDir d;
    // The shipped configuration, scanning with a private clamd that knows the EICAR test signature.
    ClamdServer clamd;
    if (clamd.address.empty()) MESSAGE("no clamd (" << clamd.why_not << "): the corpus runs with scanning off");
    write_file(d / "shipped.toml", shipped_config_with(clamd));
    // A list file keeps the command line short and the names exactly as they are.
    std::string cmd = "cd / && " + shell_quote(mugaika_binary().string()) + " sanitize --out " +
                      shell_quote((d / "out").string()) + " --quarantine " + shell_quote((d / "q").string()) +
                      " --config " + shell_quote((d / "shipped.toml").string()) + " --json";
    for (const auto& f : files) cmd += " " + shell_quote(f.string());
    auto r = run(cmd);
    CHECK((r.status == 0 || r.status == 3));
    auto results = nlohmann::json::parse(r.out);
    CHECK(results.size() == files.size());

    Policy policy = Policy::defaults();
    std::map<std::string, int> verdicts, reasons;
    std::size_t released_files = 0;
    for (const auto& item : results) {
        std::string verdict = item["verdict"];
        // The EICAR test file is plain ASCII text the text sanitizer would pass: only the scanner stops it.
        if (!clamd.address.empty() && item["input"]["name"] == "eicar.txt") {
            CHECK(verdict == "quarantined");
            CHECK(item["reason"]["code"] == "malware");
        }
        verdicts[verdict]++;
        if (verdict == "quarantined") {
            reasons[item["reason"]["code"].get<std::string>()]++;
            CHECK(item["outputs"].empty());
            continue;
        }
        std::string type = item["detected_type"];
        CAPTURE(item["input"]["name"]);
        CHECK(policy.action_for(type) != TypeAction::block);
        for (const auto& p : item["released_to"]) {
            CHECK(fs::exists(p.get<std::string>()));
            ++released_files;
        }
    }
    CHECK(released_files == files_in(d / "out").size());
    std::string summary;
    for (const auto& [v, n] : verdicts) summary += v + "=" + std::to_string(n) + " ";
    for (const auto& [c, n] : reasons) summary += c + ":" + std::to_string(n) + " ";
    MESSAGE("corpus outcomes: " << summary);
}
