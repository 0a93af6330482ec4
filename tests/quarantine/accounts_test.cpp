// Accounts without a single person who can release alone: enrolment codes (one-time, short-lived, stored
// hashed), the person's own password and TOTP, role grants confirmed by a second admin, nobody resetting
// their own factors, sessions that end when credentials or roles change, and login answers that do not
// tell which names exist.
#include <doctest/doctest.h>

#include <Poco/Data/Session.h>

#include <algorithm>

#include "quarantine_fixture.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;
using mugaika::test::refused_kind;

namespace {

std::string column(QuarantineWorld& w, const std::string& user, const std::string& col) {
    std::string v, n = user;
    w.db->session() << "SELECT " + col + " FROM users WHERE name = $1", Poco::Data::Keywords::useRef(n),
        Poco::Data::Keywords::into(v), Poco::Data::Keywords::now;
    return v;
}

std::string login_message(QuarantineWorld& w, const std::string& user, const std::string& password,
                          const std::string& code) {
    try {
        w.service->login(user, password, code, "test");
    } catch (const ReviewError& e) {
        CHECK(e.kind == ReviewError::auth_failed);
        return e.message_ja;
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("accounts: a single admin cannot make an officer and an approver and release alone") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);   // the only admin
    Actor admin = w.login("kanri");
    auto item = w.hold("MZ executable", "tool.exe");
    // The admin adds two accounts, gets their enrolment codes and enrols both as if they were the people.
    Enrolment officer_code = w.service->add_user(admin, "fake-officer", Role::officer);
    Enrolment approver_code = w.service->add_user(admin, "fake-approver", Role::approver);
    w.enrol("fake-officer", officer_code.code);
    w.enrol("fake-approver", approver_code.code);
    // The roles await a second admin: both accounts have no role and cannot sign in.
    CHECK(w.users->find("fake-officer")->role == Role::none);
    CHECK(w.users->find("fake-officer")->pending_role == Role::officer);
    CHECK(refused_kind([&] { w.login("fake-officer"); }) == ReviewError::auth_failed);
    CHECK(refused_kind([&] { w.login("fake-approver"); }) == ReviewError::auth_failed);
    CHECK(w.audit_lines("login.failed").back()["detail"]["why"] == "no_role");
    // The admin cannot confirm their own grants, nor force the role with a role change.
    CHECK(refused_kind([&] { w.service->confirm_role(admin, "fake-officer"); }) == ReviewError::denied);
    w.service->set_role(admin, "fake-approver", Role::approver);
    CHECK(w.users->find("fake-approver")->role == Role::none);
    // A second admin account made by this admin is itself only a pending grant.
    Enrolment helper = w.service->add_user(admin, "kanri-helper", Role::admin);
    w.enrol("kanri-helper", helper.code);
    CHECK(refused_kind([&] { w.login("kanri-helper"); }) == ReviewError::auth_failed);
    // Nothing was released, and nobody could ask.
    CHECK(w.store->find(item.id)->state == state::held);
    CHECK(w.sink->handed.empty());
    CHECK(w.audit_lines("user.role_confirm", "denied").size() == 1);
}

TEST_CASE("accounts: resetting someone's factors puts their acting role back to a second admin") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    w.add_user("sato", Role::officer);
    w.add_user("suzuki", Role::approver);   // confirmed by root-admin2 (the fixture's second admin)
    Actor admin = w.login("kanri");
    // Resetting both and enrolling them as oneself must not yield two usable accounts.
    for (const char* user : {"sato", "suzuki"}) {
        Enrolment e = w.service->reset_user(admin, user);
        CHECK(column(w, user, "pw_hash").empty());
        CHECK(column(w, user, "totp_sealed").empty());
        w.enrol(user, e.code, "taken over by the admin");
        CHECK(w.users->find(user)->role == Role::none);
        CHECK(refused_kind([&] { w.login(user, "taken over by the admin"); }) == ReviewError::auth_failed);
    }
    // The second admin confirms after checking with the people; then they work again.
    Actor second{w.second_admin, Role::admin, "test"};
    w.service->confirm_role(second, "sato");
    CHECK(w.users->find("sato")->role == Role::officer);
    CHECK_NOTHROW(w.login("sato", "taken over by the admin"));
    auto resets = w.audit_lines("user.reset", "ok");
    REQUIRE(resets.size() == 2);
    CHECK(resets[0]["detail"]["pending_role"] == "officer");
}

