// mugaika-office: one LibreOffice (LibreOfficeKit, in this process) that converts documents for the
// service, one at a time, over its channel (office_protocol.hpp), until the service closes the
// channel. It is started warm and thrown away after a few documents or any error, together with its
// private profile (office_profile.hpp), so that what one sender's document did to it cannot reach
// more than a few others' (docs/legacy.md).
//
//   mugaika-office --isolation sandbox|degraded [--workdir DIR] [--office /usr/lib/libreoffice/program]
//                  [--memory BYTES] [--cpu SECONDS] [--max-bytes BYTES]
//
// Started by the pool with sandbox::spawn (new namespaces, empty environment, one descriptor: its
// channel on 3). Before LibreOffice is loaded, and before any document is read, it enters the sandbox
// (gateway/sandbox/, profile "office"): a read-only root with LibreOffice and its libraries, a private
// /tmp, rlimits, no capabilities, Landlock, seccomp. LibreOffice never runs unconfined.
//
// The workdir is /tmp, its own tmpfs (degraded isolation: a folder the pool made for it alone):
// profile/, home/, tmp/, io/. The document is written to io/ under a fixed name with the extension of
// its detected type, converted, read back and both files removed before the answer goes out.
#define LOK_USE_UNSTABLE_API
#include <LibreOfficeKit/LibreOfficeKit.hxx>
#include <LibreOfficeKit/LibreOfficeKitInit.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "office_profile.hpp"
#include "office_protocol.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/spawn.hpp"

namespace fs = std::filesystem;
using namespace mugaika::office;

namespace {

struct Options {
    int channel = mugaika::sandbox::channel_fd;
    mugaika::sandbox::Isolation isolation = mugaika::sandbox::Isolation::full;
    fs::path workdir = "/tmp";
    std::string office = "/usr/lib/libreoffice/program";
    std::uint64_t memory = 0, cpu = 0;
    std::uint64_t max_bytes = 512ull << 20;
    bool test_hooks = false;   // test builds: documents with a mugaika-test-office-* marker misbehave
    std::string fake;          // test builds: no LibreOffice, a scripted converter ("", "yes", "never-ready")
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--isolation") o.isolation = v == "degraded" ? mugaika::sandbox::Isolation::degraded : mugaika::sandbox::Isolation::full;
        else if (k == "--workdir") o.workdir = v;
        else if (k == "--office") o.office = v;
        else if (k == "--memory") o.memory = std::stoull(v);
        else if (k == "--cpu") o.cpu = std::stoull(v);
        else if (k == "--max-bytes") o.max_bytes = std::stoull(v);
#ifdef MUGAIKA_TEST_HOOKS
        else if (k == "--test-hooks") o.test_hooks = v == "1";
        else if (k == "--fake") o.fake = v;
#endif
        else throw std::invalid_argument("unknown option " + k);
    }
    if (o.isolation == mugaika::sandbox::Isolation::full) o.workdir = "/tmp";   // its own tmpfs
    if (o.workdir.empty() || !o.workdir.is_absolute()) throw std::invalid_argument("--workdir must be an absolute path");
    return o;
}

// What the converter sees of itself once confined (the ready frame's payload; `mugaika selftest
// sandbox` prints it): the layers, and a few facts checked from inside.
std::string self_report(const mugaika::sandbox::Report& r, const Options& o) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : r.layers) layers.push_back({{"name", l.name}, {"on", l.on}, {"detail", l.detail}});
    nlohmann::ordered_json j{{"profile", r.profile},
                             {"isolation", std::string(mugaika::sandbox::to_string(r.isolation))},
                             {"layers", layers}};
    j["pid"] = ::getpid();
    j["seccomp_mode"] = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    j["no_new_privs"] = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    j["dumpable"] = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    std::vector<int> fds;   // 0-2 are /dev/null, 3 its channel
    for (int fd = 0; fd < 1024; ++fd)
        if (::fcntl(fd, F_GETFD) >= 0) fds.push_back(fd);
    j["open_fds"] = fds;
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    for (const std::string& path : {std::string("/etc/passwd"), std::string("/proc/self/status"), o.office + "/libmergedlo.so"}) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        files[path] = fd >= 0 ? "readable" : std::strerror(errno);
        if (fd >= 0) ::close(fd);
    }
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    j["inet_socket"] = s >= 0 ? "created" : std::strerror(errno);
    if (s >= 0) ::close(s);
    j["files"] = files;
    return j.dump();
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

// Test builds only, and only when the pool passed --test-hooks 1 (MUGAIKA_TEST_HOOKS=1 in the
// service's environment): a document carrying one of these markers makes the confined converter crash,
// hang, or try what its sandbox forbids, so the tests can show what the service does about it.
void test_hook(const Options& o, std::string_view bytes) {
    if (!o.test_hooks) return;
    if (bytes.find("mugaika-test-office-crash") != std::string_view::npos) std::abort();
    if (bytes.find("mugaika-test-office-hang") != std::string_view::npos)
        for (;;) ::sleep(3600);
    if (bytes.find("mugaika-test-office-exec") != std::string_view::npos) {
        char* const argv[] = {const_cast<char*>("/bin/sh"), nullptr};
        ::execve("/bin/sh", argv, argv + 1);   // trapped by seccomp: the converter dies of SIGSYS
    }
}

