#include "quarantine_fixture.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace mugaika::test {
namespace fs = std::filesystem;
using namespace mugaika::quarantine;

namespace {

std::string find_pg_bin() {
    for (const char* v : {"17", "16", "15", "14", "13"}) {
        std::string b = std::string("/usr/lib/postgresql/") + v + "/bin";
        if (fs::exists(b + "/initdb") && fs::exists(b + "/pg_ctl")) return b;
    }
    return {};
}

}  // namespace

PostgresServer::PostgresServer() {
    bin = find_pg_bin();
    if (bin.empty()) {
        why_not = "PostgreSQL server binaries not found (apt-get install postgresql)";
        return;
    }
    char tmpl[] = "/tmp/mugaika-pg-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        why_not = "mkdtemp failed";
        return;
    }
    dir = tmpl;
    // PostgreSQL refuses to run as root: run it as the postgres user then.
    as_postgres_user = ::geteuid() == 0;
    std::string prefix = as_postgres_user ? "runuser -u postgres -- " : "";
    if (as_postgres_user && std::system(("chown postgres " + shell_quote(dir.string())).c_str()) != 0) {
        why_not = "cannot hand the temp folder to the postgres user";
        return;
    }
    int port = free_loopback_port();
    std::string data = (dir / "data").string();
    std::string init = prefix + bin + "/initdb -D " + shell_quote(data) +
                       " -A trust -U postgres -E UTF8 --no-sync >" + shell_quote((dir / "initdb.log").string()) + " 2>&1";
    if (std::system(init.c_str()) != 0) {
        why_not = "initdb failed (see " + (dir / "initdb.log").string() + ")";
        return;
    }
    std::string start = prefix + bin + "/pg_ctl -D " + shell_quote(data) + " -w -t 60 -l " +
                        shell_quote((dir / "server.log").string()) + " -o " +
                        shell_quote("-p " + std::to_string(port) + " -k " + dir.string() +
                                    " -c listen_addresses=127.0.0.1 -c fsync=off") +
                        " start >/dev/null 2>&1";
    if (std::system(start.c_str()) != 0) {
        why_not = "pg_ctl start failed (see " + (dir / "server.log").string() + ")";
        return;
    }
    conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=postgres";
}

PostgresServer::~PostgresServer() {
    if (!conninfo.empty()) {
        std::string prefix = as_postgres_user ? "runuser -u postgres -- " : "";
        std::string stop = prefix + bin + "/pg_ctl -D " + shell_quote((dir / "data").string()) +
                           " -m immediate -w stop >/dev/null 2>&1";
        [[maybe_unused]] int rc = std::system(stop.c_str());
    }
    if (!dir.empty()) {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
}

std::string sample_report(const std::string& name, const std::string& detail) {
    nlohmann::ordered_json r;
    r["schema"] = "mugaika.report/1";
    r["input"] = {{"name", name}, {"size", 10}, {"sha256", std::string(64, 'a')}};
    r["detected_type"] = "docm";
    r["verdict"] = "quarantined";
    r["reason"] = {{"code", "ooxml.vba"}, {"message_ja", "マクロを含むため隔離しました。"}, {"detail", detail}};
    r["findings"] = nlohmann::ordered_json::array(
        {{{"where", "word/vbaProject.bin"}, {"kind", "ooxml.vba"}, {"action", "blocked"}, {"detail", detail},
          {"ja", "マクロ(VBA)が含まれていました。"}}});
    r["summary_ja"] = "隔離しました: マクロ(VBA)を含む";
    return r.dump();
}

QuarantineWorld::QuarantineWorld(std::string db_url, ReviewOptions options) {
    if (db_url.empty()) db_url = "sqlite:" + (tmp.path / "db" / "quarantine.db").string();
    SecretKey key = SecretKey::load_or_create(tmp.path / "keys" / "quarantine.key", store_dir());
    db = std::make_unique<Database>(db_url);
    blobs = std::make_unique<BlobStore>(store_dir(), key);
    store = std::make_unique<ItemStore>(*db, *blobs);
    users = std::make_unique<Users>(*db, key, LockoutPolicy{5, 900});
    audit = std::make_unique<AuditLog>(audit_file(), false);
    audit->set_clock([this] { return clock * 1000; });
    sink = std::make_unique<RecordingSink>(drop_dir().string());
    service = std::make_unique<ReviewService>(*store, *users, *audit, *sink, options);
    service->set_clock([this] { return clock; });
}

QuarantineWorld::~QuarantineWorld() = default;

void QuarantineWorld::add_user(const std::string& name, Role role, const std::string& password) {
    if (users->count() == 0) {
        // The first account comes from the local bootstrap and must be an admin.
        admin_name = role == Role::admin ? name : "root-admin";
        NewSecret s = service->bootstrap_admin(admin_name, role == Role::admin ? password : "root admin password");
        secrets[admin_name] = totp::base32_decode(s.base32);
        if (role == Role::admin) return;
    }
    Enrolment e = service->add_user(admin(), name, role);
    enrol(name, e.code, password);
    if (users->find(name)->pending_role) {
        if (second_admin.empty()) {
            second_admin = "root-admin2";
            NewSecret s = service->bootstrap_admin(second_admin, "second root admin password");
            secrets[second_admin] = totp::base32_decode(s.base32);
        }
        service->confirm_role(Actor{second_admin, Role::admin, "test"}, name);
    }
}

void QuarantineWorld::enrol(const std::string& name, const std::string& code, const std::string& password) {
    NewSecret s = service->begin_enrolment(name, code, "test");
    secrets[name] = totp::base32_decode(s.base32);
    service->finish_enrolment(name, code, password, this->code(name, clock), "test");
}

Decision QuarantineWorld::decision(const std::string& item_id, const std::string& note, bool confirm_original) {
    auto q = store->pending_request(item_id);
    if (!q) return Decision{"", "", note, confirm_original};
    return Decision{q->id, q->kind, note, confirm_original};
}

std::string QuarantineWorld::code(const std::string& name, std::int64_t at) const {
    return totp::code_at(secrets.at(name), totp::step_of(at));
}

Actor QuarantineWorld::login(const std::string& name, const std::string& password) {
    clock += totp::step_seconds;
    return service->login(name, password, code(name, clock), "test");
}

Item QuarantineWorld::hold(const std::string& bytes, const std::string& name, const std::string& detail) {
    HoldRequest r;
    r.original = bytes;
    r.report_json = sample_report(name, detail);
    r.section = "総務課";
    r.sender = "sender@example.jp";
    r.recipients = {"somu@city.example.lg.jp"};
    return service->hold(r);
}

std::vector<nlohmann::json> QuarantineWorld::audit_lines() const { return read_audit_tail(audit_file(), 100000); }

std::vector<nlohmann::json> QuarantineWorld::audit_lines(const std::string& action, const std::string& outcome) const {
    std::vector<nlohmann::json> out;
    for (auto& j : audit_lines())
        if (j["action"] == action && (outcome.empty() || j["outcome"] == outcome)) out.push_back(j);
    return out;
}

}  // namespace mugaika::test
