// A resource the release of every job depends on (the malware scanner, the audit log). When it fails,
// jobs wait at its gate instead of each backing off on its own schedule: one probe every few seconds
// (2 s, doubling up to 30 s), and the moment the resource answers again, every waiting job goes on at
// once. While a gate is closed its reason is the service's health ("/healthz" 503).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace mugaika {

class Gate {
public:
    explicit Gate(std::string name) : name_(std::move(name)) {}

    bool is_open() const;
    // "" when open; else what is wrong ("<name>: <reason>").
    std::string problem() const;
    // True when closed because storage ran out (a full disk or quota): intake answers 452 then.
    bool storage_full() const;

    // Closes the gate (or keeps it closed with a new reason). The first probe comes after the current delay.
    void close(std::string reason, bool storage_full = false);
    // Parks job `id` at the gate and returns true while it is closed; false when it is open (go on).
    bool park_if_closed(const std::string& id);
    // Called periodically, never under another lock: when the gate is closed and its probe is due,
    // runs `probe`; when that succeeds the gate opens and the parked jobs are returned (to be queued).
    std::vector<std::string> poll(const std::function<bool()>& probe);
    // Forgets the parked jobs (shutdown: they stay in the spool for the next start).
    void clear();

private:
    using Clock = std::chrono::steady_clock;
    std::string name_;
    mutable std::mutex mutex_;
    bool open_ = true;
    bool storage_ = false;
    std::string reason_;
    Clock::time_point next_probe_{};
    std::chrono::milliseconds delay_{2000};
    std::vector<std::string> parked_;
};

}  // namespace mugaika
