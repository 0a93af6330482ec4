// mugaika-worker: disarms exactly one item in the sandbox, then exits. Started by the service (or a
// one-shot command) with an empty environment and one descriptor, its job channel (descriptor 3).
//
//   mugaika-worker --isolation sandbox|degraded [--profile disarm|converter-host] [--program PATH]...
//                  [--memory BYTES] [--cpu SECONDS] [--max-job BYTES] [--zygote 1]
//
// With --zygote 1, descriptor 3 is a control socket instead: after step 1 the process forks one copy
// of itself per worker the service asks for (zygote_loop.hpp), and each copy goes on from step 2 in
// fresh namespaces. Starting a worker then costs a fork, not an exec that maps and relocates some
// ninety shared libraries again (about 60 ms of CPU per item).
//
// 1. Pins the decoders' thread pools to one thread; loads what the new root does not hold: libmagic's
//    database, OpenSSL's configuration, the time zone (constant data of the host).
// 2. Enters the sandbox (gateway/sandbox/): new root, rlimits, no capabilities, NO_NEW_PRIVS, not
//    dumpable, Landlock, seccomp. Any failure: a "refused" frame and exit; it never takes an item.
// 3. Says hello, reads one job, runs the engine, writes the result, exits. A legacy document is
//    converted by asking the parent over the same channel (channel_converter.hpp): LibreOffice runs
//    in a sandbox of its own, never in this process.
// It links the disarm library and the sandbox, never the quarantine, its keys or the service.
#include <fcntl.h>
#include <glib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "channel.hpp"
#include "channel_converter.hpp"
#include "job_codec.hpp"
#include "mugaika/engine.hpp"
#include "mugaika/names.hpp"
#include "mugaika/registry.hpp"
#include "mugaika/report.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/spawn.hpp"
#include "worker_exit.hpp"
#include "worker_hooks.hpp"
#include "zygote_loop.hpp"
#include "zygote_protocol.hpp"

#ifdef MUGAIKA_SANITIZE
#include <sanitizer/common_interface_defs.h>
#endif