TEST_CASE("accounts: nobody resets their own factors, and an admin never sees another's") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    w.add_user("sato", Role::officer);
    Actor admin = w.login("kanri");
    CHECK(refused_kind([&] { w.service->reset_user(admin, "kanri"); }) == ReviewError::denied);
    CHECK_FALSE(column(w, "kanri", "pw_hash").empty());
    Actor sato = w.login("sato");
    CHECK(refused_kind([&] { w.service->reset_user(sato, "sato"); }) == ReviewError::denied);   // not an admin either
    // What an admin gets for a new account is a code to hand over: no password, no TOTP secret.
    Enrolment e = w.service->add_user(admin, "tanaka", Role::auditor);
    CHECK(e.code.size() == 19);
    CHECK(column(w, "tanaka", "pw_hash").empty());
    CHECK(column(w, "tanaka", "totp_sealed").empty());
    CHECK(w.audit_lines("user.reset", "denied").size() == 2);
}

TEST_CASE("accounts: enrolment codes are one-time, expire, and are stored only hashed") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    Actor admin = w.login("kanri");
    Enrolment e = w.service->add_user(admin, "tanaka", Role::auditor);   // auditor: in effect at once
    CHECK(e.expires == w.clock + 8 * 3600);
    std::string stored = column(w, "tanaka", "enrol_hash");
    CHECK(stored.size() == 64);
    CHECK(stored.find(e.code) == std::string::npos);
    CHECK(stored.find(normalize_enrolment_code(e.code)) == std::string::npos);
    // Typed as people type it: lower case, without dashes.
    std::string typed = normalize_enrolment_code(e.code);
    for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    w.enrol("tanaka", typed);
    CHECK_NOTHROW(w.login("tanaka"));
    // Used: refused, with the same words as a wrong code or a name that does not exist.
    std::string used, wrong, nobody;
    try { w.service->begin_enrolment("tanaka", e.code, "test"); } catch (const ReviewError& x) { used = x.message_ja; }
    try { w.service->begin_enrolment("tanaka", "AAAA-BBBB-CCCC-DDDD", "test"); } catch (const ReviewError& x) { wrong = x.message_ja; }
    try { w.service->begin_enrolment("nobody", e.code, "test"); } catch (const ReviewError& x) { nobody = x.message_ja; }
    CHECK_FALSE(used.empty());
    CHECK(used == wrong);
    CHECK(used == nobody);
    // Expired.
    Enrolment late = w.service->add_user(admin, "kimura", Role::auditor);
    w.clock += 8 * 3600 + 1;
    CHECK(refused_kind([&] { w.service->begin_enrolment("kimura", late.code, "test"); }) == ReviewError::auth_failed);
    auto refused = w.audit_lines("user.enrol", "denied");
    REQUIRE(refused.size() == 4);
    CHECK(refused[3]["actor"] == "kimura");
}

TEST_CASE("accounts: enrolment proves the app has the secret before the account works") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    Enrolment e = w.service->add_user(w.login("kanri"), "tanaka", Role::auditor);
    NewSecret s = w.service->begin_enrolment("tanaka", e.code, "test");
    // A reload shows the same secret (the app may already have it).
    CHECK(w.service->begin_enrolment("tanaka", e.code, "test").base32 == s.base32);
    std::string secret = totp::base32_decode(s.base32);
    std::string good = totp::code_at(secret, totp::step_of(w.clock));
    std::string bad = good == "000000" ? "111111" : "000000";
    CHECK(refused_kind([&] { w.service->finish_enrolment("tanaka", e.code, "a long enough password", bad, "test"); }) ==
          ReviewError::auth_failed);
    CHECK(refused_kind([&] { w.service->finish_enrolment("tanaka", e.code, "short", good, "test"); }) ==
          ReviewError::bad_input);
    CHECK_FALSE(w.service->finish_enrolment("tanaka", e.code, "a long enough password", good, "test"));
    CHECK(w.users->find("tanaka")->enrolled);
    w.clock += 30;
    CHECK_NOTHROW(w.service->login("tanaka", "a long enough password", totp::code_at(secret, totp::step_of(w.clock)), "test"));
}

