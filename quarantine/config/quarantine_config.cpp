#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <system_error>
#include <set>
#include <sstream>

#include "mugaika/quarantine/quarantine_config.hpp"
#include "mugaika/endpoint.hpp"
#include "mugaika/quarantine/release_sink.hpp"

namespace mugaika::quarantine {
namespace {

struct Ctx {
    const std::string& file;
    [[noreturn]] void fail(const toml::node& n, const std::string& what) const {
        throw QuarantineConfigError(file + ":" + std::to_string(n.source().begin.line) + ": " + what);
    }
    std::string text(const toml::node& v, const std::string& key, bool may_be_empty = false) const {
        auto s = v.value<std::string>();
        if (!s || (!may_be_empty && s->empty())) fail(v, key + " must be a non-empty string");
        return *s;
    }
    std::int64_t integer(const toml::node& v, const std::string& key, std::int64_t lo, std::int64_t hi) const {
        auto i = v.value<std::int64_t>();
        if (!i || *i < lo || *i > hi)
            fail(v, key + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
        return *i;
    }
    std::filesystem::path path(const toml::node& v, const std::string& key, bool may_be_empty = false) const {
        std::string s = text(v, key, may_be_empty);
        for (unsigned char ch : s)
            if (ch < 0x20 || ch == 0x7f) fail(v, key + ": パスに制御文字があります (the path has a control character)");
        return s;
    }
    bool boolean(const toml::node& v, const std::string& key) const {
        auto b = v.value<bool>();
        if (!b || !v.is_boolean()) fail(v, key + " must be true or false");
        return *b;
    }
};

void parse_quarantine(const toml::table& t, const Ctx& c, QuarantineConfig& q) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "store_dir") q.store_dir = c.path(v, key);
        else if (key == "db") {
            q.db = c.text(v, key);
            if (q.db.rfind("sqlite:", 0) != 0 && q.db.rfind("postgresql:", 0) != 0)
                c.fail(v, "db must start with sqlite: or postgresql:");
            if (q.db == "sqlite:") c.fail(v, "db: sqlite: の後にデータベースのファイルを指定してください (db: sqlite: needs the database file)");
        } else if (key == "key_file") q.key_file = c.path(v, key);
        else if (key == "retention_days") q.retention_days = static_cast<int>(c.integer(v, key, 1, 36500));
        else if (key == "purge_interval_minutes")
            q.purge_interval_minutes = static_cast<int>(c.integer(v, key, 1, 1440));
        else if (key == "four_eyes") q.four_eyes = c.boolean(v, key);
        else if (key == "release_kinds") {
            const toml::array* a = v.as_array();
            if (!a) c.fail(v, "release_kinds must be an array of strings");
            q.release_kinds.clear();
            for (const auto& e : *a) {
                std::string kind = c.text(e, "release_kinds[]");
                if (!is_known_release_kind(kind))
                    c.fail(e, "unknown release kind '" + kind + "' (known: original, resanitize, pixels, ppap)");
                q.release_kinds.push_back(kind);
            }
        } else if (key == "release_dir") q.release_dir = c.path(v, key);
        else if (key == "max_failed_logins") q.max_failed_logins = static_cast<int>(c.integer(v, key, 1, 100));
        else if (key == "lockout_minutes") q.lockout_minutes = static_cast<int>(c.integer(v, key, 1, 10080));
        else if (key == "enrolment_hours") q.enrolment_hours = static_cast<int>(c.integer(v, key, 1, 72));
        else
            c.fail(v, "unknown key '" + key + "' in [quarantine] (known: store_dir, db, key_file, retention_days,"
                      " purge_interval_minutes, four_eyes, release_kinds, release_dir, max_failed_logins, lockout_minutes,"
                      " enrolment_hours)");
    }
}

void parse_listen(const toml::node& v, const Ctx& c, QuarantineConfig& q) {
    std::string s = c.text(v, "listen");
    Endpoint e;
    try {
        e = parse_endpoint(s, false, HostKind::any, Use::connect);   // a real port: people type it into a browser
    } catch (const EndpointError& err) {
        c.fail(v, "listen " + err.ja + " (listen " + err.what() + ")");
    }
    q.ui_host = e.host;
    q.ui_port = e.port;
}

