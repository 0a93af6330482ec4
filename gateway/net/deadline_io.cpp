#include "deadline_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace mugaika::net {

const char* to_string(IoStatus s) {
    switch (s) {
        case IoStatus::ok: return "ok";
        case IoStatus::timeout: return "deadline passed";
        case IoStatus::closed: return "closed by the peer";
        case IoStatus::error: return "connection error";
        case IoStatus::stopped: return "stopped";
    }
    return "?";
}

bool set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

IoStatus wait_ready(int fd, short events, Clock::time_point deadline, int stop_fd) {
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return IoStatus::timeout;
        pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
        // poll takes an int: wait at most a minute at a time and look at the clock again.
        int ms = static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), 60'000));
        int r = ::poll(fds, stop_fd >= 0 ? 2 : 1, ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            return IoStatus::error;
        }
        if (r == 0) continue;   // the clock decides at the top of the loop
        if (stop_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) return IoStatus::stopped;
        if (fds[0].revents & (events | POLLHUP | POLLERR)) return IoStatus::ok;
        if (fds[0].revents & POLLNVAL) return IoStatus::error;
    }
}

IoStatus recv_some(int fd, char* buf, std::size_t n, std::size_t& got, Clock::time_point deadline, int stop_fd) {
    got = 0;
    while (true) {
        ssize_t r = ::recv(fd, buf, n, MSG_DONTWAIT);
        if (r > 0) {
            got = static_cast<std::size_t>(r);
            return IoStatus::ok;
        }
        if (r == 0) return IoStatus::closed;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return IoStatus::error;
        if (IoStatus s = wait_ready(fd, POLLIN, deadline, stop_fd); s != IoStatus::ok) return s;
    }
}

IoStatus send_all(int fd, std::string_view bytes, Clock::time_point deadline, int stop_fd) {
    while (!bytes.empty()) {
        ssize_t r = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(r));
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return errno == EPIPE || errno == ECONNRESET ? IoStatus::closed : IoStatus::error;
        if (IoStatus s = wait_ready(fd, POLLOUT, deadline, stop_fd); s != IoStatus::ok) return s;
    }
    return IoStatus::ok;
}

}  // namespace mugaika::net
