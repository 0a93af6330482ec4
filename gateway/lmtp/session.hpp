// One LMTP conversation: the protocol state machine, separated from sockets so it stays small.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../config/gateway_config.hpp"
#include "line_reader.hpp"

namespace mugaika::lmtp {

struct Envelope {
    std::string sender;
    std::vector<std::string> recipients;
};

// Thrown by SessionHooks::send when a reply cannot be delivered (the peer does not read, is gone, or the
// service is stopping): the conversation ends there.
struct PeerGone : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SessionHooks {
    // The message is complete: make it durable and return the reply for every recipient
    // ("250 2.0.0 queued as ID" or a 4xx). Never throws.
    std::function<std::string(const Envelope&, std::string&& message)> deliver;
    std::function<std::string()> intake_problem;
    std::function<void(const std::string&)> send;   // writes a reply (CRLF added); throws PeerGone
    std::function<void()> rejected;                 // a message refused for good (size): for metrics
};

// Runs the conversation until QUIT, EOF, a deadline, a cut-off or shutdown (the reader's stop
// descriptor). Every command line must arrive within [lmtp] timeout_seconds of the previous reply, and
// DATA within the same deadline, moved later by the data received at min_data_rate (Postfix's
// smtpd_per_request_deadline and smtpd_min_data_rate). Lines must end in <CR><LF>: a bare <LF> or
// <CR> in a command or in the message is refused and the connection closed, and only
// <CR><LF>.<CR><LF> ends DATA (as Postfix's smtpd_forbid_bare_newline = reject), so no second
// message can be smuggled inside the first. Returns why it ended (for the log).
std::string run_session(LineReader& in, const LmtpConfig& config, const SessionHooks& hooks, const std::string& hostname);

// A reverse-path or forward-path without the angle brackets; false when it is not a plausible address.
bool valid_address(std::string_view a, bool allow_empty);

}  // namespace mugaika::lmtp
