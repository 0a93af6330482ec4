// One LMTP conversation: the protocol state machine, separated from sockets so it stays small.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "../config/gateway_config.hpp"
#include "line_reader.hpp"

namespace mugaika::lmtp {

struct Envelope {
    std::string sender;
    std::vector<std::string> recipients;
};

struct SessionHooks {
    // The message is complete: make it durable and return the reply for every recipient
    // ("250 2.0.0 queued as ID" or a 4xx). Never throws.
    std::function<std::string(const Envelope&, std::string&& message)> deliver;
    std::function<std::string()> intake_problem;
    std::function<void(const std::string&)> send;   // writes a reply (CRLF added)
    std::function<void()> rejected;                 // a message refused for good (size): for metrics
};

// Runs the conversation until QUIT, EOF, timeout or a cut-off. Returns why it ended (for the log).
std::string run_session(LineReader& in, const LmtpConfig& config, const SessionHooks& hooks, const std::string& hostname);

// A reverse-path or forward-path without the angle brackets; false when it is not a plausible address.
bool valid_address(std::string_view a, bool allow_empty);

}  // namespace mugaika::lmtp
