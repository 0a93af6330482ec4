// Roles and separation of duties: who may do what, and that every refusal is audited.
#include <doctest/doctest.h>

#include "quarantine_scenarios.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
using mugaika::test::refused_kind;
namespace fs = std::filesystem;

TEST_CASE("four-eyes: one officer requests, another person approves, the file reaches the drop folder") {
    mugaika::test::scenario_four_eyes_release("");
}

TEST_CASE("four-eyes: the requester cannot approve their own request, even after a role change") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    w.add_user("sato", Role::officer);
    auto item = w.hold("bytes");
    Actor sato = w.login("sato");
    w.service->request_release(sato, item.id, "original", "必要です");
    // As an officer: the role alone forbids approving.
    CHECK(refused_kind([&] { w.service->approve(sato, item.id, w.decision(item.id, "")); }) == ReviewError::denied);
    // Promoted to approver while the request is open: the four-eyes rule still refuses.
    w.service->set_role(Actor{"kanri", Role::admin, "test"}, "sato", Role::approver);
    w.service->confirm_role(Actor{w.second_admin, Role::admin, "test"}, "sato");   // the second admin's confirmation
    CHECK(refused_kind([&] { w.service->approve(sato, item.id, w.decision(item.id, "")); }) == ReviewError::denied);   // stale role
    Actor sato_again = w.login("sato");
    CHECK(sato_again.role == Role::approver);
    CHECK(refused_kind([&] { w.service->approve(sato_again, item.id, w.decision(item.id, "")); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->reject(sato_again, item.id, w.decision(item.id, "")); }) == ReviewError::denied);
    auto denied = w.audit_lines("release.approve", "denied");
    REQUIRE(denied.size() == 3);
    CHECK(denied[2]["detail"]["why"].get<std::string>().find("four-eyes") != std::string::npos);
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK(mugaika::test::files_in(w.drop_dir()).empty());
}

TEST_CASE("four-eyes: a rejected request returns the item to held") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("bytes");
    Actor sato = w.login("sato"), suzuki = w.login("suzuki");
    w.service->request_release(sato, item.id, "original", "必要です");
    w.service->reject(suzuki, item.id, w.decision(item.id, "送信元に確認してください"));
    CHECK(w.store->find(item.id)->state == state::held);
    auto reqs = w.store->requests_for(item.id);
    CHECK(reqs[0].state == "rejected");
    CHECK(reqs[0].note == "送信元に確認してください");
    CHECK(mugaika::test::files_in(w.drop_dir()).empty());
    CHECK(w.audit_lines("release.reject", "ok").size() == 1);
    // It may be asked for again.
    CHECK_NOTHROW(w.service->request_release(sato, item.id, "original", "再依頼"));
}

TEST_CASE("four-eyes: switched off by policy, a re-sanitizing request releases at once") {
    ReviewOptions o;
    o.four_eyes = false;
    o.release_kinds = {"original", "resanitize"};
    QuarantineWorld w("", o);
    w.add_user("sato", Role::officer);
    auto item = w.hold("bytes", "a.txt");
    Actor sato = w.login("sato");
    auto q = w.service->request_release(sato, item.id, "resanitize", "至急");
    CHECK(q.state == "approved");
    CHECK(w.store->find(item.id)->state == state::released);
    CHECK(mugaika::test::files_in(w.drop_dir()).size() == 1);
    REQUIRE(w.sink->handed.size() == 1);
    CHECK(w.sink->handed[0].kind == "resanitize");
    CHECK(w.audit_lines("release.approve", "ok").at(0)["detail"]["four_eyes"] == false);
}

TEST_CASE("four-eyes: the original as it is always needs a second person, even with four_eyes = false") {
    ReviewOptions o;
    o.four_eyes = false;
    o.release_kinds = {"original", "resanitize"};
    QuarantineWorld w("", o);
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("bytes", "a.txt");
    Actor sato = w.login("sato");
    auto q = w.service->request_release(sato, item.id, "original", "原本が必要");
    CHECK(q.state == "pending");
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK(w.sink->handed.empty());
    // An approver who is someone else releases it.
    Actor suzuki = w.login("suzuki");
    w.service->approve(suzuki, item.id, w.decision(item.id, "確認済み"));
    CHECK(w.store->find(item.id)->state == state::released);
    REQUIRE(w.sink->handed.size() == 1);
    CHECK(w.sink->handed[0].kind == "original");
    CHECK(w.sink->handed[0].approved_by == "suzuki");
}

TEST_CASE("release kinds: a PPAP release carries its password to the sink sealed, and only there") {
    mugaika::test::scenario_ppap_password("");
}

TEST_CASE("release kinds: a sink's refusal keeps the item requested and tells the approver why") {
    struct Refusing : mugaika::quarantine::ReleaseSink {
        std::string release(const mugaika::quarantine::ReleasedItem&) override {
            throw mugaika::quarantine::ReleaseError("再無害化しても安全にできませんでした。", "still unsafe");
        }
    } refusing;
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("bytes");
    mugaika::quarantine::ReviewOptions o;
    mugaika::quarantine::ReviewService service(*w.store, *w.users, *w.audit, refusing, o);
    service.set_clock([&] { return w.clock; });
    Actor sato = w.login("sato");
    service.request_release(sato, item.id, "original", "必要");
    Actor suzuki = w.login("suzuki");
    try {
        service.approve(suzuki, item.id, w.decision(item.id, ""));
        FAIL("a refused release was reported done");
    } catch (const ReviewError& e) {
        CHECK(e.message_ja.find("再無害化しても安全にできませんでした。") != std::string::npos);
    }
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK(w.audit_lines("release.deliver", "error").size() == 1);
}