TEST_CASE("accounts: the bootstrap makes at most two admins, later grants need the second admin") {
    QuarantineWorld w;
    CHECK_NOTHROW(w.service->bootstrap_admin("kanri", "first admin password"));
    CHECK_NOTHROW(w.service->bootstrap_admin("kanri2", "second admin password"));
    CHECK(refused_kind([&] { w.service->bootstrap_admin("kanri3", "third admin password"); }) == ReviewError::denied);
    CHECK(w.audit_lines("user.add", "denied").size() == 1);
    // An auditor (reads only) takes effect at once; an officer waits for the other admin.
    Actor one{"kanri", Role::admin, "test"}, two{"kanri2", Role::admin, "test"};
    w.service->add_user(one, "kansa", Role::auditor);
    CHECK(w.users->find("kansa")->role == Role::auditor);
    w.service->add_user(one, "sato", Role::officer);
    CHECK(w.users->find("sato")->role == Role::none);
    CHECK(refused_kind([&] { w.service->confirm_role(one, "sato"); }) == ReviewError::denied);
    w.service->confirm_role(two, "sato");
    CHECK(w.users->find("sato")->role == Role::officer);
    auto confirmed = w.audit_lines("user.role_confirm", "ok");
    REQUIRE(confirmed.size() == 1);
    CHECK(confirmed[0]["detail"]["granted_by"] == "kanri");
    // A grant can be withdrawn by any admin.
    w.service->set_role(one, "kansa", Role::approver);
    CHECK(w.users->find("kansa")->role == Role::auditor);
    w.service->cancel_role(one, "kansa");
    CHECK_FALSE(w.users->find("kansa")->pending_role.has_value());
}

TEST_CASE("accounts: with four_eyes = false a role takes effect at once") {
    ReviewOptions o;
    o.four_eyes = false;
    QuarantineWorld w("", o);
    w.add_user("kanri", Role::admin);
    w.service->add_user(w.admin(), "sato", Role::officer);
    CHECK(w.users->find("sato")->role == Role::officer);
    CHECK_FALSE(w.users->find("sato")->pending_role.has_value());
}

TEST_CASE("sessions: a changed password, reset factors, role or disabled account ends open sessions") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    w.add_user("sato", Role::officer);
    w.add_user("kansa", Role::auditor);
    auto item = w.hold("bytes");
    Actor admin = w.login("kanri");

    // The person's own password: the current one is needed; every session of the account ends.
    Actor sato = w.login("sato");
    Actor sato_elsewhere = w.login("sato");
    CHECK(refused_kind([&] { w.service->change_password(sato, "wrong current pw", "the new password 1"); }) ==
          ReviewError::auth_failed);
    CHECK(w.service->session_valid(sato_elsewhere));
    w.service->change_password(sato, "correct horse battery", "the new password 1");
    CHECK_FALSE(w.service->session_valid(sato));
    CHECK_FALSE(w.service->session_valid(sato_elsewhere));
    CHECK(refused_kind([&] { w.service->list(sato_elsewhere, {}); }) == ReviewError::denied);
    CHECK_NOTHROW(w.login("sato", "the new password 1"));

    // A role change (to auditor: at once) ends the session too.
    Actor kansa = w.login("kansa");
    w.service->set_role(admin, "kansa", Role::auditor);   // unchanged role: nothing ends
    CHECK(w.service->session_valid(kansa));
    w.service->set_disabled(admin, "kansa", true);
    CHECK_FALSE(w.service->session_valid(kansa));
    w.service->set_disabled(admin, "kansa", false);
    CHECK_FALSE(w.service->session_valid(kansa));   // enabling again does not revive the old session
    CHECK(refused_kind([&] { w.service->show(kansa, item.id); }) == ReviewError::denied);

    // A reset of the factors.
    Actor sato2 = w.login("sato", "the new password 1");
    w.service->reset_user(admin, "sato");
    CHECK_FALSE(w.service->session_valid(sato2));
    CHECK(w.audit_lines("user.passwd", "ok").size() == 1);
    CHECK(w.audit_lines("user.passwd", "denied").size() == 1);
}

