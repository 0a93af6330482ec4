#include "gateway_config.hpp"

#include <toml++/toml.h>

#include "mugaika/endpoint.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace mugaika {
namespace {

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::filesystem::path path_value(const toml::node& v, const std::string& file, const std::string& key) {
    auto s = v.value<std::string>();
    if (!s || s->empty()) throw ConfigError(file, line_of(v), key + " must be a non-empty path string");
    for (unsigned char c : *s)
        if (c < 0x20 || c == 0x7f)
            throw ConfigError(file, line_of(v), key + ": パスに制御文字があります (the path has a control character)");
    return *s;
}

// An address, checked as the listener or client that uses it will read it (mugaika/endpoint.hpp).
std::string address_value(const toml::node& v, const std::string& file, const std::string& key, bool allow_unix,
                          HostKind kind, Use use) {
    auto s = v.value<std::string>();
    if (!s || s->empty()) throw ConfigError(file, line_of(v), key + " must be a non-empty string");
    try {
        parse_endpoint(*s, allow_unix, kind, use);
    } catch (const EndpointError& e) {
        throw ConfigError(file, line_of(v), key + " " + e.ja + " (" + key + " " + e.what() + ")");
    }
    return *s;
}

// [lmtp] clients: IP addresses, compared with the peer's address as the kernel gives it, so kept in
// the same (canonical) form: "0:0:0:0:0:0:0:1" is "::1".
std::vector<std::string> client_list(const toml::node& v, const std::string& file, const std::string& key);

std::string string_value(const toml::node& v, const std::string& file, const std::string& key) {
    auto s = v.value<std::string>();
    if (!s || s->empty()) throw ConfigError(file, line_of(v), key + " must be a non-empty string");
    return *s;
}

std::uint64_t positive(const toml::node& v, const std::string& file, const std::string& key) {
    auto i = v.value<std::int64_t>();
    if (!i || *i <= 0) throw ConfigError(file, line_of(v), key + " must be a positive integer");
    return static_cast<std::uint64_t>(*i);
}

std::uint64_t non_negative(const toml::node& v, const std::string& file, const std::string& key) {
    auto i = v.value<std::int64_t>();
    if (!i || *i < 0) throw ConfigError(file, line_of(v), key + " must be an integer >= 0");
    return static_cast<std::uint64_t>(*i);
}

std::uint32_t small(const toml::node& v, const std::string& file, const std::string& key, std::uint64_t max) {
    std::uint64_t n = positive(v, file, key);
    if (n > max) throw ConfigError(file, line_of(v), key + " must be at most " + std::to_string(max));
    return static_cast<std::uint32_t>(n);
}

bool bool_value(const toml::node& v, const std::string& file, const std::string& key) {
    auto b = v.value<bool>();
    if (!b || !v.is_boolean()) throw ConfigError(file, line_of(v), key + " must be true or false");   // 3 is no boolean
    return *b;
}

// "100MiB", "512KiB", "1GiB" or an integer number of bytes.
std::uint64_t size_value(const toml::node& v, const std::string& file, const std::string& key) {
    if (auto i = v.value<std::int64_t>()) {
        if (*i <= 0) throw ConfigError(file, line_of(v), key + " must be positive");
        return static_cast<std::uint64_t>(*i);
    }
    auto s = v.value<std::string>();
    if (!s) throw ConfigError(file, line_of(v), key + " must be a size such as \"50MiB\" or a number of bytes");
    std::size_t digits = 0;
    while (digits < s->size() && std::isdigit(static_cast<unsigned char>((*s)[digits]))) ++digits;
    std::string unit = s->substr(digits);
    std::uint64_t mult = unit == "" || unit == "B" ? 1 : unit == "KiB" ? 1ull << 10 : unit == "MiB" ? 1ull << 20
                                                        : unit == "GiB" ? 1ull << 30 : 0;
    if (digits == 0 || digits > 12 || mult == 0 || std::stoull(s->substr(0, digits)) == 0)
        throw ConfigError(file, line_of(v), key + ": '" + *s + "' is not a size (use B, KiB, MiB or GiB)");
    return std::stoull(s->substr(0, digits)) * mult;
}

std::vector<std::string> string_list(const toml::node& v, const std::string& file, const std::string& key) {
    const toml::array* a = v.as_array();
    if (!a) throw ConfigError(file, line_of(v), key + " must be a list of strings");
    std::vector<std::string> out;
    for (const auto& e : *a) out.push_back(string_value(e, file, key));
    return out;
}

[[noreturn]] void unknown(const toml::node& v, const std::string& file, const std::string& key,
                          const std::string& table, const std::string& known) {
    throw ConfigError(file, line_of(v), "unknown key '" + key + "' in [" + table + "] (known: " + known + ")");
}

void parse_paths(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "out") c.out_dir = path_value(v, file, key);
        else if (key == "quarantine") c.quarantine_dir = path_value(v, file, key);
        else if (key == "reports") c.reports_dir = path_value(v, file, key);
        else if (key == "keep_reports_days") c.keep_reports_days = static_cast<std::uint32_t>(std::min<std::uint64_t>(non_negative(v, file, key), 36500));
        else unknown(v, file, key, "paths", "out, quarantine, reports, keep_reports_days");
    }
}

