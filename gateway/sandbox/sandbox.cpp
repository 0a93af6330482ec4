#include "sandbox.hpp"

#include <dirent.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "root.hpp"
#include "seccomp.hpp"

namespace mugaika::sandbox {
namespace {

[[noreturn]] void fail(const std::string& what) { throw SandboxError(what + ": " + std::strerror(errno)); }

std::vector<Mount> parser_data() {
    return {
        // Fonts and fontconfig: poppler and cairo look fonts up lazily (a PDF that does not embed its
        // Japanese fonts is drawn with the system's).
        {"/etc/fonts"}, {"/usr/share/fontconfig"}, {"/usr/share/fonts"}, {"/usr/local/share/fonts"},
        {"/var/cache/fontconfig"},
        // Debian's alternatives: poppler's Japanese substitutes (fonts-japanese-gothic.ttf, -mincho)
        // are links through here to the IPA fonts. Links only, nothing else lives there.
        {"/etc/alternatives"},
        {"/usr/share/poppler"},   // CMaps and encodings (poppler-data), where installed
        // glibc's charset modules, loaded by iconv (GMime) on first use of a charset: mapped as code.
        {"/usr/lib/x86_64-linux-gnu/gconv", true}, {"/usr/lib/aarch64-linux-gnu/gconv", true},
        {"/usr/share/zoneinfo"}, {"/etc/localtime"},   // dates in mail headers
    };
}

void set_limit(int resource, std::uint64_t soft, std::uint64_t hard, const char* name) {
    rlimit rl{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
    if (::setrlimit(resource, &rl) != 0) fail(std::string("setrlimit ") + name);
}

std::string apply_rlimits(const Rlimits& l, Isolation isolation) {
    std::string d;
    if (l.address_space > 0) {
#ifndef MUGAIKA_SANITIZE
        set_limit(RLIMIT_AS, l.address_space, l.address_space, "AS");
        d += "AS " + std::to_string(l.address_space >> 20) + " MiB, ";
#else
        d += "AS not applied (ASan reserves terabytes of address space), ";
#endif
    }
    if (l.cpu_seconds > 0) {
        // The soft limit's SIGXCPU is ignored by a PID namespace's init; the hard one is SIGKILL.
        set_limit(RLIMIT_CPU, l.cpu_seconds, l.cpu_seconds + 1, "CPU");
        d += "CPU " + std::to_string(l.cpu_seconds) + " s, ";
    }
    if (isolation == Isolation::full) {
        // Counted per user of the worker's own user namespace: only its own tasks. (Degraded, the
        // count would be the whole service user's; fork is refused by seccomp either way.)
        set_limit(RLIMIT_NPROC, l.processes, l.processes, "NPROC");
        d += "NPROC " + std::to_string(l.processes) + ", ";
    }
    set_limit(RLIMIT_NOFILE, l.open_files, l.open_files, "NOFILE");
    set_limit(RLIMIT_FSIZE, l.file_size, l.file_size, "FSIZE");
    set_limit(RLIMIT_CORE, 0, 0, "CORE");
    d += "NOFILE " + std::to_string(l.open_files) + ", FSIZE " + std::to_string(l.file_size) + ", CORE 0";
    return d;
}

std::string drop_capabilities() {
    // The bounding set needs CAP_SETPCAP, which a degraded worker of an unprivileged service never
    // had: then there is nothing in it to fear (NO_NEW_PRIVS follows).
    bool bounding = true;
    for (int cap = 0; cap <= 63; ++cap)
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) bounding = false;
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capset, &header, data) != 0) fail("capset");
    if (::syscall(SYS_capget, &header, data) != 0) fail("capget");
    for (const auto& d : data)
        if (d.effective || d.permitted || d.inheritable) throw SandboxError("capabilities still held after capset");
    return bounding ? "none held, bounding set empty" : "none held (bounding set not ours to change)";
}

}  // namespace

Profile disarm_profile() {
    Profile p;
    p.name = "disarm";
    p.seccomp = "disarm";
    p.mounts = parser_data();
    p.limits.processes = 16;   // threads of a library (no process: seccomp)
    p.limits.open_files = 64;
    return p;
}

