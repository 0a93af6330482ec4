// Shared by the OOXML tests: hostile packages built part by part, the engine with chosen options, and
// an independent look at the output through unzip.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "mugaika/engine.hpp"

namespace mugaika::test::ooxml {

inline const std::string R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
inline const std::string W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
inline const std::string CT = "application/vnd.openxmlformats-officedocument.";

inline std::string rel(const std::string& id, const std::string& type, const std::string& target, bool external = false) {
    std::string t = type.find("://") == std::string::npos ? R + type : type;
    return "<Relationship Id=\"" + id + "\" Type=\"" + t + "\" Target=\"" + target + "\"" +
           (external ? " TargetMode=\"External\"" : "") + "/>";
}

// A Word package: `body` goes inside <w:body>; extra relationships of document.xml, parts and types.
struct Docx {
    std::string main_type = CT + "wordprocessingml.document.main+xml";
    std::string body;
    std::string doc_rels;
    std::string package_rels;
    std::string settings;   // inner XML of w:settings; empty: no settings part
    std::string settings_rels;
    Entries parts;
    std::vector<std::pair<std::string, std::string>> types;

    std::string build() const {
        PackageSpec s;
        s.content_types = types;
        s.content_types.push_back({"/word/document.xml", main_type});
        s.rels.push_back({"", rel("rId1", "officeDocument", "word/document.xml") + package_rels});
        std::string drels = doc_rels;
        if (!settings.empty()) {
            s.content_types.push_back({"/word/settings.xml", CT + "wordprocessingml.settings+xml"});
            drels += rel("rIdSettings", "settings", "settings.xml");
            s.parts.push_back({"word/settings.xml", "<w:settings xmlns:w=\"" + W_NS +
                                                        "\" xmlns:r=\"" + R.substr(0, R.size() - 1) + "\">" + settings + "</w:settings>"});
            if (!settings_rels.empty()) s.rels.push_back({"word/settings.xml", settings_rels});
        }
        if (!drels.empty()) s.rels.push_back({"word/document.xml", drels});
        s.parts.push_back({"word/document.xml",
                           R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w=")" + W_NS +
                               R"(" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:body>)" +
                               body + "</w:body></w:document>"});
        for (const auto& p : parts) s.parts.push_back(p);
        return make_package(s);
    }
};

inline Outcome sanitize(const std::string& bytes, const std::string& name, const SanitizerOptions& options = {}) {
    Policy p = Policy::defaults();
    if (!options.empty()) p.options["ooxml"] = options;
    Engine e(builtin_registry(), p);
    return e.process(bytes, name);
}

// The output as unzip sees it.
struct Unzipped {
    TempDir dir;
    std::filesystem::path file;
    std::vector<std::string> names;

    explicit Unzipped(const std::string& bytes) : file(dir / "out.zip") {
        write_file(file, bytes);
        auto r = run("unzip -Z1 " + shell_quote(file.string()));
        REQUIRE(r.status == 0);
        std::size_t start = 0;
        while (start < r.out.size()) {
            auto end = r.out.find('\n', start);
            if (end == std::string::npos) end = r.out.size();
            if (end > start) names.push_back(r.out.substr(start, end - start));
            start = end + 1;
        }
        REQUIRE(run("unzip -tq " + shell_quote(file.string()) + " >/dev/null").status == 0);
    }
    bool has(const std::string& name) const {
        for (const auto& n : names)
            if (n == name) return true;
        return false;
    }
    bool any_contains(const std::string& fragment) const {
        for (const auto& n : names)
            if (n.find(fragment) != std::string::npos) return true;
        return false;
    }
    std::string part(const std::string& name) const {
        std::string pattern;   // unzip reads names as wildcards: [ must be written [[]
        for (char c : name) pattern += c == '[' ? std::string("[[]") : std::string(1, c);
        return run("unzip -p " + shell_quote(file.string()) + " " + shell_quote(pattern)).out;
    }
    // Every XML and relationships part, concatenated: for "nowhere in the package" checks.
    std::string all_xml() const {
        std::string all;
        for (const auto& n : names)
            if (n.ends_with(".xml") || n.ends_with(".rels")) all += part(n) + "\n";
        return all;
    }
};

inline bool has_finding(const Outcome& o, const std::string& kind) {
    for (const auto& f : o.findings)
        if (f.kind == kind) return true;
    return false;
}

}  // namespace mugaika::test::ooxml

