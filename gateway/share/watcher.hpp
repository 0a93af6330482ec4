// The watched share (method ウ): inbound/<section>/ for each configured section. A file is taken only
// when it is complete: inotify close-write / moved-to (or the periodic rescan) makes it a candidate,
// and it is taken after `settle` of unchanged size and mtime, and only when no process holds it open
// (a write-lease probe, where the file system supports leases).
//
// Nothing a share user can create is trusted. Every path is resolved relative to a directory
// descriptor we verified (openat with O_NOFOLLOW), nothing is followed, nothing but a regular file with
// one link is opened (O_NONBLOCK: a FIFO named like a document cannot block us), a section folder that
// became a symlink or a file is refused until it is a folder again, and nothing is ever recursed into.
// Taking is crash-safe, and its state lives in the spool, which only the service writes:
//
//   1. spool claims/<id>.json      the section, the name (bytes), device and inode: made durable first
//   2. in/S/name --rename--> in/S/.mugaika-claim-<id>     same folder, so the same file system; atomic
//   3. the claim opened (no symlink, regular, one link, the same inode), copied from that descriptor
//      into the spool and committed to incoming/ (the acknowledgement)
//   4. .mugaika-claim-<id> removed, if it is still that inode; then the record.
//
// At start, each record is finished: a claim whose job the spool knows is removed (also under its
// original name, should the rename have been lost), one whose job it does not know is spooled again;
// an entry that is not the recorded inode is left alone and logged. Recovery never deletes or follows
// anything it did not create. Files outside the configured sections, folders, symlinks, FIFOs,
// sockets, devices and hard-linked files are refused with one log line and left where they are.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../config/gateway_config.hpp"
#include "../service/metrics.hpp"
#include "../spool/spool.hpp"

namespace mugaika {

class ShareWatcher {
public:
    using Enqueued = std::function<void(const std::string& id)>;
    using MayTake = std::function<bool()>;   // false: back-pressure (queue full, disk low, audit log down)

    ShareWatcher(ShareConfig config, Spool& spool, Metrics& metrics, Enqueued on_enqueued, MayTake may_take);
    ~ShareWatcher();

    void start();   // opens the share, finishes interrupted claims, then watches in a thread
    void stop();

    // The hidden name a file has in its section while it is being taken.
    static std::string claim_name(const std::string& id);

private:
    struct Section {
        std::string name;
        int fd = -1;            // the verified folder; -1 while it is not a plain folder
        dev_t dev = 0;
        ino_t ino = 0;
        int wd = -1;            // inotify watch
        std::string trouble;    // why it is not watched (logged once)
    };
    struct Candidate {
        std::size_t section = 0;
        std::string name;
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = 0;
        struct timespec mtime{};
        std::chrono::steady_clock::time_point changed;
    };
    struct ClaimRecord {
        std::string id, section, name;
        dev_t dev = 0;
        ino_t ino = 0;
    };

    void run();
    void open_root();
    // (Re)opens section `i` when it is missing, replaced or not open; refuses what is not a plain folder.
    void check_section(std::size_t i);
    void recover_claims();
    static std::vector<ClaimRecord> parse_records(const std::string& file, const std::string& text);
    bool recover_claim(const ClaimRecord& r);
    void rescan();
    void consider_root_entry(const std::string& name);
    void consider(std::size_t section, const std::string& name);
    void check_candidates();
    void take(const std::vector<Candidate>& batch);
    // Renames the claim back to its name (or "name (2)" ...): a take that could not be completed.
    void give_back(const Section& s, const std::string& claim, const std::string& name);
    void refuse(const std::string& where, const std::string& why);
    void remove_record(const std::string& id);

    ShareConfig config_;
    Spool& spool_;
    Metrics& metrics_;
    Enqueued on_enqueued_;
    MayTake may_take_;
    int root_fd_ = -1;
    int inotify_ = -1;
    int root_wd_ = -1;
    int wake_[2] = {-1, -1};
    std::vector<Section> sections_;
    std::map<std::pair<std::size_t, std::string>, Candidate> candidates_;
    std::set<std::string> refused_;
    bool refused_full_ = false;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
};

}  // namespace mugaika
