// What the archive tests share: the rebuilt zip read back with independent tools (Info-ZIP's unzip
// and Python's zipfile), never with our own reader.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "mugaika/outcome.hpp"

namespace mugaika::test {

// The one output zip of a released outcome, written to a file for the independent tools.
struct OutZip {
    TempDir dir;
    std::string path;
    explicit OutZip(const Outcome& o) {
        REQUIRE_MESSAGE(!o.quarantined(), o.reason << ": " << o.reason_detail);
        REQUIRE(o.outputs.size() == 1);
        CHECK(o.outputs[0].type == "zip");
        path = (dir / "out.zip").string();
        write_file(path, o.outputs[0].bytes);
        CHECK(run("unzip -tqq " + shell_quote(path) + " >/dev/null 2>&1").status == 0);   // every CRC checks out
    }
    // Member names as Info-ZIP lists them, one per line, sorted.
    std::vector<std::string> names() const {
        auto r = run("LC_ALL=C.UTF-8 unzip -Z1 " + shell_quote(path) + " | LC_ALL=C sort");
        REQUIRE(r.status == 0);
        std::vector<std::string> out;
        std::size_t start = 0;
        while (start < r.out.size()) {
            auto end = r.out.find('\n', start);
            out.push_back(r.out.substr(start, end - start));
            start = end + 1;
        }
        return out;
    }
    std::string cat(const std::string& member) const {
        auto r = run("unzip -p " + shell_quote(path) + " " + shell_quote(member));
        REQUIRE(r.status == 0);
        return r.out;
    }
    // Python's zipfile: the names it decodes (the UTF-8 flag decides) and whether any member is encrypted.
    nlohmann::json python() const {
        auto r = run("python3 -c " + shell_quote("import json, sys, zipfile\n"
                                                 "z = zipfile.ZipFile(sys.argv[1])\n"
                                                 "print(json.dumps({'names': sorted(z.namelist()),"
                                                 " 'encrypted': any(i.flag_bits & 1 for i in z.infolist())}))") +
                     " " + shell_quote(path));
        REQUIRE(r.status == 0);
        return nlohmann::json::parse(r.out);
    }
};

}  // namespace mugaika::test
