#include "zygote.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "sandbox/spawn.hpp"
#include "zygote_protocol.hpp"

namespace mugaika {
namespace {

[[noreturn]] void fail(int error, const std::string& what) { throw std::system_error(error, std::generic_category(), what); }

bool readable_within(int fd, std::chrono::milliseconds bound) {
    pollfd p{fd, POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
        if (r > 0) return true;
        if (r == 0 || errno != EINTR) return false;
    }
}

// The pid a pidfd refers to, as the kernel says it (/proc/self/fdinfo): what the zygote sends is
// checked before the service ever signals or waits by it.
pid_t pid_of(int pidfd) {
    std::ifstream info("/proc/self/fdinfo/" + std::to_string(pidfd));
    for (std::string line; std::getline(info, line);)
        if (line.rfind("Pid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(4)));
    return -1;
}

}  // namespace

std::unique_ptr<Zygote> Zygote::start(const std::string& program, const std::vector<std::string>& argv,
                                      std::chrono::milliseconds bound) {
    sandbox::SpawnRequest r;
    r.program = program;
    r.argv = argv;
    // The zygote itself needs no namespaces: it only clones its workers into theirs, and holds nothing.
    r.isolation = sandbox::Isolation::degraded;
    sandbox::Connected c = sandbox::spawn_connected(std::move(r), SOCK_SEQPACKET);
    // From here on, any failure retires (kills and reaps) it through the destructor.
    std::unique_ptr<Zygote> z(new Zygote(c.process.pid, c.process.pidfd, c.channel));
    const int control = c.channel;
    if (!readable_within(control, bound)) {
        fail(ETIMEDOUT, "the worker zygote did not start");
    }
    auto word = worker::zygote::receive_message(control, 4096);
    if (!word || word->fd >= 0) {
        if (word && word->fd >= 0) ::close(word->fd);
        fail(EPROTO, "the worker zygote ended before it was ready");
    }
    if (word->bytes.rfind(worker::zygote::refused_prefix, 0) == 0) {
        throw ZygoteRefused(word->bytes.substr(worker::zygote::refused_prefix.size()));
    }
    if (word->bytes != worker::zygote::ready) {
        fail(EPROTO, "the worker zygote said something else than ready: " + word->bytes.substr(0, 200));
    }
    return z;
}

Zygote::~Zygote() {
    auto [pid, pidfd] = retire();
    if (pidfd >= 0) {
        // Nobody took it to reap: a short wait (it was killed), else leave it to the kernel at our exit.
        pollfd p{pidfd, POLLIN, 0};
        if (::poll(&p, 1, 1000) > 0) ::waitpid(pid, nullptr, WNOHANG);
        ::close(pidfd);
    }
}

void Zygote::broken() {
    if (control_ >= 0) ::close(control_);
    control_ = -1;
    if (pidfd_ >= 0) ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
}

std::pair<pid_t, int> Zygote::retire() {
    std::lock_guard lock(mutex_);
    broken();
    int fd = pidfd_;
    pidfd_ = -1;
    return {pid_, fd};
}

bool Zygote::usable() const {
    std::lock_guard lock(mutex_);
    return control_ >= 0;
}

unsigned Zygote::forks() const {
    std::lock_guard lock(mutex_);
    return forks_;
}

Zygote::Forked Zygote::fork_worker(int channel, std::chrono::milliseconds bound) {
    std::lock_guard lock(mutex_);
    if (control_ < 0) fail(EPIPE, "the worker zygote is gone");
    const char request = worker::zygote::fork_request;
    if (!worker::zygote::send_message(control_, {&request, 1}, channel)) {
        int e = errno;
        broken();
        fail(e ? e : EPIPE, "the worker zygote does not take requests");
    }
    if (!readable_within(control_, bound)) {
        broken();
        fail(ETIMEDOUT, "the worker zygote did not answer");
    }
    auto answer = worker::zygote::receive_message(control_, sizeof(worker::zygote::ForkReply));
    worker::zygote::ForkReply reply;
    if (!answer || answer->bytes.size() != sizeof reply) {
        if (answer && answer->fd >= 0) ::close(answer->fd);
        broken();
        fail(EPROTO, "the worker zygote answered nothing readable");
    }
    std::memcpy(&reply, answer->bytes.data(), sizeof reply);
    if (reply.tag == 'P' && reply.error != 0 && answer->fd < 0) fail(reply.error, "clone3 (worker namespaces, in the zygote)");
    if (reply.tag != 'P' || reply.error != 0 || answer->fd < 0 || reply.pid <= 0 || pid_of(answer->fd) != reply.pid) {
        if (answer->fd >= 0) ::close(answer->fd);
        broken();
        fail(EPROTO, "the worker zygote's answer does not hold together");
    }
    ++forks_;
    return {reply.pid, answer->fd};
}

}  // namespace mugaika
