// A real Postfix in front of the gateway: a private instance (its own configuration and queue folder,
// loopback ports only) whose smtpd hands every mail to `mugaika serve` through
// content_filter = mugaika:inet:[127.0.0.1]:PORT, with the master.cf entry of docs/service.md. Mail
// sent with swaks reaches the gateway; with the gateway stopped Postfix defers it and delivers it once
// the gateway is back: nothing is lost.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

unsigned short free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool have(const std::string& tool) { return run("command -v " + tool + " >/dev/null 2>&1").status == 0; }

class PrivatePostfix {
public:
    PrivatePostfix(const fs::path& dir, unsigned short smtp_port, unsigned short lmtp_port) : dir_(dir), port_(smtp_port) {
        fs::create_directories(dir / "queue");
        fs::create_directories(dir / "data");
        // Postfix's own checks: the data directory belongs to mail_owner.
        run("chown postfix " + shell_quote((dir / "data").string()));
        std::string d = dir.string();
        write_file(dir / "main.cf",
                   "compatibility_level = 3.6\n"
                   "queue_directory = " + d + "/queue\n"
                   "data_directory = " + d + "/data\n"
                   "mail_owner = postfix\nsetgid_group = postdrop\n"
                   "myhostname = relay.mugaika-test.invalid\nmydomain = mugaika-test.invalid\n"
                   "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n"
                   "mydestination =\nlocal_recipient_maps =\nalias_maps =\nalias_database =\n"
                   "mynetworks = 127.0.0.0/8\nrelay_domains = lg.example\n"
                   "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
                   "content_filter = mugaika:inet:[127.0.0.1]:" + std::to_string(lmtp_port) + "\n"
                   "queue_run_delay = 1s\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n"
                   "lmtp_connect_timeout = 5s\n"
                   "maillog_file_prefixes = " + d + "\nmaillog_file = " + d + "/maillog\n"
                   "smtputf8_enable = no\nbiff = no\n");
        // Only what this test needs, none of it chrooted, smtpd on a loopback port of its own.
        write_file(dir / "master.cf",
                   "127.0.0.1:" + std::to_string(smtp_port) + " inet n - n - - smtpd\n"
                   "pickup    unix  n - n 60 1 pickup\n"
                   "cleanup   unix  n - n - 0 cleanup\n"
                   "qmgr      unix  n - n 300 1 qmgr\n"
                   "tlsmgr    unix  - - n 1000? 1 tlsmgr\n"
                   "rewrite   unix  - - n - - trivial-rewrite\n"
                   "bounce    unix  - - n - 0 bounce\n"
                   "defer     unix  - - n - 0 bounce\n"
                   "trace     unix  - - n - 0 bounce\n"
                   "verify    unix  - - n - 1 verify\n"
                   "flush     unix  n - n 1000? 0 flush\n"
                   "proxymap  unix  - - n - - proxymap\n"
                   "smtp      unix  - - n - - smtp\n"
                   "relay     unix  - - n - - smtp\n"
                   "showq     unix  n - n - - showq\n"
                   "error     unix  - - n - - error\n"
                   "retry     unix  - - n - - error\n"
                   "discard   unix  - - n - - discard\n"
                   "local     unix  - n n - - local\n"
                   "lmtp      unix  - - n - - lmtp\n"
                   // The transport docs/service.md tells a site to add, maxproc = the worker pool.
                   "mugaika   unix  - - n - 2 lmtp\n  -o lmtp_data_done_timeout=1200s\n"
                   "anvil     unix  - - n - 1 anvil\n"
                   "scache    unix  - - n - 1 scache\n"
                   "postlog   unix-dgram n - n - 1 postlogd\n");
    }
    ~PrivatePostfix() { stop(); }

