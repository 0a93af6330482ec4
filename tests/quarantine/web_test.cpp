// The officer web UI over real HTTP on 127.0.0.1: login with both factors, CSRF, session expiry, size
// limits, path tricks, roles and the four-eyes release, each refusal with its audit line.
#include <doctest/doctest.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include <regex>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/web.hpp"
#include "quarantine_fixture.hpp"
#include "web_client.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
using namespace mugaika::test::web;


TEST_CASE("web: login with password and TOTP, list and detail in Japanese, safe cookies and headers") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes", "請求書.docm");
    Client c = ww.client();
    CHECK(c.get("/items").status == 303);   // not signed in
    auto form = c.get("/login");
    CHECK(form.body.find("確認コード") != std::string::npos);
    CHECK(form.csp.find("default-src 'none'") != std::string::npos);
    ww.w.clock += 30;
    auto r = c.post("/login", {{"csrf", csrf_in(form.body)}, {"user", "sato"}, {"password", "correct horse battery"},
                               {"totp", ww.w.code("sato", ww.w.clock)}});
    REQUIRE(r.status == 303);
    CHECK(r.set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(r.set_cookie.find("Secure") != std::string::npos);
    CHECK(r.set_cookie.find("SameSite=Strict") != std::string::npos);
    auto list = c.get("/items");
    CHECK(list.status == 200);
    CHECK(list.body.find("請求書.docm") != std::string::npos);
    CHECK(list.body.find("総務課") != std::string::npos);
    auto detail = c.get("/items/" + item.id);
    CHECK(detail.status == 200);
    CHECK(detail.body.find("マクロ(VBA)が含まれていました。") != std::string::npos);   // the finding's ja text
    CHECK(detail.body.find("隔離しました: マクロ(VBA)を含む") != std::string::npos);   // summary_ja
    CHECK(detail.body.find("解放を依頼する") != std::string::npos);
    CHECK(detail.body.find("原本をそのまま解放(危険)") != std::string::npos);   // the kinds the policy allows
    // English by switch.
    c.get("/lang?to=en");
    CHECK(c.get("/items/" + item.id).body.find("The original as it is (dangerous)") != std::string::npos);
    // Filters.
    CHECK(c.get("/items?party=somu%40city").body.find("請求書.docm") != std::string::npos);
    CHECK(c.get("/items?state=released").body.find("請求書.docm") == std::string::npos);
    CHECK(ww.w.audit_lines("login", "ok").size() == 1);
}

TEST_CASE("web: wrong and replayed TOTP codes are refused with a message and an audit line") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    Client c = ww.client();
    auto form = c.get("/login");
    ww.w.clock += 30;
    std::string good = ww.w.code("sato", ww.w.clock);
    auto r = c.post("/login", {{"csrf", csrf_in(form.body)}, {"user", "sato"}, {"password", "correct horse battery"},
                               {"totp", good == "123456" ? "654321" : "123456"}});
    CHECK(r.status == 401);
    CHECK(r.body.find("正しくありません") != std::string::npos);
    r = c.post("/login", {{"csrf", csrf_in(r.body)}, {"user", "sato"}, {"password", "correct horse battery"}, {"totp", good}});
    CHECK(r.status == 303);
    Client other = ww.client();
    form = other.get("/login");
    r = other.post("/login", {{"csrf", csrf_in(form.body)}, {"user", "sato"}, {"password", "correct horse battery"},
                              {"totp", good}});
    CHECK(r.status == 401);
    CHECK(r.body.find("正しくありません") != std::string::npos);   // not "already used": that tells the password was right
    auto failed = ww.w.audit_lines("login.failed", "denied");
    REQUIRE(failed.size() == 2);
    CHECK(failed[0]["detail"]["why"] == "bad_totp");
    CHECK(failed[1]["detail"]["why"] == "replayed_totp");
    CHECK(failed[1]["detail"]["channel"] == "web 127.0.0.1");
}

TEST_CASE("web: a POST without the CSRF token is refused and audited, nothing changes") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes");
    Client c = ww.client();
    std::string csrf = ww.login(c, "sato");
    REQUIRE_FALSE(csrf.empty());
    auto r = c.post("/items/" + item.id + "/request", {{"reason", "必要"}});
    CHECK(r.status == 403);
    CHECK(r.body.find("トークン") != std::string::npos);
    r = c.post("/items/" + item.id + "/request", {{"reason", "必要"}, {"csrf", std::string(64, '0')}});
    CHECK(r.status == 403);
    CHECK(ww.w.store->find(item.id)->state == state::held);
    auto refused = ww.w.audit_lines("http.csrf", "denied");
    REQUIRE(refused.size() == 2);
    CHECK(refused[0]["actor"] == "sato");
    CHECK(refused[0]["item"] == item.id);
    // A login form posted without its token is refused too.
    Client d = ww.client();
    r = d.post("/login", {{"user", "sato"}, {"password", "correct horse battery"}, {"totp", "000000"}});
    CHECK(r.status == 403);
    CHECK(ww.w.audit_lines("login.csrf", "denied").size() == 1);
    // With the token it works.
    r = c.post("/items/" + item.id + "/request", {{"kind", "original"}, {"reason", "必要"}, {"csrf", csrf}});
    CHECK(r.status == 303);
    CHECK(ww.w.store->find(item.id)->state == state::release_requested);
}