namespace mugaika::worker {
namespace {

struct Options {
    sandbox::Isolation isolation = sandbox::Isolation::full;
    std::string profile = "disarm";
    std::vector<std::string> programs;
    std::uint64_t memory = 0, cpu = 0, max_job = 1ull << 31;
    bool zygote = false;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--isolation") o.isolation = value == "degraded" ? sandbox::Isolation::degraded : sandbox::Isolation::full;
        else if (key == "--profile") o.profile = value;
        else if (key == "--program") o.programs.push_back(value);
        else if (key == "--memory") o.memory = std::stoull(value);
        else if (key == "--cpu") o.cpu = std::stoull(value);
        else if (key == "--max-job") o.max_job = std::stoull(value);
        else if (key == "--zygote") o.zygote = value == "1";
        else throw std::invalid_argument("unknown option " + key);
    }
    return o;
}

sandbox::Profile profile_of(const Options& o) {
    sandbox::Profile p = o.profile == "converter-host" ? sandbox::converter_host_profile(o.programs) : sandbox::disarm_profile();
    if (o.profile != "disarm" && o.profile != "converter-host") throw std::invalid_argument("unknown profile " + o.profile);
    p.limits.address_space = o.memory;
    p.limits.cpu_seconds = o.cpu;
    return p;
}

// Thread pools of the decoders, as narrow as the libraries let us make them. librsvg's filters run on
// a rayon pool that would otherwise start one thread per CPU of the host: on a large server that is
// more than the worker's RLIMIT_NPROC allows, and rayon aborts when it cannot build its pool. One
// thread is enough for one item. (libheif is told per call, libwebp is single-threaded by option;
// libde265 and pango start a thread or two of their own: seccomp allows clone for threads only.)
void pin_library_threads() { ::setenv("RAYON_NUM_THREADS", "1", 1); }

// A fixed time zone, set in the worker itself (its environment stays empty). libzip turns every zip
// entry's time into local time and back (mktime, localtime); without TZ, glibc looks at
// /etc/localtime again on each mktime (a stat per entry read, and a failed open once the worker is in
// its root, where the file is absent, which then means UTC). With TZ=UTC the times written into
// rebuilt zips are the same in every worker, sandboxed or degraded, on a host in any zone; no
// sanitizer shows local time.
void fix_time_zone() { ::setenv("TZ", "UTC", 1); }

// What is not in the new root is loaded before it: libmagic's database (and OpenSSL's configuration,
// the time zone). Fonts, fontconfig's files and the charset modules are in the root, read-only, and
// loaded when an item needs them: in an exec'd worker a warm-up would cost every item what only PDFs
// and mails use (a zygote warms them once: warm_for_zygote). A zygote holds the database resident,
// so that its forks do not fault it in again page by page.
std::shared_ptr<const Detector> warm_up(bool zygote) {
    auto detector = std::make_shared<const Detector>(zygote ? Detector::Database::resident : Detector::Database::mapped);
    (void)sha256_hex("");
    ::tzset();
    return detector;
}

// A one-page PDF whose text uses a font it does not embed: the PDF path then loads fontconfig's
// configuration and caches (several MB, the dearest part of a first PDF) in the zygote, once.
std::string warm_pdf() {
    const std::string content = "BT /F1 12 Tf 20 50 Td (warm-up text) Tj ET";
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    };
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t off : offsets) {
        std::string n = std::to_string(off);
        pdf += std::string(10 - n.size(), '0') + n + " 00000 n \n";
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

// A zygote pays once for what a worker would pay per item: libmagic compiles the regular expressions
// of its database on first use and keeps them (about 2.5 MB for plain text), the text path opens its
// ICU converters and charset detectors. So the zygote detects and disarms a few inputs of its own
// (constants here, never an item) before it forks: every worker starts with them compiled. Only paths
// that start no thread (the zygote must stay single-threaded to fork) and read no file outside the
// worker's root are warmed.
void warm_for_zygote(const std::shared_ptr<const Detector>& detector) {
    static const std::pair<const char*, const char*> samples[] = {
        {"warm.txt", "plain text, 日本語のテキスト\r\nsecond line\r\n"},
        {"warm.csv", "id,name,amount\n1,山田,100\n2,鈴木,200\n"},
        {"warm.txt", "\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x95\xb6\x8f\x91\r\n"},   // Shift_JIS
        {"warm.html", "<!DOCTYPE html><html><body><p>text</p></body></html>\n"},
        {"warm.json", "{\"a\": [1, 2, 3]}\n"},
        {"warm.xml", "<?xml version=\"1.0\"?><a>b</a>\n"},
        {"warm.bin", "\x00\x01\x02\x03\xff\xfe binary"},
        // GMime's types, glibc's ISO-2022-JP converter, the HTML-to-text path.
        {"warm.eml",
         "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
         "--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n"
         "--b\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>text <a href=\"https://example.jp/\">link</a></p>\r\n"
         "--b--\r\n"},
    };
    Engine engine(builtin_registry(), Policy::defaults(), detector);
    for (const auto& [name, bytes] : samples) {
        (void)detector->detect(bytes, name, Detector::Describe::yes);
        (void)engine.process(bytes, name, {});
    }
    std::string pdf = warm_pdf();
    (void)detector->detect(pdf, "warm.pdf", Detector::Describe::yes);
    (void)engine.process(pdf, "warm.pdf", {});
}

nlohmann::ordered_json report_json(const sandbox::Report& r) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : r.layers) layers.push_back({{"name", l.name}, {"on", l.on}, {"detail", l.detail}});
    return {{"profile", r.profile}, {"isolation", std::string(sandbox::to_string(r.isolation))}, {"layers", layers}};
}

// What the worker sees of itself from inside, for `mugaika selftest sandbox`.
bool forked_by_zygote = false;   // set in a copy the zygote forked (run_zygote returned)

std::string selftest(const sandbox::Report& report) {
    nlohmann::ordered_json j = report_json(report);
    j["pid"] = ::getpid();
    j["seccomp_mode"] = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    j["no_new_privs"] = ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    j["dumpable"] = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    std::vector<int> fds;
    for (int fd = 0; fd < 1024; ++fd)
        if (::fcntl(fd, F_GETFD) >= 0) fds.push_back(fd);
    j["open_fds"] = fds;
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    for (const char* path : {"/etc/passwd", "/proc/self/status", "/etc/fonts/fonts.conf"}) {
        int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        files[path] = fd >= 0 ? "readable" : std::strerror(errno);
        if (fd >= 0) ::close(fd);
    }
    j["files"] = files;
    const char* rayon = std::getenv("RAYON_NUM_THREADS");
    j["library_threads"] = {{"rayon", rayon ? rayon : "unset"}};
    j["started"] = forked_by_zygote ? "forked by the zygote" : "exec'd";
    j["libc_thread_id"] = sandbox::libc_thread_id_current() ? "current" : "stale";
    const char* tz = std::getenv("TZ");
    j["time_zone"] = tz ? tz : "unset";
    return j.dump();
}

