// The watched share (method ウ): inbound/<section>/ for each configured section. A file is taken only
// when it is complete: inotify close-write / moved-to (or the periodic rescan) makes it a candidate,
// and it is taken after `settle` of unchanged size and mtime, and only when no process holds it open
// (a write-lease probe, where the file system supports leases). Taking is crash-safe:
//
//   in/S/name --rename--> in/S/.mugaika-claims/<id>/name --copy+fsync--> spool incoming/<id>, then removed
//
// At start, a claim whose job id the spool knows is just removed; any other claim is enqueued again.
// A file outside the configured sections is refused with a log line and left where it is.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "../config/gateway_config.hpp"
#include "../service/metrics.hpp"
#include "../spool/spool.hpp"

namespace mugaika {

class ShareWatcher {
public:
    using Enqueued = std::function<void(const std::string& id)>;
    using MayTake = std::function<bool()>;   // false: back-pressure (queue full, disk low)

    ShareWatcher(ShareConfig config, Spool& spool, Metrics& metrics, Enqueued on_enqueued, MayTake may_take);
    ~ShareWatcher();

    void start();   // recovers claims, then watches in a thread
    void stop();

private:
    struct Candidate {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type mtime{};
        std::chrono::steady_clock::time_point changed;
    };
    void run();
    void recover_claims();
    void rescan();
    void consider(const std::filesystem::path& path);
    void check_candidates();
    bool take(const std::filesystem::path& path, const std::string& section);
    void refuse(const std::filesystem::path& path, const std::string& why);

    ShareConfig config_;
    Spool& spool_;
    Metrics& metrics_;
    Enqueued on_enqueued_;
    MayTake may_take_;
    int inotify_ = -1;
    int wake_[2] = {-1, -1};
    std::map<int, std::string> watches_;   // watch descriptor -> section ("" for the inbound root)
    std::map<std::filesystem::path, Candidate> candidates_;
    std::set<std::filesystem::path> refused_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
};

}  // namespace mugaika
