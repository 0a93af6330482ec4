// An approval is bound to what the approver saw: the pending request's id and kind. A request rejected
// and asked again (as another kind, or the same) while the approver looked at the old one is not approved
// by the old decision; the original needs its extra confirmation; the requester learns of a failure.
#include <doctest/doctest.h>

#include "quarantine_fixture.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
using mugaika::test::refused_kind;

TEST_CASE("approval: a stale approval is refused when the request was rejected and asked again as the original") {
    QuarantineWorld w("", mugaika::test::all_kinds());
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    w.add_user("kato", Role::approver);
    auto item = w.hold("MZ an executable", "setup.exe");
    Actor sato = w.login("sato"), suzuki = w.login("suzuki"), kato = w.login("kato");
    w.service->request_release(sato, item.id, release_kind::resanitize, "再無害化で確認");
    // suzuki opens the item and sees the re-disarm request...
    Decision seen = w.decision(item.id, "再無害化として確認");
    REQUIRE(seen.kind == release_kind::resanitize);
    // ...meanwhile kato rejects it and sato asks for the original instead.
    w.service->reject(kato, item.id, w.decision(item.id, "方法が違う"));
    auto original = w.service->request_release(sato, item.id, release_kind::original, "原本が必要");
    // suzuki's approval of what they saw is refused; nothing leaves the quarantine.
    CHECK(refused_kind([&] { w.service->approve(suzuki, item.id, seen); }) == ReviewError::conflict);
    CHECK(w.sink->handed.empty());
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK(w.store->pending_request(item.id)->id == original.id);
    auto denied = w.audit_lines("release.approve", "denied");
    REQUIRE(denied.size() == 1);
    CHECK(denied[0]["detail"]["why"].get<std::string>().find("stale approval") != std::string::npos);

    // Asked again as the same kind: a new request, still not the one seen.
    w.service->reject(kato, item.id, w.decision(item.id, "やり直し"));
    w.service->request_release(sato, item.id, release_kind::resanitize, "再無害化で確認");
    CHECK(refused_kind([&] { w.service->approve(suzuki, item.id, seen); }) == ReviewError::conflict);
    // Naming the request but another kind is refused too.
    Decision wrong_kind = w.decision(item.id);
    wrong_kind.kind = release_kind::original;
    CHECK(refused_kind([&] { w.service->approve(suzuki, item.id, wrong_kind); }) == ReviewError::conflict);
    CHECK(refused_kind([&] { w.service->reject(suzuki, item.id, seen); }) == ReviewError::conflict);
    CHECK(w.sink->handed.empty());
    // The request in view, as seen: released.
    CHECK_NOTHROW(w.service->approve(suzuki, item.id, w.decision(item.id, "確認済み")));
    REQUIRE(w.sink->handed.size() == 1);
    CHECK(w.sink->handed[0].kind == release_kind::resanitize);
}

TEST_CASE("approval: the original needs the extra confirmation") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("%PDF original", "見積書.pdf");
    Actor sato = w.login("sato"), suzuki = w.login("suzuki");
    w.service->request_release(sato, item.id, release_kind::original, "取引先の正式な見積書");
    CHECK(refused_kind([&] { w.service->approve(suzuki, item.id, w.decision(item.id, "", false)); }) ==
          ReviewError::bad_input);
    CHECK(w.sink->handed.empty());
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK_NOTHROW(w.service->approve(suzuki, item.id, w.decision(item.id, "確認済み", true)));
    CHECK(w.sink->handed.size() == 1);
}

