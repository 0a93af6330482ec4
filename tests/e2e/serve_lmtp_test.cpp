// The LMTP server, spoken to with a raw socket: per-recipient replies, 250 only once the message is
// in the spool, and every kind of misbehaviour answered and cut off.
#include <doctest/doctest.h>

#include <sys/mount.h>

#include "fixtures.hpp"
#include "lmtp_client.hpp"
#include "service_harness.hpp"

using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

const std::string message = "From: a@example.jp\r\nTo: b@lg.jp\r\nSubject: test\r\n\r\nhello\r\n..leading dot\r\n.\r\n";

void greet(RawClient& c) {
    REQUIRE(c.reply().starts_with("220 "));
    REQUIRE(c.send("LHLO client.example\r\n"));
    REQUIRE(c.reply().starts_with("250 "));
}

std::string job_id(const std::string& reply) { return reply.substr(reply.rfind(' ') + 1); }

bool in_spool(const ServiceProcess& s, const std::string& id) {
    for (const char* q : {"incoming", "active", "done"})
        if (fs::exists(s.path("spool") / q / id)) return true;
    return false;
}

}  // namespace

TEST_CASE("lmtp: one reply per recipient, 250 only after the message is in the spool") {
    // No workers get to the job before we look: the check is that the job exists, wherever it is.
    ServiceProcess s;
    s.start();
    RawClient c(s.lmtp_port());
    greet(c);
    REQUIRE(c.send("MAIL FROM:<a@example.jp> SIZE=100 BODY=8BITMIME\r\n"));
    CHECK(c.reply().starts_with("250 2.1.0"));
    REQUIRE(c.send("RCPT TO:<b@lg.jp>\r\nRCPT TO:<c@lg.jp>\r\nDATA\r\n"));   // pipelined
    CHECK(c.reply().starts_with("250 2.1.5"));
    CHECK(c.reply().starts_with("250 2.1.5"));
    CHECK(c.reply().starts_with("354 "));
    REQUIRE(c.send(message));
    std::string r1 = c.reply(), r2 = c.reply();
    REQUIRE(r1.starts_with("250 2.0.0"));
    REQUIRE(r2.starts_with("250 2.0.0"));
    std::string id = job_id(r1);
    CHECK(in_spool(s, id));   // durable before the client heard 250
    REQUIRE(c.send("QUIT\r\n"));
    CHECK(c.reply().starts_with("221 "));

    // The spooled message is the message, unstuffed, with its envelope.
    REQUIRE(wait_for([&] { return fs::exists(s.path("reports/" + id + ".json")); }));
    std::string report = read_whole(s.path("reports/" + id + ".json"));
    CHECK(report.find("\"c@lg.jp\"") != std::string::npos);
    CHECK(report.find("\"source\": \"mail\"") != std::string::npos);
    CHECK(s.term() == 0);
}

TEST_CASE("lmtp: garbage is answered with errors and then cut off") {
    ServiceProcess s("[lmtp]\nmax_errors = 3\n");
    s.start();
    RawClient c(s.lmtp_port());
    REQUIRE(c.reply().starts_with("220 "));
    c.send(std::string("\x16\x03\x01\x02\x00garbage\r\n", 14));
    CHECK(c.reply().starts_with("500 "));
    c.send("MAIL FROM:<a@b>\r\n");   // before LHLO
    CHECK(c.reply().starts_with("503 "));
    c.send("HELO x\r\n");
    CHECK(c.reply().starts_with("500 "));
    CHECK(c.reply().starts_with("421 "));
    CHECK(c.closed());
    CHECK(s.alive());
}

