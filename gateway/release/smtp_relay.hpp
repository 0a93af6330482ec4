// Re-injection of released mail into the LGWAN-side MTA over SMTP. One message, one connection; the
// result says whether the next hop took it, will take it later (4xx, no connection, a deadline passed:
// the job stays in the spool and is retried with a backoff) or refused it for good (5xx: the mail goes
// to quarantine, never back out to the Internet side).
//
// Every command and its reply must get through within `timeout` (a deadline per request, however the
// next hop trickles its bytes); the message itself within `timeout` plus its size at `min_data_rate`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika {

struct SmtpResult {
    enum Kind { sent, temporary, permanent } kind = temporary;
    std::string reply;   // the next hop's last reply, or what went wrong
};

struct SmtpLimits {
    std::chrono::seconds timeout{120};
    std::uint32_t min_data_rate = 1000;   // bytes per second
};

// `message` has LF or CRLF line ends; it is sent with CRLF (a bare CR or LF becomes CRLF: nothing we
// send can end a line, or the message, where the text did not) and dot-stuffed. `on_accepted` runs as
// soon as the next hop has answered 250 to the message, before QUIT, so that the caller records the
// delivery while the window for a duplicate is smallest; an exception from it is passed on. Otherwise
// never throws.
SmtpResult smtp_send(const std::string& host_port, const std::string& helo, const std::string& sender,
                     const std::vector<std::string>& recipients, std::string_view message, const SmtpLimits& limits,
                     const std::function<void(const SmtpResult&)>& on_accepted = {});

// The message as it goes on the wire: CRLF line ends only, dot-stuffed, ended by <CR><LF>.<CR><LF>.
std::string smtp_wire_format(std::string_view message);

}  // namespace mugaika
