// The officer UI as reviewed by a municipal security officer: each connection served on its own, approvals
// bound to the request on screen, enrolment by the person, sessions that end when credentials change,
// names shown as they are, labels and partial holds explained, the audit page robust and filterable.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "mugaika/atomic_file.hpp"
#include "web_client.hpp"

using namespace mugaika::quarantine;
using namespace mugaika::test::web;
using mugaika::test::QuarantineWorld;

namespace {

// A raw TCP connection to the UI, for clients that misbehave.
struct RawConnection {
    int fd = -1;
    explicit RawConnection(std::uint16_t port) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~RawConnection() { ::close(fd); }
    void send(const std::string& s) { REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
};

std::string find(const std::string& html, const std::string& pattern) {
    std::smatch m;
    std::regex re(pattern);
    return std::regex_search(html, m, re) ? m[1].str() : "";
}

// Enrols through the pages, as the person would: the code, then the secret shown as text, the password
// twice and the app's code. Returns the final page.
Reply enrol(WebWorld& ww, Client& c, const std::string& user, const std::string& code, const std::string& password) {
    auto start = c.get("/enrol");
    REQUIRE(start.status == 200);
    auto secret_page = c.post("/enrol", {{"csrf", csrf_in(start.body)}, {"user", user}, {"code", code}});
    REQUIRE(secret_page.status == 200);
    CHECK(secret_page.body.find("<svg") != std::string::npos);   // the QR code, drawn inline
    std::string secret = find(secret_page.body, "id=\"totp-secret\" class=\"secret\">([A-Z2-7 ]+)<");
    REQUIRE_FALSE(secret.empty());
    ww.w.secrets[user] = totp::base32_decode(secret);
    return c.post("/enrol/finish", {{"csrf", csrf_in(secret_page.body)}, {"user", user}, {"code", code},
                                    {"password", password}, {"password2", password},
                                    {"totp", ww.w.code(user, ww.w.clock)}});
}

}  // namespace

TEST_CASE("web: a slow anonymous connection does not hold up an officer who signs in and works") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes", "請求書.docm");
    // Someone opens a connection, promises a login form and sends a few bytes of it, then nothing.
    RawConnection slow(ww.server->port());
    slow.send("POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              "Content-Length: 1000\r\n\r\nuser=sa");
    RawConnection slow_headers(ww.server->port());
    slow_headers.send("GET /items HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    // Meanwhile the officer signs in, lists, opens the item and asks for its release.
    Client c = ww.client();
    std::string csrf = ww.login(c, "sato");
    REQUIRE_FALSE(csrf.empty());
    CHECK(c.get("/items").body.find("請求書.docm") != std::string::npos);
    CHECK(c.get("/items/" + item.id).status == 200);
    auto r = c.post("/items/" + item.id + "/request", {{"kind", "original"}, {"reason", "必要"}, {"csrf", csrf}});
    CHECK(r.status == 303);
    CHECK(ww.w.store->find(item.id)->state == state::release_requested);
}

TEST_CASE("web: an approval names the request on screen, a stale one is refused") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    ww.w.add_user("suzuki", Role::approver);
    ww.w.add_user("kato", Role::approver);
    auto item = ww.w.hold("MZ executable", "setup.exe");
    Client officer = ww.client(), suzuki = ww.client(), kato = ww.client();
    std::string oc = ww.login(officer, "sato"), sc = ww.login(suzuki, "suzuki"), kc = ww.login(kato, "kato");
    REQUIRE(officer.post("/items/" + item.id + "/request", {{"kind", "resanitize"}, {"reason", "再無害化"}, {"csrf", oc}}).status == 303);
    // suzuki opens the page: the form names the request and its kind.
    auto seen_page = suzuki.get("/items/" + item.id);
    auto seen = decision_in(seen_page.body);
    REQUIRE(seen.second == "resanitize");
    CHECK(seen_page.body.find("現在のポリシーで再度無害化して解放") != std::string::npos);
    // kato rejects it, sato asks for the original.
    auto kd = decision_in(kato.get("/items/" + item.id).body);
    REQUIRE(kato.post("/items/" + item.id + "/reject", {{"request", kd.first}, {"kind", kd.second}, {"csrf", kc}}).status == 303);
    REQUIRE(officer.post("/items/" + item.id + "/request", {{"kind", "original"}, {"reason", "原本が必要"}, {"csrf", oc}}).status == 303);
    // suzuki's form, posted as it was: refused, the page says what is pending now.
    auto r = suzuki.post("/items/" + item.id + "/approve",
                         {{"request", seen.first}, {"kind", seen.second}, {"note", "再無害化として確認"}, {"csrf", sc}});
    CHECK(r.status == 409);
    CHECK(r.body.find("解放依頼が変わりました") != std::string::npos);
    CHECK(r.body.find("原本をそのまま解放(危険)") != std::string::npos);
    CHECK(ww.w.sink->handed.empty());
    CHECK(ww.w.store->find(item.id)->state == state::release_requested);
    // A form without the request (an old page, a hand-made post) is refused too.
    CHECK(suzuki.post("/items/" + item.id + "/approve", {{"csrf", sc}}).status == 409);
    CHECK(ww.w.sink->handed.empty());
}

TEST_CASE("web: the approver sees the kind prominently, and the original takes a confirmation page") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    ww.w.add_user("suzuki", Role::approver);
    auto item = ww.w.hold("%PDF original", "見積書.pdf");
    Client officer = ww.client(), approver = ww.client();
    std::string oc = ww.login(officer, "sato"), ac = ww.login(approver, "suzuki");
    std::string long_reason(600, 'x');
    REQUIRE(officer.post("/items/" + item.id + "/request", {{"kind", "original"}, {"reason", long_reason}, {"csrf", oc}}).status == 303);
    auto page = approver.get("/items/" + item.id);
    CHECK(page.body.find("class=\"pending danger\"") != std::string::npos);
    CHECK(page.body.find("class=\"release-kind danger\"") != std::string::npos);
    auto d = decision_in(page.body);
    auto confirm = approver.post("/items/" + item.id + "/approve", {{"request", d.first}, {"kind", d.second}, {"csrf", ac}});
    CHECK(confirm.status == 200);
    CHECK(confirm.body.find("confirm_original") != std::string::npos);
    CHECK(ww.w.sink->handed.empty());
    auto r = approver.post("/items/" + item.id + "/approve",
                           {{"request", d.first}, {"kind", d.second}, {"confirm_original", "yes"}, {"csrf", ac}});
    REQUIRE(r.status == 303);
    CHECK(ww.w.sink->handed.size() == 1);
    auto after = approver.get(r.location);
    CHECK(after.body.find("承認し、解放しました") != std::string::npos);
    CHECK(after.body.find("id=\"released-to\"") != std::string::npos);   // where it went
    // The banner is the session's, once: a link cannot show it.
    CHECK(approver.get(r.location).body.find("承認し、解放しました") == std::string::npos);
    auto other = ww.w.hold("other", "other.pdf");
    CHECK(approver.get("/items/" + other.id + "?done=approve").body.find("承認し、解放しました") == std::string::npos);
}

