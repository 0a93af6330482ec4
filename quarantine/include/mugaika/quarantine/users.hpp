// Accounts of the people who review the quarantine. Every account has a password (Argon2id through
// libsodium's crypto_pwhash_str) and a TOTP secret (sealed with the store key, so a copy of the database
// alone does not yield second factors), both chosen by the person: an admin creates an account (or
// resets one) and hands over a one-time enrolment code, stored only as its SHA-256 and valid for a
// short time, with which the person sets their password and enrols their authenticator app. Each TOTP
// time step is accepted once per account (replay), and repeated failures lock the account for a while.
//
// A role can be in effect or awaiting confirmation (pending_role): with four-eyes, a role that can act
// on the quarantine or on accounts (officer, approver, admin) takes effect only when an admin other than
// the one who gave it confirms it. `epoch` counts changes of password, TOTP, role and enabled state; a
// session made at an older epoch has ended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/database.hpp"

namespace mugaika::quarantine {

// `none`: an account whose role awaits confirmation (or was never given) cannot sign in.
enum class Role { officer, approver, auditor, admin, none };
std::string to_string(Role r);
std::optional<Role> parse_role(std::string_view s);   // the four real roles only

struct Account {
    std::string name;
    Role role = Role::none;                 // in effect
    std::optional<Role> pending_role;       // given, awaiting another admin's confirmation
    std::string pending_by;                 // the admin who gave it
    bool disabled = false;
    bool enrolled = false;                  // has a password and a TOTP secret of their own
    std::int64_t failed = 0, locked_until = 0, totp_last_step = 0, created_at = 0, updated_at = 0;
    std::int64_t epoch = 0, pending_at = 0, enrol_expires = 0, enrolled_at = 0;
};

struct LockoutPolicy {
    int max_failures = 5;             // consecutive failures (password, TOTP or enrolment code) before a lock
    std::int64_t lock_seconds = 900;
};

enum class AuthStatus { ok, unknown_user, bad_password, bad_totp, replayed_totp, locked, disabled, not_enrolled, no_role };
std::string to_string(AuthStatus s);

struct AuthResult {
    AuthStatus status = AuthStatus::unknown_user;
    std::optional<Account> account;   // set when the name exists
    bool now_locked = false;          // this failure locked the account
    bool ok() const { return status == AuthStatus::ok; }
};

struct NewSecret {
    std::string base32;   // to type into an authenticator app
    std::string uri;      // otpauth:// for a QR code
};

// A one-time enrolment code (shown once, to the admin who hands it over) and its end.
struct Enrolment {
    std::string code;       // "K7QM-2HXD-9PFA-R3TB": 16 symbols of 32, 80 bits
    std::int64_t expires = 0;
};

enum class EnrolStatus { ok, bad_code, locked, bad_totp };
std::string to_string(EnrolStatus s);

struct EnrolResult {
    EnrolStatus status = EnrolStatus::bad_code;
    NewSecret secret;     // begin_enrolment: the secret to add to the app
    bool now_locked = false;
    bool ok() const { return status == EnrolStatus::ok; }
};

class Users {
public:
    Users(Database& db, const SecretKey& key, LockoutPolicy lockout = {});

    // Names: 1-32 of [a-z0-9._-], starting with a letter or digit. Passwords: 12-1024 bytes.
    // Throw std::invalid_argument with a message for people on anything else (or a taken name).

    // The local bootstrap's account: the person at the console sets their own password now.
    NewSecret add_enrolled(const std::string& name, Role role, const std::string& password, std::int64_t now);
    // An account without factors; the person enrols with the returned code within `code_seconds`.
    // `pending`: the role takes effect only once another admin than `by` confirms it.
    Enrolment add(const std::string& name, Role role, bool pending, const std::string& by, std::int64_t now,
                  std::int64_t code_seconds);
    // Clears the password and the TOTP secret and issues a new enrolment code. With `repend`, the role in
    // effect goes back to awaiting confirmation (given by `by`): whoever can reset an account could
    // otherwise enrol it themselves and act as its owner.
    Enrolment reset(const std::string& name, bool repend, const std::string& by, std::int64_t now,
                    std::int64_t code_seconds);
    // Enrolment, step 1: the code (unused, in time) opens it; a new TOTP secret is made and kept sealed
    // until step 2. Step 2: the code again, the person's new password, and a code from the app that
    // proves it holds the secret. A wrong code counts as a failed login.
    EnrolResult begin_enrolment(const std::string& name, const std::string& code, std::int64_t now);
    EnrolResult finish_enrolment(const std::string& name, const std::string& code, const std::string& password,
                                 const std::string& totp_code, std::int64_t now);

    // The person changes their own password: the current one must be right.
    AuthStatus change_password(const std::string& name, const std::string& current, const std::string& password,
                               std::int64_t now);
    void set_disabled(const std::string& name, bool disabled, std::int64_t now);
    // `pending`: recorded as awaiting confirmation by another admin than `by`; the role in effect stays.
    void set_role(const std::string& name, Role role, bool pending, const std::string& by, std::int64_t now);
    void confirm_role(const std::string& name, std::int64_t now);
    void cancel_pending_role(const std::string& name, std::int64_t now);

    // Both factors, the lockout and the replay rule. Updates the failure counter and the used step.
    // Every refusal before the factors are known to be right does the same work (an Argon2id
    // verification), so that neither the answer nor its time tells which names exist.
    AuthResult authenticate(const std::string& name, const std::string& password, const std::string& totp_code,
                            std::int64_t now);

    std::optional<Account> find(const std::string& name);
    std::vector<Account> list();
    std::size_t count();
    std::size_t count_role(Role role);   // accounts with this role in effect, enabled

private:
    std::string open_secret(const std::string& sealed_hex, const std::string& name);
    void record_failure(const std::string& name, std::int64_t now, bool& now_locked);
    std::string enrol_hash(const std::string& name, const std::string& code) const;

    Database& db_;
    SecretKey key_;
    LockoutPolicy lockout_;
};

bool valid_user_name(std::string_view name);
// Upper case, without spaces and dashes: what people type from a printed code.
std::string normalize_enrolment_code(std::string_view code);
// The associated data an account's TOTP secret is sealed with (users.totp_sealed): its account name.
std::string totp_secret_aad(const std::string& name);
// The associated data of the TOTP secret shown during enrolment (users.totp_pending).
std::string pending_totp_secret_aad(const std::string& name);

}  // namespace mugaika::quarantine