    std::string conf() const { return shell_quote(dir_.string()); }
    bool start() {
        auto r = run("postfix -c " + conf() + " start 2>&1");
        started_ = r.status == 0;
        if (!started_) MESSAGE((std::string("postfix start: ") + r.out));
        return started_ && wait_for([&] { return smtp_ready(); }, std::chrono::seconds(30));
    }
    void stop() {
        if (started_) run("postfix -c " + conf() + " stop >/dev/null 2>&1");
        started_ = false;
    }
    bool smtp_ready() const {
        return run("swaks --server 127.0.0.1:" + std::to_string(port_) + " --quit-after CONNECT >/dev/null 2>&1").status == 0;
    }
    CommandResult send(const std::string& subject, const std::string& body) const {
        return run("swaks --server 127.0.0.1:" + std::to_string(port_) +
                   " --from sender@example.jp --to staff@lg.example --header " + shell_quote("Subject: " + subject) +
                   " --body " + shell_quote(body) + " 2>&1");
    }
    void flush() const { run("postqueue -c " + conf() + " -f >/dev/null 2>&1"); }
    std::string maillog() const { return read_whole(dir_ / "maillog"); }

private:
    fs::path dir_;
    unsigned short port_;
    bool started_ = false;
};

std::vector<nlohmann::json> mail_reports(const ServiceProcess& s) {
    std::vector<nlohmann::json> out;
    for (const auto& f : files_in(s.path("reports"))) {
        auto j = nlohmann::json::parse(read_whole(f));
        if (j["job"]["source"] == "mail") out.push_back(j);
    }
    return out;
}

// The plain mail swaks sends is disarmed (made text-only) and reaches the LGWAN side, the Maildir,
// carrying its X-Mugaika-ID; it is not held.
void check_landed(const ServiceProcess& s, const nlohmann::json& report) {
    std::string id = report["job_id"];
    CHECK(report["verdict"] != "quarantined");
    bool found = false;
    for (const auto& f : files_in(s.path("mail/new"))) {
        std::string mail = read_whole(f);
        if (mail.starts_with("X-Mugaika-ID: " + id + "\n")) {
            found = true;
            CHECK(mail.find("X-Mugaika-Sanitized:") != std::string::npos);
        }
    }
    CHECK_MESSAGE(found, (std::string("released mail ") + id + " is not in the Maildir"));
}

}  // namespace

TEST_CASE("postfix: mail relayed by a real Postfix reaches the gateway and is deferred while it is down") {
    if (!have("postfix") || !have("swaks") || ::geteuid() != 0) {
        MESSAGE("skipped: needs root and the postfix and swaks packages (scripts/install-deps.sh --test)");
        return;
    }
    unsigned short lmtp = free_port(), smtp = free_port();
    ServiceProcess s("[lmtp]\nlisten = \"127.0.0.1:" + std::to_string(lmtp) + "\"\n");
    s.start();
    TempDir pfdir;
    PrivatePostfix postfix(pfdir.path, smtp, lmtp);
    REQUIRE(postfix.start());

    auto r = postfix.send("first", "hello from the Internet side");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    REQUIRE_MESSAGE(wait_for([&] { return mail_reports(s).size() == 1; }), postfix.maillog());
    auto first = mail_reports(s)[0];
    CHECK(first["job"]["sender"] == "sender@example.jp");
    CHECK(first["job"]["recipients"] == nlohmann::json::array({"staff@lg.example"}));
    check_landed(s, first);

    // Gateway down: Postfix accepts the mail and keeps it (deferred), nothing is lost.
    CHECK(s.term() == 0);
    r = postfix.send("second", "sent while the gateway was stopped");
    REQUIRE_MESSAGE(r.status == 0, r.out);
    REQUIRE_MESSAGE(wait_for([&] { return postfix.maillog().find("status=deferred") != std::string::npos; }), postfix.maillog());

    s.start();
    REQUIRE(wait_for([&] {
        postfix.flush();
        return mail_reports(s).size() == 2;
    }, std::chrono::seconds(90)));
    auto reports = mail_reports(s);
    for (const auto& rep : reports) check_landed(s, rep);
    CHECK(reports[0]["job_id"] != reports[1]["job_id"]);
    CHECK(postfix.maillog().find("status=sent") != std::string::npos);
    CHECK(s.term() == 0);
}
