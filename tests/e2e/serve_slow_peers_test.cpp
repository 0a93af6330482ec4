// Slow and hostile peers: a next hop that trickles its replies, LMTP clients that trickle their
// commands or never read their replies. Deadlines per request, SMTP delivery in threads of its own and
// a shutdown deadline keep the service moving: other items are released, a normal client is served,
// SIGTERM ends the service, and nothing accepted is lost.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "fake_mta.hpp"
#include "fixtures.hpp"
#include "lmtp_client.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

// A next hop that answers every connection with its greeting one byte at a time.
class TricklingMta {
public:
    TricklingMta() {
        fd_ = listen_loopback(port_);
        thread_ = std::thread([this] {
            while (!stop_) {
                int c = ::accept(fd_, nullptr, nullptr);
                if (c < 0) return;
                ++connections;
                for (char ch : std::string("220 slow.example ESMTP at your service\r\n")) {
                    if (stop_ || ::send(c, &ch, 1, MSG_NOSIGNAL) != 1) break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(400));
                }
                ::close(c);
            }
        });
    }
    ~TricklingMta() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::atomic<int> connections{0};

private:
    int fd_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
};

const std::string mail = "From: a@example.jp\r\nTo: b@lg.jp\r\nSubject: relayed\r\n\r\nhello\r\n";

std::string deliver_mail(unsigned short port, const std::string& body = mail) {
    RawClient c(port);
    c.reply();
    c.send("LHLO x\r\nMAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nDATA\r\n");
    for (int i = 0; i < 3; ++i) c.reply();
    if (!c.reply().starts_with("354 ")) return "";
    c.send(body + ".\r\n");
    std::string r = c.reply();
    c.send("QUIT\r\n");
    return r;
}

std::vector<nlohmann::json> audit_verdicts(const ServiceProcess& s) {
    std::vector<nlohmann::json> out;
    std::ifstream in(s.path("audit/audit.log"));
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["action"] == "item.verdict") out.push_back(j);
    }
    return out;
}

}  // namespace

TEST_CASE("serve: a next hop trickling its replies holds neither the workers nor the mail") {
    TricklingMta slow;
    ServiceProcess s("[worker]\ncount = 1\n[release]\nsmtp_next_hop = \"" + slow.address() +
                     "\"\nsmtp_timeout_seconds = 2\nsmtp_connections = 1\n");
    s.start();
    REQUIRE(deliver_mail(s.lmtp_port()).starts_with("250 "));
    REQUIRE(deliver_mail(s.lmtp_port(), mail + "second\r\n").starts_with("250 "));
    REQUIRE(wait_for([&] { return slow.connections > 0; }));
    // The one disarm worker goes on with share files while the mail waits for the next hop.
    for (int i = 0; i < 5; ++i) drop(s.path("in/総務課"), "file" + std::to_string(i) + ".txt", "text " + std::to_string(i) + "\n");
    REQUIRE(wait_for([&] { return visible_files(s.path("out/総務課")).size() == 5; }));
    REQUIRE(wait_for([&] { return s.current_log().find("greeting: no complete reply within the timeout") != std::string::npos; }));
    // The share files finish (their verdict lines come just after the release); the mail is kept, not lost.
    CHECK(wait_for([&] { return count_entries(s.path("spool/active")) == 2; }));
    CHECK(s.alive());

    // A next hop that answers: the waiting mail goes out, each once, with its X-Mugaika-ID.
    FakeMta good("250 2.1.5 ok");
    std::string cfg = read_whole(s.config_file());
    cfg.replace(cfg.find(slow.address()), slow.address().size(), good.address());
    write_file(s.config_file(), cfg);
    s.hup();
    REQUIRE(wait_for([&] { return good.messages.size() == 2; }, std::chrono::seconds(120)));
    REQUIRE(wait_for([&] { return count_entries(s.path("spool/active")) == 0; }));
    CHECK(good.messages[0].starts_with("X-Mugaika-ID: "));
    CHECK(good.messages[0].substr(0, 50) != good.messages[1].substr(0, 50));
    CHECK(s.term() == 0);
}

