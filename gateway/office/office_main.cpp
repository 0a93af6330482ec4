// mugaika-office: one LibreOffice (LibreOfficeKit, in this process) that converts documents for the
// service, one at a time, over its channel (office_protocol.hpp), until the service closes the
// channel. It is started warm and thrown away after a few documents or any error, together with its
// private profile (office_profile.hpp), so that what one sender's document did to it cannot reach
// more than a few others' (docs/legacy.md).
//
//   mugaika-office --channel FD --workdir DIR [--office /usr/lib/libreoffice/program]
//                  [--memory BYTES] [--max-bytes BYTES]
//
// The workdir is the converter's own (its tmpfs in the sandbox): profile/, home/, tmp/, io/. The
// document is written to io/ under a fixed name with the extension of its detected type, converted,
// read back and both files removed before the answer goes out.
#define LOK_USE_UNSTABLE_API
#include <LibreOfficeKit/LibreOfficeKit.hxx>
#include <LibreOfficeKit/LibreOfficeKitInit.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "office_profile.hpp"
#include "office_protocol.hpp"

namespace fs = std::filesystem;
using namespace mugaika::office;

namespace {

struct Options {
    int channel = -1;
    fs::path workdir;
    std::string office = "/usr/lib/libreoffice/program";
    std::uint64_t memory = 0;
    std::uint64_t max_bytes = 512ull << 20;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--channel") o.channel = std::stoi(v);
        else if (k == "--workdir") o.workdir = v;
        else if (k == "--office") o.office = v;
        else if (k == "--memory") o.memory = std::stoull(v);
        else if (k == "--max-bytes") o.max_bytes = std::stoull(v);
        else throw std::invalid_argument("unknown option " + k);
    }
    if (o.channel < 0 || o.workdir.empty()) throw std::invalid_argument("--channel and --workdir are required");
    return o;
}

// The input file's extension (LibreOffice's type detection starts from it, then checks the content)
// and the LibreOfficeKit document type the source must load as.
struct Source {
    const char* type;
    const char* ext;
    const char* flat_ext;   // flat (XML) OpenDocument
    int doc_type;           // LOK_DOCTYPE_TEXT 0, SPREADSHEET 1, PRESENTATION 2
};
constexpr Source kSources[] = {
    {"doc", "doc", nullptr, 0},  {"rtf", "rtf", nullptr, 0},  {"odt", "odt", "fodt", 0}, {"html", "html", nullptr, 0},
    {"xls", "xls", nullptr, 1},  {"xlsb", "xlsb", nullptr, 1}, {"ods", "ods", "fods", 1},
    {"ppt", "ppt", nullptr, 2},  {"odp", "odp", "fodp", 2},
};

int target_doc_type(const std::string& target) {
    if (target == "docx") return 0;
    if (target == "xlsx") return 1;
    if (target == "pptx") return 2;
    if (target == "pdf") return -1;
    return -2;
}

std::string url(const fs::path& p) { return "file://" + p.string(); }

bool write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f.flush());
}

void fail(int fd, const char* code, const std::string& detail) {
    std::string p = code;
    p.push_back('\0');
    p += detail;
    send_frame(fd, Kind::failed, p);
}