TEST_CASE("web: a new person enrols with a code, an admin confirms the role, a reset needs both again") {
    WebWorld ww;
    ww.w.add_user("kanri", Role::admin);
    ww.w.add_user("kanri2", Role::admin);   // the fixture's bootstrap: kanri is the first, kanri2 is added and confirmed
    Client admin = ww.client(), admin2 = ww.client(), person = ww.client();
    std::string kc = ww.login(admin, "kanri"), k2 = ww.login(admin2, "kanri2");
    auto added = admin.post("/users/add", {{"name", "tanaka"}, {"role", "officer"}, {"csrf", kc}});
    REQUIRE(added.status == 200);
    std::string code = find(added.body, "id=\"enrolment-code\">([A-Z0-9-]+)<");
    REQUIRE(code.size() == 19);
    CHECK(added.body.find("totp-secret") == std::string::npos);
    CHECK(admin.get("/users").body.find(code) == std::string::npos);   // shown once
    auto done = enrol(ww, person, "tanaka", code, "tanaka's own password");
    CHECK(done.status == 200);
    CHECK(done.body.find("確認を待っています") != std::string::npos);
    // kanri gave the role: no confirm button for kanri, and a hand-made post is refused.
    CHECK(admin.get("/users").body.find("id=\"confirm-tanaka\"") == std::string::npos);
    auto r = admin.post("/users/tanaka/confirm", {{"confirm", "yes"}, {"csrf", kc}});
    CHECK(r.status == 403);
    // kanri2 confirms on a confirmation page.
    auto confirm = admin2.post("/users/tanaka/confirm", {{"csrf", k2}});
    CHECK(confirm.status == 200);
    CHECK(confirm.body.find("confirm-confirm-button") != std::string::npos);
    CHECK(admin2.post("/users/tanaka/confirm", {{"confirm", "yes"}, {"csrf", k2}}).status == 303);
    std::string pc = ww.login(person, "tanaka", "tanaka's own password");
    CHECK_FALSE(pc.empty());
    // A reset ends tanaka's session and puts the role back to a second admin.
    CHECK(admin.post("/users/tanaka/reset", {{"csrf", kc}}).body.find("confirm-reset-button") != std::string::npos);
    auto reset = admin.post("/users/tanaka/reset", {{"confirm", "yes"}, {"csrf", kc}});
    CHECK(reset.body.find("enrolment-code") != std::string::npos);
    auto ended = person.get("/items");
    CHECK(ended.status == 401);
    CHECK(ended.body.find("ログアウトしました") != std::string::npos);
    CHECK(ww.w.audit_lines("session.ended", "denied").size() == 1);
    // Nobody resets their own factors, not even with a hand-made post.
    CHECK(admin.post("/users/kanri/reset", {{"confirm", "yes"}, {"csrf", kc}}).status == 403);
}