TEST_CASE("login: the same answer for unknown, locked, disabled and unenrolled names and a used code") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    w.add_user("sato", Role::officer);
    w.add_user("yamada", Role::officer);
    w.service->add_user(w.admin(), "tanaka", Role::auditor);   // not enrolled yet
    w.service->set_disabled(w.admin(), "yamada", true);
    w.clock += 30;
    std::string good = w.code("sato", w.clock);
    std::string wrong_code = good == "000000" ? "111111" : "000000";
    std::string unknown = login_message(w, "nobody", "some password here", wrong_code);
    CHECK(unknown.find("正しくありません") != std::string::npos);
    CHECK(login_message(w, "sato", "not the password", good) == unknown);
    CHECK(login_message(w, "sato", "correct horse battery", wrong_code) == unknown);
    CHECK(login_message(w, "yamada", "correct horse battery", w.code("yamada", w.clock)) == unknown);
    CHECK(login_message(w, "tanaka", "correct horse battery", wrong_code) == unknown);
    CHECK_NOTHROW(w.service->login("sato", "correct horse battery", good, "test"));
    CHECK(login_message(w, "sato", "correct horse battery", good) == unknown);   // the code was used
    for (int i = 0; i < 5; ++i) login_message(w, "sato", "not the password", good);
    CHECK(login_message(w, "sato", "correct horse battery", w.code("sato", w.clock + 30)) == unknown);   // locked
    // The audit log says which it was.
    std::vector<std::string> why;
    for (const auto& l : w.audit_lines("login.failed")) why.push_back(l["detail"]["why"]);
    CHECK(why.front() == "unknown_user");
    CHECK(std::find(why.begin(), why.end(), "disabled") != why.end());
    CHECK(std::find(why.begin(), why.end(), "not_enrolled") != why.end());
    CHECK(std::find(why.begin(), why.end(), "replayed_totp") != why.end());
    CHECK(why.back() == "locked");
}

TEST_CASE("audit: failed logins nobody signed in caused are rate-limited and summarised") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.clock += 30;
    for (int i = 0; i < 100; ++i) login_message(w, "nobody" + std::to_string(i % 3), "guess number " + std::to_string(i), "123456");
    auto written = w.audit_lines("login.failed", "denied");
    CHECK(written.size() == 30);
    CHECK(w.audit_lines("http.suppressed").empty());   // the window is still open
    w.clock += 61;
    w.service->flush_throttled();
    auto summary = w.audit_lines("http.suppressed");
    REQUIRE(summary.size() == 1);
    CHECK(summary[0]["detail"]["suppressed"] == 70);
    CHECK(summary[0]["detail"]["actions"]["login.failed unknown_user test"] == 70);
    // A failure that locks an account is always written, however many came before.
    for (int i = 0; i < 40; ++i) login_message(w, "nobody", "guess", "123456");
    for (int i = 0; i < 5; ++i) login_message(w, "sato", "not the password", "123456");
    auto lines = w.audit_lines("login.failed", "denied");
    CHECK(lines.back()["actor"] == "sato");
    CHECK(lines.back()["detail"]["locked"] == true);
    CHECK(verify_audit_log(w.audit_file()).ok());
}
