#include "office_protocol.hpp"

#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/seccomp.hpp"

namespace mugaika::office {
namespace {

constexpr std::size_t kHeader = 4 + 1 + 8;
constexpr std::size_t kDigest = 32;

std::string digest(std::string_view s) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
    return std::string(reinterpret_cast<char*>(d), sizeof d);
}

// Waits until `fd` is ready for `events` or the deadline; false on timeout.
bool wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) return true;   // let the read or write report the error
    }
}

// Reads exactly n bytes; false on EOF before any byte when `eof_ok`. Throws on short reads.
bool read_exact(int fd, char* out, std::size_t n, bool eof_ok, const std::chrono::steady_clock::time_point* deadline,
                bool& timed_out) {
    std::size_t got = 0;
    while (got < n) {
        if (deadline && !wait_fd(fd, POLLIN, *deadline)) {
            timed_out = true;
            return false;
        }
        ssize_t r = ::read(fd, out + got, n - got);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw ProtocolError(std::string("read: ") + std::strerror(errno));
        }
        if (r == 0) {
            if (got == 0 && eof_ok) return false;
            throw ProtocolError("the peer closed the channel in the middle of a frame");
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

std::optional<Frame> receive(int fd, std::uint64_t max_payload, const std::chrono::steady_clock::time_point* deadline,
                             bool eof_ok, bool& timed_out) {
    char header[kHeader];
    if (!read_exact(fd, header, 4, eof_ok, deadline, timed_out)) return std::nullopt;
    if (std::memcmp(header, "MGKS", 4) == 0) {
        // The sandbox's SIGSYS reporter (sandbox/seccomp.hpp): the converter is dying of a forbidden
        // system call; name it for the report. The exit status is the authority, this only names.
        unsigned char nr[8];
        if (!read_exact(fd, reinterpret_cast<char*>(nr), 8, false, deadline, timed_out))
            throw ProtocolError("killed for a forbidden system call");
        auto u32 = [&](int at) {
            return static_cast<std::uint32_t>(nr[at]) | static_cast<std::uint32_t>(nr[at + 1]) << 8 |
                   static_cast<std::uint32_t>(nr[at + 2]) << 16 | static_cast<std::uint32_t>(nr[at + 3]) << 24;
        };
        throw ProtocolError("killed for a forbidden system call: " + sandbox::syscall_name(u32(4), static_cast<int>(u32(0))));
    }
    if (std::memcmp(header, "MGKO", 4) != 0) throw ProtocolError("bad frame magic");
    if (!read_exact(fd, header + 4, kHeader - 4, false, deadline, timed_out)) return std::nullopt;
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(header[5 + i]);
    if (len > max_payload) throw ProtocolError("frame of " + std::to_string(len) + " bytes over the limit");
    Frame f{static_cast<Kind>(header[4]), std::string(len, '\0')};
    char d[kDigest];
    if (!read_exact(fd, f.payload.data(), len, false, deadline, timed_out) ||
        !read_exact(fd, d, kDigest, false, deadline, timed_out))
        return std::nullopt;
    if (digest(f.payload) != std::string_view(d, kDigest)) throw ProtocolError("frame digest mismatch");
    return f;
}

bool write_all(int fd, std::string_view data, const std::chrono::steady_clock::time_point* deadline) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        if (deadline && !wait_fd(fd, POLLOUT, *deadline)) return false;
        ssize_t w = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return false;
        }
        sent += static_cast<std::size_t>(w);
    }
    return true;
}

}  // namespace

std::string encode(Kind kind, std::string_view payload) {
    std::string f = "MGKO";
    f.push_back(static_cast<char>(kind));
    std::uint64_t len = payload.size();
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>((len >> (8 * i)) & 0xFF));
    f.append(payload);
    f += digest(payload);
    return f;
}

bool send_frame(int fd, Kind kind, std::string_view payload) { return write_all(fd, encode(kind, payload), nullptr); }

std::optional<Frame> receive_frame(int fd, std::uint64_t max_payload) {
    bool timed_out = false;
    return receive(fd, max_payload, nullptr, true, timed_out);
}

std::optional<Frame> receive_frame_until(int fd, std::uint64_t max_payload, std::chrono::steady_clock::time_point deadline) {
    bool timed_out = false;
    auto f = receive(fd, max_payload, &deadline, false, timed_out);
    if (!f && !timed_out) throw ProtocolError("the converter closed the channel");
    return f;
}

bool send_frame_until(int fd, Kind kind, std::string_view payload, std::chrono::steady_clock::time_point deadline) {
    return write_all(fd, encode(kind, payload), &deadline);
}

std::string encode_job(const ConvertJob& job) {
    std::string p = job.source_type;
    p.push_back('\0');
    p += job.target;
    p.push_back('\0');
    p += job.bytes;
    return p;
}

ConvertJob decode_job(std::string_view payload) {
    auto a = payload.find('\0');
    if (a == std::string_view::npos || a > 32) throw ProtocolError("bad job: source type");
    auto b = payload.find('\0', a + 1);
    if (b == std::string_view::npos || b - a > 32) throw ProtocolError("bad job: target");
    return {std::string(payload.substr(0, a)), std::string(payload.substr(a + 1, b - a - 1)), std::string(payload.substr(b + 1))};
}

}  // namespace mugaika::office