TEST_CASE("web: a person changes their password, their other sessions end, sessions have an absolute lifetime") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    Client here = ww.client(), there = ww.client();
    std::string hc = ww.login(here, "sato");
    ww.login(there, "sato");
    CHECK(here.get("/account").body.find("change-password-button") != std::string::npos);
    auto r = here.post("/account/password", {{"current", "wrong password!"}, {"password", "a new long password"},
                                             {"password2", "a new long password"}, {"csrf", hc}});
    CHECK(r.status == 401);
    r = here.post("/account/password", {{"current", "correct horse battery"}, {"password", "a new long password"},
                                        {"password2", "a different one!!"}, {"csrf", hc}});
    CHECK(r.status == 400);
    r = here.post("/account/password", {{"current", "correct horse battery"}, {"password", "a new long password"},
                                        {"password2", "a new long password"}, {"csrf", hc}});
    CHECK(r.status == 200);
    CHECK(r.body.find("パスワードを変更しました") != std::string::npos);
    CHECK(there.get("/items").status == 401);   // the other session ended
    CHECK(here.get("/items").status == 303);    // this one too: sign in again
    ww.login(here, "sato", "a new long password");
    // Kept busy, a session still ends after session_max_hours.
    Reply last;
    for (int i = 0; i < 50; ++i) {
        ww.w.clock += 14 * 60;
        last = here.get("/items");
        if (last.status != 200) break;
    }
    CHECK(last.status == 401);
    CHECK(last.body.find("一定時間が過ぎたため") != std::string::npos);
}

TEST_CASE("web: after signing in, the person lands on the page the link pointed to") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes", "a.docm");
    Client c = ww.client();
    auto r = c.get("/items/" + item.id);
    REQUIRE(r.status == 303);
    CHECK(r.location == "/login?next=%2Fitems%2F" + item.id);
    auto form = c.get(r.location);
    CHECK(form.body.find("name=\"next\" value=\"/items/" + item.id + "\"") != std::string::npos);
    ww.w.clock += 30;
    r = c.post("/login", {{"csrf", csrf_in(form.body)}, {"user", "sato"}, {"password", "correct horse battery"},
                          {"totp", ww.w.code("sato", ww.w.clock)}, {"next", "/items/" + item.id}});
    CHECK(r.location == "/items/" + item.id);
    // Elsewhere is never a destination.
    Client d = ww.client();
    form = d.get("/login");
    ww.w.clock += 30;
    r = d.post("/login", {{"csrf", csrf_in(form.body)}, {"user", "sato"}, {"password", "correct horse battery"},
                          {"totp", ww.w.code("sato", ww.w.clock)}, {"next", "//evil.example/items"}});
    CHECK(r.location == "/");
}