namespace mugaika::test::ooxml {

inline const std::string X_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
inline const std::string P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main";
inline const std::string A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main";
inline const std::string R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

// An Excel package: sheets are (name, relationship type, part body); sheet i is xl/worksheets/sheet{i+1}.xml.
struct Xlsx {
    std::string main_type = CT + "spreadsheetml.sheet.main+xml";
    struct Sheet {
        std::string name, rel_type = "worksheet", content_type, body, rels;
    };
    std::vector<Sheet> sheets;
    std::string workbook_extra;     // after <sheets> (definedNames, externalReferences, ...)
    std::string workbook_rels;      // extra relationships of the workbook
    std::string shared_strings;     // <si> elements
    Entries parts;
    std::vector<std::pair<std::string, std::string>> types;

    std::string build() const {
        PackageSpec s;
        s.content_types = types;
        s.content_types.push_back({"/xl/workbook.xml", main_type});
        s.rels.push_back({"", rel("rId1", "officeDocument", "xl/workbook.xml")});
        std::string wrels = workbook_rels, sheet_list;
        for (std::size_t i = 0; i < sheets.size(); ++i) {
            const Sheet& sh = sheets[i];
            std::string n = std::to_string(i + 1), part = "xl/worksheets/sheet" + n + ".xml";
            wrels += rel("rIdS" + n, sh.rel_type, "worksheets/sheet" + n + ".xml");
            sheet_list += "<sheet name=\"" + sh.name + "\" sheetId=\"" + n + "\" r:id=\"rIdS" + n + "\"/>";
            s.content_types.push_back({"/" + part, sh.content_type.empty() ? CT + "spreadsheetml.worksheet+xml" : sh.content_type});
            std::string root = sh.rel_type == "worksheet" ? "worksheet" : "xm:macrosheet";
            std::string xmlns = sh.rel_type == "worksheet" ? "" : " xmlns:xm=\"http://schemas.microsoft.com/office/excel/2006/main\"";
            s.parts.push_back({part, "<" + root + " xmlns=\"" + X_NS + "\" xmlns:r=\"" + R_NS + "\"" + xmlns + ">" + sh.body + "</" + root + ">"});
            if (!sh.rels.empty()) s.rels.push_back({part, sh.rels});
        }
        if (!shared_strings.empty()) {
            wrels += rel("rIdSST", "sharedStrings", "sharedStrings.xml");
            s.content_types.push_back({"/xl/sharedStrings.xml", CT + "spreadsheetml.sharedStrings+xml"});
            s.parts.push_back({"xl/sharedStrings.xml", "<sst xmlns=\"" + X_NS + "\">" + shared_strings + "</sst>"});
        }
        s.rels.push_back({"xl/workbook.xml", wrels});
        s.parts.push_back({"xl/workbook.xml", "<workbook xmlns=\"" + X_NS + "\" xmlns:r=\"" + R_NS + "\"><bookViews><workbookView activeTab=\"1\"/></bookViews><sheets>" +
                                                  sheet_list + "</sheets>" + workbook_extra + "</workbook>"});
        for (const auto& p : parts) s.parts.push_back(p);
        return make_package(s);
    }
};

// A PowerPoint package with one master, one layout, one theme and the given slides (inner XML of
// p:spTree after the group properties) and their extra relationships.
struct Pptx {
    std::string main_type = CT + "presentationml.presentation.main+xml";
    struct Slide {
        std::string shapes, rels;
    };
    std::vector<Slide> slides;
    std::string presentation_rels;
    Entries parts;
    std::vector<std::pair<std::string, std::string>> types;

    static std::string tree(const std::string& shapes) {
        return "<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>" + shapes + "</p:spTree></p:cSld>";
    }
    static std::string ns() {
        return " xmlns:a=\"" + A_NS + "\" xmlns:r=\"" + R_NS + "\" xmlns:p=\"" + P_NS + "\"";
    }
    static std::string text_shape(int id, const std::string& text, const std::string& run_props = "") {
        return "<p:sp><p:nvSpPr><p:cNvPr id=\"" + std::to_string(id) + "\" name=\"T" + std::to_string(id) +
               "\"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x=\"457200\" y=\"" + std::to_string(457200 * id) +
               "\"/><a:ext cx=\"6000000\" cy=\"600000\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang=\"ja-JP\">" +
               run_props + "</a:rPr><a:t>" + text + "</a:t></a:r></a:p></p:txBody></p:sp>";
    }

