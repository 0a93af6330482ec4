#include "quarantine_scenarios.hpp"

#include <doctest/doctest.h>

#include "mugaika/atomic_file.hpp"

namespace mugaika::test {
namespace fs = std::filesystem;
using namespace mugaika::quarantine;

namespace {

bool any_file_contains(const fs::path& root, const std::string& needle) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        if (read_file(e.path(), 1 << 30).find(needle) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

void scenario_round_trip(const std::string& db_url) {
    QuarantineWorld w(db_url);
    std::string bytes = "PK\x03\x04 a macro-laden document";
    auto item = w.hold(bytes, "請求書.docm");
    CHECK(valid_item_id(item.id));
    auto found = w.store->find(item.id);
    REQUIRE(found.has_value());
    CHECK(found->state == state::held);
    CHECK(found->name == "請求書.docm");
    CHECK(found->file_type == "docm");
    CHECK(found->reason == "ooxml.vba");
    CHECK(found->section == "総務課");
    CHECK(found->recipients == std::vector<std::string>{"somu@city.example.lg.jp"});
    CHECK(found->summary_ja == "隔離しました: マクロ(VBA)を含む");
    CHECK(found->size == static_cast<std::int64_t>(bytes.size()));
    CHECK(w.store->original(*found) == bytes);
    auto report = nlohmann::json::parse(w.store->report(*found));
    CHECK(report["findings"][0]["ja"] == "マクロ(VBA)が含まれていました。");
    auto hold_lines = w.audit_lines("item.hold", "ok");
    REQUIRE(hold_lines.size() == 1);
    CHECK(hold_lines[0]["item"] == item.id);
    CHECK(hold_lines[0]["actor"] == "gateway");

    ItemFilter f;
    f.party = "somu@";
    CHECK(w.store->list(f).size() == 1);
    f.party = "nobody@";
    CHECK(w.store->list(f).empty());
    f = {};
    f.state = state::released;
    CHECK(w.store->list(f).empty());
    f = {};
    f.held_from = w.clock + 1;
    CHECK(w.store->list(f).empty());
    f = {};
    f.section = "総務課";
    f.file_type = "docm";
    f.reason = "ooxml.vba";
    CHECK(w.store->list(f).size() == 1);
    f.party = "%";   // LIKE wildcards in the filter are taken literally
    CHECK(w.store->list(f).empty());
}

void scenario_no_plaintext(const std::string& db_url) {
    QuarantineWorld w(db_url);
    const std::string marker = "PLAINTEXT-MARKER-4e1f0c";
    const std::string report_marker = "REPORT-DETAIL-MARKER-77aa";
    auto item = w.hold("begin " + marker + " end", "x.docm", report_marker);
    CHECK(w.store->original(*w.store->find(item.id)).find(marker) != std::string::npos);
    CHECK_FALSE(any_file_contains(w.store_dir(), marker));
    CHECK_FALSE(any_file_contains(w.store_dir(), report_marker));
    if (db_url.empty()) {   // the SQLite file holds metadata only
        CHECK_FALSE(any_file_contains(w.tmp.path / "db", marker));
        CHECK_FALSE(any_file_contains(w.tmp.path / "db", report_marker));
    }
}

void scenario_retention(const std::string& db_url) {
    ReviewOptions o;
    o.retention_seconds = 30 * 86400;
    QuarantineWorld w(db_url, o);
    w.add_user("sato", Role::officer);
    auto old_item = w.hold("old original", "old.docm");
    w.clock += 10 * 86400;
    auto requested = w.hold("requested original", "requested.docm");
    Actor sato = w.login("sato");
    w.service->request_release(sato, requested.id, "original", "業務上必要");
    w.clock += 10 * 86400;
    auto young = w.hold("young original", "young.docm");

    w.clock = old_item.held_at + 30 * 86400 + 10 * 86400 + 1;   // the first two are due, the third is not
    auto purged = w.service->purge_expired();
    CHECK(purged.size() == 2);
    auto a = w.store->find(old_item.id);
    auto b = w.store->find(requested.id);
    auto c = w.store->find(young.id);
    CHECK(a->state == state::expired);
    CHECK(b->state == state::expired);
    CHECK(c->state == state::held);
    CHECK(a->purged_at == w.clock);
    CHECK_FALSE(fs::exists(w.blobs->path_of(old_item.sha256)));
    CHECK_FALSE(fs::exists(w.blobs->path_of(old_item.report_sha256)));
    CHECK(fs::exists(w.blobs->path_of(young.sha256)));
    CHECK_THROWS(w.store->original(*a));
    CHECK(w.store->requests_for(requested.id).front().state == "expired");
    auto register_ = w.store->disposals();
    REQUIRE(register_.size() == 2);
    for (const auto& d : register_) {
        CHECK(d.kind == "expired");
        CHECK(d.rule == "retention (30 days)");
        CHECK(d.disposed_at == w.clock);
        CHECK((d.item_id == old_item.id || d.item_id == requested.id));
    }
    CHECK(w.audit_lines("item.purge", "ok").size() == 2);
    CHECK(w.service->purge_expired().empty());   // nothing twice
    CHECK(verify_audit_log(w.audit_file()).ok());
}

void scenario_dedupe_delete(const std::string& db_url) {
    QuarantineWorld w(db_url);
    w.add_user("sato", Role::officer);
    auto first = w.hold("same bytes twice");
    auto second = w.hold("same bytes twice");
    CHECK(first.id != second.id);
    CHECK(first.sha256 == second.sha256);
    Actor sato = w.login("sato");
    CHECK_THROWS_AS(w.service->remove(sato, first.id, "   "), ReviewError);   // reason required
    w.service->remove(sato, first.id, "誤送信のため削除");
    CHECK(w.store->find(first.id)->state == state::deleted);
    CHECK(fs::exists(w.blobs->path_of(first.sha256)));   // still used by the second item
    CHECK(w.store->original(*w.store->find(second.id)) == "same bytes twice");
    w.service->remove(sato, second.id, "重複");
    CHECK_FALSE(fs::exists(w.blobs->path_of(first.sha256)));
    auto d = w.store->disposals();
    REQUIRE(d.size() == 2);
    CHECK(d[0].actor == "sato");
    CHECK(d[0].kind == "deleted");
    CHECK((d[0].reason == "重複" || d[0].reason == "誤送信のため削除"));
    CHECK_THROWS_AS(w.service->remove(sato, second.id, "again"), ReviewError);   // already gone
}

void scenario_four_eyes_release(const std::string& db_url) {
    QuarantineWorld w(db_url);
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    w.add_user("kato", Role::approver);
    auto item = w.hold("%PDF- the original", "見積書.pdf");
    Actor sato = w.login("sato");
    Actor suzuki = w.login("suzuki");
    CHECK_THROWS_AS(w.service->request_release(sato, item.id, "original", ""), ReviewError);   // reason required
    auto q = w.service->request_release(sato, item.id, "original", "取引先からの正式な見積書");
    CHECK(q.state == "pending");
    CHECK(w.store->find(item.id)->state == state::release_requested);
    CHECK_THROWS_AS(w.service->request_release(sato, item.id, "original", "twice"), ReviewError);
    CHECK(files_in(w.drop_dir()).empty());
    std::string where = w.service->approve(suzuki, item.id, w.decision(item.id, "確認済み"));
    CHECK(w.store->find(item.id)->state == state::released);
    auto files = files_in(w.drop_dir());
    REQUIRE(files.size() == 1);
    CHECK(files[0].filename() == "見積書.pdf");
    CHECK(read_whole(files[0]) == "%PDF- the original");
    CHECK(where == files[0].string());
    auto reqs = w.store->requests_for(item.id);
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].requested_by == "sato");
    CHECK(reqs[0].decided_by == "suzuki");
    CHECK(reqs[0].state == "approved");
    CHECK(reqs[0].released_to == where);
    Actor kato = w.login("kato");
    CHECK_THROWS_AS(w.service->approve(kato, item.id, w.decision(item.id, "")), ReviewError);   // nothing pending any more
    CHECK(w.audit_lines("release.request", "ok").size() == 1);
    auto approved = w.audit_lines("release.approve", "ok");
    REQUIRE(approved.size() == 1);
    CHECK(approved[0]["actor"] == "suzuki");
    CHECK(approved[0]["detail"]["requested_by"] == "sato");
    auto delivered = w.audit_lines("release.deliver", "ok");
    REQUIRE(delivered.size() == 1);
    CHECK(delivered[0]["detail"]["released_to"] == where);
    CHECK(delivered[0]["seq"].get<int>() == approved[0]["seq"].get<int>() + 1);   // decision first, then delivery
    CHECK(verify_audit_log(w.audit_file()).ok());
}

void scenario_ppap_password(const std::string& db_url) {
    ReviewOptions o;
    o.release_kinds = {"original", "ppap"};
    QuarantineWorld w(db_url, o);
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);
    auto item = w.hold("zip bytes", "見積書.zip");
    Actor sato = w.login("sato");
    const std::string password = "Pa55-とても秘密";
    // A PPAP release needs its password; other kinds take none; kinds outside the policy are refused.
    CHECK(refused_kind([&] { w.service->request_release(sato, item.id, "ppap", "見積書"); }) == ReviewError::bad_input);
    CHECK(refused_kind([&] { w.service->request_release(sato, item.id, "original", "x", password); }) == ReviewError::bad_input);
    CHECK(refused_kind([&] { w.service->request_release(sato, item.id, "pixels", "x"); }) == ReviewError::bad_input);
    auto q = w.service->request_release(sato, item.id, "ppap", "取引先から別メールでパスワード受領", password);
    CHECK(q.secret.empty());
    // Stored sealed: neither the database file nor the audit log holds the password.
    CHECK(w.store->request_secret(q.id) == password);
    if (db_url.empty()) CHECK_FALSE(any_file_contains(w.tmp.path / "db", password));
    // Stored is the sealed form, whatever the database: read the column back as it is.
    std::string sealed, rid = q.id;
    w.db->session() << "SELECT secret_sealed FROM requests WHERE id = $1", Poco::Data::Keywords::useRef(rid),
        Poco::Data::Keywords::into(sealed), Poco::Data::Keywords::now;
    CHECK_FALSE(sealed.empty());
    CHECK(sealed.find(password) == std::string::npos);
    CHECK(read_whole(w.audit_file()).find(password) == std::string::npos);
    CHECK(w.audit_lines("release.request", "ok").at(0)["detail"]["password"] == "supplied");

    Actor suzuki = w.login("suzuki");
    w.service->approve(suzuki, item.id, w.decision(item.id, ""));
    REQUIRE(w.sink->handed.size() == 1);
    CHECK(w.sink->handed[0].kind == "ppap");
    CHECK(w.sink->handed[0].password == password);
    // Wiped with the decision.
    CHECK(w.store->request_secret(q.id).empty());
}


}  // namespace mugaika::test
