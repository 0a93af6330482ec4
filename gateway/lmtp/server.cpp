#include "server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "../service/http.hpp"
#include "../net/deadline_io.hpp"
#include "mugaika/test_points.hpp"
#include "../service/log.hpp"
#include "session.hpp"

namespace mugaika {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

std::string peer_name(const sockaddr_storage& ss) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
    } else if (ss.ss_family == AF_INET6) {
        const auto& a6 = reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a6)) inet_ntop(AF_INET, &a6.s6_addr[12], buf, sizeof buf);
        else inet_ntop(AF_INET6, &a6, buf, sizeof buf);
    } else {
        return "unix";
    }
    return buf;
}

// A one-line answer from the accepting thread to a client that is turned away: it must not hold the
// acceptor up, so it gets a second at most.
void refuse(int fd, const std::string& reply) {
    net::set_nonblocking(fd);
    net::send_all(fd, reply, net::after(std::chrono::seconds(1)), -1);
    ::close(fd);
}

}  // namespace

LmtpServer::LmtpServer(LmtpConfig config, Spool& spool, Metrics& metrics, Hooks hooks)
    : config_(std::move(config)), spool_(spool), metrics_(metrics), hooks_(std::move(hooks)),
      resend_(spool, config_.resend_window) {}

LmtpServer::~LmtpServer() { stop(); }

bool LmtpServer::client_allowed(const std::string& peer) const {
    if (peer == "unix") return true;   // a unix socket is guarded by its file permissions
    return std::find(config_.clients.begin(), config_.clients.end(), peer) != config_.clients.end();
}

void LmtpServer::start() {
    if (config_.listen.starts_with("unix:")) {
        fs::path path = config_.listen.substr(5);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        if (path.string().size() >= sizeof sun.sun_path) throw std::invalid_argument("unix socket path too long");
        std::strcpy(sun.sun_path, path.c_str());
        std::error_code ec;
        if (fs::is_socket(path, ec)) fs::remove(path, ec);   // a stale socket from a previous run
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) fail("socket");
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) fail("bind " + path.string());
    } else {
        auto [host, port] = split_host_port(config_.listen);
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        addrinfo* res = nullptr;
        if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res)
            throw std::invalid_argument("lmtp listen: '" + config_.listen + "' is not a numeric address:port");
        listen_fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        int rc = ::bind(listen_fd_, res->ai_addr, res->ai_addrlen);
        ::freeaddrinfo(res);
        if (rc != 0) fail("bind " + config_.listen);
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
        port_ = ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(ss).sin_port
                                              : reinterpret_cast<sockaddr_in6&>(ss).sin6_port);
    }
    if (::listen(listen_fd_, 64) != 0) fail("listen");
    if (::pipe2(soft_stop_, O_CLOEXEC | O_NONBLOCK) != 0 || ::pipe2(hard_stop_, O_CLOEXEC | O_NONBLOCK) != 0) fail("pipe");
    acceptor_ = std::thread([this] { accept_loop(); });
    log::info("lmtp: listening on " + config_.listen + (port_ ? " (port " + std::to_string(port_) + ")" : ""));
}

void LmtpServer::stop() {
    if (stopping_.exchange(true)) return;
    // Soft stop: the acceptor ends, and every session waiting for its client ends at once (a session in
    // the middle of DATA is cut off: Postfix sees no reply and retries later). Replies still owed (the
    // 250 of a message already in the spool) may be sent until the shutdown deadline.
    if (soft_stop_[1] >= 0) (void)!::write(soft_stop_[1], "x", 1);
    if (acceptor_.joinable()) acceptor_.join();
    std::unique_lock lock(mutex_);
    if (!done_cv_.wait_for(lock, config_.shutdown, [&] { return sessions_.empty(); })) {
        // Hard stop: a client that does not read its replies does not hold the service up.
        log::warn("lmtp: " + std::to_string(sessions_.size()) + " session(s) still open after " +
                  std::to_string(config_.shutdown.count()) + " s of shutdown; closing them");
        if (hard_stop_[1] >= 0) (void)!::write(hard_stop_[1], "x", 1);
        for (int fd : sessions_) ::shutdown(fd, SHUT_RDWR);
        // Every wait of a session watches the hard stop; what remains is at most a spool write in progress.
        done_cv_.wait(lock, [&] { return sessions_.empty(); });
    }
    lock.unlock();
    for (int* fd : {&listen_fd_, &soft_stop_[0], &soft_stop_[1], &hard_stop_[0], &hard_stop_[1]})
        if (*fd >= 0) { ::close(*fd); *fd = -1; }
    if (config_.listen.starts_with("unix:")) {
        std::error_code ec;
        fs::remove(config_.listen.substr(5), ec);
    }
}