TEST_CASE("lmtp: too many recipients get 452, the others are delivered") {
    ServiceProcess s("[lmtp]\nmax_recipients = 2\n");
    s.start();
    RawClient c(s.lmtp_port());
    greet(c);
    c.send("MAIL FROM:<>\r\n");
    CHECK(c.reply().starts_with("250 "));
    c.send("RCPT TO:<a@lg.jp>\r\nRCPT TO:<b@lg.jp>\r\nRCPT TO:<c@lg.jp>\r\nRCPT TO:<not an address>\r\n");
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("452 4.5.3"));
    CHECK(c.reply().starts_with("501 "));
    c.send("DATA\r\n");
    CHECK(c.reply().starts_with("354 "));
    c.send(message);
    CHECK(c.reply().starts_with("250 "));   // one per accepted recipient: exactly two
    CHECK(c.reply().starts_with("250 "));
    c.send("NOOP\r\n");
    CHECK(c.reply().starts_with("250 2.0.0 ok"));
}

TEST_CASE("lmtp: an endless command line is answered and cut off") {
    ServiceProcess s;
    s.start();
    RawClient c(s.lmtp_port());
    greet(c);
    c.send("MAIL FROM:<" + std::string(1 << 20, 'a'));   // a megabyte, no line end
    CHECK(c.reply().starts_with("500 5.5.2"));
    CHECK(c.closed());
    CHECK(s.alive());
}

TEST_CASE("lmtp: messages over the size limit get 552, declared or not") {
    ServiceProcess s("[lmtp]\nmax_message_bytes = \"16KiB\"\n");
    s.start();
    RawClient c(s.lmtp_port());
    greet(c);
    c.send("MAIL FROM:<a@example.jp> SIZE=1000000\r\n");
    CHECK(c.reply().starts_with("552 5.3.4"));
    c.send("MAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nRCPT TO:<c@lg.jp>\r\nDATA\r\n");
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("354 "));
    std::string big;
    for (int i = 0; i < 1000; ++i) big += "line " + std::to_string(i) + " of a message that is much too large\r\n";
    c.send("Subject: big\r\n\r\n" + big + ".\r\n");
    CHECK(c.reply().starts_with("552 5.3.4"));
    CHECK(c.reply().starts_with("552 5.3.4"));
    // The session goes on, and nothing was spooled.
    c.send("RSET\r\n");
    CHECK(c.reply().starts_with("250 "));
    CHECK(count_entries(s.path("spool/incoming")) + count_entries(s.path("spool/active")) +
              count_entries(s.path("spool/done")) == 0);
    CHECK(s.http_get("/metrics").find("mugaika_lmtp_messages_total{result=\"rejected\"} 2\n") != std::string::npos);
}

TEST_CASE("lmtp: a client that is not configured is refused") {
    ServiceProcess s("[lmtp]\nclients = [\"192.0.2.1\"]\n");
    s.start();
    RawClient c(s.lmtp_port());
    CHECK(c.reply().starts_with("554 "));
    CHECK(c.closed());
}

TEST_CASE("lmtp: a full disk gives 4xx, never 250") {
    ServiceProcess s("[spool]\nmin_free_bytes = 1\n[lmtp]\nmax_message_bytes = \"4MiB\"\n");
    fs::create_directories(s.path("spool"));
    if (::mount("tmpfs", s.path("spool").c_str(), "tmpfs", 0, "size=1m") != 0) {
        MESSAGE("skipped: cannot mount a small tmpfs here (needs root / CAP_SYS_ADMIN)");
        return;
    }
    struct Unmount {
        fs::path p;
        ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
    } unmount{s.path("spool")};
    s.start();
    RawClient c(s.lmtp_port());
    greet(c);
    c.send("MAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nDATA\r\n");
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("354 "));
    std::string body;
    while (body.size() < (2u << 20)) body += "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n";
    c.send("Subject: fills the disk\r\n\r\n" + body + ".\r\n");
    std::string r = c.reply();
    CHECK_MESSAGE(r.starts_with("452 4.3.1"), r);
    CHECK(count_entries(s.path("spool/incoming")) == 0);
    CHECK(s.alive());
    s.term();
}

