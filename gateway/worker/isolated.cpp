#include "isolated.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "fork_runner.hpp"
#include "job_codec.hpp"
#include "job_runner.hpp"
#include "mugaika/limits.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/report.hpp"
#include "sandbox/seccomp.hpp"
#include "service/log.hpp"
#include "worker_exit.hpp"
#include "worker_pool.hpp"

namespace mugaika {
namespace {

// A pre-spawned worker has said hello long before; a fresh one needs its warm-up (libmagic,
// fontconfig) and the sandbox. Beyond this the worker is broken, not slow.
constexpr auto startup_bound = std::chrono::seconds(60);
constexpr auto reap_bound = std::chrono::seconds(5);

std::string seconds(std::chrono::milliseconds ms) { return std::to_string(ms.count() / 1000) + " s"; }

std::string sigsys_detail(const std::optional<std::string>& frame) {
    if (!frame || frame->size() != 8) return "worker killed for a forbidden system call (SIGSYS)";
    auto u32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>((*frame)[at + static_cast<std::size_t>(i)]);
        return v;
    };
    return "worker killed for a forbidden system call: " + sandbox::syscall_name(u32(4), static_cast<int>(u32(0)));
}

// What the way a worker ended says, when it gave no result.
WorkerFailure classify(const WorkerProcess& w, const std::optional<std::string>& sigsys) {
    int status = w.status();
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGSYS) return WorkerFailure(std::string(reason::worker_crash), sigsys_detail(sigsys));
        if (sig == SIGXCPU || (sig == SIGKILL && w.cpu_seconds() + 0.05 >= static_cast<double>(w.limits().cpu_seconds)))
            return WorkerFailure(std::string(reason::limit_time),
                                 "worker exceeded its CPU budget of " + std::to_string(w.limits().cpu_seconds) + " s");
        if (sig == SIGKILL)   // not ours, not the CPU limit: the kernel's (or a cgroup's) OOM killer
            return WorkerFailure(std::string(reason::limit_memory), "worker killed by the kernel (out of memory)");
        return WorkerFailure(std::string(reason::worker_crash), std::string("worker died of ") + strsignal(sig), true);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == worker::exit_memory)
        return WorkerFailure(std::string(reason::limit_memory), "worker ran out of memory (address space limit)");
    if (code == worker::exit_refused) return WorkerFailure(std::string(reason::internal), "worker refused: sandbox incomplete");
    if (code == 0) return WorkerFailure(std::string(reason::worker_crash), "worker exited without a result", true);
    return WorkerFailure(std::string(reason::worker_crash), "worker exited with status " + std::to_string(code), true);
}

bool hooks_wanted() { return test_hooks_enabled(); }

// A worker asked for a conversion (a legacy document): the parent hands it to the converter it owns
// (the warm pool of sandboxed LibreOffice processes), within the item's own deadline, and answers.
// The request is the worker's word, as hostile as the input: its fields are checked, and the answer
// goes back to the worker, which rebuilds it with the OOXML or PDF sanitizer.
std::string convert_for_worker(const Converter* converter, std::string_view payload, std::chrono::steady_clock::time_point deadline) {
    worker::ConversionAnswer answer;
    try {
        if (!converter) throw SanitizeError(reason::unsupported, "no document converter in this process");
        worker::ConversionAsk ask = worker::decode_conversion(payload);
        auto target = parse_convert_target(ask.target);
        if (!target) throw SanitizeError(reason::internal, "conversion to an unknown target");
        ConversionRequest r;
        r.bytes = ask.bytes;
        r.source_type = ask.source_type;
        r.target = *target;
        // Leave the worker a moment to report the converter's failure itself (a precise reason)
        // before its own wall clock runs out.
        auto left = deadline - std::chrono::steady_clock::now();
        r.deadline = deadline - std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(2), left / 10);
        r.max_output_bytes = ask.max_output_bytes;
        answer.bytes = converter->convert(r);
        answer.ok = true;
    } catch (const SanitizeError& e) {
        answer.code = e.code();
        answer.detail = e.what();
    } catch (const std::exception& e) {
        answer.code = std::string(reason::internal);
        answer.detail = std::string("conversion request refused: ") + e.what();
    }
    return worker::encode_conversion_answer(answer);
}

