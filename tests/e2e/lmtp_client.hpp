// A raw-socket LMTP client for the protocol tests: sends exactly what a test says, reads replies.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace mugaika::test {

class RawClient {
public:
    explicit RawClient(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
        timeval tv{30, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    explicit RawClient(const std::string& unix_path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", unix_path.c_str());
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect " + unix_path);
        timeval tv{30, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawClient() { ::close(fd_); }

    // False when the server closed the connection (or reset it) before all was sent.
    bool send(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    // One reply line without CRLF; "" at end of stream.
    std::string line() {
        while (true) {
            auto nl = buf_.find("\r\n");
            if (nl != std::string::npos) {
                std::string l = buf_.substr(0, nl);
                buf_.erase(0, nl + 2);
                return l;
            }
            char tmp[4096];
            ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n <= 0) return "";
            buf_.append(tmp, static_cast<std::size_t>(n));
        }
    }
    // A whole (possibly multi-line) reply: the last line ("250 SIZE ...").
    std::string reply() {
        std::string l;
        do l = line();
        while (l.size() > 3 && l[3] == '-');
        return l;
    }
    // True when the server has closed the connection (all pending replies consumed first).
    bool closed() {
        char c;
        while (true) {
            if (!buf_.empty()) return false;
            ssize_t n = ::recv(fd_, &c, 1, 0);
            if (n == 0) return true;
            if (n < 0) return errno == ECONNRESET;
            buf_.push_back(c);
        }
    }

private:
    int fd_ = -1;
    std::string buf_;
};

}  // namespace mugaika::test