Profile converter_host_profile(std::vector<std::string> programs) {
    Profile p = disarm_profile();
    p.name = "converter-host";
    p.seccomp = "converter-host";
    // A program needs its loader and libraries; read-only and visible, never writable.
    for (const char* lib : {"/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/locale"})
        p.mounts.push_back({lib, true});
    p.exec = std::move(programs);
    // The dynamic loader is executed too (the kernel opens it for exec): Landlock must allow it.
    for (const char* loader : {"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"})
        if (::access(loader, F_OK) == 0) p.exec.push_back(loader);
    p.tmpfs_bytes = 64ull << 20;   // LibreOffice and friends insist on a writable profile folder
    p.limits.processes = 64;
    p.limits.open_files = 256;
    p.limits.file_size = 256ull << 20;   // only the private /tmp is writable (Landlock, read-only root)
    return p;
}

Profile office_profile(std::uint64_t memory_bytes, std::uint64_t cpu_seconds, std::uint64_t max_file_bytes,
                       std::string writable) {
    Profile p;
    p.name = "office";
    p.seccomp = "office";
    p.mounts = parser_data();
    // LibreOffice's program and its libraries are mapped as code; its configuration layers are links
    // out of /usr/lib/libreoffice (Debian: /etc/libreoffice/registry, /var/lib/libreoffice, ...).
    for (const char* lib : {"/usr/lib", "/usr/lib64", "/lib", "/lib64"}) p.mounts.push_back({lib, true});
    for (const char* data : {"/etc/libreoffice", "/var/lib/libreoffice", "/var/spool/libreoffice", "/usr/share/libreoffice",
                             "/usr/share/liblangtag", "/usr/share/locale", "/etc/ld.so.cache"})
        p.mounts.push_back({data});
    // NSS (LibreOffice's crypto, loaded for a PDF export) reads the kernel's random source as a file.
    p.mounts.push_back({"/dev/urandom", false, false, true});
    // Its profile folder, the document and the result; bounded like the file size below.
    p.tmpfs_bytes = 2 * max_file_bytes + (256ull << 20);
    p.writable = std::move(writable);
    p.limits.address_space = memory_bytes;
    p.limits.cpu_seconds = cpu_seconds;
    p.limits.processes = 256;   // LibreOffice's threads (no process: seccomp)
    p.limits.open_files = 1024;
    p.limits.file_size = max_file_bytes;
    return p;
}

int thread_count() {
    DIR* d = ::opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n;
}

Report enter(const Profile& profile, Isolation isolation, int keep_fd) {
    Report r{profile.name, isolation, {}};
    // Capabilities, NO_NEW_PRIVS and Landlock are per thread: confine before any thread exists.
    int threads = thread_count();
    if (threads != 1)
        throw SandboxError("confinement needs a single-threaded process (found " + std::to_string(threads) + ")");
    const char* namespaces[] = {"userns", "mountns", "pidns", "ipcns", "utsns", "netns"};
    if (isolation == Isolation::full) {
        if (::getpid() != 1) throw SandboxError("not the first process of a new PID namespace");
        build_root(profile);
        static const char host[] = "mugaika-worker";
        if (::sethostname(host, sizeof host - 1) != 0) fail("sethostname");
        for (const char* ns : namespaces) r.layers.push_back({ns, true, "new (created at spawn)"});
        r.layers.push_back({"root", true,
                            "pivot_root into an empty read-only tmpfs with " + std::to_string(profile.mounts.size()) +
                                " read-only paths" + (profile.tmpfs_bytes ? " and a private /tmp" : "")});
    } else {
        for (const char* ns : namespaces) r.layers.push_back({ns, false, "isolation = \"degraded\""});
        r.layers.push_back({"root", false, "isolation = \"degraded\" (Landlock confines the files)"});
    }
    r.layers.push_back({"rlimits", true, apply_rlimits(profile.limits, isolation)});
    r.layers.push_back({"capabilities", true, drop_capabilities()});
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
    r.layers.push_back({"no_new_privs", true, ""});
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail("PR_SET_DUMPABLE");
    r.layers.push_back({"not_dumpable", true, ""});
    r.layers.push_back(apply_landlock(profile));
    int rules = load_seccomp(profile.seccomp, keep_fd);
    r.layers.push_back({"seccomp", true, "profile " + profile.seccomp + ", " + std::to_string(rules) + " rules, the rest killed"});
    return r;
}

std::string describe(const Report& report) {
    std::string s;
    for (const auto& l : report.layers) {
        std::string name = l.name;
        name.resize(14, ' ');
        s += name + (l.on ? "on   " : "OFF  ") + l.detail + "\n";
    }
    return s;
}

}  // namespace mugaika::sandbox
