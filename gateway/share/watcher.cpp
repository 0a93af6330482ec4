#include "watcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "../service/log.hpp"
#include "../spool/durable.hpp"
#include "mugaika/atomic_file.hpp"
#include "share_names.hpp"

namespace mugaika {
namespace fs = std::filesystem;

namespace {
constexpr const char* claims_dir = ".mugaika-claims";

// True when some process (a local writer, smbd, nfsd) still has the file open. A write lease can only
// be taken on a file nobody else has open; where leases are not supported we rely on the settle time.
bool open_elsewhere(const fs::path& p) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return true;
    bool busy = false;
    if (::fcntl(fd, F_SETLEASE, F_WRLCK) == 0) ::fcntl(fd, F_SETLEASE, F_UNLCK);
    else busy = (errno == EAGAIN || errno == EBUSY);
    ::close(fd);
    return busy;
}
}  // namespace

ShareWatcher::ShareWatcher(ShareConfig config, Spool& spool, Metrics& metrics, Enqueued on_enqueued, MayTake may_take)
    : config_(std::move(config)), spool_(spool), metrics_(metrics), on_enqueued_(std::move(on_enqueued)),
      may_take_(std::move(may_take)) {}

ShareWatcher::~ShareWatcher() { stop(); }

void ShareWatcher::start() {
    fs::create_directories(config_.inbound);
    for (const auto& s : config_.sections) fs::create_directories(config_.inbound / s);
    recover_claims();
    inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_ < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    auto watch = [&](const fs::path& dir, const std::string& section) {
        int wd = ::inotify_add_watch(inotify_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR);
        if (wd < 0) throw std::system_error(errno, std::generic_category(), "inotify_add_watch " + dir.string());
        watches_[wd] = section;
    };
    watch(config_.inbound, "");
    for (const auto& s : config_.sections) watch(config_.inbound / s, s);
    rescan();
    thread_ = std::thread([this] { run(); });
    log::info("watching share " + config_.inbound.string() + " (" + std::to_string(config_.sections.size()) + " sections)");
}

void ShareWatcher::stop() {
    if (stopping_.exchange(true)) return;
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    for (int* fd : {&inotify_, &wake_[0], &wake_[1]})
        if (*fd >= 0) { ::close(*fd); *fd = -1; }
}

void ShareWatcher::refuse(const fs::path& path, const std::string& why) {
    if (!refused_.insert(path).second) return;   // one log line per path, not one per rescan
    metrics_.share_refused();
    log::warn("share: refused " + path.string() + ": " + why);
}

void ShareWatcher::recover_claims() {
    for (const auto& section : config_.sections) {
        fs::path root = config_.inbound / section / claims_dir;
        std::error_code ec;
        if (!fs::exists(root, ec)) continue;
        for (const auto& claim : fs::directory_iterator(root)) {
            std::string id = claim.path().filename().string();
            bool known = Spool::valid_id(id) && spool_.known(id);
            for (const auto& f : fs::directory_iterator(claim.path())) {
                if (known) break;
                if (!Spool::valid_id(id)) break;
                JobMeta meta;
                meta.id = id;
                meta.source = Source::share;
                meta.section = section;
                meta.name = f.path().filename().string();
                meta.received_ms = now_ms();
                spool_.enqueue_file(meta, f.path());
                log::info("share: recovered claimed file " + section + "/" + meta.name + " as job " + id);
                break;   // one file per claim
            }
            fs::remove_all(claim.path());
        }
        sync_directory(root);
    }
}

void ShareWatcher::consider(const fs::path& path) {
    fs::path rel = path.lexically_relative(config_.inbound);
    auto first = rel.begin();
    if (rel.empty() || first == rel.end()) return;
    std::string name = path.filename().string();
    std::string top = first->string();
    if (ignored_share_name(name) || ignored_share_name(top)) return;
    std::error_code ec;
    auto st = fs::symlink_status(path, ec);
    if (ec) return;
    if (std::next(first) == rel.end()) {
        // Directly under the inbound root: a configured section folder, or something we refuse.
        bool is_section = std::find(config_.sections.begin(), config_.sections.end(), top) != config_.sections.end();
        if (!is_section) refuse(path, "not in a configured section folder");
        return;
    }
    if (std::next(std::next(first)) != rel.end()) return;   // deeper: never listed by rescan
    if (!fs::is_regular_file(st)) {
        refuse(path, fs::is_directory(st) ? "sub-folders of a section are not taken" : "not a regular file");
        return;
    }
    if (candidates_.contains(path)) {
        candidates_[path].changed = std::chrono::steady_clock::now();
        return;
    }
    Candidate c;
    c.size = fs::file_size(path, ec);
    c.mtime = fs::last_write_time(path, ec);
    c.changed = std::chrono::steady_clock::now();
    candidates_[path] = c;
}