// "sandbox" (the default), "degraded" (the site's explicit choice on a kernel without unprivileged
// user namespaces), "fork" (test builds only: the benchmark's baseline, no sandbox at all).
WorkerIsolation isolation_value(const toml::node& v, const std::string& file, const std::string& key) {
    std::string s = string_value(v, file, key);
    if (s == "sandbox") return WorkerIsolation::sandbox;
    if (s == "degraded") return WorkerIsolation::degraded;
#ifdef MUGAIKA_TEST_HOOKS
    if (s == "fork") return WorkerIsolation::fork;
#endif
    throw ConfigError(file, line_of(v), "[worker] " + key + " must be \"sandbox\" or \"degraded\", not \"" + s + "\"");
}

void parse_worker(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "timeout_seconds") c.worker.wall = std::chrono::seconds(positive(v, file, key));
        else if (key == "memory_mib") c.worker.address_space_bytes = positive(v, file, key) << 20;
        else if (key == "cpu_seconds") c.worker.cpu_seconds = positive(v, file, key);
        else if (key == "count") c.workers = static_cast<std::uint32_t>(non_negative(v, file, key));
        else if (key == "retries") c.worker_retries = static_cast<std::uint32_t>(non_negative(v, file, key));
        else if (key == "isolation") c.worker.isolation = isolation_value(v, file, key);
        else unknown(v, file, key, "worker", "count, retries, timeout_seconds, memory_mib, cpu_seconds, isolation");
    }
    if (c.workers > 256) throw ConfigError(file, line_of(t), "[worker] count must be at most 256");
    if (c.worker_retries > 5) throw ConfigError(file, line_of(t), "[worker] retries must be at most 5");
}

void parse_converter(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "count") c.converter.count = static_cast<std::uint32_t>(non_negative(v, file, key));
        else if (key == "max_documents") c.converter.max_documents = static_cast<std::uint32_t>(positive(v, file, key));
        else if (key == "timeout_seconds") c.converter.per_document = std::chrono::seconds(positive(v, file, key));
        else if (key == "startup_seconds") c.converter.startup = std::chrono::seconds(positive(v, file, key));
        else if (key == "memory_mib") c.converter.memory_bytes = positive(v, file, key) << 20;
        else if (key == "cpu_seconds") c.converter.cpu_seconds = positive(v, file, key);
        else if (key == "prestart") c.converter.prestart = bool_value(v, file, key);
        else unknown(v, file, key, "converter",
                     "count, max_documents, timeout_seconds, startup_seconds, memory_mib, cpu_seconds, prestart");
    }
    if (c.converter.count > 64) throw ConfigError(file, line_of(t), "[converter] count must be at most 64");
    if (c.converter.memory_bytes < (512ull << 20))
        throw ConfigError(file, line_of(t), "[converter] memory_mib must be at least 512 (LibreOffice does not start in less)");
}

