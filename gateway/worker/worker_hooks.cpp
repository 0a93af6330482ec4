#include "worker_hooks.hpp"

#ifdef MUGAIKA_TEST_HOOKS
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

#include "mugaika/report.hpp"
#include "sandbox/converter.hpp"
#endif

namespace mugaika::worker {

#ifndef MUGAIKA_TEST_HOOKS

std::optional<std::string> run_test_hook(const JobRequest&, const std::string&) { return std::nullopt; }

#else

namespace {

Outcome base(const JobRequest& job) {
    Outcome o;
    o.input_name = job.name;
    o.input_size = job.bytes.size();
    o.input_sha256 = sha256_hex(job.bytes);
    o.detected_type = "text";
    return o;
}

// A hostile attempt that the sandbox refused: the item is held and the detail says what happened.
// One that succeeded is "released" with what it got, so that a test sees it cross.
std::string verdict(const JobRequest& job, bool succeeded, const std::string& what) {
    Outcome o = base(job);
    if (succeeded) {
        o.verdict = Verdict::disarmed;
        o.outputs.push_back({"hostile-success.txt", "text", "SUCCEEDED: " + what});
    } else {
        o.verdict = Verdict::quarantined;
        o.reason = "internal";
        o.reason_detail = "hostile test refused: " + what;
    }
    return encode_outcome(o);
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(l);
    return out;
}

std::string err() { return std::string(strerrorname_np(errno) ? strerrorname_np(errno) : "?"); }

std::string hostile(const JobRequest& job, const std::string& action) {
    std::vector<std::string> args = lines(job.bytes);
    std::string arg = args.empty() ? "" : args[0];
    if (action == "open") {
        // Read anything of the service's: the key file, spool, out, Maildir, quarantine, /etc.
        std::string report;
        bool any = false;
        for (const auto& path : args) {
            int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                char buf[64];
                ssize_t n = ::read(fd, buf, sizeof buf);
                report += path + ": OPENED (" + std::to_string(n) + " bytes read); ";
                any = true;
                ::close(fd);
            } else {
                report += path + ": " + err() + "; ";
            }
        }
        return verdict(job, any, report);
    }
    if (action == "write") {   // any file, anywhere (the filter kills this call)
        int fd = ::open(arg.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        bool ok = fd >= 0 && ::write(fd, "pwned\n", 6) == 6;
        return verdict(job, ok, "write " + arg + ": " + (ok ? "written" : err()));
    }
    if (action == "tcp") {   // the service's own LMTP port: "host port"
        int s = ::socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) return verdict(job, false, "socket: " + err());
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(std::atoi(arg.c_str())));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        return verdict(job, ok, "connect 127.0.0.1:" + arg + ": " + (ok ? "connected" : err()));
    }
    if (action == "unix") {
        int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (s < 0) return verdict(job, false, "socket: " + err());
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, arg.c_str(), sizeof a.sun_path - 1);
        bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        return verdict(job, ok, "connect " + arg + ": " + (ok ? "connected" : err()));
    }
    if (action == "exec") {
        char* const argv[] = {const_cast<char*>("/bin/sh"), const_cast<char*>("-c"), const_cast<char*>("id"), nullptr};
        ::execve("/bin/sh", argv, nullptr);
        return verdict(job, false, "execve /bin/sh: " + err());
    }
    if (action == "fork") {
        pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);
        return verdict(job, pid > 0, "fork: " + (pid > 0 ? std::string("forked") : err()));
    }
    if (action == "ptrace") {   // the service (its pid as the host sees it)
        long r = ::ptrace(PTRACE_ATTACH, std::atoi(arg.c_str()), nullptr, nullptr);
        return verdict(job, r == 0, "ptrace attach " + arg + ": " + (r == 0 ? "attached" : err()));
    }
    if (action == "kill") {
        int r = ::kill(std::atoi(arg.c_str()), SIGKILL);
        return verdict(job, r == 0, "kill " + arg + ": " + (r == 0 ? "sent" : err()));
    }
    if (action == "fds") {   // descriptors it could use: only its channel
        std::string open;
        std::vector<int> found;
        for (int fd = 0; fd < 4096; ++fd)
            if (::fcntl(fd, F_GETFD) >= 0) found.push_back(fd);
        for (int fd : found) open += std::to_string(fd) + " ";
        int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        std::string listing = dir >= 0 ? "listed" : err();
        bool only_channel = found == std::vector<int>{3};
#ifdef MUGAIKA_SANITIZE
        only_channel = found == std::vector<int>{3} || found == std::vector<int>{2, 3};
#endif
        return verdict(job, !only_channel || dir >= 0, "open descriptors: " + open + "/proc/self/fd: " + listing);
    }
    return verdict(job, false, "unknown hostile action " + action);
}

std::string converter(const JobRequest& job) {
    // Runs /usr/bin/tr a-z A-Z over the input inside this worker's sandbox (converter-host profile).
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    std::string program = lines(job.bytes).empty() ? "/usr/bin/tr" : lines(job.bytes)[0];
    sandbox::ConverterSpec spec;
    spec.program = program;
    spec.argv = {"tr", "a-z", "A-Z"};
    spec.stdin_fd = in[0];
    spec.stdout_fd = out[1];
    pid_t pid = sandbox::start_converter(spec);
    ::close(in[0]);
    ::close(out[1]);
    std::string text = "converted by a sandboxed converter\n";
    (void)::write(in[1], text.data(), text.size());
    ::close(in[1]);
    std::string got;
    char buf[256];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    ::waitpid(pid, &status, 0);
    Outcome o = base(job);
    std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                        : "signal " + std::to_string(WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        o.verdict = Verdict::disarmed;
        o.outputs.push_back({"converted.txt", "text", got});
    } else {
        o.verdict = Verdict::quarantined;
        o.reason = "internal";
        o.reason_detail = "converter " + program + " ended with " + how;
    }
    return encode_outcome(o);
}

}  // namespace

std::optional<std::string> run_test_hook(const JobRequest& job, const std::string& profile) {
    const std::string& name = job.name;
    if (!name.starts_with("mugaika-test-")) return std::nullopt;
    std::string what = name.substr(13);
    if (what.starts_with("crash")) std::abort();
    if (what.starts_with("hang"))
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    if (what.starts_with("oom")) {
        std::vector<std::string> hog;
        for (;;) hog.emplace_back(std::size_t(64) << 20, 'x');   // until RLIMIT_AS: std::bad_alloc
    }
    if (what.starts_with("cpu"))
        for (volatile unsigned long i = 0;; i = i + 1) {}
    if (what.starts_with("badname")) {
        // A compromised worker: an output under a name it chose, with correct lengths and digests.
        Outcome o = base(job);
        o.verdict = Verdict::disarmed;
        o.outputs.push_back({job.bytes, "text", "escaped\n"});
        return encode_outcome(o);
    }
    if (what.starts_with("converter") && profile == "converter-host") return converter(job);
    if (what.starts_with("hostile-")) {
        std::string action = what.substr(8);
        action = action.substr(0, action.find_first_of(".-"));
        return hostile(job, action);
    }
    return std::nullopt;
}

#endif

}  // namespace mugaika::worker
