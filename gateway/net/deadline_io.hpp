// Socket I/O bounded by deadlines rather than by a timeout per system call: a peer that trickles one
// byte at a time can no longer stretch a read, a command or a transfer without end (the per-request
// deadline of Postfix's smtpd_per_request_deadline). Every wait also watches an optional "stop" file
// descriptor (the read end of a pipe that is written once at shutdown), so that no thread blocks in a
// peer's hands when the service stops.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace mugaika::net {

using Clock = std::chrono::steady_clock;

enum class IoStatus { ok, timeout, closed, error, stopped };

// "ok", "timeout", ... for logs.
const char* to_string(IoStatus s);

// Puts `fd` into non-blocking mode (every wait goes through poll with a deadline). False on failure.
bool set_nonblocking(int fd);

// Waits until `fd` is ready for `events` (POLLIN or POLLOUT), `deadline` passes or `stop_fd` (-1: none)
// becomes readable.
IoStatus wait_ready(int fd, short events, Clock::time_point deadline, int stop_fd);

// Receives at most `n` bytes into `buf` (at least one on ok; `got` is set). closed: the peer ended the stream.
IoStatus recv_some(int fd, char* buf, std::size_t n, std::size_t& got, Clock::time_point deadline, int stop_fd);

// Sends all of `bytes` before `deadline`.
IoStatus send_all(int fd, std::string_view bytes, Clock::time_point deadline, int stop_fd);

// The deadline `seconds` from now (a very long time for a zero or negative value is never wanted: callers
// pass a configured, validated timeout).
inline Clock::time_point after(std::chrono::milliseconds d) { return Clock::now() + d; }

}  // namespace mugaika::net
