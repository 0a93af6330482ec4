#include "office_pool.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "mugaika/limits.hpp"
#include "mugaika/reasons.hpp"
#include "office_protocol.hpp"
#include "sandbox/spawn.hpp"

namespace mugaika::office {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct OfficePool::Process {
    pid_t pid = -1;
    int pidfd = -1;
    int fd = -1;
    fs::path workdir;
    unsigned documents = 0;
    bool ready = false;
};

namespace {

constexpr auto kReapBound = std::chrono::seconds(5);

fs::path tmp_root(const OfficeOptions& o) {
    if (!o.tmp_root.empty()) return o.tmp_root;
    const char* t = std::getenv("TMPDIR");
    return t && *t ? fs::path(t) : fs::path("/tmp");
}

// Kills the converter and reaps it, bounded. It is the first process of its own PID namespace: with
// it goes anything it could have started (seccomp lets it start nothing). One that is not gone within
// the bound is reaped by a thread of its own, never by the item that waits.
void kill_and_reap(OfficePool::Process& p) {
    if (p.fd >= 0) ::close(p.fd);
    p.fd = -1;
    if (p.pid > 0) {
        ::kill(p.pid, SIGKILL);
        auto until = Clock::now() + kReapBound;
        pid_t r = 0;
        while ((r = ::waitpid(p.pid, nullptr, WNOHANG)) == 0 && Clock::now() < until) ::usleep(2000);
        if (r == 0) std::thread([pid = p.pid] { ::waitpid(pid, nullptr, 0); }).detach();
        p.pid = -1;
    }
    if (p.pidfd >= 0) ::close(p.pidfd);
    p.pidfd = -1;
    std::error_code ec;
    if (!p.workdir.empty()) fs::remove_all(p.workdir, ec);
}

std::string how_it_ended(pid_t pid) {
    int status = 0;
    auto until = Clock::now() + std::chrono::milliseconds(500);
    pid_t r = 0;
    while ((r = ::waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() < until) ::usleep(2000);
    if (r != pid) return "it closed its channel";
    if (WIFSIGNALED(status)) return std::string("it died of ") + strsignal(WTERMSIG(status));
    return "it exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::string office_program() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && ::access((self.parent_path() / "mugaika-office").c_str(), X_OK) == 0)
        return (self.parent_path() / "mugaika-office").string();
#ifdef MUGAIKA_OFFICE_PROGRAM
    if (::access(MUGAIKA_OFFICE_PROGRAM, X_OK) == 0) return MUGAIKA_OFFICE_PROGRAM;   // the build tree's
#endif
    return {};
}

std::string LazyConverter::convert(const ConversionRequest& request) const {
    std::shared_ptr<OfficePool> pool;
    {
        std::lock_guard lock(mutex_);
        if (!pool_) {
            OfficeOptions o = options_;
            o.converters = 1;
            pool_ = std::make_shared<OfficePool>(o);
        }
        pool = pool_;
    }
    return pool->convert(request);
}

bool office_installed(const std::string& office_dir) {
    return ::access((fs::path(office_dir) / "libmergedlo.so").c_str(), R_OK) == 0 ||
           ::access((fs::path(office_dir) / "libsofficeapp.so").c_str(), R_OK) == 0;
}

OfficePool::OfficePool(OfficeOptions options) : options_(std::move(options)) {
    if (options_.program.empty()) options_.program = office_program();
    if (options_.converters == 0) options_.converters = 1;
    thread_ = std::thread([this] { loop(); });
}

OfficePool::~OfficePool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (starting_ > 0) ::kill(starting_, SIGKILL);   // do not wait out LibreOffice's start-up
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& p : ready_) kill_and_reap(*p);
    ready_.clear();
}

OfficeStats OfficePool::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::string OfficePool::start_error() const {
    std::lock_guard lock(mutex_);
    return start_error_;
}

std::string OfficePool::sandbox_report() const {
    std::lock_guard lock(mutex_);
    return sandbox_report_;
}

std::string check_converter_sandbox(OfficeOptions options) {
    options.converters = 1;
    if (options.program.empty()) options.program = office_program();
    if (options.program.empty()) throw std::runtime_error("no converter program (mugaika-office) in this build");
    if (!office_installed(options.office_dir)) throw std::runtime_error("LibreOffice is not installed in " + options.office_dir);
    OfficePool pool(options);
    auto until = Clock::now() + options.startup;
    while (Clock::now() < until) {
        if (auto r = pool.sandbox_report(); !r.empty()) return r;
        if (auto e = pool.start_error(); !e.empty()) throw std::runtime_error(e);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the converter did not start within " + std::to_string(options.startup.count() / 1000) + " s");
}

// Started by the pool's thread only: no item waits on LibreOffice's start-up unless every converter
// is busy or was just thrown away.
std::unique_ptr<OfficePool::Process> OfficePool::start() {
    auto p = std::make_unique<Process>();
    bool degraded = options_.isolation == sandbox::Isolation::degraded;
    if (degraded) {
        // No private /tmp without a mount namespace: a folder of its own, the only place Landlock
        // lets it write. In full isolation nothing of the converter's touches the host's disk.
        std::string tmpl = (tmp_root(options_) / "mugaika-office-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
        p->workdir = tmpl;
    }
    std::vector<std::string> args{options_.program, "--isolation", degraded ? "degraded" : "sandbox",
                                  "--office", options_.office_dir, "--memory", std::to_string(options_.memory_bytes),
                                  "--cpu", std::to_string(options_.cpu_seconds),
                                  "--max-bytes", std::to_string(options_.max_output_bytes)};
    if (degraded) args.insert(args.end(), {"--workdir", p->workdir.string()});
    if (options_.test_hooks) args.insert(args.end(), {"--test-hooks", "1"});
    if (!options_.fake.empty()) args.insert(args.end(), {"--fake", options_.fake});
    sandbox::Connected connected;
    try {
        // clone3 + execve into new namespaces, empty environment, the channel as its only descriptor;
        // called from the pool's own thread (the converter dies with it: PR_SET_PDEATHSIG).
        connected = sandbox::spawn_connected({options_.program, args, -1, options_.isolation}, SOCK_STREAM);
    } catch (const std::exception& e) {
        kill_and_reap(*p);
        throw std::runtime_error("cannot start " + options_.program + " in the sandbox: " + e.what());
    }
    const sandbox::Spawned& spawned = connected.process;
    p->fd = connected.channel;
    pid_t pid = spawned.pid;
    p->pidfd = spawned.pidfd;
    p->pid = pid;
    {
        std::lock_guard lock(mutex_);
        starting_ = stopping_ ? -1 : pid;
        if (stopping_) ::kill(pid, SIGKILL);
    }
    try {
        auto f = receive_frame_until(p->fd, 1 << 16, Clock::now() + options_.startup);
        if (!f) throw std::runtime_error("LibreOffice did not start within " + std::to_string(options_.startup.count() / 1000) + " s");
        if (f->kind == Kind::failed) throw std::runtime_error("the converter could not start: " + f->payload.substr(f->payload.find('\0') + 1));
        if (f->kind != Kind::ready) throw std::runtime_error("the converter said something else than ready");
        std::lock_guard lock(mutex_);
        sandbox_report_ = f->payload;
    } catch (const std::exception& e) {
        std::string detail = e.what();
        {
            std::lock_guard lock(mutex_);
            starting_ = -1;
        }
        kill_and_reap(*p);
        throw std::runtime_error(detail);
    }
    {
        std::lock_guard lock(mutex_);
        starting_ = -1;
    }
    p->ready = true;
    return p;
}

void OfficePool::loop() {
    std::unique_lock lock(mutex_);
    unsigned failures = 0;
    while (!stopping_) {
        if (live_ >= options_.converters || options_.program.empty() || !(options_.prestart || demanded_)) {
            if (options_.program.empty()) start_error_ = "no converter program (mugaika-office) in this build";
            cv_.wait(lock);
            continue;
        }
        ++live_;
        lock.unlock();
        std::unique_ptr<Process> p;
        std::string error;
        try {
            p = start();
        } catch (const std::exception& e) {
            error = e.what();
        }
        lock.lock();
        if (p) {
            failures = 0;
            ++stats_.started;
            if (stopping_) {
                --live_;
                kill_and_reap(*p);
                break;
            }
            ready_.push_back(std::move(p));
            start_error_.clear();
        } else {
            --live_;
            start_error_ = error;
            ++failures;
            cv_.notify_all();
            // A converter that cannot start now will not start in a tight loop either.
            cv_.wait_for(lock, std::chrono::milliseconds(std::min(30000u, 500u << std::min(failures, 6u))));
            continue;
        }
        cv_.notify_all();
    }
}

std::unique_ptr<OfficePool::Process> OfficePool::take(Clock::time_point deadline) {
    if (options_.program.empty())
        throw SanitizeError(reason::internal, "no document converter could be started: no converter program (mugaika-office) in this build");
    std::unique_lock lock(mutex_);
    if (!demanded_) {
        demanded_ = true;
        cv_.notify_all();
    }
    while (ready_.empty()) {
        // Items wait for a converter like for a worker; one that never comes is the item's time.
        if (!start_error_.empty() && live_ == 0)
            throw SanitizeError(reason::internal, "no document converter could be started: " + start_error_);
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && ready_.empty())
            throw SanitizeError(reason::limit_time, "no document converter was free before the item's time budget ran out");
    }
    auto p = std::move(ready_.front());
    ready_.pop_front();
    return p;
}

void OfficePool::give_back(std::unique_ptr<Process> p) {
    if (p->documents >= options_.max_documents) return retire(std::move(p));
    std::lock_guard lock(mutex_);
    ready_.push_back(std::move(p));
    cv_.notify_all();
}

void OfficePool::retire(std::unique_ptr<Process> p) {
    kill_and_reap(*p);
    std::lock_guard lock(mutex_);
    --live_;
    ++stats_.retired;
    cv_.notify_all();   // the pool's thread starts a fresh one
}

std::string OfficePool::convert(const ConversionRequest& request) {
    if (request.bytes.size() > options_.max_output_bytes)
        throw SanitizeError(reason::limit_size, "the document is larger than the converter takes (" +
                                                    std::to_string(options_.max_output_bytes) + " bytes)");
    auto deadline = std::min(request.deadline, Clock::now() + options_.per_document + options_.startup);
    std::unique_ptr<Process> p = take(deadline);
    deadline = std::min(request.deadline, Clock::now() + options_.per_document);
    std::uint64_t max_out = request.max_output_bytes ? std::min(request.max_output_bytes, options_.max_output_bytes)
                                                     : options_.max_output_bytes;
    ConvertJob job{std::string(request.source_type), std::string(to_string(request.target)), std::string(request.bytes)};
    ++p->documents;
    std::optional<Frame> answer;
    std::string broken;
    try {
        if (send_frame_until(p->fd, Kind::convert, encode_job(job), deadline))
            answer = receive_frame_until(p->fd, options_.max_output_bytes + 4096, deadline);
    } catch (const ProtocolError& e) {
        broken = e.what();
    }
    if (!broken.empty()) {
        std::string how = how_it_ended(p->pid);
        {
            std::lock_guard lock(mutex_);
            ++stats_.crashed;
        }
        retire(std::move(p));
        throw SanitizeError(reason::worker_crash, "the document converter failed on this document (" + how + "; " + broken + ")");
    }
    if (!answer) {
        {
            std::lock_guard lock(mutex_);
            ++stats_.timed_out;
        }
        retire(std::move(p));
        throw SanitizeError(reason::limit_time, "the document converter did not finish in time (killed and replaced)");
    }
    if (answer->kind == Kind::failed) {
        auto nul = answer->payload.find('\0');
        std::string code = answer->payload.substr(0, nul);
        std::string detail = nul == std::string::npos ? "" : answer->payload.substr(nul + 1);
        {
            std::lock_guard lock(mutex_);
            ++stats_.failed;
        }
        retire(std::move(p));   // after any error: LibreOffice's state is not trusted any more
        if (code != reason::malformed && code != reason::limit_size && code != reason::internal) code = std::string(reason::internal);
        throw SanitizeError(code, detail);
    }
    if (answer->kind != Kind::done) {
        retire(std::move(p));
        throw SanitizeError(reason::worker_crash, "the document converter answered out of turn");
    }
    if (answer->payload.size() > max_out) {
        give_back(std::move(p));
        throw SanitizeError(reason::limit_size, "the converted document has " + std::to_string(answer->payload.size()) + " bytes");
    }
    {
        std::lock_guard lock(mutex_);
        ++stats_.conversions;
    }
    give_back(std::move(p));
    return std::move(answer->payload);
}

}  // namespace mugaika::office
