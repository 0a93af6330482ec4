// Warm LibreOffice converters owned by the service: separate processes (mugaika-office), started
// ahead of need so that a batch of 200 .xls files does not pay LibreOffice's start-up per file. Each
// converts at most `max_documents` documents, or until any error, and is then thrown away with its
// private profile; a converter that hangs past the item's deadline is killed (limit.time), one that
// dies is replaced (worker.crash), and the next document gets a fresh one. docs/legacy.md.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mugaika/converter.hpp"
#include "sandbox/sandbox.hpp"

namespace mugaika::office {

struct OfficeOptions {
    std::string program;                                   // mugaika-office; empty: office_program()
    std::string office_dir = "/usr/lib/libreoffice/program";
    unsigned converters = 2;                               // processes kept (warm or busy) at once
    unsigned max_documents = 50;                           // per converter, then it is replaced
    std::chrono::milliseconds startup{180000};             // LibreOffice's start on a loaded machine
    std::chrono::milliseconds per_document{120000};        // one conversion, within the item's deadline
    std::uint64_t memory_bytes = 4ull << 30;               // RLIMIT_AS of a converter
    std::uint64_t cpu_seconds = 900;                       // RLIMIT_CPU over a converter's whole life
    std::uint64_t max_output_bytes = 512ull << 20;         // also the largest document it is sent
    // Every converter runs in the sandbox (sandbox::spawn, then the "office" profile from inside);
    // degraded: the site's [worker] isolation = "degraded" (no namespaces, the other layers).
    sandbox::Isolation isolation = sandbox::Isolation::full;
    std::filesystem::path tmp_root;                        // degraded only: where converters' folders go; empty: $TMPDIR or /tmp
    bool prestart = true;                                  // start converters at once; false: at the first document
    bool test_hooks = false;                               // test builds: mugaika-test-office-* markers act
    std::string fake;                                      // test builds: a scripted converter, no LibreOffice
};

// Counters for tests, the benchmark and /metrics.
struct OfficeStats {
    unsigned started = 0, retired = 0, crashed = 0, timed_out = 0, conversions = 0, failed = 0;
};

class OfficePool {
public:
    explicit OfficePool(OfficeOptions options);
    ~OfficePool();   // kills every converter and removes their folders
    OfficePool(const OfficePool&) = delete;
    OfficePool& operator=(const OfficePool&) = delete;

    // Thread-safe. Throws SanitizeError (converter.hpp lists the reason codes).
    std::string convert(const ConversionRequest& request);
    OfficeStats stats() const;
    // What the last converter that started reported of its sandbox from inside (JSON), or "".
    std::string sandbox_report() const;
    // Why the last converter could not start ("" when it did).
    std::string start_error() const;
    const OfficeOptions& options() const { return options_; }

    struct Process;

private:
    std::unique_ptr<Process> take(std::chrono::steady_clock::time_point deadline);
    void give_back(std::unique_ptr<Process> p);
    void retire(std::unique_ptr<Process> p);
    std::unique_ptr<Process> start();
    void loop();

    OfficeOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<Process>> ready_;
    unsigned live_ = 0;          // ready + busy + starting
    bool stopping_ = false;
    bool demanded_ = false;      // a document asked for a converter (prestart = false waits for it)
    std::string start_error_;    // the last start-up failure, for the items that waited in vain
    pid_t starting_ = -1;        // the converter being started (killed at once when the pool stops)
    std::string sandbox_report_;
    OfficeStats stats_;
    std::thread thread_;
};

// The engine's view of the pool.
class PoolConverter final : public Converter {
public:
    explicit PoolConverter(std::shared_ptr<OfficePool> pool) : pool_(std::move(pool)) {}
    std::string convert(const ConversionRequest& request) const override { return pool_->convert(request); }

private:
    std::shared_ptr<OfficePool> pool_;
};

// For commands (`mugaika sanitize`, `mail`): nothing is started until a document needs converting;
// then a pool of one sandboxed converter is started and kept for the command's other documents.
class LazyConverter final : public Converter {
public:
    explicit LazyConverter(OfficeOptions options) : options_(std::move(options)) {}
    std::string convert(const ConversionRequest& request) const override;

private:
    OfficeOptions options_;
    mutable std::mutex mutex_;
    mutable std::shared_ptr<OfficePool> pool_;
};

// Starts one converter as the pool would, waits for it to say ready (LibreOffice loaded in its
// sandbox) and returns its report of the sandbox from inside (JSON: profile, isolation, layers, pid,
// seccomp mode, ...). For `mugaika selftest sandbox`. Throws std::runtime_error.
std::string check_converter_sandbox(OfficeOptions options);

// The converter executable: `mugaika-office` beside the running program, else the build tree's.
// Empty when there is none (LibreOfficeKit's headers were missing at build time).
std::string office_program();

// True when LibreOffice is installed where `office_dir` says.
bool office_installed(const std::string& office_dir = "/usr/lib/libreoffice/program");

}  // namespace mugaika::office
