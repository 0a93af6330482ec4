// Accounts of the people who review the quarantine. Every account has a password (Argon2id through
// libsodium's crypto_pwhash_str) and a TOTP secret (sealed with the store key, so a copy of the database
// alone does not yield second factors). Each TOTP time step is accepted once per account (replay), and
// repeated failures lock the account for a while.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mugaika/quarantine/crypto.hpp"
#include "mugaika/quarantine/database.hpp"

namespace mugaika::quarantine {

enum class Role { officer, approver, auditor, admin };
std::string to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

struct Account {
    std::string name;
    Role role = Role::officer;
    bool disabled = false;
    std::int64_t failed = 0, locked_until = 0, totp_last_step = 0, created_at = 0, updated_at = 0;
};

struct LockoutPolicy {
    int max_failures = 5;             // consecutive failures (password or TOTP) before the account locks
    std::int64_t lock_seconds = 900;
};

enum class AuthStatus { ok, unknown_user, bad_password, bad_totp, replayed_totp, locked, disabled };
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

class Users {
public:
    Users(Database& db, const SecretKey& key, LockoutPolicy lockout = {});

    // Names: 1-32 of [a-z0-9._-], starting with a letter or digit. Passwords: 12-1024 bytes.
    // Throw std::invalid_argument with a message for people on anything else (or a taken name).
    NewSecret add(const std::string& name, Role role, const std::string& password, std::int64_t now);
    void set_password(const std::string& name, const std::string& password, std::int64_t now);
    NewSecret reset_totp(const std::string& name, std::int64_t now);
    void set_disabled(const std::string& name, bool disabled, std::int64_t now);
    void set_role(const std::string& name, Role role, std::int64_t now);

    // Both factors, the lockout and the replay rule. Updates the failure counter and the used step.
    AuthResult authenticate(const std::string& name, const std::string& password, const std::string& totp_code,
                            std::int64_t now);

    std::optional<Account> find(const std::string& name);
    std::vector<Account> list();
    std::size_t count();

private:
    std::string sealed_secret(const std::string& name);
    void record_failure(const Account& a, std::int64_t now, AuthResult& r);

    Database& db_;
    SecretKey key_;
    LockoutPolicy lockout_;
};

bool valid_user_name(std::string_view name);

}  // namespace mugaika::quarantine
