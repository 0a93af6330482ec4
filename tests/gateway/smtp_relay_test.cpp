// Released mail re-injected over SMTP: sent once (with X-Mugaika-ID, dot-stuffed), a temporary
// failure keeps the job for a retry, a permanent refusal holds the mail in quarantine.
#include <doctest/doctest.h>

#include "fake_mta.hpp"
#include "fixtures.hpp"
#include "temp_quarantine.hpp"
#include "mugaika/report.hpp"
#include "release/job_release.hpp"
#include "release/smtp_relay.hpp"
#include "spool/spool.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {

struct MailJob {
    TempDir t;
    JobMeta meta;
    fs::path job;
    ReleaseTarget to;
    Outcome outcome;
    explicit MailJob(const std::string& next_hop) {
        meta.id = Spool::new_id();
        meta.source = Source::mail;
        meta.sender = "sender@example.jp";
        meta.recipients = {"staff@lg.example", "boss@lg.example"};
        meta.name = "message.eml";
        meta.received_ms = now_ms();
        job = t / "job";
        write_file(job / "original", "original");
        to = {t / "out", t / "mail", std::make_shared<QuarantineHold>(temp_quarantine_config(t.path)), t / "reports",
              NoteMode::none, next_hop, "mugaika.test", std::chrono::seconds(10)};
        outcome.input_name = meta.name;
        outcome.input_sha256 = sha256_hex("original");
        outcome.detected_type = "eml";
        outcome.verdict = Verdict::disarmed;
        outcome.outputs.push_back({"message.eml", "eml", "Subject: hi\n\n.starts with a dot\nbody\n"});
    }
};

}  // namespace

TEST_CASE("smtp relay: released mail is sent once, with X-Mugaika-ID and dot-stuffing") {
    FakeMta mta("250 2.1.5 ok");
    MailJob j(mta.address());
    auto r1 = release_job(j.job, j.meta, j.outcome, j.to);
    auto r2 = release_job(j.job, j.meta, j.outcome, j.to);   // a resumed job: not sent again
    CHECK(r1.verdict == Verdict::disarmed);
    REQUIRE(mta.messages.size() == 1);
    CHECK(mta.sessions == 1);
    CHECK(mta.messages[0].starts_with("X-Mugaika-ID: " + j.meta.id + "\r\n"));
    CHECK(mta.messages[0].find("\r\n..starts with a dot\r\n") != std::string::npos);
    CHECK(r2.released.size() == 1);
    CHECK_FALSE(r1.quarantine_id);
}

TEST_CASE("smtp relay: a temporary failure keeps the job for a retry") {
    FakeMta mta("451 4.3.0 try later");
    MailJob j(mta.address());
    CHECK_THROWS(release_job(j.job, j.meta, j.outcome, j.to));
    CHECK(mta.messages.empty());
    std::size_t stored = 0;   // nothing held: no object in the quarantine's store
    for (const auto& e : fs::recursive_directory_iterator(j.t.path / "store")) stored += e.is_regular_file() && e.path().extension() == ".mqe";
    CHECK(stored == 0);
    // Nothing listens: also temporary.
    MailJob k("127.0.0.1:1");
    CHECK_THROWS(release_job(k.job, k.meta, k.outcome, k.to));
}

TEST_CASE("smtp relay: a permanent refusal holds the mail, never sends it back out") {
    FakeMta mta("550 5.1.1 no such user");
    MailJob j(mta.address());
    auto r = release_job(j.job, j.meta, j.outcome, j.to);
    CHECK(r.verdict == Verdict::quarantined);
    REQUIRE(r.quarantine_id);
    CHECK(r.report["reason"]["code"] == "relay.rejected");
    CHECK(mta.messages.empty());
    // Resumed: still held once, no new attempt.
    auto again = release_job(j.job, j.meta, j.outcome, j.to);
    CHECK(again.quarantine_id == r.quarantine_id);
    CHECK(mta.sessions == 1);
}

TEST_CASE("smtp relay: what goes on the wire has CRLF line ends only, so nothing can end the message early") {
    // A bare CR or LF in released text (for a next hop that would take it as a line end) becomes CRLF,
    // and a line that then starts with a dot is stuffed: the only end of data is the one we send.
    CHECK(smtp_wire_format("a\r.\rb\n.\nc\r\n.\r\n") == "a\r\n..\r\nb\r\n..\r\nc\r\n..\r\n.\r\n");
    CHECK(smtp_wire_format("no end") == "no end\r\n.\r\n");
    CHECK(smtp_wire_format("") == ".\r\n");
    std::string w = smtp_wire_format("x\ry\n\r\nz\r\r\n");
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (w[i] == '\r') CHECK((i + 1 < w.size() && w[i + 1] == '\n'));
        if (w[i] == '\n') CHECK((i > 0 && w[i - 1] == '\r'));
    }
}

TEST_CASE("smtp relay: the sent marker is written as soon as the next hop takes the mail, before QUIT") {
    FakeMta mta("250 2.1.5 ok");
    MailJob j(mta.address());
    bool marker_at_quit = false;
    mta.on_quit = [&] { marker_at_quit = fs::exists(j.job / "sent-0"); };
    release_job(j.job, j.meta, j.outcome, j.to);
    CHECK(mta.messages.size() == 1);
    CHECK(marker_at_quit);
}

TEST_CASE("smtp relay: a next hop that trickles its greeting is given up on at the deadline") {
    unsigned short port = 0;
    int fd = listen_loopback(port);
    std::atomic<bool> stop{false};
    std::thread slow([&] {
        int c = ::accept(fd, nullptr, nullptr);
        if (c < 0) return;
        for (char ch : std::string("220 slow.example ESMTP ready\r\n")) {
            if (stop || ::send(c, &ch, 1, MSG_NOSIGNAL) != 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
        ::close(c);
    });
    auto r = smtp_send("127.0.0.1:" + std::to_string(port), "mugaika.test", "a@example.jp", {"b@lg.jp"}, "Subject: x\n\nbody\n",
                       SmtpLimits{std::chrono::seconds(1), 1000});
    stop = true;
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    slow.join();
    CHECK(r.kind == SmtpResult::temporary);
    CHECK(r.reply.find("greeting: no complete reply within the timeout") != std::string::npos);
}