TEST_CASE("web: names from outside show their hidden characters, also in the download's name") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    std::string rlo = "\u202E";
    auto item = ww.w.hold("MZ", "請求書" + rlo + "fdp.exe");
    Client c = ww.client();
    std::string csrf = ww.login(c, "sato");
    auto list = c.get("/items");
    CHECK(list.body.find(rlo) == std::string::npos);
    CHECK(list.body.find("請求書[U+202E]fdp.exe") != std::string::npos);
    CHECK(list.body.find("見えない文字") != std::string::npos);
    auto r = c.post("/items/" + item.id + "/download", {{"reason", "解析"}, {"csrf", csrf}});
    REQUIRE(r.status == 200);
    CHECK(r.content_disposition.find("%E2%80%AE") == std::string::npos);
    CHECK(r.content_disposition.find(rlo) == std::string::npos);
}

TEST_CASE("web: the list speaks Japanese, filters are choices, partial holds are explained") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    HoldRequest h;
    h.original = "From: a\r\n\r\nbody";
    h.report_json = R"({"input":{"name":"message.eml"},"detected_type":"eml","verdict":"disarmed","reason":null,
        "about":{"subject":"見積書の送付","from":"山田 太郎 <yamada@example.jp>"},
        "children":[{"where":"attachment[1]","name":"見積書.pdf","type":"pdf","verdict":"disarmed","reason":""},
                    {"where":"attachment[2]","name":"請求書.exe","type":"exe","verdict":"quarantined","reason":"blocked.type"}],
        "held":[{"where":"attachment[2]","name":"請求書.exe","type":"exe","reason":"blocked.type","detail":"x"}],
        "findings":[{"where":"attachment[2]","kind":"type.blocked","action":"blocked","detail":"exe","ja":"実行ファイルを保留しました。"}],
        "summary_ja":"無害化しました(メール)。\n・含まれるファイルのうち1件は無害化できず保留しました。"})";
    h.sender = "yamada@example.jp";
    h.recipients = {"somu@city.example.lg.jp"};
    h.source = "mail";
    h.delivered_to = "宛先 somu@city.example.lg.jp (LGWAN側のメールボックス)";
    Item mail = ww.w.service->hold(h);
    ww.w.hold("bytes", "a.docm");
    Client c = ww.client();
    ww.login(c, "sato");
    auto list = c.get("/items");
    CHECK(list.body.find("見積書の送付") != std::string::npos);          // the subject, not message.eml
    CHECK(list.body.find("山田 太郎") != std::string::npos);            // the sender's name
    CHECK(list.body.find("請求書.exe") != std::string::npos);           // the held attachment by name
    CHECK(list.body.find("一部保留: 禁止された形式") != std::string::npos);
    CHECK(list.body.find("Word文書(マクロ有効)") != std::string::npos);   // a type by its label
    CHECK(list.body.find("<select name=\"reason\"") != std::string::npos);
    CHECK(list.body.find("<option value=\"blocked.type\">禁止された形式</option>") != std::string::npos);
    CHECK(list.body.find("<option value=\"eml\">メール</option>") != std::string::npos);
    CHECK(c.get("/items?reason=blocked.type").body.find("a.docm") == std::string::npos);
    auto page = c.get("/items/" + mail.id);
    CHECK(page.body.find("id=\"partial\"") != std::string::npos);
    CHECK(page.body.find("LGWAN側のメールボックス") != std::string::npos);   // where the rest went
    CHECK(page.body.find("「請求書.exe」") != std::string::npos);             // the finding names the attachment
    CHECK(page.body.find("無害化しました") != std::string::npos);
    CHECK(page.body.find("class=\"summary\"") != std::string::npos);
    CHECK(page.body.find("無害化しました(メール)。\n・含まれる") != std::string::npos);   // line breaks kept
}