// One job through one worker: the whole conversation, every wait bounded.
std::string run_worker(const worker::JobRequest& job, const WorkerLimits& limits, int* pid_out = nullptr,
                       const Converter* converter = nullptr) {
    std::unique_ptr<WorkerProcess> w = WorkerPool::shared().take(limits);
    if (pid_out) *pid_out = w->pid();
    using worker::Type;
    worker::Message m;
    try {
        auto st = w->reader().next(m, std::chrono::steady_clock::now() + startup_bound);
        if (st != worker::Reader::Status::message || (m.type != Type::hello && m.type != Type::refused)) {
            std::optional<std::string> sigsys;
            if (st == worker::Reader::Status::message && m.type == Type::sigsys) sigsys = m.payload;
            if (st != worker::Reader::Status::eof) w->kill();
            std::string how = w->wait(reap_bound) ? classify(*w, sigsys).what() : "did not end";
            throw WorkerFailure(std::string(reason::internal), "worker ended before it was confined: " + how);
        }
    } catch (const worker::ChannelError& e) {
        throw WorkerFailure(std::string(reason::internal), std::string("worker spoke before it was confined: ") + e.what());
    }
    if (m.type == Type::refused)
        throw WorkerFailure(std::string(reason::internal), "the sandbox could not be entered: " + m.payload);

    auto deadline = std::chrono::steady_clock::now() + limits.wall;
    std::optional<std::string> result, sigsys;
    bool timed_out = false;
    std::string garbage;
    bool too_big = false;
    w->reader().set_limit(limits.max_result_bytes);
    if (worker::send_before(w->channel(), Type::job, worker::encode_job(job), deadline)) {
        WorkerPool::shared().mark_busy(w->pid());
        try {
            while (!result) {
                auto st = w->reader().next(m, deadline);
                if (st == worker::Reader::Status::timeout) {
                    timed_out = true;
                    break;
                }
                if (st == worker::Reader::Status::eof) break;
                if (m.type == Type::sigsys) sigsys = m.payload;
                else if (m.type == Type::result) result = std::move(m.payload);
                else if (m.type == Type::convert && job.converter) {
                    std::string answer = convert_for_worker(converter, m.payload, deadline);
                    if (!worker::send_before(w->channel(), Type::converted, answer, deadline)) {
                        timed_out = std::chrono::steady_clock::now() >= deadline;   // else gone: its exit says why
                        break;
                    }
                }
                else throw worker::ChannelError("unexpected frame");
            }
        } catch (const worker::ChannelError& e) {
            garbage = e.what();
            too_big = e.over_limit();
        }
    } else {
        timed_out = std::chrono::steady_clock::now() >= deadline;
    }
    // A whole, framed and digested result is all we need: the worker's exit (and the teardown of its
    // namespaces) is left to the pool's reaper, off the item's path.
    if (result && !timed_out && garbage.empty()) return std::move(*result);
    if (timed_out || !garbage.empty()) w->kill();
    if (!w->wait(reap_bound)) {
        w->kill();
        if (!w->wait(reap_bound))
            throw WorkerFailure(std::string(reason::worker_crash), "worker did not end; killed");
    }
    if (timed_out)
        throw WorkerFailure(std::string(reason::limit_time), "worker exceeded its wall-clock budget of " + seconds(limits.wall));
    if (too_big) throw WorkerFailure(std::string(reason::limit_size), "worker result exceeds the limit");
    if (!garbage.empty()) throw WorkerFailure(std::string(reason::worker_crash), "unreadable worker result: " + garbage);
    throw classify(*w, sigsys);
}

worker::JobRequest make_job(worker::JobKind kind, std::string_view bytes, std::string_view name, const Policy& policy,
                            const ItemSecrets& secrets) {
    worker::JobRequest job;
    job.kind = kind;
    job.name = std::string(name);
    job.bytes = std::string(bytes);
    job.policy = policy;
    job.secrets = secrets;
    job.test_hooks = hooks_wanted();
    return job;
}

}  // namespace

std::string_view to_string(WorkerIsolation i) {
    switch (i) {
        case WorkerIsolation::sandbox: return "sandbox";
        case WorkerIsolation::degraded: return "degraded";
        case WorkerIsolation::fork: return "fork";
    }
    return "sandbox";
}

bool is_safe_output_name(std::string_view name) {
    if (name.empty() || name == "." || name == ".." || name.size() > max_name_bytes) return false;
    if (name.find_first_of(std::string_view("/\\\0", 3)) != std::string_view::npos) return false;
    if (valid_utf8(name) != name) return false;
    NameCheck c = check_name(name);
    return c.safe_name == name && !c.dangerous;
}

void check_worker_outcome(const Outcome& o, std::string_view bytes, std::string_view name) {
    auto lie = [](const std::string& what) { return WorkerFailure(std::string(reason::worker_crash), "worker result refused: " + what); };
    // The report carries names as they are shown (a share file's name may not be UTF-8: read as CP932
    // when it is, else made valid UTF-8): compare it that way.
    if (o.input_name != display_name(name) || o.input_size != bytes.size() || o.input_sha256 != sha256_hex(bytes))
        throw lie("it describes another input");
    if (o.quarantined()) {
        if (!o.outputs.empty()) throw lie("a quarantined outcome with outputs");
        if (o.reason.empty()) throw lie("a quarantined outcome without a reason");
        return;
    }
    if (o.outputs.empty()) throw lie("a released outcome without outputs");
    for (const auto& out : o.outputs)
        if (!is_safe_output_name(out.name)) throw lie("unsafe output name '" + valid_utf8(out.name) + "'");
}