void parse_ui(const toml::table& t, const Ctx& c, QuarantineConfig& q) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "listen") parse_listen(v, c, q);
        else if (key == "tls_cert") q.tls_cert = c.path(v, key, true);
        else if (key == "tls_key") q.tls_key = c.path(v, key, true);
        else if (key == "session_idle_minutes") q.session_idle_minutes = static_cast<int>(c.integer(v, key, 1, 480));
        else if (key == "session_max_hours") q.session_max_hours = static_cast<int>(c.integer(v, key, 1, 24));
        else if (key == "max_form_bytes") q.max_form_bytes = static_cast<std::size_t>(c.integer(v, key, 1024, 16 << 20));
        else
            c.fail(v, "unknown key '" + key + "' in [officer_ui] (known: listen, tls_cert, tls_key,"
                      " session_idle_minutes, session_max_hours, max_form_bytes)");
    }
}

void parse_audit(const toml::table& t, const Ctx& c, QuarantineConfig& q) {
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "file") q.audit_file = c.path(v, key);
        else if (key == "syslog") q.audit_syslog = c.boolean(v, key);
        else c.fail(v, "unknown key '" + key + "' in [audit] (known: file, syslog)");
    }
}

}  // namespace

bool is_loopback_host(const std::string& h) {
    return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

namespace {

std::filesystem::path anchored(const std::filesystem::path& p, const std::filesystem::path& base) {
    if (p.empty() || p.is_absolute() || base.empty()) return p;
    return (base / p).lexically_normal();
}

bool inside(const std::filesystem::path& inner, const std::filesystem::path& outer) {
    auto i = inner.lexically_normal(), o = outer.lexically_normal();
    if (i.is_absolute() != o.is_absolute()) return false;
    auto [oe, ie] = std::mismatch(o.begin(), o.end(), i.begin(), i.end());
    return oe == o.end() || (std::next(oe) == o.end() && oe->empty());
}

}  // namespace

void anchor_paths(QuarantineConfig& q, const std::filesystem::path& base) {
    for (auto* p : {&q.store_dir, &q.key_file, &q.release_dir, &q.tls_cert, &q.tls_key, &q.audit_file}) *p = anchored(*p, base);
    if (q.db.rfind("sqlite:", 0) == 0) q.db = "sqlite:" + anchored(q.db.substr(7), base).string();
}

namespace {

// What can only be judged with every path known: the key outside the store (a copy of the store must
// not carry its key).
void check_paths(const toml::table& root, const Ctx& c, const QuarantineConfig& q, bool on_disk) {
    auto node = [&](const char* path) -> const toml::node* { return root.at_path(path).node(); };
    if (inside(q.key_file, q.store_dir)) {
        const toml::node* n = node("quarantine.key_file");
        if (!n) n = node("quarantine.store_dir");
        std::string what = "key_file (" + q.key_file.string() + ") は store_dir (" + q.store_dir.string() +
                           ") の外に置いてください (key_file must lie outside store_dir)";
        if (n) c.fail(*n, what);
        throw QuarantineConfigError(c.file + ": " + what);
    }
    // The TLS files are not checked for here: only the officer UI reads them (and says so at its start);
    // the service, which loads the same file, may run where they are not mounted (the container).
    (void)on_disk;
}

}  // namespace

QuarantineConfig parse_quarantine_config(std::string_view text, const std::string& file, const std::filesystem::path& base) {
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw QuarantineConfigError(file + ":" + std::to_string(e.source().begin.line) + ": " +
                                    std::string(e.description()));
    }
    QuarantineConfig q;
    q.source = file;
    Ctx c{file};
    auto table = [&](const char* name) -> const toml::table* {
        const toml::node* n = root.get(name);
        if (!n) return nullptr;
        if (!n->as_table()) c.fail(*n, std::string("'") + name + "' must be a table");
        return n->as_table();
    };
    if (auto t = table("quarantine")) parse_quarantine(*t, c, q);
    if (auto t = table("officer_ui")) parse_ui(*t, c, q);
    if (auto t = table("audit")) parse_audit(*t, c, q);
    if (q.tls_cert.empty() != q.tls_key.empty())
        throw QuarantineConfigError(file + ": [officer_ui] tls_cert and tls_key must be given together");
    anchor_paths(q, base);
    check_paths(root, c, q, !base.empty());
    return q;
}

QuarantineConfig load_quarantine_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw QuarantineConfigError(file.string() + ": cannot read the configuration file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_quarantine_config(ss.str(), file.string(), std::filesystem::absolute(file).parent_path());
}

}  // namespace mugaika::quarantine
