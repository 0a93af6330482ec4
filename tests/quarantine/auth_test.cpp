// Passwords, TOTP and lockout.
#include <doctest/doctest.h>

#include "quarantine_fixture.hpp"

using namespace mugaika::quarantine;
using mugaika::test::QuarantineWorld;

TEST_CASE("totp: RFC 6238 test vectors (SHA-1)") {
    std::string secret = "12345678901234567890";
    CHECK(totp::code_at(secret, totp::step_of(59), 8) == "94287082");
    CHECK(totp::code_at(secret, totp::step_of(1111111109), 8) == "07081804");
    CHECK(totp::code_at(secret, totp::step_of(1234567890), 8) == "89005924");
    CHECK(totp::code_at(secret, totp::step_of(20000000000), 8) == "65353130");
    CHECK(totp::code_at(secret, totp::step_of(59)) == "287082");
    CHECK(totp::base32_encode(secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    CHECK(totp::base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == secret);
    CHECK(totp::match(secret, "287082", 59) == totp::step_of(59));
    CHECK(totp::match(secret, "287082", 59 + 30) == totp::step_of(59));     // one step of drift
    CHECK_FALSE(totp::match(secret, "287082", 59 + 90).has_value());        // too old
    CHECK_FALSE(totp::match(secret, "28708", 59).has_value());
    CHECK_FALSE(totp::match(secret, "28708x", 59).has_value());
}

TEST_CASE("login: password and TOTP both required and failures audited") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.clock += 30;
    CHECK_NOTHROW(w.service->login("sato", "correct horse battery", w.code("sato", w.clock), "test"));
    w.clock += 30;
    auto fails = [&](const std::string& pw, const std::string& code) {
        try {
            w.service->login("sato", pw, code, "test");
        } catch (const ReviewError& e) {
            CHECK(e.kind == ReviewError::auth_failed);
            CHECK_FALSE(e.message_ja.empty());
            return true;
        }
        return false;
    };
    CHECK(fails("wrong password here", w.code("sato", w.clock)));
    std::string good = w.code("sato", w.clock);
    std::string wrong = good == "000000" ? "111111" : "000000";
    CHECK(fails("correct horse battery", wrong));
    auto failed = w.audit_lines("login.failed", "denied");
    REQUIRE(failed.size() == 2);
    CHECK(failed[0]["detail"]["why"] == "bad_password");
    CHECK(failed[1]["detail"]["why"] == "bad_totp");
    CHECK(w.audit_lines("login", "ok").size() == 1);
}

TEST_CASE("login: a TOTP code is accepted once (replay refused)") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    w.clock += 300;
    std::string c = w.code("sato", w.clock);
    CHECK_NOTHROW(w.service->login("sato", "correct horse battery", c, "test"));
    try {
        w.service->login("sato", "correct horse battery", c, "test");
        FAIL("replayed code accepted");
    } catch (const ReviewError& e) {
        // The same words as any other failure: "already used" would tell a guesser the password was right.
        CHECK(e.message_ja.find("正しくありません") != std::string::npos);
    }
    // An older code within the drift window is a replay too once a newer step was used.
    w.clock += 30;
    CHECK_THROWS_AS(w.service->login("sato", "correct horse battery", c, "test"), ReviewError);
    auto failed = w.audit_lines("login.failed", "denied");
    REQUIRE(failed.size() == 2);
    CHECK(failed[0]["detail"]["why"] == "replayed_totp");
}

TEST_CASE("login: repeated failures lock the account for a while") {
    QuarantineWorld w;
    w.add_user("sato", Role::officer);
    for (int i = 0; i < 5; ++i) {
        w.clock += 30;
        CHECK_THROWS_AS(w.service->login("sato", "not the password!", w.code("sato", w.clock), "test"), ReviewError);
    }
    w.clock += 30;
    try {
        w.service->login("sato", "correct horse battery", w.code("sato", w.clock), "test");
        FAIL("locked account logged in");
    } catch (const ReviewError& e) {
        // Locked or not, the same answer (a lock would otherwise tell that the name exists).
        CHECK(e.message_ja.find("正しくありません") != std::string::npos);
    }
    CHECK(w.audit_lines("login.failed").back()["detail"]["why"] == "locked");
    w.clock += 901;
    CHECK_NOTHROW(w.service->login("sato", "correct horse battery", w.code("sato", w.clock), "test"));
}

TEST_CASE("accounts: passwords are Argon2id hashes, short ones refused, names checked") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    Actor admin{"kanri", Role::admin, "test"};
    CHECK_THROWS_AS(w.service->add_user(admin, "../etc", Role::officer), ReviewError);
    CHECK_THROWS_AS(w.service->add_user(admin, "Sato", Role::officer), ReviewError);
    Enrolment e = w.service->add_user(admin, "suzuki", Role::approver);
    NewSecret secret = w.service->begin_enrolment("suzuki", e.code, "test");
    CHECK_THROWS_AS(w.service->finish_enrolment("suzuki", e.code, "short", totp::code_at(totp::base32_decode(secret.base32),
                                                                                        totp::step_of(w.clock)), "test"),
                    ReviewError);
    w.service->finish_enrolment("suzuki", e.code, "long enough password",
                                totp::code_at(totp::base32_decode(secret.base32), totp::step_of(w.clock)), "test");
    std::string hash;
    using namespace Poco::Data::Keywords;
    w.db->session() << "SELECT pw_hash FROM users WHERE name = 'suzuki'", into(hash), Poco::Data::Keywords::now;
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hash.find("long enough password") == std::string::npos);
    std::string sealed;
    w.db->session() << "SELECT totp_sealed FROM users WHERE name = 'suzuki'", into(sealed), Poco::Data::Keywords::now;
    CHECK(sealed.rfind(to_hex("MQE2"), 0) == 0);   // sealed with the store key (naming it), not stored as it is
    CHECK(sealed.find(to_hex(totp::base32_decode(secret.base32))) == std::string::npos);
}

TEST_CASE("accounts: a disabled account is refused at login and in an open session") {
    QuarantineWorld w;
    w.add_user("kanri", Role::admin);
    w.add_user("sato", Role::officer);
    Actor sato = w.login("sato");
    w.hold("bytes");
    CHECK_NOTHROW(w.service->list(sato, {}));
    w.service->set_disabled(Actor{"kanri", Role::admin, "test"}, "sato", true);
    CHECK_THROWS_AS(w.service->list(sato, {}), ReviewError);
    w.clock += 30;
    CHECK_THROWS_AS(w.service->login("sato", "correct horse battery", w.code("sato", w.clock), "test"), ReviewError);
}
