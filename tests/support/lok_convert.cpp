// mugaika_test_lok: makes the tests' legacy fixtures with LibreOffice itself (LibreOfficeKit, one
// start for all of them): doc, xls, ppt, rtf, odt, ods, odp from flat ODF sources the tests write.
//
//   mugaika_test_lok PROFILE_DIR IN OUT FORMAT [IN OUT FORMAT]...
//
// Prints one line per conversion: "ok OUT" or "fail OUT: why". Uses its own profile (the converter's
// settings, so that Calc loads under LibreOfficeKit on Debian's -nogui packages).
#include <LibreOfficeKit/LibreOfficeKit.hxx>
#include <LibreOfficeKit/LibreOfficeKitInit.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "office/office_profile.hpp"

int main(int argc, char** argv) {
    if (argc < 5 || (argc - 2) % 3 != 0) {
        std::fprintf(stderr, "usage: %s PROFILE_DIR IN OUT FORMAT...\n", argv[0]);
        return 2;
    }
    std::filesystem::path profile = argv[1];
    mugaika::office::write_profile(profile);
    std::unique_ptr<lok::Office> office(lok::lok_cpp_init("/usr/lib/libreoffice/program", ("file://" + profile.string()).c_str()));
    if (!office) {
        std::printf("fail init\n");
        return 1;
    }
    int failures = 0;
    for (int i = 2; i + 2 < argc; i += 3) {
        std::string in = argv[i], out = argv[i + 1], format = argv[i + 2];
        std::unique_ptr<lok::Document> doc(office->documentLoad(("file://" + in).c_str(), "Language=ja-JP,Batch=true"));
        if (!doc) {
            char* e = office->getError();
            std::printf("fail %s: load: %s\n", out.c_str(), e ? e : "?");
            ++failures;
            continue;
        }
        bool ok = doc->saveAs(("file://" + out).c_str(), format.c_str(), nullptr);
        std::printf("%s %s\n", ok ? "ok" : "fail", out.c_str());
        if (!ok) ++failures;
        std::fflush(stdout);
    }
    std::fflush(stdout);
    std::_Exit(failures ? 1 : 0);   // LibreOffice's own shutdown is slow and not needed here
}
