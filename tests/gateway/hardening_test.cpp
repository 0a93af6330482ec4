// Our programs are linked with full RELRO (CMakeLists.txt: -z relro -z now): every symbol is bound at
// start and the table that holds the bindings is read-only afterwards. Checked on the built files with
// binutils' readelf, an independent reader of the ELF headers.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"
#include "worker/worker_pool.hpp"

using namespace mugaika;
using namespace mugaika::test;

TEST_CASE("hardening: the service, the worker and the office converter are linked with full RELRO") {
    std::vector<std::string> programs{MUGAIKA_BINARY, worker_program()};
#ifdef MUGAIKA_OFFICE_PROGRAM_PATH
    programs.push_back(MUGAIKA_OFFICE_PROGRAM_PATH);
#endif
    for (const auto& p : programs) {
        CAPTURE(p);
        auto dynamic = run("readelf -dW " + shell_quote(p));
        REQUIRE(dynamic.status == 0);
        CHECK(dynamic.out.find("BIND_NOW") != std::string::npos);   // bound at start, not lazily
        auto headers = run("readelf -lW " + shell_quote(p));
        REQUIRE(headers.status == 0);
        CHECK(headers.out.find("GNU_RELRO") != std::string::npos);  // made read-only after binding
        CHECK(headers.out.find("GNU_STACK") != std::string::npos);
        CHECK(headers.out.find("RWE") == std::string::npos);        // no executable stack or segment
    }
}
