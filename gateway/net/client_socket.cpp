#include "client_socket.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../service/http.hpp"

namespace mugaika::net {
namespace {

// connect(2) on a non-blocking socket, finished by `deadline`. Empty on success, else the error.
std::string connect_by(int fd, const sockaddr* a, socklen_t len, Clock::time_point deadline) {
    if (::connect(fd, a, len) == 0) return {};
    if (errno != EINPROGRESS && errno != EAGAIN) return std::strerror(errno);
    IoStatus s = wait_ready(fd, POLLOUT, deadline, -1);
    if (s == IoStatus::timeout) return "no answer within the timeout";
    int err = 0;
    socklen_t elen = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) return std::strerror(errno);
    return err == 0 ? std::string() : std::strerror(err);
}

}  // namespace

ClientSocket::~ClientSocket() {
    if (fd_ >= 0) ::close(fd_);
}

std::string ClientSocket::connect(const std::string& address, std::chrono::milliseconds timeout) {
    Clock::time_point deadline = after(timeout);
    if (address.rfind("unix:", 0) == 0) {
        std::string path = address.substr(5);
        sockaddr_un a{};
        if (path.empty() || path.size() >= sizeof a.sun_path) return "bad unix socket path in " + address;
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd_ < 0) return std::string("socket: ") + std::strerror(errno);
        std::string err = connect_by(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a, deadline);
        if (err.empty()) return {};
        ::close(fd_);
        fd_ = -1;
        return "cannot connect to " + address + ": " + err;
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
        fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd_ < 0) continue;
        std::string e = connect_by(fd_, a->ai_addr, a->ai_addrlen, deadline);
        if (e.empty()) break;
        err = "cannot connect to " + address + ": " + e;
        ::close(fd_);
        fd_ = -1;
    }
    ::freeaddrinfo(res);
    return fd_ >= 0 ? std::string() : err;
}

bool ClientSocket::send_all(std::string_view s, Clock::time_point deadline) {
    return net::send_all(fd_, s, deadline, -1) == IoStatus::ok;
}

IoStatus ClientSocket::recv_some(char* buf, std::size_t n, std::size_t& got, Clock::time_point deadline) {
    return net::recv_some(fd_, buf, n, got, deadline, -1);
}

}  // namespace mugaika::net