// A scripted converter without LibreOffice (test builds: the pool's tests, fast, in the same sandbox):
// "crash" dies, "hang" never answers, "lie" sends a bad digest, "refuse" answers malformed, "exec"
// calls what seccomp forbids; anything else comes back as "converted:SOURCE:TARGET:BODY:ID", ID being
// this process's own (every sandboxed converter is pid 1 of its namespace).
void fake_convert(const Options& o, const ConvertJob& job, const std::string& id) {
    // A fault, as a crash would be: the first process of a PID namespace ignores even SIGKILL from
    // inside it, not a fault the kernel forces. A trap instruction (SIGILL) rather than a store to
    // address 0, which UBSan would report as undefined behaviour before the fault.
    if (job.bytes.find("crash") != std::string::npos) __builtin_trap();
    if (job.bytes.find("hang") != std::string::npos)
        for (;;) ::sleep(3600);
    if (job.bytes == "exec") {
        Options hooked = o;
        hooked.test_hooks = true;
        test_hook(hooked, "mugaika-test-office-exec");
    }
    if (job.bytes == "lie") {
        std::string frame = encode(Kind::done, "abc");
        frame.replace(frame.size() - 32, 32, std::string(32, '\0'));
        if (::write(o.channel, frame.data(), frame.size()) < 0) ::_exit(1);
        return;
    }
    if (job.bytes == "refuse") return fail(o.channel, "malformed", "cannot read it");
    send_frame(o.channel, Kind::done, "converted:" + job.source_type + ":" + job.target + ":" + job.bytes + ":" + id);
}

// One conversion: the answer frame (done or failed) is sent here.
void convert(lok::Office& office, const Options& o, const ConvertJob& job) {
    test_hook(o, job.bytes);
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
    // Descriptors 0-2 on /dev/null (opened before the root is dropped): a file LibreOffice opens must
    // never land on 2 and take its warnings. The channel is the only other descriptor.
    for (int fd = 0; fd <= 2; ++fd)
        if (::fcntl(fd, F_GETFD) < 0 && ::open("/dev/null", O_RDWR) != fd) return 3;
    mugaika::sandbox::Report report;
    try {
        report = mugaika::sandbox::enter(
            mugaika::sandbox::office_profile(o.memory, o.cpu, o.max_bytes,
                                             o.isolation == mugaika::sandbox::Isolation::full ? "" : o.workdir.string()),
            o.isolation, o.channel);
    } catch (const std::exception& e) {
        fail(o.channel, "internal", std::string("sandbox: ") + e.what());
        ::_exit(1);
    }
    // ---- Confined from here on: LibreOffice is loaded below, documents are read after it. ----
    if (!o.fake.empty()) {
        std::string ready = self_report(report, o);
        unsigned char raw[8] = {};
        (void)::getrandom(raw, sizeof raw, 0);
        std::string id;
        for (unsigned char c : raw) id += "0123456789abcdef"[c >> 4], id += "0123456789abcdef"[c & 15];
        if (o.fake == "never-ready")
            for (;;) ::sleep(3600);
        if (!send_frame(o.channel, Kind::ready, ready)) ::_exit(1);
        while (true) {
            std::optional<Frame> f;
            try {
                f = receive_frame(o.channel, o.max_bytes + 64);
            } catch (const std::exception&) {
                ::_exit(1);
            }
            if (!f) ::_exit(0);
            if (f->kind != Kind::convert) ::_exit(1);
            fake_convert(o, decode_job(f->payload), id);
        }
    }
    std::unique_ptr<lok::Office> office;
    try {
        for (const char* d : {"profile", "home", "tmp", "io"}) fs::create_directories(o.workdir / d);
        write_profile(o.workdir / "profile");
        // What LibreOffice reads from the environment (empty: spawned so) points into its own folder.
        ::setenv("HOME", (o.workdir / "home").c_str(), 1);
        ::setenv("TMPDIR", (o.workdir / "tmp").c_str(), 1);
        ::setenv("LANG", "C.UTF-8", 1);
        ::setenv("SAL_DISABLE_OPENCL", "1", 1);
        ::setenv("SAL_USE_VCLPLUGIN", "svp", 1);
        office.reset(lok::lok_cpp_init(o.office.c_str(), url(o.workdir / "profile").c_str()));
    } catch (const std::exception& e) {
        fail(o.channel, "internal", std::string("LibreOffice could not start: ") + e.what());
        ::_exit(1);
    }
    if (!office) {
        fail(o.channel, "internal", "LibreOfficeKit could not start (" + o.office + ")");
        ::_exit(1);
    }
    // Seen from inside once LibreOffice has loaded (its threads under the same filter and domain).
    if (!send_frame(o.channel, Kind::ready, self_report(report, o))) ::_exit(1);
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