void parse_share(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "enabled") c.share.enabled = bool_value(v, file, key);
        else if (key == "inbound") c.share.inbound = path_value(v, file, key);
        else if (key == "settle_ms") c.share.settle = std::chrono::milliseconds(non_negative(v, file, key));
        else if (key == "rescan_seconds") c.share.rescan = std::chrono::seconds(positive(v, file, key));
        else if (key == "sections") {
            c.share.sections = string_list(v, file, key);
            std::set<std::string> seen;
            for (const auto& s : c.share.sections) {
                if (!valid_section_name(s))
                    throw ConfigError(file, line_of(v), "section '" + s + "' is not a plain folder name");
                if (!seen.insert(s).second) throw ConfigError(file, line_of(v), "section '" + s + "' is listed twice");
            }
        } else unknown(v, file, key, "share", "enabled, inbound, sections, settle_ms, rescan_seconds");
    }
}

void parse_lmtp(const toml::table& t, const std::string& file, GatewayConfig& c) {
    auto& l = c.lmtp;
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "enabled") l.enabled = bool_value(v, file, key);
        else if (key == "listen") l.listen = address_value(v, file, key, true, HostKind::numeric, Use::listen);
        else if (key == "clients") l.clients = client_list(v, file, key);
        else if (key == "max_message_bytes") l.max_message_bytes = size_value(v, file, key);
        else if (key == "max_recipients") l.max_recipients = small(v, file, key, 10000);
        else if (key == "max_line_bytes") l.max_line_bytes = small(v, file, key, 1 << 20);
        else if (key == "max_connections") l.max_connections = small(v, file, key, 1024);
        else if (key == "max_errors") l.max_errors = small(v, file, key, 1000);
        else if (key == "timeout_seconds") l.timeout = std::chrono::seconds(small(v, file, key, 86400));
        else if (key == "min_data_rate") l.min_data_rate = small(v, file, key, 1u << 30);
        else if (key == "shutdown_seconds") l.shutdown = std::chrono::seconds(small(v, file, key, 3600));
        else if (key == "resend_window_hours") l.resend_window = std::chrono::hours(non_negative(v, file, key));
        else unknown(v, file, key, "lmtp", "enabled, listen, clients, max_message_bytes, max_recipients, "
                                           "max_line_bytes, max_connections, max_errors, timeout_seconds, "
                                           "min_data_rate, shutdown_seconds, resend_window_hours");
    }
    if (l.max_line_bytes < 512) throw ConfigError(file, line_of(t), "[lmtp] max_line_bytes must be at least 512 (RFC 5321)");
}

void parse_release(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "notes") {
            std::string s = string_value(v, file, key);
            if (s == "none") c.release.notes = NoteMode::none;
            else if (s == "quarantined") c.release.notes = NoteMode::quarantined;
            else if (s == "all") c.release.notes = NoteMode::all;
            else throw ConfigError(file, line_of(v), "notes must be \"none\", \"quarantined\" or \"all\"");
        } else if (key == "maildir") c.release.maildir = path_value(v, file, key);
        else if (key == "smtp_next_hop") {
            c.release.smtp_next_hop = address_value(v, file, key, false, HostKind::any, Use::connect);
        } else if (key == "smtp_helo") c.release.smtp_helo = string_value(v, file, key);
        else if (key == "smtp_timeout_seconds") c.release.smtp_timeout = std::chrono::seconds(small(v, file, key, 86400));
        else if (key == "smtp_min_data_rate") c.release.smtp_min_data_rate = small(v, file, key, 1u << 30);
        else if (key == "smtp_connections") c.release.smtp_connections = small(v, file, key, 64);
        else unknown(v, file, key, "release", "notes, maildir, smtp_next_hop, smtp_helo, smtp_timeout_seconds, "
                                              "smtp_min_data_rate, smtp_connections");
    }
}

