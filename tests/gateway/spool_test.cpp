// The spool: jobs move tmp -> incoming -> active -> done by rename; tmp/ is dropped at start.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "spool/spool.hpp"

using namespace mugaika;
using namespace mugaika::test;
namespace fs = std::filesystem;

namespace {
JobMeta meta_for(const std::string& name) {
    JobMeta m;
    m.id = Spool::new_id();
    m.source = Source::mail;
    m.sender = "a@example.jp";
    m.recipients = {"b@lg.jp", "c@lg.jp"};
    m.name = name;
    m.received_ms = now_ms();
    return m;
}
}  // namespace

TEST_CASE("spool: a job moves incoming -> active -> done and keeps only a tombstone") {
    TempDir t;
    Spool spool(t / "spool");
    JobMeta m = meta_for("message.eml");
    spool.enqueue_bytes(m, "Subject: hi\n\nbody\n");
    CHECK(spool.list(Spool::Queue::incoming) == std::vector<std::string>{m.id});
    CHECK(read_whole(spool.dir(Spool::Queue::incoming, m.id) / "original") == "Subject: hi\n\nbody\n");
    JobMeta back = spool.read_meta(Spool::Queue::incoming, m.id);
    CHECK(back.recipients == m.recipients);
    CHECK(back.size == 18);
    CHECK(back.source == Source::mail);

    CHECK(spool.claim(m.id));
    CHECK_FALSE(spool.claim(m.id));   // taken already
    CHECK(spool.depth(Spool::Queue::incoming) == 0);
    back.attempts = 2;
    spool.write_meta(back);
    CHECK(spool.read_meta(Spool::Queue::active, m.id).attempts == 2);

    spool.finish(m.id);
    CHECK(spool.depth(Spool::Queue::active) == 0);
    CHECK(spool.known(m.id));
    CHECK(fs::exists(spool.dir(Spool::Queue::done, m.id) / "meta.json"));
    CHECK_FALSE(fs::exists(spool.dir(Spool::Queue::done, m.id) / "original"));
}

TEST_CASE("spool: uncommitted jobs in tmp/ are dropped at start, committed ones survive") {
    TempDir t;
    JobMeta committed = meta_for("a.txt");
    {
        Spool spool(t / "spool");
        spool.enqueue_bytes(committed, "kept");
        fs::create_directories(t.path / "spool/tmp" / Spool::new_id());   // a crash in the middle of intake
        write_file(t.path / "spool/tmp/x/original", "never acknowledged");
    }
    Spool again(t / "spool");
    CHECK(fs::is_empty(t.path / "spool/tmp"));
    CHECK(again.list(Spool::Queue::incoming) == std::vector<std::string>{committed.id});
}

TEST_CASE("spool: ids sort by time and are validated") {
    std::string a = Spool::new_id();
    CHECK(Spool::valid_id(a));
    CHECK_FALSE(Spool::valid_id("../etc"));
    CHECK_FALSE(Spool::valid_id(a + "x"));
    CHECK(Spool::new_id() != a);
}

TEST_CASE("spool: a bad metadata document is an error, not a guess") {
    CHECK_THROWS(JobMeta::from_json(nlohmann::json::parse(R"({"id":"x","source":"fax"})")));
}
