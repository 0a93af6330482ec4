// Bounded line reading from a socket: a line longer than the limit is never buffered whole.
#pragma once

#include <cstddef>
#include <string>

namespace mugaika::lmtp {

class LineReader {
public:
    enum class Status { ok, too_long, eof, timeout, error };

    explicit LineReader(int fd) : fd_(fd) {}
    // Reads up to and including LF; `line` gets the line without CRLF/LF. A line over `max` bytes
    // (terminator included) returns too_long with the excess still unread: call skip_line() to drop it.
    Status read_line(std::string& line, std::size_t max);
    // Discards through the next LF, at most `max` bytes; false when the limit or the stream ended first.
    bool skip_line(std::size_t max, std::size_t& skipped);

private:
    Status fill();
    int fd_;
    std::string buf_;
    std::size_t pos_ = 0;
};

}  // namespace mugaika::lmtp
