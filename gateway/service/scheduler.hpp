// The queue manager and its worker pool: takes jobs from incoming/ into active/, runs each through an
// isolated worker, releases or quarantines it, records its verdict in the audit log and moves it to
// done/. Jobs found in active/ at start were interrupted and are resumed first.
//
// Waiting, three ways, and nothing accepted is ever dropped:
//   - a job whose release fails on its own (a full drop folder, a next hop answering 4xx) stays in
//     active/ and is retried with a backoff of its own (4 s doubling up to 5 min);
//   - a job that needs a shared resource that is down (the malware scanner, the audit log) waits at
//     that resource's gate and goes on the moment a probe finds it back (gate.hpp);
//   - mail re-injected over SMTP is delivered by threads of its own ([release] smtp_connections), so
//     a slow or hanging next hop never holds the disarm workers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../spool/spool.hpp"
#include "gate.hpp"
#include "metrics.hpp"
#include "runtime.hpp"

namespace mugaika {

class Scheduler {
public:
    Scheduler(Spool& spool, RuntimeHolder& runtime, Metrics& metrics, unsigned workers, unsigned deliverers = 2);
    ~Scheduler();

    void start();                        // resumes active/, queues incoming/, starts the pools
    void notify(const std::string& id);  // a job was committed to incoming/
    // Stops taking jobs; waits for running ones up to `grace`. Jobs not finished stay in the spool
    // (active/ or incoming/) and are resumed at the next start.
    // Returns false when jobs were still running at the end of the grace time: the caller must then
    // exit the process without destroying the scheduler.
    bool stop(std::chrono::milliseconds grace);

    std::size_t busy() const { return busy_; }
    unsigned workers() const { return static_cast<unsigned>(workers_.size()); }
    // "" when every shared resource is available; else what is not (for /healthz).
    std::string gate_problems() const;
    // The audit log cannot be written: intake must stop ("" when it can). `storage` when the disk is full.
    std::string audit_problem(bool* storage = nullptr) const;

private:
    enum class Stage { process, deliver };
    struct Item {
        std::string id;
        bool resume = false;   // already in active/
        Stage stage = Stage::process;
    };
    // Thrown (not an error) when a job was parked at a gate: it waits there, still known, in active/.
    struct Parked {};

    void pool_loop(Stage stage);
    void timer_loop();
    // Disarms and scans; releases the job unless it goes to the delivery threads (then returns true).
    bool process(const std::string& id);
    // The delivery threads' step: release (over SMTP) what process() decided. False when the job has no
    // usable scanned outcome any more (it goes back to process()).
    bool deliver(const std::string& id);
    bool needs_delivery(const JobMeta& meta, const Runtime& rt) const;
    // The outcome recorded in a job file, or none when it is absent or damaged.
    static std::optional<Outcome> read_outcome(const std::filesystem::path& file, const std::string& id);
    // True when the job's verdict line was written already (it is then only finished).
    bool finish_if_recorded(const std::string& id, const JobMeta& meta, const Runtime& rt);
    // After the verdict line: the share's stage temps go, the job moves to done/.
    void complete(const std::string& id, const JobMeta& meta, const Runtime& rt);
    void release_and_finish(const std::string& id, const JobMeta& meta, const Outcome& outcome, const Runtime& rt);
    void park_or_throw(Gate& gate, const std::string& id);
    void enqueue(Item item);
    void backoff(const Item& item, const std::exception& e);
    void poll_gates();

    Spool& spool_;
    RuntimeHolder& runtime_;
    Metrics& metrics_;
    unsigned count_, deliverers_;
    std::vector<std::thread> workers_, delivery_;
    std::thread timer_;
    mutable std::mutex mutex_;
    std::condition_variable work_cv_, delivery_cv_;
    std::condition_variable idle_cv_;
    std::condition_variable timer_cv_;
    std::deque<Item> work_queue_, delivery_queue_;
    std::set<std::string> known_;                                          // queued, running, deferred or parked
    std::multimap<std::chrono::steady_clock::time_point, Item> deferred_;
    std::map<std::string, int> defer_count_;
    // Jobs in active/ at start whose verdict is already in the audit log (a crash came between the
    // append and finishing the job): their verdict is not recorded a second time.
    std::set<std::string> audited_before_start_;
    Gate scanner_gate_{"malware scanner"};
    Gate audit_gate_{"audit log"};
    std::atomic<std::size_t> busy_{0};
    bool stopping_ = false;
};

}  // namespace mugaika