TEST_CASE("web: an idle session expires and the next request is refused and audited") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes");
    Client c = ww.client();
    std::string csrf = ww.login(c, "sato");
    ww.w.clock += 14 * 60;
    CHECK(c.get("/items").status == 200);   // activity keeps it alive
    ww.w.clock += 16 * 60;
    auto r = c.post("/items/" + item.id + "/request", {{"reason", "必要"}, {"csrf", csrf}});
    CHECK(r.status == 401);
    CHECK(r.body.find("ログアウトしました") != std::string::npos);
    CHECK(ww.w.store->find(item.id)->state == state::held);
    auto expired = ww.w.audit_lines("session.expired", "denied");
    REQUIRE(expired.size() == 1);
    CHECK(expired[0]["actor"] == "sato");
    CHECK(c.get("/items").status == 303);   // and it stays gone
}

TEST_CASE("web: path tricks in item ids and oversized forms are refused and audited") {
    WebWorld ww(2048);
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes");
    Client c = ww.client();
    std::string csrf = ww.login(c, "sato");
    for (std::string bad : std::vector<std::string>{"/items/..%2F..%2Fetc%2Fpasswd", "/items/%2e%2e", "/items/" + item.id + "%00"}) {
        auto r = c.get(bad);
        CHECK(r.status == 400);
        CHECK(r.body.find("形式が正しくありません") != std::string::npos);
    }
    CHECK(c.get("/items/../../etc/passwd").status != 200);
    CHECK(ww.w.audit_lines("item.view", "denied").size() >= 3);
    std::string big = "csrf=" + csrf + "&reason=" + std::string(5000, 'a');
    auto r = c.send("POST", "/items/" + item.id + "/request", big);
    CHECK(r.status == 413);
    CHECK(r.body.find("大きすぎます") != std::string::npos);
    r = c.send("POST", "/items/" + item.id + "/request", "csrf=" + csrf, std::int64_t(1) << 30);   // a lie
    CHECK(r.status == 413);
    CHECK(ww.w.store->find(item.id)->state == state::held);
    CHECK(ww.w.audit_lines("http.too_large", "denied").size() == 2);
}

TEST_CASE("web: four-eyes release through the UI, download with reason, roles enforced") {
    WebWorld ww;
    ww.w.add_user("kanri", Role::admin);
    ww.w.add_user("sato", Role::officer);
    ww.w.add_user("suzuki", Role::approver);
    auto item = ww.w.hold("%PDF-1.7 original", "見積書.pdf");
    Client officer = ww.client(), approver = ww.client(), admin = ww.client();
    std::string oc = ww.login(officer, "sato"), ac = ww.login(approver, "suzuki"), kc = ww.login(admin, "kanri");
    CHECK(approver.get("/items/" + item.id).body.find("承認して解放する") == std::string::npos);   // nothing pending
    auto r = officer.post("/items/" + item.id + "/request", {{"kind", "original"}, {"reason", "取引先の正式な見積書"}, {"csrf", oc}});
    REQUIRE(r.status == 303);
    CHECK(officer.get(r.location).body.find("解放を依頼しました") != std::string::npos);
    // The requester is not offered, and not allowed, the approval.
    CHECK(officer.post("/items/" + item.id + "/approve", {{"csrf", oc}}).status == 403);
    auto page = approver.get("/items/" + item.id);
    CHECK(page.body.find("原本の解放を承認する") != std::string::npos);
    auto decision = decision_in(page.body);
    // The original needs a confirmation page of its own before it is released.
    r = approver.post("/items/" + item.id + "/approve", {{"note", "確認済み"}, {"csrf", ac}, {"request", decision.first},
                                                          {"kind", decision.second}});
    REQUIRE(r.status == 200);
    CHECK(r.body.find("confirm-original") != std::string::npos);
    CHECK(mugaika::test::files_in(ww.w.drop_dir()).empty());
    r = approver.post("/items/" + item.id + "/approve", {{"note", "確認済み"}, {"csrf", ac}, {"request", decision.first},
                                                          {"kind", decision.second}, {"confirm_original", "yes"}});
    REQUIRE(r.status == 303);
    CHECK(approver.get(r.location).body.find("承認し、解放しました") != std::string::npos);
    auto files = mugaika::test::files_in(ww.w.drop_dir());
    REQUIRE(files.size() == 1);
    CHECK(mugaika::test::read_whole(files[0]) == "%PDF-1.7 original");
    // Download: officer only, reason required.
    CHECK(officer.post("/items/" + item.id + "/download", {{"reason", ""}, {"csrf", oc}}).status == 400);
    r = officer.post("/items/" + item.id + "/download", {{"reason", "検査のため"}, {"csrf", oc}});
    CHECK(r.status == 200);
    CHECK(r.body == "%PDF-1.7 original");
    CHECK(r.content_disposition.find("filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf") != std::string::npos);
    CHECK(approver.post("/items/" + item.id + "/download", {{"reason", "x"}, {"csrf", ac}}).status == 403);
    // The admin manages accounts and sees no content.
    CHECK(admin.get("/items").status == 403);
    CHECK(admin.get("/items/" + item.id).status == 403);
    CHECK(admin.get("/users").body.find("suzuki") != std::string::npos);
    r = admin.post("/users/add", {{"name", "tanaka"}, {"role", "auditor"}, {"csrf", kc}});
    CHECK(r.status == 200);
    CHECK(r.body.find("enrolment-code") != std::string::npos);   // a code to hand over, no password, no secret
    // Every step is in the audit log, and the chain is intact.
    CHECK(ww.w.audit_lines("release.request", "ok").size() == 1);
    CHECK(ww.w.audit_lines("release.approve", "ok").size() == 1);
    CHECK(ww.w.audit_lines("release.approve", "denied").size() == 1);
    CHECK(ww.w.audit_lines("item.download", "ok").size() == 1);
    CHECK(ww.w.audit_lines("user.add", "ok").size() == 5);   // kanri, sato, suzuki, root-admin2 (confirms), tanaka
    CHECK(verify_audit_log(ww.w.audit_file()).ok());
}

