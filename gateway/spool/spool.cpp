#include "spool.hpp"

#include <algorithm>
#include <ctime>
#include <random>
#include <system_error>

#include "durable.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/names.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika {
namespace fs = std::filesystem;

std::string_view to_string(Source s) { return s == Source::mail ? "mail" : "share"; }

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso_time(std::int64_t unix_ms) {
    std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(unix_ms % 1000));
    return out;
}

std::string JobMeta::display_name() const { return mugaika::display_name(name); }

nlohmann::ordered_json JobMeta::to_json() const {
    // Names and addresses come from outside (a share written by an old client in CP932, an envelope
    // with 8-bit bytes): made valid UTF-8 so that a job can always be written and read back. A name
    // that is not UTF-8 is shown decoded (CP932) and also kept as its bytes ("name_bytes", hex), so
    // the worker's name check judges what the sender wrote, not a mangled copy.
    std::vector<std::string> rcpts;
    for (const auto& r : recipients) rcpts.push_back(valid_utf8(r));
    nlohmann::ordered_json j{{"schema", "mugaika.job/1"}, {"id", id},           {"source", to_string(source)},
                             {"section", valid_utf8(section)}, {"sender", valid_utf8(sender)}, {"recipients", rcpts},
                             {"name", display_name()},  {"received", iso_time(received_ms)},
                             {"received_ms", received_ms}, {"size", size},      {"attempts", attempts}};
    if (valid_utf8(name) != name) j["name_bytes"] = quarantine::to_hex(name);
    return j;
}

JobMeta JobMeta::from_json(const nlohmann::json& j) {
    try {
        JobMeta m;
        m.id = j.at("id").get<std::string>();
        std::string src = j.at("source").get<std::string>();
        if (src != "share" && src != "mail") throw std::runtime_error("bad source " + src);
        m.source = src == "mail" ? Source::mail : Source::share;
        m.section = j.at("section").get<std::string>();
        m.sender = j.at("sender").get<std::string>();
        m.recipients = j.at("recipients").get<std::vector<std::string>>();
        m.name = j.contains("name_bytes") ? quarantine::from_hex(j.at("name_bytes").get<std::string>()) : j.at("name").get<std::string>();
        m.received_ms = j.at("received_ms").get<std::int64_t>();
        m.size = j.at("size").get<std::uint64_t>();
        m.attempts = j.at("attempts").get<int>();
        return m;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("bad job metadata: ") + e.what());
    }
}

Spool::Spool(fs::path root) : root_(std::move(root)) {
    for (const char* q : {"tmp", "incoming", "active", "done", "claims"}) fs::create_directories(root_ / q);
    // tmp/ holds jobs that were never committed, hence never acknowledged: the sender still owns them.
    for (const auto& e : fs::directory_iterator(root_ / "tmp")) fs::remove_all(e.path());
}

std::string Spool::new_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ-", &tm);
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = buf;
    std::uint64_t r = rng();
    for (int i = 0; i < 16; ++i) id.push_back(hex[(r >> (i * 4)) & 15]);
    return id;
}

bool Spool::valid_id(std::string_view id) {
    if (id.size() != 33 || id[8] != 'T' || id[15] != 'Z' || id[16] != '-') return false;
    for (char c : id)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f') || c == 'T' || c == 'Z' || c == '-'))
            return false;
    return true;
}

fs::path Spool::dir(Queue q, const std::string& id) const {
    switch (q) {
        case Queue::incoming: return root_ / "incoming" / id;
        case Queue::active: return root_ / "active" / id;
        case Queue::done: return root_ / "done" / id;
    }
    return {};
}

void Spool::commit(const std::string& id) { commit_staged({id}); }

void Spool::commit_staged(const std::vector<std::string>& ids) {
    std::vector<std::string> moved;
    try {
        for (const auto& id : ids) {
            fs::rename(root_ / "tmp" / id, dir(Queue::incoming, id));
            moved.push_back(id);
        }
        // One fsync of incoming/ for the whole batch: this is the acknowledgement point (tmp/ is wiped
        // at start, so a job whose rename was lost was never accepted).
        sync_directory(root_ / "incoming");
    } catch (...) {
        // Not acknowledged: back to tmp/, where the caller's clean-up (or the next start) removes them.
        std::error_code ec;
        for (const auto& id : moved) fs::rename(dir(Queue::incoming, id), root_ / "tmp" / id, ec);
        throw;
    }
}

