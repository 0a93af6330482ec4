// Drives tests/browser/run.sh: the officer UI in Debian's chromium through playwright-core. Screenshots
// are kept in <build>/browser/artifacts. Skipped (with the reason) when chromium, node or npm is missing.
#include <doctest/doctest.h>

#include <iostream>

#include "fixtures.hpp"

TEST_CASE("browser: officer logs in with TOTP, requests release, another person approves") {
    namespace fs = std::filesystem;
    fs::path script = mugaika::test::source_dir() / "tests" / "browser" / "run.sh";
    fs::path work = mugaika::test::mugaika_binary().parent_path().parent_path() / "browser";
    auto r = mugaika::test::run("sh " + mugaika::test::shell_quote(script.string()) + " " +
                                mugaika::test::shell_quote(mugaika::test::mugaika_binary().string()) + " " +
                                mugaika::test::shell_quote(work.string()) + " 2>&1");
    std::cout << r.out;
    if (r.status == 77) {
        MESSAGE(r.out);
        return;
    }
    CHECK_MESSAGE(r.status == 0, r.out);
}
