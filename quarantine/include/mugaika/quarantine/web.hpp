// The officer web UI: Poco::Net::HTTPServer, HTTPS with the configured certificate (plain HTTP only on
// a loopback address), server-rendered pages in Japanese (English by switch), no JavaScript.
//
// Sessions live in this process's memory (a restart logs everyone out, which is the safe direction);
// the session cookie is HttpOnly, Secure, SameSite=Strict; every POST carries a CSRF token bound to the
// session (the login form one bound to a pre-login cookie); a session idle longer than
// session_idle_minutes ends. Bodies larger than max_form_bytes are refused before they are read.
#pragma once

#include <cstdint>
#include <memory>

#include "mugaika/quarantine/quarantine_config.hpp"
#include "mugaika/quarantine/review_service.hpp"

namespace mugaika::quarantine {

class OfficerServer {
public:
    // Throws QuarantineConfigError when TLS is not configured and the address is not loopback.
    OfficerServer(ReviewService& service, const QuarantineConfig& config);
    ~OfficerServer();

    void start();
    void stop();
    std::uint16_t port() const;   // the bound port (useful when configured as 0)
    bool tls() const;

    struct Impl;   // (public only so that the request handlers in the .cpp can name it)

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace mugaika::quarantine