void Spool::stage_fd(JobMeta meta, int source_fd, const std::function<void()>& before_commit) {
    fs::path staging = root_ / "tmp" / meta.id;
    fs::create_directory(staging);
    try {
        meta.size = durable::copy_fd(source_fd, staging / "original");
        if (before_commit) before_commit();
        durable::write(staging / "meta.json", meta.to_json().dump(2) + "\n");
        sync_directory(staging);   // the job's files are named in it before it is published
    } catch (...) {
        discard_staged(meta.id);
        throw;
    }
}

void Spool::discard_staged(const std::string& id) {
    std::error_code ignored;
    fs::remove_all(root_ / "tmp" / id, ignored);
}

void Spool::enqueue_bytes(JobMeta meta, std::string_view bytes) {
    fs::path staging = root_ / "tmp" / meta.id;
    fs::create_directory(staging);
    try {
        meta.size = bytes.size();
        durable::write(staging / "original", bytes);
        durable::write(staging / "meta.json", meta.to_json().dump(2) + "\n");
        sync_directory(staging);
        commit(meta.id);
    } catch (...) {
        discard_staged(meta.id);
        throw;
    }
}

void Spool::enqueue_file(JobMeta meta, const fs::path& source) {
    fs::path staging = root_ / "tmp" / meta.id;
    fs::create_directory(staging);
    try {
        meta.size = durable::copy(source, staging / "original");
        durable::write(staging / "meta.json", meta.to_json().dump(2) + "\n");
        sync_directory(staging);
        commit(meta.id);
    } catch (...) {
        discard_staged(meta.id);
        throw;
    }
}

void Spool::enqueue_fd(JobMeta meta, int source_fd, const std::function<void()>& before_commit) {
    std::string id = meta.id;
    stage_fd(std::move(meta), source_fd, before_commit);
    try {
        commit(id);
    } catch (...) {
        discard_staged(id);
        throw;
    }
}

bool Spool::claim(const std::string& id) {
    std::error_code ec;
    fs::rename(dir(Queue::incoming, id), dir(Queue::active, id), ec);
    if (ec == std::errc::no_such_file_or_directory) return false;
    if (ec) throw std::system_error(ec, "claim " + id);
    // No fsync: should a power failure undo this rename, the job (with whatever release markers it
    // holds inside its folder) is simply claimed again from incoming/ and resumed from its markers.
    return true;
}

void Spool::finish(const std::string& id) {
    fs::path to = dir(Queue::done, id);
    fs::rename(dir(Queue::active, id), to);
    // No fsync: the job's verdict line, written before this, is its durable commit record. Should a
    // power failure undo the rename, the job is found in active/ again and only finished (its audit
    // line, its `audited` marker or its missing original says it was done; see Scheduler).
    // The markers go only after the rename, so a kill between the two leaves a whole job in active/.
    for (const auto& e : fs::directory_iterator(to))
        if (e.path().filename() != "meta.json") fs::remove_all(e.path());
}

std::vector<std::string> Spool::list(Queue q) const {
    std::vector<std::string> ids;
    fs::path d = dir(q, "").parent_path();
    std::error_code ec;
    for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (valid_id(name)) ids.push_back(name);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::size_t Spool::depth(Queue q) const { return list(q).size(); }

bool Spool::known(const std::string& id) const {
    for (Queue q : {Queue::incoming, Queue::active, Queue::done})
        if (fs::exists(dir(q, id))) return true;
    return false;
}

void Spool::prune_done(std::chrono::seconds older_than) {
    auto cutoff = fs::file_time_type::clock::now() - older_than;
    // Tombstones, and the LMTP resend records (lmtp/resend_filter.hpp) that refer to them.
    for (const char* dir : {"done", "resent"}) {
        std::error_code ec;
        for (fs::directory_iterator it(root_ / dir, ec), end; !ec && it != end; it.increment(ec)) {
            std::error_code e2;
            if (fs::last_write_time(it->path(), e2) < cutoff && !e2) fs::remove_all(it->path(), e2);
        }
    }
}

JobMeta Spool::read_meta(Queue q, const std::string& id) const {
    std::string text = read_file(dir(q, id) / "meta.json", 1 << 20);
    return JobMeta::from_json(nlohmann::json::parse(text));
}

// Only the attempt count changes here; it guards against an input that keeps killing the service,
// which the page cache survives: no fsync needed.
void Spool::write_meta(const JobMeta& meta) { durable::replace_lazily(active(meta.id) / "meta.json", meta.to_json().dump(2) + "\n"); }

}  // namespace mugaika
