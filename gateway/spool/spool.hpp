// The spool: a directory-based queue in Postfix's manner. A job is a folder holding the original bytes
// ("original") and its metadata ("meta.json"); it is built in tmp/, and each later step is a rename
// after fsync:
//
//   claims/<id>.json   a file being taken from the share (see share/watcher.hpp)
//   tmp/<id>  --commit-->  incoming/<id>  --claim-->  active/<id>  --finish-->  done/<id> (tombstone)
//
// A job is accepted (an LMTP 250, a file removed from the share) only once it is in incoming/. A job in
// active/ at start was interrupted and is resumed; its folder also holds the release markers that make
// release idempotent (see release/publish.hpp). done/ keeps only meta.json as a tombstone, pruned by age.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mugaika {

enum class Source { share, mail };

struct JobMeta {
    std::string id;
    Source source = Source::share;
    std::string section;                   // share: the section folder; mail: empty
    std::string sender;                    // mail: envelope sender
    std::vector<std::string> recipients;   // mail: envelope recipients
    std::string name;                      // original file name (share: its bytes, maybe CP932) or "message.eml" (mail)
    std::int64_t received_ms = 0;          // Unix time of acceptance, milliseconds
    std::uint64_t size = 0;
    int attempts = 0;                      // worker runs started (a crash of the whole service counts)

    // The name for people (logs, reports, the audit log): UTF-8, CP932 decoded. The worker gets `name`.
    std::string display_name() const;
    const std::string& raw_name() const { return name; }

    nlohmann::ordered_json to_json() const;
    static JobMeta from_json(const nlohmann::json& j);   // throws std::runtime_error on a bad document
};

std::string_view to_string(Source s);
std::string iso_time(std::int64_t unix_ms);
std::int64_t now_ms();

class Spool {
public:
    enum class Queue { incoming, active, done };

    // Creates the folders; removes what is left in tmp/ (never acknowledged, so never accepted).
    explicit Spool(std::filesystem::path root);

    // A new job id: time-ordered and unique ("20261122T040000Z-<16 hex>").
    static std::string new_id();
    static bool valid_id(std::string_view id);

    // Builds the job in tmp/ and commits it to incoming/. When this returns the job is durable; on any
    // exception nothing was accepted (std::system_error carries errno, ENOSPC for a full disk).
    void enqueue_bytes(JobMeta meta, std::string_view bytes);
    void enqueue_file(JobMeta meta, const std::filesystem::path& source);
    // The same from an open file descriptor (a share file opened without following anything);
    // `before_commit` runs once the bytes are copied and may throw to call the job off.
    void enqueue_fd(JobMeta meta, int source_fd, const std::function<void()>& before_commit = {});

    // The same in two steps, for a batch (share/watcher.cpp): stage_fd builds the job durably in tmp/
    // (not accepted yet; discard_staged removes it), commit_staged moves each job of the batch to
    // incoming/ and makes them durable with one fsync of incoming/ (the acknowledgement of them all).
    // On an exception from commit_staged none of them was accepted (they are back in tmp/).
    void stage_fd(JobMeta meta, int source_fd, const std::function<void()>& before_commit = {});
    void commit_staged(const std::vector<std::string>& ids);
    void discard_staged(const std::string& id);

    // Share claims in progress (share/watcher.cpp): one record per file being taken from the share,
    // written before anything happens there. Only the service writes here; the share is never trusted.
    std::filesystem::path claims_dir() const { return root_ / "claims"; }

    // incoming/<id> -> active/<id>. False when it is not there (taken already).
    bool claim(const std::string& id);
    // active/<id> -> done/<id>, leaving only meta.json.
    void finish(const std::string& id);
    // Jobs in a queue, oldest first (ids sort by time).
    std::vector<std::string> list(Queue q) const;
    std::size_t depth(Queue q) const;
    // True when the id is in incoming/, active/ or done/ (for share claim recovery).
    bool known(const std::string& id) const;
    void prune_done(std::chrono::seconds older_than);

    std::filesystem::path dir(Queue q, const std::string& id) const;
    std::filesystem::path active(const std::string& id) const { return dir(Queue::active, id); }
    JobMeta read_meta(Queue q, const std::string& id) const;
    void write_meta(const JobMeta& meta);   // in active/, replaced atomically
    const std::filesystem::path& root() const { return root_; }

private:
    void commit(const std::string& id);
    std::filesystem::path root_;
};

}  // namespace mugaika
