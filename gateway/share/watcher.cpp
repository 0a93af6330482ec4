#include "watcher.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "../service/log.hpp"
#include "../spool/durable.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/test_points.hpp"
#include "share_names.hpp"

namespace mugaika {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view claim_prefix = ".mugaika-claim-";
// Bounds against a share holding millions of entries: candidates followed at once, refusals remembered
// (one log line each).
constexpr std::size_t max_candidates = 4096;
constexpr std::size_t max_refused = 100000;
// Files taken in one batch (one claim record, one fsync of incoming/ and of each section folder).
constexpr std::size_t max_batch = 32;
// Opening a share entry never follows a symlink, never waits on a FIFO or a device, never becomes our
// terminal.
constexpr int open_flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

std::string errno_text(int e = errno) { return std::strerror(e); }

const char* kind_of(mode_t m) {
    if (S_ISLNK(m)) return "a symbolic link";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    if (S_ISDIR(m)) return "a folder";
    return "not a regular file";
}

bool same_file(const struct stat& st, dev_t dev, ino_t ino) { return st.st_dev == dev && st.st_ino == ino; }

// A file with another name elsewhere (a hard link to something outside the share). Some network file
// systems report 0 links; only more than one counts.
bool hard_linked(const struct stat& st) { return st.st_nlink > 1; }

// Opens a claim and checks that it is still the file that was claimed: a regular file, the same inode,
// one link. Returns the descriptor, or -1 (and no descriptor) when anything changed under us.
int open_claimed(int dir_fd, const std::string& claim, dev_t dev, ino_t ino, struct stat& st) {
    int fd = ::openat(dir_fd, claim.c_str(), open_flags);
    if (fd < 0) return -1;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || hard_linked(st) || !same_file(st, dev, ino)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// renameat2(RENAME_NOREPLACE) within one folder; where the file system does not support the flag (NFS,
// some FUSE file systems), a check for the target followed by a plain rename (our names are random ids,
// so only a planted entry could be in the way, and then we do not rename). 0 or the errno.
int rename_noreplace_at(int dir_fd, const std::string& from, const std::string& to) {
    if (::renameat2(dir_fd, from.c_str(), dir_fd, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
    struct stat st{};
    if (::fstatat(dir_fd, to.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return EEXIST;
    return ::renameat(dir_fd, from.c_str(), dir_fd, to.c_str()) == 0 ? 0 : errno;
}

bool same_content_state(const struct stat& a, const struct stat& b) {
    return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

// True when some process (a local writer, smbd, nfsd) still has the file open, or it is not the regular
// file we followed any more. A write lease can only be taken on a file nobody else has open; where
// leases are not supported we rely on the settle time.
bool open_elsewhere(int dir_fd, const std::string& name, dev_t dev, ino_t ino) {
    int fd = ::openat(dir_fd, name.c_str(), open_flags);
    if (fd < 0) return true;
    struct stat st{};
    bool busy = ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !same_file(st, dev, ino);
    if (!busy) {
        if (::fcntl(fd, F_SETLEASE, F_WRLCK) == 0) ::fcntl(fd, F_SETLEASE, F_UNLCK);
        else busy = (errno == EAGAIN || errno == EBUSY);
    }
    ::close(fd);
    return busy;
}

// Calls `each` with the name of every entry of the open folder `dir_fd` (its offset is shared: rewound).
void list_folder(int dir_fd, const std::function<void(const std::string&)>& each) {
    int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return;
    DIR* d = ::fdopendir(dup);
    if (!d) {
        ::close(dup);
        return;
    }
    ::rewinddir(d);
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        each(name);
    }
    ::closedir(d);
}

// The spool's record of a file taken from a section of the share, received now.
JobMeta share_job(const std::string& id, const std::string& section, const std::string& name) {
    JobMeta meta;
    meta.id = id;
    meta.source = Source::share;
    meta.section = section;
    meta.name = name;
    meta.received_ms = now_ms();
    return meta;
}

}  // namespace

std::string ShareWatcher::claim_name(const std::string& id) { return std::string(claim_prefix) + id; }

ShareWatcher::ShareWatcher(ShareConfig config, Spool& spool, Metrics& metrics, Enqueued on_enqueued, MayTake may_take)
    : config_(std::move(config)), spool_(spool), metrics_(metrics), on_enqueued_(std::move(on_enqueued)),
      may_take_(std::move(may_take)) {
    for (const auto& name : config_.sections) {
        Section s;
        s.name = name;
        sections_.push_back(std::move(s));
    }
}

ShareWatcher::~ShareWatcher() { stop(); }

void ShareWatcher::open_root() {
    // The inbound folder itself is the administrator's (configuration), not a share user's: opened once.
    fs::create_directories(config_.inbound);
    root_fd_ = ::open(config_.inbound.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + config_.inbound.string());
}

void ShareWatcher::check_section(std::size_t i) {
    Section& s = sections_[i];
    auto drop = [&](const std::string& why) {
        if (s.wd >= 0 && inotify_ >= 0) ::inotify_rm_watch(inotify_, s.wd);
        if (s.fd >= 0) ::close(s.fd);
        s.fd = s.wd = -1;
        if (s.trouble != why) log::warn("share: section " + s.name + ": " + why);
        s.trouble = why;
    };
    struct stat st{};
    if (::fstatat(root_fd_, s.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
        ::mkdirat(root_fd_, s.name.c_str(), 0777);   // the umask decides (systemd: UMask=0027)
    }
    if (::fstatat(root_fd_, s.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return drop("cannot be read: " + errno_text());
    if (!S_ISDIR(st.st_mode))
        return drop(std::string("is ") + kind_of(st.st_mode) + ", not a folder: not watched until it is a folder again");
    if (s.fd >= 0 && same_file(st, s.dev, s.ino)) return;
    int fd = ::openat(root_fd_, s.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return drop("cannot be opened as a folder: " + errno_text());
    struct stat fst{};
    ::fstat(fd, &fst);
    if (s.wd >= 0 && inotify_ >= 0) ::inotify_rm_watch(inotify_, s.wd);
    if (s.fd >= 0) {
        log::warn("share: section " + s.name + " was replaced; watching the new folder");
        ::close(s.fd);
    }
    s.fd = fd;
    s.dev = fst.st_dev;
    s.ino = fst.st_ino;
    s.wd = -1;
    if (inotify_ >= 0) {
        // Through the descriptor, not the name: the watch is on the folder we verified.
        std::string by_fd = "/proc/self/fd/" + std::to_string(fd);
        s.wd = ::inotify_add_watch(inotify_, by_fd.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_ONLYDIR);
        if (s.wd < 0) log::warn("share: cannot watch section " + s.name + " (" + errno_text() + "); the rescan finds its files");
    }
    if (!s.trouble.empty()) log::info("share: section " + s.name + " is a folder again; watched");
    s.trouble.clear();
    // What an earlier version left (its claim folder): never read or removed, only pointed out.
    struct stat old{};
    if (::fstatat(fd, ".mugaika-claims", &old, AT_SYMLINK_NOFOLLOW) == 0)
        log::warn("share: " + s.name + "/.mugaika-claims was left by an earlier version and is not used any more; "
                  "check it by hand (it is never read or removed)");
}

void ShareWatcher::start() {
    open_root();
    inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_ < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    std::string root_by_fd = "/proc/self/fd/" + std::to_string(root_fd_);
    root_wd_ = ::inotify_add_watch(inotify_, root_by_fd.c_str(), IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR);
    if (root_wd_ < 0) throw std::system_error(errno, std::generic_category(), "inotify_add_watch " + config_.inbound.string());
    for (std::size_t i = 0; i < sections_.size(); ++i) check_section(i);
    recover_claims();
    rescan();
    thread_ = std::thread([this] { run(); });
    log::info("watching share " + config_.inbound.string() + " (" + std::to_string(config_.sections.size()) + " sections)");
}

void ShareWatcher::stop() {
    if (stopping_.exchange(true)) return;
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    for (auto& s : sections_)
        if (s.fd >= 0) { ::close(s.fd); s.fd = -1; }
    for (int* fd : {&inotify_, &wake_[0], &wake_[1], &root_fd_})
        if (*fd >= 0) { ::close(*fd); *fd = -1; }
}

void ShareWatcher::refuse(const std::string& where, const std::string& why) {
    if (refused_.contains(where)) return;   // one log line per entry, not one per rescan
    if (refused_.size() >= max_refused) {
        if (!refused_full_) log::warn("share: more than " + std::to_string(max_refused) + " refused entries; not listing more");
        refused_full_ = true;
        return;
    }
    refused_.insert(where);
    metrics_.share_refused();
    log::warn("share: refused " + (config_.inbound / where).string() + ": " + why);
}

void ShareWatcher::remove_record(const std::string& id) {
    std::error_code ec;
    fs::remove(spool_.claims_dir() / (id + ".json"), ec);
}

void ShareWatcher::give_back(const Section& s, const std::string& claim, const std::string& name) {
    for (int n = 1; n < 100; ++n) {
        std::string to = numbered_name(name, n);
        int e = rename_noreplace_at(s.fd, claim, to);
        if (e == 0) {
            if (n > 1) log::warn("share: " + s.name + "/" + name + " was given back as " + to);
            return;
        }
        if (e != EEXIST) {
            log::error("share: cannot give " + s.name + "/" + claim + " back as " + name + ": " + errno_text(e));
            return;
        }
    }
    log::error("share: cannot give " + s.name + "/" + claim + " back as " + name + ": no free name");
}

// A record file holds one claim (`{"id":...}`, earlier versions) or a batch of them
// (`{"claims":[{"id":...}, ...]}`, named after the first one's id).
std::vector<ShareWatcher::ClaimRecord> ShareWatcher::parse_records(const std::string& file, const std::string& text) {
    auto j = nlohmann::json::parse(text);
    std::vector<nlohmann::json> entries;
    if (j.is_object() && j.contains("claims") && j["claims"].is_array() && !j["claims"].empty())
        entries.assign(j["claims"].begin(), j["claims"].end());
    else
        entries.push_back(j);
    std::vector<ClaimRecord> out;
    for (const auto& e : entries) {
        ClaimRecord r;
        r.id = e.at("id").get<std::string>();
        r.section = e.at("section").get<std::string>();
        r.name = quarantine::from_hex(e.at("name_bytes").get<std::string>());   // throws on bad hex
        if (r.name.empty() || r.name.find('/') != std::string::npos || !Spool::valid_id(r.id))
            throw std::runtime_error("bad record");
        r.dev = e.at("dev").get<dev_t>();
        r.ino = e.at("ino").get<ino_t>();
        out.push_back(std::move(r));
    }
    if (out.empty() || file != out.front().id + ".json") throw std::runtime_error("bad record");
    return out;
}

void ShareWatcher::recover_claims() {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(spool_.claims_dir(), ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string().ends_with(".json")) files.push_back(it->path());
    for (const auto& path : files) {
        std::string file = path.filename().string();
        std::vector<ClaimRecord> records;
        try {
            records = parse_records(file, read_file(path, 4 << 20));
        } catch (const std::exception& e) {
            // Ours (the spool), unreadable: a claim write cut short; the share is not touched for it.
            log::warn("share: dropping an unreadable claim record " + file + ": " + e.what());
            fs::remove(path, ec);
            ec.clear();
            continue;
        }
        bool all_done = true;
        for (const auto& r : records) all_done = recover_claim(r) && all_done;
        if (all_done) fs::remove(path, ec);
    }
}

// False when the record must be kept (its section is not a watched folder now).
bool ShareWatcher::recover_claim(const ClaimRecord& r) {
    {
        std::size_t i = 0;
        while (i < sections_.size() && sections_[i].name != r.section) ++i;
        if (i == sections_.size() || sections_[i].fd < 0) {
            log::warn("share: claim " + r.id + " of section " + r.section + " is kept until that section is a watched folder again");
            return false;
        }
        const Section& s = sections_[i];
        const std::string claim = claim_name(r.id);
        const bool known = spool_.known(r.id);
        struct stat st{};
        bool claim_there = ::fstatat(s.fd, claim.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
        bool ours = claim_there && S_ISREG(st.st_mode) && same_file(st, r.dev, r.ino);
        if (claim_there && !ours) {
            log::warn("share: " + s.name + "/" + claim + " is not the file that was claimed (" + kind_of(st.st_mode) +
                      " or another inode); left alone");
        } else if (ours && known) {
            ::unlinkat(s.fd, claim.c_str(), 0);
            log::info("share: removed the finished claim of job " + r.id + " (" + s.name + "/" + r.name + ")");
        } else if (ours) {
            // Claimed but never spooled: spooled now, from the claim itself.
            struct stat fst{};
            int fd = open_claimed(s.fd, claim, r.dev, r.ino, fst);
            if (fd < 0) {
                log::warn("share: the claim of job " + r.id + " changed under us; left alone");
            } else {
                JobMeta meta = share_job(r.id, r.section, r.name);
                try {
                    spool_.enqueue_fd(meta, fd);
                    ::close(fd);
                    ::unlinkat(s.fd, claim.c_str(), 0);
                    log::info("share: recovered claimed file " + s.name + "/" + r.name + " as job " + r.id);
                    on_enqueued_(r.id);
                } catch (const std::exception& e) {
                    ::close(fd);
                    log::error("share: cannot spool the claim of job " + r.id + ": " + e.what() + "; it goes back to the share");
                    give_back(s, claim, r.name);
                }
            }
        } else if (known) {
            // The rename into the claim name may have been lost (a power failure) after the job was
            // committed: the original name then still holds the very file that was spooled.
            if (::fstatat(s.fd, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                same_file(st, r.dev, r.ino)) {
                ::unlinkat(s.fd, r.name.c_str(), 0);
                log::info("share: removed " + s.name + "/" + r.name + ", already spooled as job " + r.id);
            }
        }
        mugaika::durable_sync(s.fd, SyncKind::directory);
    }
    return true;
}

void ShareWatcher::consider_root_entry(const std::string& name) {
    if (ignored_share_name(name)) return;
    for (const auto& s : sections_)
        if (s.name == name) return;
    refuse(name, "not in a configured section folder");
}

void ShareWatcher::consider(std::size_t i, const std::string& name) {
    if (ignored_share_name(name)) return;
    const Section& s = sections_[i];
    if (s.fd < 0) return;
    struct stat st{};
    if (::fstatat(s.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    std::string where = s.name + "/" + name;
    if (S_ISDIR(st.st_mode)) return refuse(where, "sub-folders of a section are not taken");
    if (!S_ISREG(st.st_mode)) return refuse(where, std::string(kind_of(st.st_mode)) + ", not a regular file: not taken");
    if (hard_linked(st)) return refuse(where, "the file has other hard links (it may belong elsewhere): not taken");
    refused_.erase(where);   // a refused name that holds a plain file now is a candidate
    auto key = std::make_pair(i, name);
    auto now = std::chrono::steady_clock::now();
    if (auto it = candidates_.find(key); it != candidates_.end()) {
        // Written to again (an event) or replaced: the settle time starts over.
        Candidate& c = it->second;
        c.dev = st.st_dev;
        c.ino = st.st_ino;
        c.size = st.st_size;
        c.mtime = st.st_mtim;
        c.changed = now;
        return;
    }
    if (candidates_.size() >= max_candidates) return;   // a later rescan finds it
    candidates_[key] = Candidate{i, name, st.st_dev, st.st_ino, st.st_size, st.st_mtim, now};
}

void ShareWatcher::rescan() {
    for (std::size_t i = 0; i < sections_.size(); ++i) check_section(i);
    list_folder(root_fd_, [&](const std::string& name) { consider_root_entry(name); });
    for (std::size_t i = 0; i < sections_.size(); ++i) {
        if (sections_[i].fd < 0) continue;
        list_folder(sections_[i].fd, [&](const std::string& name) {
            std::string where = sections_[i].name + "/" + name;
            // Known candidates keep their settle time; a rescan is not a write.
            if (candidates_.contains({i, name})) return;
            consider(i, name);
        });
    }
}

void ShareWatcher::check_candidates() {
    auto now = std::chrono::steady_clock::now();
    std::vector<Candidate> batch;
    for (auto it = candidates_.begin(); it != candidates_.end();) {
        Candidate& c = it->second;
        const Section& s = sections_[c.section];
        struct stat st{};
        if (s.fd < 0 || ::fstatat(s.fd, c.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            hard_linked(st)) {
            it = candidates_.erase(it);   // gone, or no longer a plain file (the next rescan refuses it)
            continue;
        }
        if (!same_file(st, c.dev, c.ino) || st.st_size != c.size || st.st_mtim.tv_sec != c.mtime.tv_sec ||
            st.st_mtim.tv_nsec != c.mtime.tv_nsec) {
            c.dev = st.st_dev;
            c.ino = st.st_ino;
            c.size = st.st_size;
            c.mtime = st.st_mtim;
            c.changed = now;
        }
        if (now - c.changed < config_.settle || open_elsewhere(s.fd, c.name, c.dev, c.ino)) {
            ++it;
            continue;
        }
        if (may_take_ && !may_take_()) break;   // back-pressure: leave it in the share for now
        batch.push_back(c);
        it = candidates_.erase(it);
        if (batch.size() >= max_batch) break;   // the rest in the next round, a moment later
    }
    if (!batch.empty()) take(batch);
}

// Takes a batch of settled files at once (docs/service.md, "The share claim"): the fsyncs that do not
// depend on the number of files (the claim records, incoming/, each section folder) are made once per
// batch; each file still costs its own three (its bytes, its metadata, its job folder).
void ShareWatcher::take(const std::vector<Candidate>& batch) {
    struct Taking {
        const Candidate* c;
        std::string id, claim, where;
        int fd = -1;
        struct stat before{};
    };
    std::vector<Taking> taking;
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (const auto& c : batch) {
        Taking t{&c, Spool::new_id(), "", sections_[c.section].name + "/" + c.name};
        t.claim = claim_name(t.id);
        records.push_back({{"id", t.id},
                           {"section", sections_[c.section].name},
                           {"name_bytes", quarantine::to_hex(c.name)},
                           {"dev", c.dev},
                           {"ino", c.ino}});
        taking.push_back(std::move(t));
    }
    // 1. The records first, in the spool: recovery acts on nothing in the share it cannot match to one.
    const std::string record_file = taking.front().id + ".json";
    try {
        durable::write_named(spool_.claims_dir() / record_file, nlohmann::ordered_json{{"claims", records}}.dump() + "\n");
    } catch (const std::exception& e) {
        log::error("share: cannot record the claim of " + taking.front().where + (taking.size() > 1 ? " and others" : "") +
                   ": " + e.what() + "; left in the share");
        remove_record(taking.front().id);
        return;
    }
    std::vector<Taking*> staged;
    for (auto& t : taking) {
        const Candidate& c = *t.c;
        const Section& s = sections_[c.section];
        // 2. The claim: whatever holds the name now becomes ours in one atomic step, in the same folder.
        if (int e = rename_noreplace_at(s.fd, c.name, t.claim); e != 0) {
            if (e != ENOENT) log::warn("share: cannot claim " + t.where + ": " + errno_text(e));
            continue;
        }
        test_points::crash_point("share.claimed");
        // 3. What we claimed must be what we judged: a regular file, one link, the same inode.
        t.fd = open_claimed(s.fd, t.claim, c.dev, c.ino, t.before);
        if (t.fd < 0) {
            log::warn("share: " + t.where + " was replaced while being taken; given back");
            give_back(s, t.claim, c.name);
            continue;
        }
        JobMeta meta = share_job(t.id, s.name, c.name);
        try {
            spool_.stage_fd(meta, t.fd, [&] {
                // Still being written (a writer that kept the file open past the probe)? Then not now.
                struct stat after{};
                if (::fstat(t.fd, &after) != 0 || !same_content_state(t.before, after))
                    throw std::runtime_error("the file changed while it was read");
            });
            staged.push_back(&t);
        } catch (const std::exception& e) {
            ::close(t.fd);
            t.fd = -1;
            log::error("share: cannot spool " + t.where + ": " + e.what() + "; left in the share");
            give_back(s, t.claim, c.name);
        }
    }
    // 4. Accepted, all at once: one fsync of incoming/.
    std::vector<std::string> ids;
    for (auto* t : staged) ids.push_back(t->id);
    bool committed = ids.empty();
    if (!ids.empty()) {
        try {
            spool_.commit_staged(ids);
            committed = true;
        } catch (const std::exception& e) {
            log::error(std::string("share: cannot commit ") + std::to_string(ids.size()) + " file(s) to the spool: " + e.what() +
                       "; left in the share");
        }
    }
    std::set<int> touched;
    for (auto* t : staged) {
        const Section& s = sections_[t->c->section];
        ::close(t->fd);
        if (!committed) {
            spool_.discard_staged(t->id);
            give_back(s, t->claim, t->c->name);
            continue;
        }
        test_points::crash_point("share.spooled");
        // 5. Out of the share: the claim, if it is still the file we spooled (a share user may have
        //    renamed something over it meanwhile: that is left alone).
        struct stat now{};
        if (::fstatat(s.fd, t->claim.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0) {
            if (S_ISREG(now.st_mode) && same_file(now, t->c->dev, t->c->ino)) ::unlinkat(s.fd, t->claim.c_str(), 0);
            else log::warn("share: " + s.name + "/" + t->claim + " was replaced after it was spooled; left alone");
        }
        touched.insert(s.fd);
    }
    // Claims given back need no fsync: should the rename back be lost, the record finds the claim.
    for (int fd : touched) mugaika::durable_sync(fd, SyncKind::directory);
    remove_record(taking.front().id);
    if (committed)
        for (auto* t : staged) on_enqueued_(t->id);
}

void ShareWatcher::run() {
    auto last_rescan = std::chrono::steady_clock::now();
    alignas(inotify_event) char buf[64 * 1024];
    while (!stopping_) {
        pollfd fds[2] = {{inotify_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        int timeout = candidates_.empty() ? 1000 : 100;
        int r = ::poll(fds, 2, timeout);
        if (stopping_) break;
        try {
            if (r > 0 && (fds[0].revents & POLLIN)) {
                ssize_t n;
                while ((n = ::read(inotify_, buf, sizeof buf)) > 0) {
                    for (char* p = buf; p < buf + n;) {
                        auto* ev = reinterpret_cast<inotify_event*>(p);
                        p += sizeof(inotify_event) + ev->len;
                        if (ev->mask & IN_Q_OVERFLOW) { last_rescan = {}; continue; }
                        if (ev->len == 0) {
                            if (ev->mask & IN_IGNORED) last_rescan = {};   // a watched folder went away
                            continue;
                        }
                        std::string name = ev->name;
                        if (ev->wd == root_wd_) {
                            bool section = false;
                            for (std::size_t i = 0; i < sections_.size(); ++i)
                                if (sections_[i].name == name) { check_section(i); section = true; }
                            if (!section && !(ev->mask & (IN_MOVED_FROM | IN_DELETE))) consider_root_entry(name);
                            continue;
                        }
                        for (std::size_t i = 0; i < sections_.size(); ++i)
                            if (sections_[i].wd == ev->wd && sections_[i].fd >= 0) consider(i, name);
                    }
                }
            }
            auto now = std::chrono::steady_clock::now();
            if (now - last_rescan >= config_.rescan) {
                last_rescan = now;
                rescan();
            }
            check_candidates();
        } catch (const std::exception& e) {
            log::error(std::string("share: ") + e.what());
        }
    }
}

}  // namespace mugaika