TEST_CASE("serve: mail the next hop refuses is held, and its audit line gives the reason") {
    FakeMta refusing("550 5.1.1 no such user");
    ServiceProcess s("[release]\nsmtp_next_hop = \"" + refusing.address() + "\"\n");
    s.start();
    REQUIRE(deliver_mail(s.lmtp_port()).starts_with("250 "));
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 1; }));
    auto held = s.held_items();
    REQUIRE(held.size() == 1);
    CHECK(held[0].reason == "relay.rejected");
    auto v = audit_verdicts(s);
    REQUIRE(v.size() == 1);
    CHECK(v[0]["detail"]["verdict"] == "quarantined");
    CHECK(v[0]["detail"]["reason"] == "relay.rejected");
    CHECK(refusing.messages.empty());
    CHECK(s.term() == 0);
}

TEST_CASE("serve: SIGTERM with an LMTP client that never reads: the service ends at its shutdown deadline, nothing lost") {
    // A long request deadline: what ends the session is the shutdown deadline.
    ServiceProcess s("[lmtp]\ntimeout_seconds = 600\nshutdown_seconds = 2\n");
    s.start();
    REQUIRE(deliver_mail(s.lmtp_port()).starts_with("250 "));   // accepted before the stop
    // A client with a tiny receive buffer that pipelines commands and reads nothing: our replies fill
    // its window and our send buffer, and the session blocks writing them.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(s.lmtp_port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    std::string lhlo;
    for (int i = 0; i < 200; ++i) lhlo += "LHLO a-client-that-never-reads.example\r\n";
    std::size_t sent = 0;
    auto blocked_since = std::chrono::steady_clock::now();
    // Until the server stops taking our commands (it is stuck writing replies) for a good while.
    while (std::chrono::steady_clock::now() - blocked_since < std::chrono::seconds(2) && sent < (64u << 20)) {
        ssize_t n = ::send(fd, lhlo.data(), lhlo.size(), MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            blocked_since = std::chrono::steady_clock::now();
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    REQUIRE(sent < (64u << 20));
    s.signal(SIGTERM);
    // Bounded: without a shutdown deadline this never ends.
    REQUIRE(wait_for([&] { return !s.alive(); }, std::chrono::seconds(60)));
    CHECK(s.exit_status() == 0);
    CHECK(s.current_log().find("still open after 2 s of shutdown; closing them") != std::string::npos);
    ::close(fd);
    // Nothing lost: the mail accepted before the stop is processed after the restart (if not before).
    s.start();
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 1; }));
    CHECK(count_entries(s.path("spool/active")) + count_entries(s.path("spool/incoming")) == 0);
    CHECK(s.term() == 0);
}

TEST_CASE("serve: twenty clients trickling bytes do not keep a normal client from being served") {
    ServiceProcess s("[lmtp]\ntimeout_seconds = 2\nmax_connections = 16\n");
    s.start();
    std::atomic<bool> stop{false};
    std::vector<std::thread> tricklers;
    for (int i = 0; i < 20; ++i)
        tricklers.emplace_back([&] {
            try {
                RawClient c(s.lmtp_port());
                for (char ch : std::string("LHLO trickle.example\r\nMAIL FROM:<a@example.jp>\r\n")) {
                    if (stop || !c.send(std::string(1, ch))) return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(500));
                }
            } catch (const std::exception&) {
            }
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));   // every slot taken
    // The normal client may be turned away (421, too many connections) until the tricklers' requests
    // run out of time; then it is served.
    bool served = wait_for([&] { return deliver_mail(s.lmtp_port()).starts_with("250 "); }, std::chrono::seconds(60));
    stop = true;
    for (auto& t : tricklers) t.join();
    CHECK(served);
    CHECK(s.current_log().find("ended: deadline passed") != std::string::npos);
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 1; }));
    CHECK(s.alive());
    CHECK(s.term() == 0);
}
