// The service applies the quarantine's retention rule itself (at start and every
// purge_interval_minutes): what is held longer than retention_days is shredded, with a disposal record
// and an audit line; what is younger stays.
#include <doctest/doctest.h>

#include <chrono>

#include "service_harness.hpp"

using namespace mugaika::test;
namespace q = mugaika::quarantine;

TEST_CASE("serve: items held longer than the retention period are disposed of by the service, the rest stay") {
    ServiceProcess s("[quarantine]\nretention_days = 30\npurge_interval_minutes = 60\n");
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string old_id, young_id;
    {
        q::QuarantineRuntime rt(s.quarantine_config());
        q::HoldRequest req;
        req.report_json = R"({"input":{"name":"old.png"},"detected_type":"png","reason":{"code":"unsupported"}})";
        req.original = "held 31 days ago";
        rt.service().set_clock([&] { return now - 31 * 86400; });
        old_id = rt.service().hold(req).id;
        req.original = "held yesterday";
        rt.service().set_clock([&] { return now - 86400; });
        young_id = rt.service().hold(req).id;
    }
    s.start();
    auto state_of = [&](const std::string& id) {
        q::QuarantineRuntime rt(s.quarantine_config());
        auto it = rt.service().store().find(id);
        return it ? it->state + (it->purged_at ? "/purged" : "") : std::string("missing");
    };
    REQUIRE(wait_for([&] { return state_of(old_id) == "expired/purged"; }));
    CHECK(state_of(young_id) == "held");
    CHECK(s.term() == 0);

    q::QuarantineRuntime rt(s.quarantine_config());
    auto disposals = rt.service().store().disposals();
    REQUIRE(disposals.size() == 1);
    CHECK(disposals[0].item_id == old_id);
    CHECK(disposals[0].rule == "retention (30 days)");
    CHECK(rt.service().store().original(*rt.service().store().find(young_id)) == "held yesterday");
    std::string audit = read_whole(s.path("audit/audit.log"));
    CHECK(audit.find("\"actor\":\"retention\",\"action\":\"item.purge\",\"item\":\"" + old_id + "\"") != std::string::npos);
    CHECK(s.log().find("retention: disposed of 1 quarantined item(s)") != std::string::npos);
}
