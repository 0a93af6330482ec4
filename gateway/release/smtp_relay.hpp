// Re-injection of released mail into the LGWAN-side MTA over SMTP. One message, one connection; the
// result says whether the next hop took it, will take it later (4xx, no connection: the job stays in
// the spool and is retried with a backoff) or refused it for good (5xx: the mail goes to quarantine,
// never back out to the Internet side).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mugaika {

struct SmtpResult {
    enum Kind { sent, temporary, permanent } kind = temporary;
    std::string reply;   // the next hop's last reply, or what went wrong
};

// `message` has LF or CRLF line ends; it is sent with CRLF and dot-stuffed. Never throws.
SmtpResult smtp_send(const std::string& host_port, const std::string& helo, const std::string& sender,
                     const std::vector<std::string>& recipients, std::string_view message, std::chrono::seconds timeout);

}  // namespace mugaika
