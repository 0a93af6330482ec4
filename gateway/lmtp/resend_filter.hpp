// Mail that Postfix sends again because our 250 never reached it (the connection was cut after the
// final dot, or we were killed between making the job durable and answering) must not become a second
// job: the LGWAN side would receive it twice, under two X-Mugaika-IDs.
//
// Such a resend is the same Postfix queue file: the same envelope sender and the same bytes, down to
// the Received: line Postfix wrote with its queue id and time when it first took the mail. So a
// message is identified by SHA-256(sender, bytes); per identity the filter remembers which recipients
// were accepted, by which job and when. A message whose recipients were all accepted within the
// window, by a job the spool still knows, is answered 250 again and not queued; the recipients that
// were not (Postfix retries only those it has no 250 for) get a job of their own. A mail sent twice on
// purpose goes through Postfix twice and differs in its Received: line, so it is never merged.
//
// The record is made durable before the job is committed, so no acknowledged job lacks one; a record
// whose job never got committed is ignored (the spool does not know its job).
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../spool/spool.hpp"

namespace mugaika {

class ResendFilter {
public:
    // Records live in `spool.root()/resent/`; `window` 0 turns the filter off.
    ResendFilter(Spool& spool, std::chrono::seconds window);

    struct Decision {
        std::vector<std::string> recipients;   // to queue (empty: a complete resend)
        std::string earlier_job;               // the job that took (some of) it before, if any
    };
    // Call under lock(): what to do with this message.
    Decision check(std::string_view sender, const std::vector<std::string>& recipients, std::string_view message);
    // Call under lock(), before the job is committed: `job` takes `recipients` of this message.
    void record(std::string_view sender, std::string_view message, const std::string& job,
                const std::vector<std::string>& recipients);
    // One message at a time: a check and its record belong together.
    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }

    bool enabled() const { return window_.count() > 0; }

private:
    std::filesystem::path file_for(std::string_view sender, std::string_view message) const;
    Spool& spool_;
    std::chrono::seconds window_;
    std::filesystem::path dir_;
    std::mutex mutex_;
};

}  // namespace mugaika
