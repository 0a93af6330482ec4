// Starts `mugaika serve` as a child process on loopback with its own folders and configuration, for
// the end-to-end tests. Waits are bounded (a broken service fails the test, it never hangs it); no
// test asserts on how fast anything happens.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <sstream>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "mugaika/quarantine/runtime.hpp"

extern char** environ;

namespace mugaika::test {

// Polls `done` until it holds or `limit` passes; returns its last value.
inline bool wait_for(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(60)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

// Files directly in `dir` whose names do not start with '.', recursively under section folders.
inline std::vector<std::filesystem::path> visible_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return out;
    for (auto it = std::filesystem::recursive_directory_iterator(dir); it != std::filesystem::recursive_directory_iterator(); ++it) {
        if (it->path().filename().string().starts_with(".")) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file()) out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Drops a file into the share the way a client finishes a copy: written under a temp name, renamed.
inline void drop(const std::filesystem::path& dir, const std::string& name, const std::string& bytes) {
    std::filesystem::create_directories(dir);
    write_file(dir / (".incoming-" + name), bytes);
    std::filesystem::rename(dir / (".incoming-" + name), dir / name);
}

inline std::size_t count_entries(const std::filesystem::path& dir) {
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (!it->path().filename().string().starts_with(".")) ++n;
    return n;
}

class ServiceProcess {
public:
    // `extra` is appended to a configuration that puts every folder under root() and listens on
    // ephemeral loopback ports.
    explicit ServiceProcess(std::string extra = "", std::string sections = "[\"総務課\", \"財政課\"]")
        : extra_(std::move(extra)), sections_(std::move(sections)) {
        write_config();
    }
    ~ServiceProcess() {
        if (pid_ > 0) kill9();
    }

    const std::filesystem::path& root() const { return dir_.path; }
    std::filesystem::path path(const std::string& rel) const { return dir_.path / rel; }
    std::filesystem::path config_file() const { return dir_.path / "mugaika.toml"; }
    std::string log() const { return read_whole(dir_.path / "service.log"); }

    std::string base_config() const {
        std::string r = dir_.path.string();
        return "[paths]\nout = \"" + r + "/out\"\nquarantine = \"" + r + "/quarantine\"\nreports = \"" + r +
               "/reports\"\n[spool]\ndir = \"" + r + "/spool\"\n[share]\ninbound = \"" + r + "/in\"\nsections = " +
               sections_ + "\nsettle_ms = 300\nrescan_seconds = 1\n[release]\nmaildir = \"" + r +
               "/mail\"\n[lmtp]\nlisten = \"127.0.0.1:0\"\n[http]\nlisten = \"127.0.0.1:0\"\n[log]\nsyslog = false\n"
               "[audit]\nfile = \"" + r + "/audit/audit.log\"\nsyslog = false\n"
               "[scan]\nenabled = false\n[converter]\nprestart = false\n"
               "[quarantine]\nstore_dir = \"" + r + "/qstore\"\ndb = \"sqlite:" + r + "/quarantine.db\"\nkey_file = \"" + r +
               "/keys/quarantine.key\"\nrelease_dir = \"" + r + "/released\"\n";
    }
    // The service's configuration as the quarantine reads it (for opening the store from the test).
    quarantine::QuarantineConfig quarantine_config() const { return quarantine::load_quarantine_config(config_file()); }
    // The items the service held, read from its encrypted store as the officer UI would.
    std::vector<quarantine::Item> held_items() const {
        quarantine::QuarantineRuntime rt(quarantine_config());
        return rt.service().store().list({});
    }
    // Each held item's report (the engine's report plus the job) and original, decrypted.
    std::vector<std::pair<nlohmann::json, std::string>> held_reports() const {
        quarantine::QuarantineRuntime rt(quarantine_config());
        std::vector<std::pair<nlohmann::json, std::string>> out;
        for (const auto& it : rt.service().store().list({}))
            out.emplace_back(nlohmann::json::parse(rt.service().store().report(it)), rt.service().store().original(it));
        return out;
    }
    void write_config() { write_file(config_file(), merge(base_config(), extra_)); }

    // Starts the service and waits for "ready" in its log.
    void start() {
        std::string logfile = (dir_.path / "service.log").string();
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        std::string bin = mugaika_binary().string(), cfg = config_file().string();
        // --init: each test starts on empty folders (a new installation); restarts find what the first made.
        const char* argv[] = {bin.c_str(), "serve", "--init", "--config", cfg.c_str(), nullptr};
        log_offset_ = std::filesystem::exists(logfile) ? std::filesystem::file_size(logfile) : 0;
        if (posix_spawn(&pid_, bin.c_str(), &fa, nullptr, const_cast<char**>(argv), environ) != 0)
            throw std::runtime_error("cannot start mugaika serve");
        posix_spawn_file_actions_destroy(&fa);
        if (!wait_for([&] { return current_log().find(": ready") != std::string::npos || !alive(); }) || !alive())
            throw std::runtime_error("mugaika serve did not become ready:\n" + log());
        lmtp_port_ = find_port("lmtp: listening");
        http_port_ = find_port("http: /healthz");
    }
    // The log written since the last start().
    std::string current_log() const { return log().substr(std::min<std::size_t>(log_offset_, log().size())); }
    bool alive() {
        if (pid_ <= 0) return false;
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            pid_ = -1;
            return false;
        }
        return true;
    }
    void kill9() { signal_and_wait(SIGKILL); }
    int term() { return signal_and_wait(SIGTERM); }
    void hup() { ::kill(pid_, SIGHUP); }
    pid_t pid() const { return pid_; }
    // Sends `sig` without waiting (see alive()).
    void signal(int sig) { ::kill(pid_, sig); }
    int exit_status() const { return exit_status_; }
    unsigned short lmtp_port() const { return lmtp_port_; }
    unsigned short http_port() const { return http_port_; }

    // `curl`-free GET on the HTTP port: the response body.
    std::string http_get(const std::string& path) const {
        return run("python3 -c \"import urllib.request,sys;r=urllib.request.urlopen('http://127.0.0.1:" +
                   std::to_string(http_port_) + path + "');sys.stdout.write(r.read().decode())\" 2>/dev/null")
            .out;
    }

private:
    // Key-level merge of two simple TOML texts ("[table]" headers and "key = value" lines): a key in
    // `extra` replaces the same key of the same table in `base`; new tables and keys are added.
    static std::string merge(const std::string& base, const std::string& extra) {
        std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> tables;
        auto table = [&](const std::string& name) -> std::vector<std::pair<std::string, std::string>>& {
            for (auto& t : tables)
                if (t.first == name) return t.second;
            tables.push_back({name, {}});
            return tables.back().second;
        };
        for (const std::string* text : {&base, &extra}) {
            std::istringstream in(*text);
            std::string current;
            for (std::string line; std::getline(in, line);) {
                if (line.empty() || line[0] == '#') continue;
                if (line[0] == '[') {
                    current = line.substr(1, line.find(']') - 1);
                    table(current);
                    continue;
                }
                std::string key = line.substr(0, line.find('='));
                while (!key.empty() && key.back() == ' ') key.pop_back();
                auto& t = table(current);
                bool found = false;
                for (auto& kv : t)
                    if (kv.first == key) { kv.second = line; found = true; }
                if (!found) t.push_back({key, line});
            }
        }
        std::string out;
        for (const auto& [name, lines] : tables) {
            out += "[" + name + "]\n";
            for (const auto& kv : lines) out += kv.second + "\n";
        }
        return out;
    }
    unsigned short find_port(const std::string& marker) const {
        std::string l = current_log();
        auto p = l.find(marker);
        if (p == std::string::npos) return 0;
        auto q = l.find("(port ", p);
        if (q == std::string::npos) return 0;
        return static_cast<unsigned short>(std::stoi(l.substr(q + 6)));
    }
    int signal_and_wait(int sig) {
        if (pid_ <= 0) return exit_status_;
        ::kill(pid_, sig);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_status_;
    }

    TempDir dir_;
    std::string extra_, sections_;
    pid_t pid_ = -1;
    int exit_status_ = -1;
    std::size_t log_offset_ = 0;
    unsigned short lmtp_port_ = 0, http_port_ = 0;
};

}  // namespace mugaika::test