TEST_CASE("lmtp: a full queue is answered 451 until it drains") {
    // A hanging worker (test hook) holds the only queue slot.
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ServiceProcess s("[spool]\nmax_queue = 1\n[worker]\ncount = 1\ntimeout_seconds = 3\nretries = 0\n[limits]\ntime_budget_seconds = 1\n");
    s.start();
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    write_file(s.path("in/総務課/mugaika-test-hang.txt"), "hang");
    REQUIRE(wait_for([&] { return count_entries(s.path("spool/active")) == 1; }));
    // (The intake state is cached for a fraction of a second: ask until the answer reflects the queue.)
    REQUIRE(wait_for([&] {
        RawClient c(s.lmtp_port());
        greet(c);
        c.send("MAIL FROM:<a@example.jp>\r\n");
        return c.reply().starts_with("451 4.3.2");
    }));
    // Once the hung item is quarantined (limit.time) the queue drains and mail is accepted again.
    REQUIRE(wait_for([&] { return count_entries(s.path("spool/active")) == 0; }));
    REQUIRE(wait_for([&] {
        RawClient c(s.lmtp_port());
        c.reply();
        c.send("LHLO x\r\n");
        c.reply();
        c.send("MAIL FROM:<a@example.jp>\r\n");
        return c.reply().starts_with("250 ");
    }));
    CHECK(s.term() == 0);
}

TEST_CASE("lmtp: the server can listen on a unix socket") {
    ServiceProcess probe;
    std::string sock = (probe.root() / "lmtp.sock").string();
    ServiceProcess s("[lmtp]\nlisten = \"unix:" + sock + "\"\n");
    s.start();
    RawClient c(sock);
    greet(c);
    c.send("MAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nDATA\r\n");
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("354 "));
    c.send(message);
    CHECK(c.reply().starts_with("250 2.0.0 queued as "));
    CHECK(s.term() == 0);
    CHECK(!fs::exists(sock));
}

namespace {

// One transaction; the replies after the final dot (one per recipient), or {} when the connection ended.
std::vector<std::string> transact(RawClient& c, const std::string& from, const std::vector<std::string>& to, const std::string& body) {
    std::string cmds = "MAIL FROM:<" + from + ">\r\n";
    for (const auto& r : to) cmds += "RCPT TO:<" + r + ">\r\n";
    c.send(cmds + "DATA\r\n");
    for (std::size_t i = 0; i < to.size() + 1; ++i) REQUIRE(c.reply().starts_with("250 "));
    REQUIRE(c.reply().starts_with("354 "));
    c.send(body + ".\r\n");
    std::vector<std::string> replies;
    for (std::size_t i = 0; i < to.size(); ++i) {
        std::string r = c.reply();
        if (r.empty()) return {};
        replies.push_back(r);
    }
    return replies;
}

std::size_t jobs_in_spool(const ServiceProcess& s) {
    return count_entries(s.path("spool/incoming")) + count_entries(s.path("spool/active")) + count_entries(s.path("spool/done"));
}

}  // namespace