void parse_spool(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "dir") c.spool.dir = path_value(v, file, key);
        else if (key == "max_queue") c.spool.max_queue = small(v, file, key, 10'000'000);
        else if (key == "min_free_bytes") c.spool.min_free_bytes = size_value(v, file, key);
        else if (key == "keep_done_hours") c.spool.keep_done = std::chrono::hours(positive(v, file, key));
        else unknown(v, file, key, "spool", "dir, max_queue, min_free_bytes, keep_done_hours");
    }
}

void parse_http(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "enabled") c.http.enabled = bool_value(v, file, key);
        else if (key == "listen") {
            c.http.listen = address_value(v, file, key, false, HostKind::any, Use::listen);
        } else unknown(v, file, key, "http", "enabled, listen");
    }
}

void parse_scan(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "enabled") c.scan.enabled = bool_value(v, file, key);
        else if (key == "clamd") {
            c.scan.clamd = address_value(v, file, key, true, HostKind::any, Use::connect);
        } else if (key == "timeout_seconds") c.scan.timeout = std::chrono::seconds(small(v, file, key, 3600));
        else if (key == "max_bytes") c.scan.max_bytes = size_value(v, file, key);
        else unknown(v, file, key, "scan", "enabled, clamd, timeout_seconds, max_bytes");
    }
}

void parse_log(const toml::table& t, const std::string& file, GatewayConfig& c) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "syslog") c.syslog = bool_value(v, file, key);
        else unknown(v, file, key, "log", "syslog");
    }
}

std::vector<std::string> client_list(const toml::node& v, const std::string& file, const std::string& key) {
    std::vector<std::string> out;
    for (const auto& s : string_list(v, file, key)) {
        auto ip = canonical_ip(s);
        if (!ip)
            throw ConfigError(file, line_of(v), key + ": 「" + s + "」はIPアドレスではありません (" + key + ": '" + s +
                                                    "' is not an IP address)");
        out.push_back(*ip);
    }
    return out;
}

// `inner` is `outer` or lies below it (by path components, after normalising).
bool within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
    auto i = inner.lexically_normal(), o = outer.lexically_normal();
    if (i.empty() || o.empty() || i.is_absolute() != o.is_absolute()) return false;
    auto [oe, ie] = std::mismatch(o.begin(), o.end(), i.begin(), i.end());
    return oe == o.end() || (std::next(oe) == o.end() && oe->empty());
}

// Folders that must not be one another or inside one another: the share's inbound folder inside the
// drop folder would take released files in again, the drop folder inside the quarantine would mix
// held originals with released files, and so on. The key of the toml node to blame, and the message.
std::optional<std::pair<std::string, std::string>> folders_clash(const GatewayConfig& c) {
    struct Folder {
        const char* key;
        const std::filesystem::path* path;
        bool used;
    };
    const Folder folders[] = {{"paths.out", &c.out_dir, true},
                              {"paths.quarantine", &c.quarantine_dir, true},
                              {"share.inbound", &c.share.inbound, c.share.enabled},
                              {"spool.dir", &c.spool.dir, true},
                              {"release.maildir", &c.release.maildir, true}};
    for (const auto& a : folders)
        for (const auto& b : folders) {
            if (&a == &b || !a.used || !b.used) continue;
            if (within(*a.path, *b.path))
                return std::pair{std::string(a.key),
                                 std::string(a.key) + " (" + a.path->string() + ") は " + b.key + " (" + b.path->string() +
                                     ") と同じか、その中にあります。別々のフォルダにしてください (" + a.key + " lies in " + b.key +
                                     "; they must be separate folders)"};
        }
    return std::nullopt;
}

std::filesystem::path anchored(const std::filesystem::path& p, const std::filesystem::path& base) {
    if (p.empty() || p.is_absolute() || base.empty()) return p;
    return (base / p).lexically_normal();
}

}  // namespace

void anchor_paths(GatewayConfig& c, const std::filesystem::path& base) {
    for (auto* p : {&c.out_dir, &c.quarantine_dir, &c.reports_dir, &c.share.inbound, &c.release.maildir, &c.spool.dir})
        *p = anchored(*p, base);
    quarantine::anchor_paths(c.review, base);
}