TEST_CASE("web: plain HTTP is refused off loopback and HTTPS serves the configured certificate") {
    QuarantineWorld w;
    QuarantineConfig c;
    c.ui_host = "0.0.0.0";
    c.ui_port = 0;
    CHECK_THROWS_AS(OfficerServer(*w.service, c), QuarantineConfigError);
    auto openssl = mugaika::test::run("command -v openssl");
    if (openssl.status != 0) {
        MESSAGE("SKIPPED the HTTPS part: no openssl command");
        return;
    }
    auto key = w.tmp.path / "ui.key", cert = w.tmp.path / "ui.crt";
    auto gen = mugaika::test::run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout " +
                                  mugaika::test::shell_quote(key.string()) + " -out " +
                                  mugaika::test::shell_quote(cert.string()) + " 2>/dev/null");
    REQUIRE(gen.status == 0);
    c.ui_host = "127.0.0.1";
    c.tls_cert = cert;
    c.tls_key = key;
    OfficerServer server(*w.service, c);
    server.start();
    CHECK(server.tls());
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::CLIENT_USE, "", "", "",
                                                         Poco::Net::Context::VERIFY_NONE);
    Poco::Net::HTTPSClientSession s("127.0.0.1", server.port(), ctx);
    Poco::Net::HTTPRequest req("GET", "/login", Poco::Net::HTTPMessage::HTTP_1_1);
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(s.receiveResponse(resp), body);
    CHECK(resp.getStatus() == 200);
    CHECK(resp.get("Strict-Transport-Security", "").find("max-age") != std::string::npos);
    CHECK(body.find("確認コード") != std::string::npos);
    server.stop();
}

TEST_CASE("web: the auditor sees the audit log with its verification and the disposal register") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    ww.w.add_user("kansa", Role::auditor);
    auto item = ww.w.hold("bytes", "a.docm");
    Actor sato = ww.w.login("sato");
    ww.w.service->remove(sato, item.id, "誤送信");
    Client officer = ww.client(), auditor = ww.client();
    std::string oc = ww.login(officer, "sato");
    ww.login(auditor, "kansa");
    CHECK(officer.get("/audit").status == 403);   // officers act; auditors read the log
    auto page = auditor.get("/audit");
    CHECK(page.status == 200);
    CHECK(page.body.find("ハッシュチェーンは正常です") != std::string::npos);
    CHECK(page.body.find("item.delete") != std::string::npos);
    CHECK(page.body.find("誤送信") != std::string::npos);   // the disposal register
    CHECK(auditor.post("/items/" + item.id + "/delete", {{"reason", "x"}, {"csrf", csrf_in(page.body)}}).status == 403);
    // Tampering shows on the page.
    auto lines = mugaika::read_file(ww.w.audit_file(), 1 << 20);
    auto pos = lines.find("\"actor\":\"gateway\"");
    REQUIRE(pos != std::string::npos);
    lines.replace(pos, 17, "\"actor\":\"nobody!\"");
    mugaika::replace_file(ww.w.audit_file().parent_path(), ww.w.audit_file().filename().string(), lines);
    page = auditor.get("/audit");
    CHECK(page.body.find("改ざんまたは破損を検出しました") != std::string::npos);
}