TEST_CASE("lmtp: a message sent again after a lost reply is not queued twice, new recipients are") {
    ServiceProcess s;
    s.start();
    // As Postfix relays it: its Received: line (queue id, time) makes each queue file's bytes unique.
    const std::string mail = "Received: from mx by relay (Postfix) with ESMTP id 4Xy7Zq1AbCz for <b@lg.jp>\r\n"
                             "From: a@example.jp\r\nTo: b@lg.jp\r\nSubject: resent\r\n\r\nbody\r\n";
    std::string first_id;
    {
        RawClient c(s.lmtp_port());
        greet(c);
        auto r = transact(c, "a@example.jp", {"b@lg.jp", "c@lg.jp"}, mail);
        REQUIRE(r.size() == 2);
        first_id = job_id(r[0]);
    }
    CHECK(jobs_in_spool(s) == 1);
    {
        // The 250 was lost; Postfix sends the same queue file again: acknowledged, not queued.
        RawClient c(s.lmtp_port());
        greet(c);
        auto r = transact(c, "a@example.jp", {"b@lg.jp", "c@lg.jp"}, mail);
        REQUIRE(r.size() == 2);
        CHECK(r[0] == "250 2.0.0 queued as " + first_id);
        CHECK(r[1] == "250 2.0.0 queued as " + first_id);
        // Only recipients Postfix still owes are retried; one of them new: queued for that one only.
        auto r2 = transact(c, "a@example.jp", {"c@lg.jp", "d@lg.jp"}, mail);
        REQUIRE(r2.size() == 2);
        CHECK(job_id(r2[0]) != first_id);
        // Another sender, or other bytes: another message.
        auto r3 = transact(c, "other@example.jp", {"b@lg.jp"}, mail);
        auto r4 = transact(c, "a@example.jp", {"b@lg.jp"}, mail + "one more line\r\n");
        CHECK(job_id(r3[0]) != first_id);
        CHECK(job_id(r4[0]) != first_id);
    }
    CHECK(jobs_in_spool(s) == 4);
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 4; }));
    std::size_t for_d = 0;
    for (const auto& f : files_in(s.path("reports"))) {
        auto j = nlohmann::json::parse(read_whole(f));
        if (j["job"]["recipients"] == nlohmann::json::array({"d@lg.jp"})) ++for_d;
    }
    CHECK(for_d == 1);
    // Across a restart too.
    CHECK(s.term() == 0);
    s.start();
    {
        RawClient c(s.lmtp_port());
        greet(c);
        auto r = transact(c, "a@example.jp", {"b@lg.jp"}, mail);
        REQUIRE(r.size() == 1);
        CHECK(r[0] == "250 2.0.0 queued as " + first_id);
    }
    CHECK(jobs_in_spool(s) == 4);
    CHECK(s.http_get("/metrics").find("mugaika_lmtp_messages_total{result=\"duplicate\"} 1\n") != std::string::npos);
    CHECK(s.term() == 0);
}

TEST_CASE("lmtp: killed between making a message durable and answering 250: the resend is the same job") {
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ::setenv("MUGAIKA_TEST_KILL_AT", "lmtp.spooled", 1);
    ServiceProcess s;
    s.start();
    ::unsetenv("MUGAIKA_TEST_KILL_AT");
    const std::string mail = "Received: by relay (Postfix) id 4Ab\r\nFrom: a@example.jp\r\nTo: b@lg.jp\r\nSubject: once\r\n\r\nbody\r\n";
    {
        RawClient c(s.lmtp_port());
        greet(c);
        CHECK(transact(c, "a@example.jp", {"b@lg.jp"}, mail).empty());   // no reply: Postfix keeps the mail
    }
    REQUIRE(wait_for([&] { return !s.alive(); }));
    REQUIRE(jobs_in_spool(s) == 1);
    s.start();
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    RawClient c(s.lmtp_port());
    greet(c);
    auto r = transact(c, "a@example.jp", {"b@lg.jp"}, mail);
    REQUIRE(r.size() == 1);
    CHECK(r[0].starts_with("250 2.0.0 queued as "));
    REQUIRE(wait_for([&] { return count_entries(s.path("reports")) == 1; }));
    CHECK(jobs_in_spool(s) == 1);
    CHECK(count_entries(s.path("mail/new")) == 1);
    CHECK(s.term() == 0);
}

TEST_CASE("lmtp: a second transaction smuggled behind a bare end of data is refused with the first") {
    ServiceProcess s;
    s.start();
    RawClient c(s.lmtp_port());
    greet(c);
    c.send("MAIL FROM:<a@example.jp>\r\nRCPT TO:<b@lg.jp>\r\nDATA\r\n");
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("250 "));
    CHECK(c.reply().starts_with("354 "));
    c.send("From: a@example.jp\r\nSubject: one\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.jp>\nRCPT TO:<victim@lg.jp>\nDATA\n"
           "From: boss@lg.jp\nSubject: smuggled\n\nsecond\r\n.\r\nQUIT\r\n");
    CHECK(c.reply().starts_with("550 5.5.2 Error: bare <LF> received"));
    CHECK(c.closed());
    CHECK(jobs_in_spool(s) == 0);
    CHECK(s.alive());
    CHECK(s.term() == 0);
}