bool valid_section_name(std::string_view name) {
    if (name.empty() || name.size() > 255 || name == "." || name == ".." || name.front() == '.') return false;
    for (unsigned char ch : name)
        if (ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) return false;
    return true;
}

std::uint32_t GatewayConfig::worker_count() const {
    if (workers > 0) return workers;
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

GatewayConfig parse_config_text(std::string_view text, const std::string& file, const Registry& registry,
                                const std::filesystem::path& base) {
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw ConfigError(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
    }
    GatewayConfig c;
    c.source = file;
    bool lmtp_size_set = false;
    for (const auto& [k, v] : root) {
        std::string key(k.str());
        static const std::set<std::string> other_tables{"limits", "names", "types", "sanitizer",   // engine
                                                        "quarantine", "officer_ui", "audit"};         // review
        if (other_tables.contains(key)) continue;
        const toml::table* t = v.as_table();
        if (!t) throw ConfigError(file, line_of(v), "'" + key + "' must be a table");
        if (key == "paths") parse_paths(*t, file, c);
        else if (key == "worker") parse_worker(*t, file, c);
        else if (key == "share") parse_share(*t, file, c);
        else if (key == "lmtp") { parse_lmtp(*t, file, c); lmtp_size_set = t->contains("max_message_bytes"); }
        else if (key == "release") parse_release(*t, file, c);
        else if (key == "spool") parse_spool(*t, file, c);
        else if (key == "http") parse_http(*t, file, c);
        else if (key == "log") parse_log(*t, file, c);
        else if (key == "scan") parse_scan(*t, file, c);
        else if (key == "converter") parse_converter(*t, file, c);
        else
            throw ConfigError(file, line_of(v), "unknown table [" + key +
                                                    "] (known: paths, worker, converter, share, lmtp, release, spool, http, log, scan, "
                                                    "limits, names, types, sanitizer, quarantine, officer_ui, audit)");
    }
    c.policy = parse_policy(root, file, registry);
    try {
        c.review = quarantine::parse_quarantine_config(text, file, base);
    } catch (const quarantine::QuarantineConfigError& e) {
        throw ConfigError(file, e.what());
    }
    anchor_paths(c, base);
    if (auto clash = folders_clash(c)) {
        const toml::node* n = root.at_path(clash->first).node();
        throw ConfigError(file, n ? line_of(*n) : 0, clash->second);
    }
    // The worker's wall clock must leave the engine room to spend its own time budget and report.
    auto engine_budget = std::chrono::duration_cast<std::chrono::milliseconds>(c.policy.limits.time_budget);
    if (c.worker.wall < engine_budget) c.worker.wall = engine_budget + std::chrono::seconds(5);
    // A resend is recognised by the job it duplicates: that job's tombstone must outlive the window. A
    // window set larger is an error; the default shrinks to a shorter keep_done_hours.
    if (c.lmtp.resend_window > c.spool.keep_done) {
        const toml::node* set = root.at_path("lmtp.resend_window_hours").node();
        if (set) throw ConfigError(file, line_of(*set), "[lmtp] resend_window_hours must not exceed [spool] keep_done_hours");
        c.lmtp.resend_window = std::chrono::duration_cast<std::chrono::hours>(c.spool.keep_done);
    }
    // A mail larger than the engine accepts would only be quarantined as too large: refuse it at the
    // door instead (552), where the sender learns of it.
    if (!lmtp_size_set) c.lmtp.max_message_bytes = std::min(c.lmtp.max_message_bytes, c.policy.limits.max_input_bytes);
    return c;
}

GatewayConfig load_config(const std::filesystem::path& file, const Registry& registry) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string(), 0, "cannot read the configuration file");
    std::ostringstream ss;
    ss << in.rdbuf();
    // Relative paths are the file's, not the working directory's: the same file means the same folders
    // wherever the command runs.
    return parse_config_text(ss.str(), file.string(), registry, std::filesystem::absolute(file).parent_path());
}

}  // namespace mugaika
