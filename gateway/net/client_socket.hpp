// A client connection for the gateway's own clients (the SMTP relay to the LGWAN MTA, clamd): connect
// to "host:port" or "unix:/path" with send and receive timeouts, and send everything or fail.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace mugaika::net {

class ClientSocket {
public:
    ClientSocket() = default;
    ~ClientSocket();
    ClientSocket(const ClientSocket&) = delete;
    ClientSocket& operator=(const ClientSocket&) = delete;

    // Empty when connected; else what went wrong (for logs and replies). Never throws.
    std::string connect(const std::string& address, std::chrono::seconds timeout);
    bool send_all(std::string_view bytes);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

}  // namespace mugaika::net
