// A client connection for the gateway's own clients (the SMTP relay to the LGWAN MTA, clamd): connect
// to "host:port" or "unix:/path" within a deadline; every send and receive after that is bounded by a
// deadline the caller gives (a peer that trickles bytes cannot stretch an exchange, see deadline_io.hpp).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "deadline_io.hpp"

namespace mugaika::net {

class ClientSocket {
public:
    ClientSocket() = default;
    ~ClientSocket();
    ClientSocket(const ClientSocket&) = delete;
    ClientSocket& operator=(const ClientSocket&) = delete;

    // Empty when connected within `timeout`; else what went wrong (for logs and replies). Never throws.
    // The socket is non-blocking: use the calls below (or deadline_io.hpp) on fd().
    std::string connect(const std::string& address, std::chrono::milliseconds timeout);
    bool send_all(std::string_view bytes, Clock::time_point deadline);
    IoStatus recv_some(char* buf, std::size_t n, std::size_t& got, Clock::time_point deadline);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

}  // namespace mugaika::net