// One conversion: the answer frame (done or failed) is sent here.
void convert(lok::Office& office, const Options& o, const ConvertJob& job) {
    const Source* src = nullptr;
    for (const auto& s : kSources)
        if (job.source_type == s.type) src = &s;
    int want = target_doc_type(job.target);
    if (!src || want == -2) return fail(o.channel, "internal", "no conversion from " + job.source_type + " to " + job.target);
    if (want >= 0 && want != src->doc_type)
        return fail(o.channel, "internal", job.source_type + " cannot become " + job.target);
    bool flat = src->flat_ext && !job.bytes.starts_with("PK");
    fs::path in = o.workdir / "io" / (std::string("document.") + (flat ? src->flat_ext : src->ext));
    fs::path out = o.workdir / "io" / ("converted." + job.target);
    std::error_code ec;
    fs::remove(out, ec);
    if (!write_file(in, job.bytes)) return fail(o.channel, "internal", "cannot write the document to the converter's folder");
    // Japanese first for CJK defaults; Batch: no dialog ever; macros: never (MacroExecMode NEVER_EXECUTE).
    std::unique_ptr<lok::Document> doc(office.documentLoad(
        url(in).c_str(), "Language=ja-JP,Batch=true,MacroSecurityLevel=3,EnableMacrosExecution=false"));
    fs::remove(in, ec);
    if (!doc) {
        char* err = office.getError();
        std::string e = err ? err : "";
        if (err) office.freeError(err);
        return fail(o.channel, "malformed", "LibreOffice could not read the document" + (e.empty() ? "" : ": " + e));
    }
    int type = doc->getDocumentType();
    if (type != src->doc_type)
        return fail(o.channel, "malformed", "LibreOffice read the " + job.source_type + " as another kind of document (" +
                                               std::to_string(type) + ")");
    if (!doc->saveAs(url(out).c_str(), job.target.c_str(), nullptr)) {
        char* err = office.getError();
        std::string e = err ? err : "";
        if (err) office.freeError(err);
        return fail(o.channel, "malformed", "LibreOffice could not write " + job.target + (e.empty() ? "" : ": " + e));
    }
    doc.reset();
    std::uintmax_t size = fs::file_size(out, ec);
    if (ec) return fail(o.channel, "malformed", "LibreOffice wrote no " + job.target);
    if (size > o.max_bytes) {
        fs::remove(out, ec);
        return fail(o.channel, "limit.size", "the converted document has " + std::to_string(size) + " bytes");
    }
    std::string result(size, '\0');
    {
        std::ifstream f(out, std::ios::binary);
        f.read(result.data(), static_cast<std::streamsize>(size));
        if (!f) return fail(o.channel, "internal", "cannot read the converted document");
    }
    fs::remove(out, ec);
    send_frame(o.channel, Kind::done, result);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        return 2;
    }
    if (o.memory > 0) {
        rlimit rl{static_cast<rlim_t>(o.memory), static_cast<rlim_t>(o.memory)};
        ::setrlimit(RLIMIT_AS, &rl);
    }
    rlimit core{0, 0};
    ::setrlimit(RLIMIT_CORE, &core);
    std::unique_ptr<lok::Office> office;
    try {
        for (const char* d : {"profile", "home", "tmp", "io"}) fs::create_directories(o.workdir / d);
        write_profile(o.workdir / "profile");
        // What LibreOffice reads from the environment points into the converter's own folder.
        ::setenv("HOME", (o.workdir / "home").c_str(), 1);
        ::setenv("TMPDIR", (o.workdir / "tmp").c_str(), 1);
        ::setenv("SAL_DISABLE_OPENCL", "1", 1);
        ::setenv("SAL_USE_VCLPLUGIN", "svp", 1);
        ::unsetenv("DISPLAY");
        office.reset(lok::lok_cpp_init(o.office.c_str(), url(o.workdir / "profile").c_str()));
    } catch (const std::exception& e) {
        fail(o.channel, "internal", std::string("LibreOffice could not start: ") + e.what());
        ::_exit(1);
    }
    if (!office) {
        fail(o.channel, "internal", "LibreOfficeKit could not start (" + o.office + ")");
        ::_exit(1);
    }
    if (!send_frame(o.channel, Kind::ready, "")) ::_exit(1);
    while (true) {
        std::optional<Frame> f;
        try {
            f = receive_frame(o.channel, o.max_bytes + 64);
        } catch (const std::exception&) {
            ::_exit(1);
        }
        if (!f) ::_exit(0);   // the service is done with this converter
        if (f->kind != Kind::convert) ::_exit(1);
        try {
            convert(*office, o, decode_job(f->payload));
        } catch (const std::exception& e) {
            fail(o.channel, "internal", e.what());
        }
    }
}