TEST_CASE("web: the audit page shows a line of wrong types instead of failing, in Japanese, filtered and paged") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    ww.w.add_user("kansa", Role::auditor);
    for (int i = 0; i < 60; ++i) ww.w.hold("bytes " + std::to_string(i), "f" + std::to_string(i) + ".docm");
    Client auditor = ww.client();
    ww.login(auditor, "kansa");
    auto page = auditor.get("/audit");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("ハッシュチェーンは正常です") != std::string::npos);
    CHECK(page.body.find("隔離") != std::string::npos);   // the action's label
    CHECK(page.body.find("id=\"older\"") != std::string::npos);
    auto older = auditor.get("/audit?page=2");
    CHECK(older.status == 200);
    CHECK(older.body.find("id=\"newer\"") != std::string::npos);
    auto filtered = auditor.get("/audit?action=login&outcome=ok");
    CHECK(filtered.body.find("f5.docm") == std::string::npos);
    CHECK(filtered.body.find("kansa") != std::string::npos);
    // An edited line whose seq is a string, and one that is not JSON at all.
    auto text = mugaika::read_file(ww.w.audit_file(), 1 << 22);
    auto pos = text.find("{\"seq\":3,");
    REQUIRE(pos != std::string::npos);
    text.replace(pos, 9, "{\"seq\":\"3\",");
    auto nl = text.rfind('\n', text.rfind('\n', text.rfind('\n', text.size() - 2) - 1) - 1);
    text.insert(nl + 1, "not json at all\n");   // among the newest lines, before the last three
    mugaika::replace_file(ww.w.audit_file().parent_path(), ww.w.audit_file().filename().string(), text);
    page = auditor.get("/audit");
    CHECK(page.status == 200);
    CHECK(page.body.find("改ざんまたは破損を検出しました") != std::string::npos);
    CHECK(page.body.find("行目は監査記録の形式になっていません") != std::string::npos);
    CHECK(page.body.find("not json at all") != std::string::npos);
    CHECK(auditor.get("/audit?page=2").status == 200);
    CHECK(auditor.get("/audit?page=3").status == 200);
    // A torn last line (a crash in the middle of an append) is cut off by the next append, which records
    // the torn bytes first (audit.repaired): the viewing is recorded and the auditor sees the repair.
    std::ofstream(ww.w.audit_file(), std::ios::app) << "{\"torn\":";
    page = auditor.get("/audit");
    CHECK(page.status == 200);
    CHECK(page.body.find("id=\"unrecorded\"") == std::string::npos);
    CHECK(mugaika::read_file(ww.w.audit_file(), 1 << 22).find("\"audit.repaired\"") != std::string::npos);
    // A log that refuses new lines (a full disk) stops every action (nothing unaudited happens), but the
    // auditor still sees the log, and the page says that this viewing went unrecorded.
    mugaika::test::TempDir faults;
    mugaika::test::write_file(faults / "faults", "audit.write=ENOSPC\n");
    ::setenv("MUGAIKA_TEST_HOOKS", "1", 1);
    ::setenv("MUGAIKA_TEST_FAULTS", (faults / "faults").string().c_str(), 1);
    page = auditor.get("/audit");
    ::unsetenv("MUGAIKA_TEST_FAULTS");
    ::unsetenv("MUGAIKA_TEST_HOOKS");
    CHECK(page.status == 200);
    CHECK(page.body.find("id=\"unrecorded\"") != std::string::npos);
    CHECK(page.body.find("監査ログに新しい行を追加できない") != std::string::npos);
}

TEST_CASE("web: destructive actions take a confirmation page, the request form offers what can succeed") {
    WebWorld ww;
    ww.w.add_user("sato", Role::officer);
    auto item = ww.w.hold("bytes", "a.docm");
    Client c = ww.client();
    std::string csrf = ww.login(c, "sato");
    auto r = c.post("/items/" + item.id + "/delete", {{"reason", "誤送信"}, {"csrf", csrf}});
    CHECK(r.status == 200);
    CHECK(r.body.find("confirm-delete-button") != std::string::npos);
    CHECK(ww.w.store->find(item.id)->state == state::held);
    r = c.post("/items/" + item.id + "/delete", {{"reason", "誤送信"}, {"confirm", "yes"}, {"csrf", csrf}});
    CHECK(r.status == 303);
    CHECK(ww.w.store->find(item.id)->state == state::deleted);
}
