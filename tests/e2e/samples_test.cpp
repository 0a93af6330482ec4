// The demonstration samples (samples/, dropped into the share by scripts/run.sh): written reproducibly by
// scripts/make-samples.py (Python's standard library, not our code), and each one shows what mugaika does
// to its format, checked with independent tools.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

const char* generated[] = {"案内.pdf", "見積書.docm", "お問い合わせ.eml", "資料.zip"};

nlohmann::json report_of(const fs::path& reports, const std::string& name) {
    return nlohmann::json::parse(read_whole(reports / (name + ".report.json")));
}

std::vector<std::string> kinds(const nlohmann::json& report) {
    std::vector<std::string> out;
    for (const auto& f : report["findings"]) out.push_back(f["kind"].get<std::string>());
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("samples: scripts/make-samples.py writes exactly the checked-in samples") {
    if (!fs::exists("/usr/bin/python3")) {
        MESSAGE("SKIPPED: /usr/bin/python3 not installed");
        return;
    }
    TempDir t;
    auto r = run("/usr/bin/python3 " + shell_quote((source_dir() / "scripts" / "make-samples.py").string()) + " " +
                 shell_quote(t.path.string()) + " 2>&1");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    for (const char* name : generated)
        CHECK_MESSAGE(read_whole(t.path / name) == read_whole(source_dir() / "samples" / name), name);
}

TEST_CASE("samples: each sample shows its format disarmed (PDF, docm, mail, zip) and the disguised program held") {
    TempDir t;
    std::ofstream(t.path / "c.toml") << "[scan]\nenabled = false\n";   // the scanner has its own tests
    std::string inputs;
    for (const auto& e : fs::directory_iterator(source_dir() / "samples")) inputs += " " + shell_quote(e.path().string());
    auto r = run(shell_quote(mugaika_binary().string()) + " sanitize" + inputs + " --out " + shell_quote((t.path / "out").string()) +
                 " --quarantine " + shell_quote((t.path / "q").string()) + " --reports " +
                 shell_quote((t.path / "r").string()) + " --config " + shell_quote((t.path / "c.toml").string()) + " 2>&1");
    CHECK_MESSAGE(r.status == 3, r.out);   // the disguised executable is held
    fs::path out = t.path / "out", reports = t.path / "r";

    // The PDF: redrawn, its JavaScript (open action and link action) and its link gone, its text kept.
    auto pdf = report_of(reports, "案内.pdf");
    CHECK(pdf["verdict"] == "disarmed");
    CHECK(has(kinds(pdf), "pdf.javascript"));
    CHECK(has(kinds(pdf), "pdf.uri"));
    auto qdf = run("qpdf --qdf --object-streams=disable " + shell_quote((out / "案内.pdf").string()) + " -");
    REQUIRE(qdf.status == 0);
    for (std::string word : {"/JavaScript", "/JS", "/URI", "/OpenAction", "/AA", "/Annots"})
        CHECK_MESSAGE(qdf.out.find(word) == std::string::npos, word);
    CHECK(run("pdftotext " + shell_quote((out / "案内.pdf").string()) + " -").out.find("mugaika demo: invoice") !=
          std::string::npos);

    // The docm: rebuilt as a .docx without its VBA project, and nothing macro-enabled left.
    auto docm = report_of(reports, "見積書.docm");
    CHECK(docm["verdict"] == "disarmed");
    CHECK(has(kinds(docm), "ooxml.vba"));
    CHECK_FALSE(fs::exists(out / "見積書.docm"));
    auto list = run("unzip -Z1 " + shell_quote((out / "見積書.docx").string()));
    REQUIRE(list.status == 0);
    CHECK(list.out.find("vbaProject") == std::string::npos);
    // unzip reads member names as wildcards: the brackets escaped.
    auto types = run("unzip -p " + shell_quote((out / "見積書.docx").string()) + " '\\[Content_Types\\].xml'");
    REQUIRE(types.status == 0);
    CHECK(types.out.find("wordprocessingml.document.main+xml") != std::string::npos);
    CHECK(types.out.find("macroEnabled") == std::string::npos);
    CHECK(run("unzip -p " + shell_quote((out / "見積書.docx").string()) + " word/document.xml").out.find("御見積書") !=
          std::string::npos);

    // The mail: a new text mail (no HTML, links defanged), its CSV attachment kept (Python's email package).
    auto mail = report_of(reports, "お問い合わせ.eml");
    CHECK(mail["verdict"] == "disarmed");
    CHECK(has(kinds(mail), "mail.html"));
    auto parsed = run("/usr/bin/python3 -c \"import email,email.policy,sys; m=email.message_from_binary_file(open(sys.argv[1],'rb'),"
                      "policy=email.policy.default); print([p.get_content_type() for p in m.walk()]); "
                      "print([p.get_filename() for p in m.iter_attachments()]); print(m.get_body(('plain',)).get_content())\" " +
                      shell_quote((out / "お問い合わせ.eml").string()));
    REQUIRE(parsed.status == 0);
    CHECK(parsed.out.find("text/html") == std::string::npos);
    CHECK(parsed.out.find("'明細.csv'") != std::string::npos);
    CHECK(parsed.out.find("hxxps://www[.]example[.]jp/quote") != std::string::npos);
    CHECK(parsed.out.find("tracker.example.net") == std::string::npos);

    // The zip: rebuilt from its disarmed members; the .docm inside became a .docx (Python's zipfile).
    auto zip = report_of(reports, "資料.zip");
    CHECK(zip["verdict"] == "disarmed");
    auto members = run("/usr/bin/python3 -c \"import zipfile,sys; print(sorted(zipfile.ZipFile(sys.argv[1]).namelist()))\" " +
                       shell_quote((out / "資料.zip").string()));
    CHECK(members.out == "['資料/名簿.csv', '資料/見積書.docx', '資料/議事録.txt']\n");

    // The disguised program: held, nothing of it released.
    auto exe = report_of(reports, "請求書.pdf.exe");
    CHECK(exe["verdict"] == "quarantined");
    CHECK(exe["reason"]["code"] == "blocked.name");
    for (const auto& e : fs::directory_iterator(out)) CHECK(e.path().filename().string().find("請求書") == std::string::npos);
}