    std::string build() const {
        PackageSpec s;
        s.content_types = types;
        s.content_types.push_back({"/ppt/presentation.xml", main_type});
        s.content_types.push_back({"/ppt/slideMasters/slideMaster1.xml", CT + "presentationml.slideMaster+xml"});
        s.content_types.push_back({"/ppt/slideLayouts/slideLayout1.xml", CT + "presentationml.slideLayout+xml"});
        s.content_types.push_back({"/ppt/theme/theme1.xml", CT + "theme+xml"});
        s.rels.push_back({"", rel("rId1", "officeDocument", "ppt/presentation.xml")});
        std::string prels = rel("rIdM", "slideMaster", "slideMasters/slideMaster1.xml") + rel("rIdTh", "theme", "theme/theme1.xml") + presentation_rels;
        std::string ids;
        for (std::size_t i = 0; i < slides.size(); ++i) {
            std::string n = std::to_string(i + 1), part = "ppt/slides/slide" + n + ".xml";
            prels += rel("rIdSl" + n, "slide", "slides/slide" + n + ".xml");
            ids += "<p:sldId id=\"" + std::to_string(256 + i) + "\" r:id=\"rIdSl" + n + "\"/>";
            s.content_types.push_back({"/" + part, CT + "presentationml.slide+xml"});
            s.parts.push_back({part, "<p:sld" + ns() + ">" + tree(slides[i].shapes) + "</p:sld>"});
            s.rels.push_back({part, rel("rIdL", "slideLayout", "../slideLayouts/slideLayout1.xml") + slides[i].rels});
        }
        s.rels.push_back({"ppt/presentation.xml", prels});
        s.parts.push_back({"ppt/presentation.xml", "<p:presentation" + ns() + "><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rIdM\"/></p:sldMasterIdLst><p:sldIdLst>" + ids +
                                                       "</p:sldIdLst><p:sldSz cx=\"9144000\" cy=\"6858000\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/></p:presentation>"});
        s.parts.push_back({"ppt/slideMasters/slideMaster1.xml", "<p:sldMaster" + ns() + ">" + tree("") +
                                                                    "<p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/><p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rIdL\"/></p:sldLayoutIdLst></p:sldMaster>"});
        s.rels.push_back({"ppt/slideMasters/slideMaster1.xml", rel("rIdL", "slideLayout", "../slideLayouts/slideLayout1.xml") + rel("rIdT", "theme", "../theme/theme1.xml")});
        s.parts.push_back({"ppt/slideLayouts/slideLayout1.xml", "<p:sldLayout" + ns() + ">" + tree("") + "</p:sldLayout>"});
        s.rels.push_back({"ppt/slideLayouts/slideLayout1.xml", rel("rIdM", "slideMaster", "../slideMasters/slideMaster1.xml")});
        s.parts.push_back({"ppt/theme/theme1.xml", theme()});
        for (const auto& p : parts) s.parts.push_back(p);
        return make_package(s);
    }

    static std::string theme() {
        std::string clr;
        for (const char* n : {"dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6", "hlink", "folHlink"})
            clr += std::string("<a:") + n + "><a:srgbClr val=\"" + (std::string(n) == "lt1" ? "FFFFFF" : "000000") + "\"/></a:" + n + ">";
        std::string fill = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
        return "<a:theme xmlns:a=\"" + A_NS + "\" name=\"T\"><a:themeElements><a:clrScheme name=\"C\">" + clr +
               "</a:clrScheme><a:fontScheme name=\"F\"><a:majorFont><a:latin typeface=\"Arial\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:majorFont><a:minorFont><a:latin typeface=\"Arial\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:minorFont></a:fontScheme><a:fmtScheme name=\"S\"><a:fillStyleLst>" +
               fill + fill + fill + "</a:fillStyleLst><a:lnStyleLst><a:ln/><a:ln/><a:ln/></a:lnStyleLst><a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst>" +
               fill + fill + fill + "</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>";
    }
};

}  // namespace mugaika::test::ooxml

#include <regex>

