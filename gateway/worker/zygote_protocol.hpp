// What the service and the worker's zygote say to each other over their control socket (a
// SOCK_SEQPACKET socketpair: one message per send, never a partial one). The zygote never sees an
// item: it only turns a channel into a confined worker.
//
//   zygote -> service, once:  "ready" | "refused:" why
//   service -> zygote:        'F' + SCM_RIGHTS(the new worker's channel)
//   zygote -> service:        ForkReply, + SCM_RIGHTS(the worker's pidfd) when error == 0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mugaika::worker::zygote {

inline constexpr std::string_view ready = "ready";
inline constexpr std::string_view refused_prefix = "refused:";
inline constexpr char fork_request = 'F';

struct ForkReply {
    char tag = 'P';
    std::int32_t error = 0;   // errno of a failed clone3; 0: pid and the pidfd are valid
    std::int32_t pid = -1;
};

// One message with at most one descriptor. False when the peer is gone or the call failed.
bool send_message(int socket, std::string_view bytes, int fd = -1);

// One message of at most `max` bytes, and the descriptor it carried (-1 if none; every other one
// received is closed). nullopt at the peer's end or on an error (errno says which; EINTR retried).
struct Received {
    std::string bytes;
    int fd = -1;
};
std::optional<Received> receive_message(int socket, std::size_t max);

}  // namespace mugaika::worker::zygote
