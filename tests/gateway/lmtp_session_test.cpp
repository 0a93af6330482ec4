// The LMTP conversation on a socket pair: only <CR><LF>.<CR><LF> ends DATA, a bare <LF> or <CR> is
// refused (SMTP smuggling: no second message hidden inside the first), and every request is bounded by
// a deadline however slowly the client trickles its bytes.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "lmtp/session.hpp"
#include "net/deadline_io.hpp"

using namespace mugaika;
namespace {

struct Delivered {
    lmtp::Envelope env;
    std::string message;
};

// Runs one session on one end of a socket pair; the test speaks on the other.
class Conversation {
public:
    explicit Conversation(LmtpConfig cfg = {}) : cfg_(std::move(cfg)) {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_) == 0);
        net::set_nonblocking(fds_[1]);
        server_ = std::thread([this] {
            lmtp::LineReader reader(fds_[1]);
            lmtp::SessionHooks h;
            h.send = [this](const std::string& s) {
                if (net::send_all(fds_[1], s + "\r\n", net::after(std::chrono::seconds(5)), -1) != net::IoStatus::ok)
                    throw lmtp::PeerGone("test peer");
            };
            h.intake_problem = [] { return std::string(); };
            h.deliver = [this](const lmtp::Envelope& env, std::string&& m) {
                std::lock_guard lock(mutex_);
                delivered_.push_back({env, m});
                return std::string("250 2.0.0 queued");
            };
            why_ = lmtp::run_session(reader, cfg_, h, "test");
            ::shutdown(fds_[1], SHUT_RDWR);
        });
    }
    ~Conversation() {
        ::shutdown(fds_[0], SHUT_RDWR);
        if (server_.joinable()) server_.join();
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    void send(const std::string& s) { (void)!::send(fds_[0], s.data(), s.size(), MSG_NOSIGNAL); }
    // Every reply line the server sends until it closes the connection.
    std::vector<std::string> replies_until_closed() {
        std::string all;
        char buf[4096];
        ssize_t n;
        while ((n = ::recv(fds_[0], buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<std::size_t>(n));
        std::vector<std::string> out;
        for (std::size_t at = 0, nl; (nl = all.find("\r\n", at)) != std::string::npos; at = nl + 2)
            out.push_back(all.substr(at, nl - at));
        return out;
    }
    std::string finish() {
        server_.join();
        return why_;
    }
    std::vector<Delivered> delivered() {
        std::lock_guard lock(mutex_);
        return delivered_;
    }

private:
    LmtpConfig cfg_;
    int fds_[2];
    std::thread server_;
    std::mutex mutex_;
    std::vector<Delivered> delivered_;
    std::string why_;
};

const std::string head = "LHLO client\r\nMAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nDATA\r\n";
const std::string smuggled = "MAIL FROM:<evil@example.jp>\r\nRCPT TO:<victim@lg.jp>\r\nDATA\r\nSubject: smuggled\r\n\r\nsecond\r\n";

bool any_starts_with(const std::vector<std::string>& lines, const std::string& prefix) {
    for (const auto& l : lines)
        if (l.starts_with(prefix)) return true;
    return false;
}

}  // namespace

TEST_CASE("lmtp session: only <CR><LF>.<CR><LF> ends DATA, every smuggling variant is refused whole") {
    // Each variant hides an end of data of some other dialect, then a second transaction, then the
    // real end of data. None may deliver anything, least of all the smuggled envelope.
    const std::vector<std::pair<std::string, std::string>> variants{
        {"<LF>.<LF>", "Subject: one\r\n\r\nfirst\n.\n"},
        {"<CR><LF>.<LF>", "Subject: one\r\n\r\nfirst\r\n.\n"},
        {"<LF>.<CR><LF>", "Subject: one\r\n\r\nfirst\n.\r\n"},
        {"<CR>.<CR>", "Subject: one\r\n\r\nfirst\r.\r"},
        {"<CR><LF>.<CR>", "Subject: one\r\n\r\nfirst\r\n.\r"},
        {"<CR>.<CR><LF>", "Subject: one\r\n\r\nfirst\r.\r\n"},
        {"<LF>.<CR>", "Subject: one\r\n\r\nfirst\n.\r"},
        {"<CR><CR><LF>.<CR><LF>", "Subject: one\r\n\r\nfirst\r\r\n.\r\n"},
        {"bare <LF> in a header", "Subject: one\nX: y\r\n\r\nfirst\r\n.\r\n"},
    };
    for (const auto& [what, body] : variants) {
        CAPTURE(what);
        Conversation c;
        c.send(head + body + smuggled + ".\r\nQUIT\r\n");
        auto replies = c.replies_until_closed();
        CHECK(any_starts_with(replies, "354 "));
        CHECK(any_starts_with(replies, "550 5.5.2 Error: bare <"));
        CHECK_FALSE(any_starts_with(replies, "250 2.0.0 queued"));
        CHECK_FALSE(any_starts_with(replies, "221 "));   // cut off: QUIT is never read
        CHECK(c.finish() == "bare line end in data");
        CHECK(c.delivered().empty());
    }
}

TEST_CASE("lmtp session: pipelined transactions after a proper end of data are each delivered once") {
    Conversation c;
    c.send(head + "Subject: one\r\n\r\n..dot\r\nfirst\r\n.\r\n" +
           "MAIL FROM:<c@example.jp>\r\nRCPT TO:<d@lg.jp>\r\nDATA\r\nSubject: two\r\n\r\nsecond\r\n.\r\nQUIT\r\n");
    auto replies = c.replies_until_closed();
    CHECK(replies.back() == "221 2.0.0 bye");
    auto d = c.delivered();
    REQUIRE(d.size() == 2);
    CHECK(d[0].env.sender == "a@example.jp");
    CHECK(d[0].message == "Subject: one\n\n.dot\nfirst\n");   // dot-unstuffed
    CHECK(d[1].env.recipients == std::vector<std::string>{"d@lg.jp"});
    CHECK(d[1].message == "Subject: two\n\nsecond\n");
}

TEST_CASE("lmtp session: a bare <LF> or <CR> in a command is refused and the connection closed") {
    for (const std::string bad : {"LHLO client\n", "LHLO client\rNOOP\r\n", "LHLO client\r\nNOOP\n", "LHLO client\r\nRSET\r\r\n"}) {
        CAPTURE(bad);
        Conversation c;
        c.send(bad + "MAIL FROM:<a@example.jp>\r\nQUIT\r\n");
        auto replies = c.replies_until_closed();
        CHECK(any_starts_with(replies, "550 5.5.2 Error: bare <"));
        CHECK_FALSE(any_starts_with(replies, "250 2.1.0"));
        CHECK(c.finish() == "bare line end in a command");
    }
}

TEST_CASE("lmtp session: BDAT is not offered, and its chunk is never taken as a message") {
    Conversation c;
    c.send("LHLO client\r\nMAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nBDAT 27 LAST\r\nSubject: chunk\r\n\r\nbody\r\nQUIT\r\n");
    auto replies = c.replies_until_closed();
    for (const auto& r : replies) CHECK(r.find("CHUNKING") == std::string::npos);
    CHECK(any_starts_with(replies, "500 5.5.1"));
    CHECK(replies.back() == "221 2.0.0 bye");
    CHECK(c.delivered().empty());
}

TEST_CASE("lmtp session: a client trickling a command or its message is cut off at the deadline") {
    LmtpConfig cfg;
    cfg.timeout = std::chrono::seconds(1);
    cfg.min_data_rate = 500;
    SUBCASE("command") {
        Conversation c(cfg);
        // One byte every 200 ms: every read is quick, the request never completes in time.
        std::string cmd = "LHLO a-rather-long-client-name.example.jp\r\n";
        std::thread trickle([&] {
            for (char ch : cmd) {
                c.send(std::string(1, ch));
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        });
        auto replies = c.replies_until_closed();
        trickle.join();
        CHECK(any_starts_with(replies, "421 4.4.2 timeout"));
        CHECK(c.finish() == "deadline passed");
    }
    SUBCASE("data") {
        Conversation c(cfg);
        c.send(head);
        std::atomic<bool> stop{false};
        std::thread trickle([&] {
            for (int i = 0; i < 100 && !stop; ++i) {
                c.send("x");
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        auto replies = c.replies_until_closed();
        stop = true;
        trickle.join();
        CHECK(any_starts_with(replies, "421 4.4.2 timeout in data"));
        CHECK(c.finish() == "deadline passed in data");
        CHECK(c.delivered().empty());
    }
}

TEST_CASE("lmtp session: commands that change nothing are bounded") {
    Conversation c;
    std::string noops;
    for (int i = 0; i < 150; ++i) noops += "NOOP\r\n";
    c.send("LHLO client\r\n" + noops);
    auto replies = c.replies_until_closed();
    CHECK(replies.back().starts_with("421 4.7.0"));
    CHECK(c.finish() == "too many junk commands");
}