TEST_CASE("roles: an auditor can read but never act") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("kansa", Role::auditor);
    auto item = w.hold("bytes");
    Actor sato = w.login("sato");
    w.service->request_release(sato, item.id, "original", "必要");
    Actor auditor = w.login("kansa");
    CHECK(w.service->list(auditor, {}).size() == 1);
    CHECK(w.service->show(auditor, item.id).item.id == item.id);
    CHECK_FALSE(w.service->audit_tail(auditor, 10).empty());
    CHECK(refused_kind([&] { w.service->approve(auditor, item.id, w.decision(item.id, "")); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->reject(auditor, item.id, w.decision(item.id, "")); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->remove(auditor, item.id, "x"); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->download(auditor, item.id, "x"); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->request_release(auditor, item.id, "original", "x"); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->accounts(auditor); }) == ReviewError::denied);
    CHECK(w.store->find(item.id)->state == state::release_requested);
    for (const char* action : {"release.approve", "release.reject", "item.delete", "item.download"})
        CHECK(w.audit_lines(action, "denied").size() == 1);
}

TEST_CASE("roles: an admin manages accounts but never sees content") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    auto item = w.hold("secret content");
    Actor admin = w.login("kanri");
    CHECK(refused_kind([&] { w.service->list(admin, {}); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->show(admin, item.id); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->download(admin, item.id, "見たい"); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->audit_tail(admin, 10); }) == ReviewError::denied);
    CHECK(refused_kind([&] { w.service->request_release(admin, item.id, "original", "x"); }) == ReviewError::denied);
    CHECK_NOTHROW(w.service->add_user(admin, "sato", Role::officer));
    CHECK(w.service->accounts(admin).size() == 2);
    CHECK(w.audit_lines("item.list", "denied").size() == 1);
    CHECK(w.audit_lines("item.view", "denied").size() == 1);
}

TEST_CASE("roles: only an officer downloads the original, with a reason, audited") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("original bytes");
    Actor sato = w.login("sato"), suzuki = w.login("suzuki");
    CHECK(refused_kind([&] { w.service->download(sato, item.id, ""); }) == ReviewError::bad_input);
    CHECK(w.service->download(sato, item.id, "ウイルス検査のため") == "original bytes");
    CHECK(refused_kind([&] { w.service->download(suzuki, item.id, "x"); }) == ReviewError::denied);
    auto ok = w.audit_lines("item.download", "ok");
    REQUIRE(ok.size() == 1);
    CHECK(ok[0]["detail"]["reason"] == "ウイルス検査のため");
}

TEST_CASE("bad input: path tricks and unknown ids are refused with an audit line") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.hold("bytes");
    Actor sato = w.login("sato");
    for (std::string bad : std::vector<std::string>{"../../etc/passwd", "..%2f..%2fetc", "/etc/passwd", std::string("a\0b", 3)})
        CHECK(refused_kind([&] { w.service->show(sato, bad); }) == ReviewError::bad_input);
    CHECK(refused_kind([&] { w.service->show(sato, "20261122T031500Z-0123456789ab-a1b2c3"); }) ==
          ReviewError::not_found);
    CHECK(refused_kind([&] { w.service->request_release(sato, "../x", "original", "r"); }) == ReviewError::bad_input);
    CHECK(w.audit_lines("item.view", "denied").size() == 5);
    CHECK(w.audit_lines("release.request", "denied").size() == 1);
    CHECK(mugaika::quarantine::verify_audit_log(w.audit_file()).ok());
}

TEST_CASE("release kinds: only what the policy allows") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    auto item = w.hold("bytes");
    Actor sato = w.login("sato");
    CHECK(refused_kind([&] { w.service->request_release(sato, item.id, "pixel", "r"); }) == ReviewError::bad_input);
    CHECK(w.store->find(item.id)->state == state::held);
}

TEST_CASE("release: a failing release path leaves the item requested, with an error audit line") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("bytes", "a.pdf");
    Actor sato = w.login("sato"), suzuki = w.login("suzuki");
    w.service->request_release(sato, item.id, "original", "必要");
    mugaika::test::write_file(w.drop_dir(), "not a folder");   // the sink cannot create its folder
    CHECK(refused_kind([&] { w.service->approve(suzuki, item.id, w.decision(item.id, "")); }) == ReviewError::internal);
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK(w.store->pending_request(item.id).has_value());
    CHECK(w.audit_lines("release.deliver", "error").size() == 1);   // the decision was audited, then its failure
    CHECK(w.audit_lines("release.deliver", "ok").empty());
    fs::remove(w.drop_dir());
    CHECK_NOTHROW(w.service->approve(suzuki, item.id, w.decision(item.id, "再試行")));
    CHECK(w.store->find(item.id)->state == state::released);
}