void LmtpServer::accept_loop() {
    while (!stopping_) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {soft_stop_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (stopping_) break;
        if (!(fds[0].revents & POLLIN)) continue;
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::string peer = peer_name(ss);
        if (!client_allowed(peer)) {
            log::warn("lmtp: refused connection from " + peer + " (not in [lmtp] clients)");
            refuse(fd, "554 5.7.1 access denied\r\n");
            continue;
        }
        std::unique_lock lock(mutex_);
        if (sessions_.size() >= config_.max_connections) {
            lock.unlock();
            refuse(fd, "421 4.3.2 too many connections, try again later\r\n");
            continue;
        }
        sessions_.insert(fd);
        lock.unlock();
        metrics_.lmtp_session();
        std::thread([this, fd, peer] { session(fd, peer); }).detach();
    }
}

void LmtpServer::session(int fd, std::string peer) {
    net::set_nonblocking(fd);
    // Reads end at the soft stop; replies may still go out until the hard stop (see stop()).
    lmtp::LineReader reader(fd, soft_stop_[0]);
    lmtp::SessionHooks h;
    h.send = [this, fd](const std::string& s) {
        net::IoStatus st = net::send_all(fd, s + "\r\n", net::after(config_.timeout), hard_stop_[0]);
        if (st != net::IoStatus::ok) throw lmtp::PeerGone(net::to_string(st));
    };
    h.rejected = [this] { metrics_.lmtp_message("rejected"); };
    h.intake_problem = [this] { return hooks_.intake_problem ? hooks_.intake_problem() : std::string(); };
    h.deliver = [this, &peer](const lmtp::Envelope& env, std::string&& message) -> std::string {
        if (stopping_) return "421 4.3.2 shutting down, try again later";
        if (std::string problem = hooks_.intake_problem ? hooks_.intake_problem() : std::string(); !problem.empty()) {
            metrics_.lmtp_message("deferred");
            return problem;
        }
        JobMeta meta;
        meta.id = Spool::new_id();
        meta.source = Source::mail;
        meta.sender = env.sender;
        meta.recipients = env.recipients;
        meta.name = "message.eml";
        meta.received_ms = now_ms();
        try {
            {
                // The same queue file again, after our 250 was lost: answered, not queued twice.
                auto guard = resend_.lock();
                ResendFilter::Decision d = resend_.check(env.sender, env.recipients, message);
                if (d.recipients.empty()) {
                    metrics_.lmtp_message("duplicate");
                    log::info("lmtp: the message from <" + env.sender + "> was accepted before as job " + d.earlier_job +
                              " (sent again after a lost reply); not queued twice");
                    return "250 2.0.0 queued as " + d.earlier_job;
                }
                if (d.recipients.size() < env.recipients.size())
                    log::info("lmtp: job " + d.earlier_job + " took this message before for " +
                              std::to_string(env.recipients.size() - d.recipients.size()) + " of its recipient(s); queued for the others");
                meta.recipients = d.recipients;
                resend_.record(env.sender, message, meta.id, meta.recipients);
            }
            spool_.enqueue_bytes(meta, message);
            test_points::crash_point("lmtp.spooled");
        } catch (const std::system_error& e) {
            metrics_.lmtp_message("deferred");
            log::error("lmtp: cannot spool a message from " + peer + ": " + e.what());
            if (e.code().value() == ENOSPC || e.code().value() == EDQUOT)
                return "452 4.3.1 insufficient system storage, try again later";
            return "451 4.3.0 local error, try again later";
        } catch (const std::exception& e) {
            metrics_.lmtp_message("deferred");
            log::error("lmtp: cannot spool a message from " + peer + ": " + e.what());
            return "451 4.3.0 local error, try again later";
        }
        metrics_.lmtp_message("accepted");
        log::info("lmtp: accepted job " + meta.id + " from <" + env.sender + "> for " +
                  std::to_string(env.recipients.size()) + " recipient(s), " + std::to_string(message.size()) + " bytes");
        if (hooks_.enqueued) hooks_.enqueued(meta.id);
        return "250 2.0.0 queued as " + meta.id;
    };
    std::string why;
    try {
        why = lmtp::run_session(reader, config_, h, "mugaika");
    } catch (const std::exception& e) {
        why = std::string("internal error: ") + e.what();
        try {
            h.send("421 4.3.0 local error, closing connection");
        } catch (const lmtp::PeerGone&) {
        }
    }
    if (why != "quit") log::info("lmtp: session with " + peer + " ended: " + why);
    std::lock_guard lock(mutex_);
    sessions_.erase(fd);   // before close: the number may be reused by the next accept at once
    ::close(fd);
    done_cv_.notify_all();
}

}  // namespace mugaika
