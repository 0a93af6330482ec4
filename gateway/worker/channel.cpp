#include "channel.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>


#include <openssl/evp.h>

namespace mugaika::worker {
namespace {

constexpr std::size_t header_size = 4 + 1 + 8, digest_size = 32;

std::string digest(std::string_view payload) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(payload.data(), payload.size(), md, &n, EVP_sha256(), nullptr) != 1 || n != digest_size)
        throw ChannelError("sha256 failed");
    return std::string(reinterpret_cast<char*>(md), n);
}

std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

bool valid_type(char t) { return t == 'H' || t == 'X' || t == 'J' || t == 'R' || t == 'C' || t == 'V'; }

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());   // write(2): the worker's filter has no send
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

int millis_left(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1000));
}

}  // namespace

std::string encode_frame(Type type, std::string_view payload) {
    std::string f = "MGKW";
    f.push_back(static_cast<char>(type));
    std::uint64_t len = payload.size();
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>(len >> (8 * i)));
    f.append(payload);
    f += digest(payload);
    return f;
}

bool send_blocking(int fd, Type type, std::string_view payload) { return write_all(fd, encode_frame(type, payload)); }

std::optional<Message> receive_blocking(int fd, std::uint64_t max_payload) {
    auto read_exact = [&](char* p, std::size_t n) {
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::read(fd, p + got, n - got);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) throw ChannelError(std::string("read: ") + std::strerror(errno));
            if (r == 0) return got;
            got += static_cast<std::size_t>(r);
        }
        return got;
    };
    char header[header_size];
    std::size_t got = read_exact(header, header_size);
    if (got == 0) return std::nullopt;
    if (got != header_size || std::memcmp(header, "MGKW", 4) != 0 || !valid_type(header[4]))
        throw ChannelError("bad frame header");
    std::uint64_t len = get_u64(header + 5);
    if (len > max_payload) throw ChannelError("frame over the limit");
    Message m{static_cast<Type>(header[4]), std::string(len, '\0')};
    char sum[digest_size];
    if (read_exact(m.payload.data(), len) != len || read_exact(sum, digest_size) != digest_size)
        throw ChannelError("truncated frame");
    if (digest(m.payload) != std::string_view(sum, digest_size)) throw ChannelError("frame digest mismatch");
    return m;
}

bool Reader::parse(Message& out) {
    if (buffer_.size() >= 4 && buffer_.compare(0, 4, "MGKS") == 0) {
        if (buffer_.size() < 12) return false;
        out = {Type::sigsys, buffer_.substr(4, 8)};
        buffer_.erase(0, 12);
        return true;
    }
    if (buffer_.size() >= 4 && buffer_.compare(0, 4, "MGKW") != 0) throw ChannelError("bad frame magic");
    if (buffer_.size() < header_size) return false;
    if (!valid_type(buffer_[4])) throw ChannelError("bad frame type");
    std::uint64_t len = get_u64(buffer_.data() + 5);
    if (len > max_) throw ChannelError("frame of " + std::to_string(len) + " bytes over the limit", true);
    if (buffer_.size() < header_size + len + digest_size) return false;
    std::string_view payload(buffer_.data() + header_size, len);
    if (digest(payload) != std::string_view(buffer_.data() + header_size + len, digest_size))
        throw ChannelError("frame digest mismatch");
    out = {static_cast<Type>(buffer_[4]), std::string(payload)};
    buffer_.erase(0, header_size + len + digest_size);
    return true;
}

Reader::Status Reader::next(Message& out, Deadline deadline) {
    char chunk[1 << 16];
    while (true) {
        if (parse(out)) return Status::message;
        if (std::chrono::steady_clock::now() >= deadline) return Status::timeout;
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, millis_left(deadline));
        if (r < 0 && errno != EINTR) throw ChannelError(std::string("poll: ") + std::strerror(errno));
        if (r <= 0) continue;
        ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            if (!buffer_.empty() && buffer_.compare(0, 4, "MGKS") != 0) throw ChannelError("truncated frame at end of stream");
            return Status::eof;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        if (buffer_.size() > max_ + header_size + digest_size + 64) throw ChannelError("worker sent more than the limit", true);
    }
}

bool send_before(int fd, Type type, std::string_view payload, Deadline deadline) {
    std::string f = encode_frame(type, payload);
    std::string_view left(f);
    while (!left.empty()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pollfd p{fd, POLLOUT, 0};
        int r = ::poll(&p, 1, millis_left(deadline));
        if (r < 0 && errno != EINTR) return false;
        if (r <= 0) continue;
        if (p.revents & (POLLERR | POLLHUP)) return false;
        ssize_t n = ::send(fd, left.data(), left.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return false;
        left.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace mugaika::worker
