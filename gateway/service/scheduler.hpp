// The queue manager and its worker pool: takes jobs from incoming/ into active/, runs each through an
// isolated worker, releases or quarantines it, and moves it to done/. Jobs found in active/ at start
// were interrupted and are resumed first. A job whose release fails (I/O) stays in active/ and is
// retried with a backoff: nothing accepted is ever dropped.
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
#include "metrics.hpp"
#include "runtime.hpp"

namespace mugaika {

class Scheduler {
public:
    Scheduler(Spool& spool, RuntimeHolder& runtime, Metrics& metrics, unsigned workers);
    ~Scheduler();

    void start();                        // resumes active/, queues incoming/, starts the pool
    void notify(const std::string& id);  // a job was committed to incoming/
    // Stops taking jobs; waits for running ones up to `grace`. Jobs not finished stay in the spool
    // (active/ or incoming/) and are resumed at the next start.
    // Returns false when jobs were still running at the end of the grace time: the caller must then
    // exit the process without destroying the scheduler.
    bool stop(std::chrono::milliseconds grace);

    std::size_t busy() const { return busy_; }
    unsigned workers() const { return static_cast<unsigned>(threads_.size()); }

private:
    struct Item {
        std::string id;
        bool resume = false;   // already in active/
    };
    void worker_loop();
    void timer_loop();
    void process(const std::string& id);
    // The outcome recorded in a job file, or none when it is absent or damaged.
    static std::optional<Outcome> read_outcome(const std::filesystem::path& file, const std::string& id);
    void release_and_finish(const std::string& id, const JobMeta& meta, const Outcome& outcome, const Runtime& rt);
    void enqueue(Item item);

    Spool& spool_;
    RuntimeHolder& runtime_;
    Metrics& metrics_;
    unsigned count_;
    std::vector<std::thread> threads_;
    std::thread timer_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::condition_variable timer_cv_;
    std::deque<Item> queue_;
    std::set<std::string> known_;                                          // queued, running or deferred
    std::multimap<std::chrono::steady_clock::time_point, std::string> deferred_;
    std::map<std::string, int> defer_count_;
    std::atomic<std::size_t> busy_{0};
    bool stopping_ = false;
};

}  // namespace mugaika