namespace mugaika::test::ooxml {

// Active or external constructs still present in a rebuilt package, as seen by unzip (empty: none).
inline std::vector<std::string> residual_constructs(const std::filesystem::path& file) {
    std::vector<std::string> found;
    std::string q = shell_quote(file.string());
    std::string names = run("unzip -Z1 " + q).out;
    static const std::regex bad_name(
        R"((vbaProject|vbaData|activeX|embeddings/|macrosheets/|dialogsheets/|externalLinks/|connections\.xml|queryTables/|customUI|webextension|_xmlsignatures|\.bin$|\.vml$))",
        std::regex::icase | std::regex::multiline);
    for (std::sregex_iterator it(names.begin(), names.end(), bad_name), end; it != end; ++it) found.push_back("part " + it->str());
    std::string xml = run("unzip -p " + q + " '*.xml' '*.rels'").out;
    static const std::vector<std::pair<std::regex, std::string>> patterns{
        {std::regex(R"(<w:instrText[^>]*>\s*(DDE|DDEAUTO|INCLUDETEXT|INCLUDEPICTURE|IMPORT|LINK)\b)", std::regex::icase), "DDE/include field"},
        {std::regex(R"(w:instr="\s*(DDE|DDEAUTO|INCLUDE|IMPORT|LINK))", std::regex::icase), "DDE fldSimple"},
        {std::regex(R"(<f( [^>]*)?>[^<]*\|[^<]*</f>)"), "DDE formula"},
        {std::regex(R"(ppaction://(program|macro|ole))", std::regex::icase), "ppaction"},
        {std::regex(R"(altChunk|attachedTemplate|<o:OLEObject|<w:control\b|<p:oleObj\b|<oleObject\b|<!DOCTYPE|macroEnabled)"), "active element"},
        {std::regex(R"(definedName[^>]*name="(_xlnm\.)?Auto_(Open|Close))", std::regex::icase), "Auto_Open name"},
    };
    for (const auto& [re, what] : patterns)
        if (std::regex_search(xml, re)) found.push_back(what);
    // External relationships: only hyperlinks to http(s) or mailto may remain.
    static const std::regex relationship(R"(<Relationship\b[^>]*>)");
    static const std::regex allowed(R"re(relationships/hyperlink"[^>]*Target="(https?:|mailto:)|Target="(https?:|mailto:)[^"]*"[^>]*relationships/hyperlink")re");
    for (std::sregex_iterator it(xml.begin(), xml.end(), relationship), end; it != end; ++it) {
        std::string r = it->str();
        if (r.find("TargetMode=\"External\"") != std::string::npos && !std::regex_search(r, allowed))
            found.push_back("external relationship " + r.substr(0, 200));
    }
    return found;
}

inline bool soffice_available() { return run("command -v soffice >/dev/null 2>&1").status == 0; }

// Converts the files to PDF in one LibreOffice run (private profile) and returns the text
// of each PDF by input stem ("" when conversion failed).
inline std::map<std::string, std::string> libreoffice_text(const TempDir& work, const std::vector<std::filesystem::path>& files) {
    std::string cmd = "cd " + shell_quote(work.path.string()) + " && timeout 600 soffice -env:UserInstallation=file://" +
                      (work.path / "profile").string() + " --headless --norestore --convert-to pdf --outdir " +
                      shell_quote((work.path / "pdf").string());
    for (const auto& f : files) {
        cmd += ' ';
        cmd += shell_quote(f.string());
    }
    run(cmd + " >/dev/null 2>&1");
    std::map<std::string, std::string> text;
    for (const auto& f : files) {
        auto pdf = work.path / "pdf" / (f.stem().string() + ".pdf");
        text[f.stem().string()] = std::filesystem::exists(pdf) ? run("pdftotext -q " + shell_quote(pdf.string()) + " -").out : "";
    }
    return text;
}

}  // namespace mugaika::test::ooxml

namespace mugaika::test::ooxml {

// The package as Python's zipfile and xml.etree see it (tests/support/ooxml_check.py): problems with
// relationships, references, leftover markup compatibility; every Word field and every formula.
inline nlohmann::json python_check(const std::string& bytes) {
    TempDir d;
    write_file(d / "p.zip", bytes);
    auto r = run("python3 " + shell_quote((source_dir() / "tests" / "support" / "ooxml_check.py").string()) + " " +
                 shell_quote((d / "p.zip").string()));
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

// Runs the independent check and fails on any problem it reports; returns its view.
inline nlohmann::json checked_package(const Outcome& o) {
    REQUIRE_MESSAGE(!o.quarantined(), o.reason << ": " << o.reason_detail);
    REQUIRE(o.outputs.size() == 1);
    auto j = python_check(o.outputs[0].bytes);
    for (const auto& p : j["problems"]) FAIL_CHECK(p.get<std::string>());
    return j;
}

}  // namespace mugaika::test::ooxml
