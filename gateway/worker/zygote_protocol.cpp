#include "zygote_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mugaika::worker::zygote {

bool send_message(int socket, std::string_view bytes, int fd) {
    iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ssize_t n;
    while ((n = ::sendmsg(socket, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
    return n == static_cast<ssize_t>(bytes.size());
}

std::optional<Received> receive_message(int socket, std::size_t max) {
    Received r;
    r.bytes.resize(max);
    iovec iov{r.bytes.data(), max};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))]{};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    while ((n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
    // Every descriptor that came is ours to close, whatever else is wrong with the message.
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (r.fd < 0) r.fd = fd;
            else ::close(fd);
        }
    }
    bool bad = n <= 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
    if (bad) {
        if (r.fd >= 0) ::close(r.fd);
        if (n == 0) errno = 0;
        else if (n > 0) errno = EMSGSIZE;
        return std::nullopt;
    }
    r.bytes.resize(static_cast<std::size_t>(n));
    return r;
}

}  // namespace mugaika::worker::zygote