TEST_CASE("approval: a release that fails is recorded on the request for the requester") {
    struct WrongPassword : mugaika::test::RecordingSink {
        using RecordingSink::RecordingSink;
        std::string release(const ReleasedItem&) override {
            throw ReleaseError("パスワードが違うため、ZIPを開けませんでした。", "wrong password");
        }
    };
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("PK zip", "見積書.zip");
    WrongPassword sink(w.drop_dir().string());
    ReviewService service(*w.store, *w.users, *w.audit, sink, mugaika::test::all_kinds());
    service.set_clock([&] { return w.clock; });
    Actor sato = w.login("sato"), suzuki = w.login("suzuki");
    service.request_release(sato, item.id, release_kind::ppap, "別メールでパスワード受領", "wrong-password");
    CHECK(refused_kind([&] { service.approve(suzuki, item.id, w.decision(item.id)); }) == ReviewError::conflict);
    auto q = w.store->pending_request(item.id);
    REQUIRE(q.has_value());
    CHECK(q->failure.find("パスワードが違う") != std::string::npos);
    CHECK(q->failed_by == "suzuki");
    CHECK(q->failed_at == w.clock);
}

TEST_CASE("release kinds: only the kinds the release path says can succeed are offered and accepted") {
    struct Picky : mugaika::test::RecordingSink {
        using RecordingSink::RecordingSink;
        std::vector<std::string> possible_kinds(const ReleaseCandidate& c) const override {
            if (c.reason == "encrypted" && c.file_type == "zip") return {release_kind::ppap, release_kind::original};
            return {release_kind::original};
        }
    };
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    Picky sink(w.drop_dir().string());
    ReviewOptions o;
    o.release_kinds = {"resanitize", "pixels", "ppap", "original"};
    ReviewService service(*w.store, *w.users, *w.audit, sink, o);
    service.set_clock([&] { return w.clock; });
    HoldRequest h;
    h.original = "PK encrypted";
    h.report_json = R"({"input":{"name":"見積書.zip"},"detected_type":"zip","verdict":"quarantined",
                        "reason":{"code":"encrypted","message_ja":"暗号化","detail":"x"}})";
    Item zip = service.hold(h);
    CHECK(service.release_kinds_for(zip) == std::vector<std::string>{"ppap", "original"});
    Item exe = w.hold("MZ", "tool.exe");
    CHECK(service.release_kinds_for(exe) == std::vector<std::string>{"original"});
    Actor sato = w.login("sato");
    CHECK(refused_kind([&] { service.request_release(sato, zip.id, "resanitize", "再無害化"); }) == ReviewError::bad_input);
    CHECK(w.store->find(zip.id)->state == state::held);
    CHECK_NOTHROW(service.request_release(sato, zip.id, "ppap", "パスワード受領", "pw"));
}

TEST_CASE("holds: a partly held item keeps its held parts, the reason and where the rest went") {
    QuarantineWorld w;
    HoldRequest h;
    h.original = "From: a\r\n\r\nbody";
    h.report_json = R"({"input":{"name":"message.eml"},"detected_type":"eml","verdict":"disarmed","reason":null,
        "about":{"subject":"見積書の送付","from":"山田 太郎 <yamada@example.jp>"},
        "held":[{"where":"attachment[2]","name":"請求書.exe","type":"exe","reason":"blocked.type","detail":"x"}],
        "summary_ja":"無害化しました(メール)。\n・含まれるファイルのうち1件は無害化できず保留しました。"})";
    h.recipients = {"somu@city.example.lg.jp"};
    h.delivered_to = "宛先 somu@city.example.lg.jp (LGWAN側のメールボックス)";
    Item it = w.service->hold(h);
    auto got = w.store->find(it.id);
    REQUIRE(got.has_value());
    CHECK(got->partial);
    CHECK(got->reason == "blocked.type");
    CHECK(got->subject == "見積書の送付");
    CHECK(got->from_name == "山田 太郎 <yamada@example.jp>");
    REQUIRE(got->held_parts.size() == 1);
    CHECK(got->held_parts[0].name == "請求書.exe");
    CHECK(got->delivered_to == h.delivered_to);
    // Found by the From's name too.
    ItemFilter f;
    f.party = "山田";
    CHECK(w.store->list(f).size() == 1);
    auto facets = w.store->facets();
    CHECK(facets.reasons == std::vector<std::string>{"blocked.type"});
    CHECK(facets.file_types == std::vector<std::string>{"eml"});
}