void ShareWatcher::rescan() {
    std::error_code ec;
    for (fs::directory_iterator it(config_.inbound, ec), end; !ec && it != end; it.increment(ec)) {
        consider(it->path());
        std::string top = it->path().filename().string();
        if (std::find(config_.sections.begin(), config_.sections.end(), top) == config_.sections.end()) continue;
        std::error_code e2;
        for (fs::directory_iterator s(it->path(), e2), send; !e2 && s != send; s.increment(e2)) consider(s->path());
    }
}

void ShareWatcher::check_candidates() {
    auto now = std::chrono::steady_clock::now();
    for (auto it = candidates_.begin(); it != candidates_.end();) {
        const fs::path& path = it->first;
        Candidate& c = it->second;
        std::error_code ec;
        auto size = fs::file_size(path, ec);
        if (ec) { it = candidates_.erase(it); continue; }   // gone (renamed away, deleted)
        auto mtime = fs::last_write_time(path, ec);
        if (size != c.size || mtime != c.mtime) {
            c.size = size;
            c.mtime = mtime;
            c.changed = now;
        }
        if (now - c.changed < config_.settle || open_elsewhere(path)) { ++it; continue; }
        if (may_take_ && !may_take_()) return;   // back-pressure: leave it in the share for now
        std::string section = path.parent_path().filename().string();
        take(path, section);
        it = candidates_.erase(it);
    }
}

bool ShareWatcher::take(const fs::path& path, const std::string& section) {
    std::string name = path.filename().string();
    std::string id = Spool::new_id();
    fs::path claim = config_.inbound / section / claims_dir / id;
    try {
        fs::create_directories(claim);
        // The claim makes the file ours in one atomic step; once it is durable, a crash can no longer
        // leave the file both in the share and in the spool.
        durable::rename(path, claim / name);
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove(claim, ec);
        if (fs::exists(path, ec)) log::warn("share: cannot claim " + path.string() + ": " + e.what());
        return false;
    }
    JobMeta meta;
    meta.id = id;
    meta.source = Source::share;
    meta.section = section;
    meta.name = name;
    meta.received_ms = now_ms();
    try {
        spool_.enqueue_file(meta, claim / name);
    } catch (const std::exception& e) {
        // Not accepted: give the file back to the share (never overwriting) and try again later.
        log::error("share: cannot spool " + path.string() + ": " + e.what() + "; left in the share");
        try {
            if (durable::rename_noreplace(claim / name, path)) fs::remove(claim);
        } catch (const std::exception& e2) {
            log::error("share: " + std::string(e2.what()) + "; the claim is recovered at next start");
        }
        return false;
    }
    std::error_code ec;
    fs::remove_all(claim, ec);
    on_enqueued_(id);
    return true;
}

void ShareWatcher::run() {
    auto last_rescan = std::chrono::steady_clock::now();
    alignas(inotify_event) char buf[64 * 1024];
    while (!stopping_) {
        pollfd fds[2] = {{inotify_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        int timeout = candidates_.empty() ? 1000 : 100;
        int r = ::poll(fds, 2, timeout);
        if (stopping_) break;
        if (r > 0 && (fds[0].revents & POLLIN)) {
            ssize_t n;
            while ((n = ::read(inotify_, buf, sizeof buf)) > 0) {
                for (char* p = buf; p < buf + n;) {
                    auto* ev = reinterpret_cast<inotify_event*>(p);
                    p += sizeof(inotify_event) + ev->len;
                    if (ev->mask & IN_Q_OVERFLOW) { last_rescan = {}; continue; }
                    auto w = watches_.find(ev->wd);
                    if (w == watches_.end() || ev->len == 0) continue;
                    fs::path dir = w->second.empty() ? config_.inbound : config_.inbound / w->second;
                    consider(dir / ev->name);
                }
            }
        }
        auto now = std::chrono::steady_clock::now();
        if (now - last_rescan >= config_.rescan) {
            last_rescan = now;
            rescan();
        }
        try {
            check_candidates();
        } catch (const std::exception& e) {
            log::error(std::string("share: ") + e.what());
        }
    }
}

}  // namespace mugaika
