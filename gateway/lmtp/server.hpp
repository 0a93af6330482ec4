// The LMTP server (RFC 2033) for Postfix's after-queue content_filter (method ア). One thread per
// connection, bounded in number; everything from the client is bounded (line length, recipients,
// message size, errors, idle time). A message is answered 250 (once per recipient) only after it is
// durable in the spool's incoming/; any trouble of ours is a 4xx so that Postfix keeps the mail and
// retries: nothing is lost.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "../config/gateway_config.hpp"
#include "../service/metrics.hpp"
#include "../spool/spool.hpp"
#include "resend_filter.hpp"

namespace mugaika {

class LmtpServer {
public:
    struct Hooks {
        std::function<void(const std::string& id)> enqueued;   // a job was committed
        std::function<std::string()> intake_problem;           // "" or a full 4xx reply (overload, low disk)
    };

    LmtpServer(LmtpConfig config, Spool& spool, Metrics& metrics, Hooks hooks);
    ~LmtpServer();

    void start();   // binds and listens (throws std::system_error), then accepts in a thread
    // Stops accepting and ends every session waiting for its client at once; sessions that still owe
    // replies get [lmtp] shutdown_seconds to send them, then every connection is closed hard.
    void stop();
    unsigned short port() const { return port_; }

private:
    void accept_loop();
    void session(int fd, std::string peer);
    bool client_allowed(const std::string& peer) const;

    LmtpConfig config_;
    Spool& spool_;
    Metrics& metrics_;
    Hooks hooks_;
    ResendFilter resend_;
    int listen_fd_ = -1;
    int soft_stop_[2] = {-1, -1};   // written at stop(): reads and the acceptor end
    int hard_stop_[2] = {-1, -1};   // written at the shutdown deadline: replies end too
    unsigned short port_ = 0;
    std::thread acceptor_;
    std::mutex mutex_;
    std::condition_variable done_cv_;
    std::set<int> sessions_;
    std::atomic<bool> stopping_{false};
};

}  // namespace mugaika
