// Shared by the OOXML tests: hostile packages built part by part, the engine with chosen options, and
// an independent look at the output through unzip.
#pragma once

#include <doctest/doctest.h>

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
