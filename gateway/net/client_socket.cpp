#include "client_socket.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../service/http.hpp"

namespace mugaika::net {
namespace {

void set_timeouts(int fd, std::chrono::seconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

ClientSocket::~ClientSocket() {
    if (fd_ >= 0) ::close(fd_);
}

std::string ClientSocket::connect(const std::string& address, std::chrono::seconds timeout) {
    if (address.rfind("unix:", 0) == 0) {
        std::string path = address.substr(5);
        sockaddr_un a{};
        if (path.empty() || path.size() >= sizeof a.sun_path) return "bad unix socket path in " + address;
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return std::string("socket: ") + std::strerror(errno);
        set_timeouts(fd_, timeout);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return {};
        std::string err = "cannot connect to " + address + ": " + std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        return err;
    }
    std::pair<std::string, unsigned short> hp;
    try {
        hp = split_host_port(address);
    } catch (const std::exception& e) {
        return "bad address " + address + ": " + e.what();
    }
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (int rc = ::getaddrinfo(hp.first.c_str(), std::to_string(hp.second).c_str(), &hints, &res); rc != 0 || !res)
        return "cannot resolve " + hp.first + ": " + gai_strerror(rc);
    std::string err = "cannot connect to " + address;
    for (addrinfo* a = res; a; a = a->ai_next) {
        fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd_ < 0) continue;
        set_timeouts(fd_, timeout);
        if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
        err = "cannot connect to " + address + ": " + std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
    }
    ::freeaddrinfo(res);
    return fd_ >= 0 ? std::string() : err;
}

bool ClientSocket::send_all(std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace mugaika::net