std::string detect(const Detector& detector, const JobRequest& job) {
    Detection d = detector.detect(job.bytes, job.name);
    NameCheck n = check_name(job.name);
    nlohmann::ordered_json j{{"type", d.type->id}, {"label", label_ja(*d.type)}, {"magic", d.magic_description},
                             {"safe_name", n.safe_name}};
    j["findings"] = nlohmann::ordered_json::array();
    for (const auto* list : {&d.findings, &n.findings})
        for (const auto& f : *list) j["findings"].push_back({{"kind", f.kind}, {"detail", f.detail}, {"ja", f.ja}});
    // The same rule as the engine's, with what `sanitize` under this policy ([names]) does about it.
    if (extension_claims_other_type(*d.type, n.extension)) {
        std::string label(label_ja(*d.type));
        std::string detail = "extension ." + n.extension + " but content is " + std::string(d.type->id);
        std::string ja = "拡張子と実際の形式(" + label + ")が一致しません。";
        switch (job.policy.name_mismatch) {
        case NameMismatch::block:
            detail += "; sanitize blocks it (blocked.mismatch)";
            ja += "無害化では隔離します。";
            break;
        case NameMismatch::keep:
            detail += "; sanitize keeps the name";
            ja += "無害化では名前をそのままにします。";
            break;
        case NameMismatch::rename:
            detail += "; sanitize renames it to ." + std::string(canonical_extension(*d.type));
            ja += "無害化では拡張子を ." + std::string(canonical_extension(*d.type)) + " に変えます。";
            break;
        }
        j["findings"].push_back({{"kind", "name.mismatch"}, {"detail", detail}, {"ja", ja}});
    }
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// GLib's messages (libgsf's CRITICALs on hostile OLE2 files, poppler-glib) are dropped: the worker's
// descriptors 0-2 are closed, so GLib's default writer could write into whatever file took fd 2.
GLogWriterOutput drop_library_message(GLogLevelFlags, const GLogField*, gsize, gpointer) { return G_LOG_WRITER_HANDLED; }

[[noreturn]] void run(int argc, char** argv) {
    g_log_set_writer_func(drop_library_message, nullptr, nullptr);
    const int fd = sandbox::channel_fd;
    Options options;
    std::shared_ptr<const Detector> detector;
    sandbox::Report report;
    try {
        options = parse(argc, argv);
        sandbox::Profile profile = profile_of(options);
        pin_library_threads();
        fix_time_zone();
        detector = warm_up(options.zygote);
        // In a zygote this returns only in a forked copy, with its own job channel on `fd`.
        if (options.zygote) {
            warm_for_zygote(detector);
            run_zygote(fd, options.isolation);
            options.zygote = false;   // a forked worker from here on
            forked_by_zygote = true;
        }
#ifdef MUGAIKA_SANITIZE
        __sanitizer_sandbox_on_notify(nullptr);   // ASan caches /proc/self/maps before it disappears
#endif
        report = sandbox::enter(profile, options.isolation, fd);
    } catch (const std::exception& e) {
        if (options.zygote) (void)zygote::send_message(fd, std::string(zygote::refused_prefix) + e.what());
        else (void)send_blocking(fd, Type::refused, e.what());
        ::_exit(exit_refused);
    }
    if (!send_blocking(fd, Type::hello, report_json(report).dump())) ::_exit(exit_channel);
    // ---- Confined from here on: everything below reads input. ----
    JobRequest job;
    try {
        auto m = receive_blocking(fd, options.max_job);
        if (!m) ::_exit(exit_ok);   // the pool closed a spare it no longer needs
        if (m->type != Type::job) ::_exit(exit_channel);
        job = decode_job(m->payload);
    } catch (const std::bad_alloc&) {
        ::_exit(exit_memory);
    } catch (const std::exception&) {
        ::_exit(exit_channel);
    }
    std::string result;
    try {
        if (auto hooked = job.test_hooks ? run_test_hook(job, options.profile) : std::nullopt) {
            result = std::move(*hooked);
        } else if (job.kind == JobKind::selftest) {
            result = selftest(report);
        } else if (job.kind == JobKind::detect) {
            result = detect(*detector, job);
        } else {
            Engine engine(builtin_registry(), std::move(job.policy), detector);
            if (job.converter) engine.set_converter(std::make_shared<ChannelConverter>(fd, options.max_job));
            result = encode_outcome(engine.process(job.bytes, job.name, job.secrets));
        }
    } catch (const std::bad_alloc&) {
        ::_exit(exit_memory);
    } catch (...) {
        ::_exit(exit_exception);
    }
    // The passwords are not needed any more; the process ends right after anyway.
    for (auto& pw : job.secrets.passwords) std::fill(pw.begin(), pw.end(), '\0');
    if (!send_blocking(fd, Type::result, result)) ::_exit(exit_channel);
    ::_exit(exit_ok);   // no destructors, no atexit: nothing that the filter would refuse
}

}  // namespace
}  // namespace mugaika::worker

int main(int argc, char** argv) { mugaika::worker::run(argc, argv); }
