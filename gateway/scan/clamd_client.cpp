#include "clamd_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../service/http.hpp"

namespace mugaika {
namespace {

struct Conn {
    int fd = -1;
    ~Conn() {
        if (fd >= 0) ::close(fd);
    }
};

void set_timeouts(int fd, std::chrono::seconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Connects to "unix:/path" or "host:port"; the error text when it cannot.
std::string connect_to(const std::string& address, std::chrono::seconds timeout, Conn& c) {
    if (address.rfind("unix:", 0) == 0) {
        std::string path = address.substr(5);
        sockaddr_un a{};
        if (path.empty() || path.size() >= sizeof a.sun_path) return "bad unix socket path";
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        c.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        set_timeouts(c.fd, timeout);
        if (::connect(c.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            return "cannot connect to " + address + ": " + std::strerror(errno);
        return {};
    }
    std::pair<std::string, unsigned short> hp;
    try {
        hp = split_host_port(address);
    } catch (const std::exception& e) {
        return e.what();
    }
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (::getaddrinfo(hp.first.c_str(), std::to_string(hp.second).c_str(), &hints, &res) != 0 || !res)
        return "cannot resolve " + hp.first;
    std::string err = "cannot connect to " + address;
    for (addrinfo* a = res; a; a = a->ai_next) {
        c.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (c.fd < 0) continue;
        set_timeouts(c.fd, timeout);
        if (::connect(c.fd, a->ai_addr, a->ai_addrlen) == 0) {
            ::freeaddrinfo(res);
            return {};
        }
        err = "cannot connect to " + address + ": " + std::strerror(errno);
        ::close(c.fd);
        c.fd = -1;
    }
    ::freeaddrinfo(res);
    return err;
}

bool send_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// One NUL-terminated reply (the "z" form of the commands), at most 4 KiB.
bool read_reply(int fd, std::string& out) {
    out.clear();
    char buf[512];
    while (out.size() < 4096) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return !out.empty();   // clamd closes after replying
        out.append(buf, static_cast<std::size_t>(n));
        if (auto z = out.find('\0'); z != std::string::npos) {
            out.resize(z);
            return true;
        }
    }
    return false;
}

std::string chunk_header(std::size_t n) {
    std::uint32_t be = htonl(static_cast<std::uint32_t>(n));
    return std::string(reinterpret_cast<const char*>(&be), 4);
}

}  // namespace

ClamdResult clamd_scan(const std::string& address, std::string_view bytes, std::chrono::seconds timeout) {
    ClamdResult r;
    Conn c;
    if (std::string err = connect_to(address, timeout, c); !err.empty()) {
        r.detail = err;
        return r;
    }
    // INSTREAM: <4-byte big-endian length><data> chunks, then a zero length. clamd may answer early
    // (size limit) and close; a failed send is then read as that answer.
    bool sent = send_all(c.fd, std::string_view("zINSTREAM\0", 10));
    constexpr std::size_t chunk = 1 << 20;
    for (std::size_t at = 0; sent && at < bytes.size(); at += chunk) {
        std::string_view part = bytes.substr(at, chunk);
        sent = send_all(c.fd, chunk_header(part.size())) && send_all(c.fd, part);
    }
    if (sent) sent = send_all(c.fd, chunk_header(0));
    std::string reply;
    if (!read_reply(c.fd, reply)) {
        r.detail = sent ? "no reply from clamd at " + address : "clamd closed the connection while receiving";
        return r;
    }
    r.detail = reply;
    // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR", "... ERROR".
    auto ends_with = [&](std::string_view s) { return reply.size() >= s.size() && reply.compare(reply.size() - s.size(), s.size(), s) == 0; };
    if (reply == "stream: OK") {
        r.kind = ClamdResult::clean;
    } else if (reply.rfind("stream: ", 0) == 0 && ends_with(" FOUND")) {
        r.kind = ClamdResult::infected;
        r.signature = reply.substr(8, reply.size() - 8 - 6);
    } else if (reply.find("size limit exceeded") != std::string::npos) {
        r.kind = ClamdResult::refused;
    } else {
        r.kind = ClamdResult::unavailable;   // any other ERROR: clamd's trouble (memory, reload), try later
    }
    return r;
}

bool clamd_ping(const std::string& address, std::chrono::seconds timeout) {
    Conn c;
    if (!connect_to(address, timeout, c).empty()) return false;
    std::string reply;
    return send_all(c.fd, std::string_view("zPING\0", 6)) && read_reply(c.fd, reply) && reply == "PONG";
}

}  // namespace mugaika