Outcome quarantined_outcome(std::string_view bytes, std::string_view name, std::string code, std::string detail) {
    Outcome o;
    o.input_name = std::string(name);
    o.input_size = bytes.size();
    o.input_sha256 = sha256_hex(bytes);
    o.detected_type = "unknown";   // detection ran in the worker that failed; the parent never parses input
    o.verdict = Verdict::quarantined;
    o.reason = std::move(code);
    o.reason_detail = std::move(detail);
    return o;
}

Outcome run_isolated_engine(const Engine& engine, std::string_view bytes, std::string_view name,
                            const WorkerLimits& limits, const ItemSecrets& secrets) {
    std::string encoded;
    if (limits.isolation == WorkerIsolation::fork) {
        // The test builds' baseline has no converter: a fork would share the parent's pool (its
        // converters' channels) without its thread.
        Engine plain = engine;
        plain.set_converter(nullptr);
        encoded = run_forked([&] { return encode_outcome(plain.process(bytes, name, secrets)); }, limits);
    } else {
        worker::JobRequest job = make_job(worker::JobKind::disarm, bytes, name, engine.policy(), secrets);
        job.converter = engine.converter() != nullptr;
        encoded = run_worker(job, limits, nullptr, engine.converter());
    }
    Outcome o;
    try {
        o = decode_outcome(encoded);
    } catch (const std::exception& e) {
        // A worker that talks garbage is as good as crashed: never trust a half-read result.
        throw WorkerFailure(std::string(reason::worker_crash), std::string("unreadable worker result: ") + e.what());
    }
    check_worker_outcome(o, bytes, name);
    return o;
}

Outcome process_isolated(const Engine& engine, std::string_view bytes, std::string_view name,
                         const WorkerLimits& limits, const ItemSecrets& secrets) {
    try {
        return run_isolated_engine(engine, bytes, name, limits, secrets);
    } catch (const WorkerFailure& e) {
        return quarantined_outcome(bytes, name, e.code(), e.what());
    }
}

std::string detect_isolated(std::string_view bytes, std::string_view name, const WorkerLimits& limits,
                            const Policy& policy) {
    if (limits.isolation == WorkerIsolation::fork) throw WorkerFailure(std::string(reason::internal), "detect needs a worker");
    return run_worker(make_job(worker::JobKind::detect, bytes, name, policy, {}), limits);
}

SandboxCheck check_sandbox(const WorkerLimits& limits) {
    SandboxCheck c;
    worker::JobRequest job = make_job(worker::JobKind::selftest, "", "selftest", Policy::defaults(), {});
    job.test_hooks = false;
    c.report_json = run_worker(job, limits, &c.pid);
    return c;
}

std::string sandbox_unavailable_message(const std::string& why) {
    return "無害化ワーカーのサンドボックスを作成できないため、起動を中止しました(" + why +
           ")。カーネルが非特権ユーザ名前空間を許可しているか確認してください(sysctl kernel.unprivileged_userns_clone=1、"
           "user.max_user_namespaces > 0、systemd の RestrictNamespaces)。許可できない場合は、設定ファイルの [worker] に "
           "isolation = \"degraded\" を明示すると、名前空間なしの縮退モードで起動します。\n"
           "mugaika: refusing to start: the disarm workers' sandbox cannot be created (" +
           why +
           "). Allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0, "
           "systemd RestrictNamespaces), or choose [worker] isolation = \"degraded\" explicitly to run without "
           "namespaces (docs/service.md, \"Sandbox\").";
}

bool worker_isolation_ready(const WorkerLimits& limits) {
    if (limits.isolation == WorkerIsolation::fork) {
        log::warn("worker isolation = \"fork\" (test builds only): items are disarmed in forks of the service, "
                  "WITHOUT the sandbox");
        return true;
    }
    try {
        auto j = nlohmann::json::parse(check_sandbox(limits).report_json);
        std::string layers;
        for (const auto& l : j.at("layers"))
            layers += " " + l.at("name").get<std::string>() + (l.at("on").get<bool>() ? "=on" : "=OFF");
        if (limits.isolation == WorkerIsolation::degraded)
            log::warn("worker isolation is DEGRADED ([worker] isolation = \"degraded\"): no namespaces and no private "
                      "root for the disarm workers; seccomp, Landlock, rlimits and no capabilities still apply:" + layers);
        else
            log::info("worker sandbox:" + layers);
        return true;
    } catch (const std::exception& e) {
        std::cerr << sandbox_unavailable_message(e.what()) << "\n";
        log::error(std::string("worker sandbox unavailable: ") + e.what());
        return false;
    }
}

void set_spare_workers(unsigned count) { WorkerPool::shared().set_spares(count); }

}  // namespace mugaika
