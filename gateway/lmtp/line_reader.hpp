// Bounded line reading from a socket: a line longer than the limit is never buffered whole, and every
// read is bounded by a deadline (not by a timeout per system call), optionally stretched by the data
// that arrives, as Postfix's smtpd_min_data_rate does, so that a peer trickling a byte at a time is cut
// off after about one timeout. A read also ends when the stop descriptor becomes readable (shutdown).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "../net/deadline_io.hpp"

namespace mugaika::lmtp {

class LineReader {
public:
    enum class Status { ok, too_long, eof, timeout, error, stopped };

    // How a line ended, for the protocol's strictness (RFC 5321 2.3.8: CRLF and nothing else).
    struct Ending {
        bool crlf = false;       // ended in <CR><LF>
        bool bare_lf = false;    // ended in an <LF> without <CR>
        bool bare_cr = false;    // holds a <CR> that is not followed by <LF>
    };

    explicit LineReader(int fd, int stop_fd = -1) : fd_(fd), stop_fd_(stop_fd) {}

    // Every read until the next call must finish by `deadline`.
    void set_deadline(net::Clock::time_point deadline) { deadline_ = deadline; }
    // While set (bytes per second > 0), every chunk received moves the deadline later by its size
    // divided by the rate, never beyond `cap` from now. 0 turns it off.
    void set_min_rate(std::uint64_t bytes_per_second, std::chrono::milliseconds cap) {
        min_rate_ = bytes_per_second;
        rate_cap_ = cap;
    }

    // Reads up to and including LF; `line` gets the line without its line end (CRLF, or a bare LF).
    // A line over `max` bytes (terminator included) returns too_long with the excess still unread:
    // call skip_line() to drop it.
    Status read_line(std::string& line, std::size_t max, Ending* ending = nullptr);
    // Discards through the next LF, at most `max` bytes; false when the limit or the stream ended first.
    // `ending` (if given) learns about bare line ends in what was skipped.
    bool skip_line(std::size_t max, std::size_t& skipped, Ending* ending = nullptr);
    // Bytes received but not consumed yet (pipelined input).
    std::size_t buffered() const { return buf_.size() - pos_; }

private:
    Status fill();
    int fd_;
    int stop_fd_;
    net::Clock::time_point deadline_ = net::Clock::time_point::max();
    std::uint64_t min_rate_ = 0;
    std::chrono::milliseconds rate_cap_{0};
    std::string buf_;
    std::size_t pos_ = 0;
};

}  // namespace mugaika::lmtp
