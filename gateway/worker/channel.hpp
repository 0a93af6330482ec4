// The job channel between the service and one worker: a socketpair carrying length-framed messages,
// each with the SHA-256 of its payload. The parent believes nothing of what comes back before the
// frame, its length and its digest are checked; it waits on its own clock and never blocks.
//
//   frame  = "MGKW" type:u8 length:u64le payload sha256(payload):32
//   sigsys = "MGKS" syscall:u32le arch:u32le   (written by the worker's SIGSYS reporter; names only)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mugaika::worker {

enum class Type : char {
    hello = 'H',     // worker -> parent: confined, ready (payload: the sandbox report, JSON)
    refused = 'X',   // worker -> parent: a confinement step failed (payload: which and why)
    job = 'J',       // parent -> worker: one item (job_codec.hpp)
    result = 'R',    // worker -> parent: the item's result
    sigsys = 'S',    // worker -> parent: a forbidden system call (payload: number, arch; 8 bytes)
    convert = 'C',   // worker -> parent: convert this document (job_codec.hpp), then wait
    converted = 'V', // parent -> worker: the conversion's answer
};

struct Message {
    Type type;
    std::string payload;
};

class ChannelError : public std::runtime_error {
public:
    explicit ChannelError(const std::string& what, bool over_limit = false)
        : std::runtime_error(what), over_limit_(over_limit) {}
    bool over_limit() const { return over_limit_; }  // the peer sent more than the limit allows

private:
    bool over_limit_;
};

std::string encode_frame(Type type, std::string_view payload);

using Deadline = std::chrono::steady_clock::time_point;

// Blocking I/O, for the worker.
bool send_blocking(int fd, Type type, std::string_view payload);
// nullopt at a clean end of stream. Throws ChannelError on bad framing, a bad digest or a payload
// over `max_payload`.
std::optional<Message> receive_blocking(int fd, std::uint64_t max_payload);

// The parent's end: a non-blocking descriptor, every wait bounded by a deadline.
class Reader {
public:
    Reader(int fd, std::uint64_t max_payload) : fd_(fd), max_(max_payload) {}
    enum class Status { message, eof, timeout };
    // Throws ChannelError on bad framing, a bad digest or a frame over the limit.
    Status next(Message& out, Deadline deadline);
    void set_limit(std::uint64_t max_payload) { max_ = max_payload; }

private:
    bool parse(Message& out);
    int fd_;
    std::uint64_t max_;
    std::string buffer_;
};

// Sends a whole frame before the deadline; false on timeout or a closed peer.
bool send_before(int fd, Type type, std::string_view payload, Deadline deadline);

}  // namespace mugaika::worker
