#include "mugaika/quarantine/users.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sodium.h>

#include <stdexcept>

#include "mugaika/quarantine/totp.hpp"

namespace mugaika::quarantine {
using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace {

// libsodium's "interactive" limits (t=2, 64 MiB): above OWASP's Argon2id minimum, and quick enough for
// a login form. The parameters travel inside each hash, so raising them later needs no migration.
std::string hash_password(const std::string& password) {
    if (password.size() < 12) throw std::invalid_argument("パスワードは12文字以上にしてください (at least 12 characters)");
    if (password.size() > 1024) throw std::invalid_argument("パスワードが長すぎます (at most 1024 bytes)");
    if (sodium_init() < 0) throw CryptoError("libsodium could not initialise");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw CryptoError("Argon2id hashing failed (out of memory?)");
    return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
    if (password.size() > 1024) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash to verify against when the account does not exist, so that "no such user" takes as long as
// "wrong password" and names cannot be probed by timing.
const std::string& dummy_hash() {
    static const std::string h = hash_password("mugaika-dummy-password-for-timing");
    return h;
}

std::string aad_for(const std::string& name) { return "mugaika.totp/1:" + name; }

Account account_from(RecordSet& rs, std::size_t r) {
    Account a;
    a.name = rs.value(0, r).convert<std::string>();
    a.role = parse_role(rs.value(1, r).convert<std::string>()).value_or(Role::auditor);
    a.totp_last_step = rs.value(2, r).convert<Poco::Int64>();
    a.failed = rs.value(3, r).convert<Poco::Int64>();
    a.locked_until = rs.value(4, r).convert<Poco::Int64>();
    a.disabled = rs.value(5, r).convert<Poco::Int64>() != 0;
    a.created_at = rs.value(6, r).convert<Poco::Int64>();
    a.updated_at = rs.value(7, r).convert<Poco::Int64>();
    return a;
}

constexpr const char* account_columns =
    "name, role, totp_last_step, failed, locked_until, disabled, created_at, updated_at";

}  // namespace

std::string to_string(Role r) {
    switch (r) {
        case Role::officer: return "officer";
        case Role::approver: return "approver";
        case Role::auditor: return "auditor";
        case Role::admin: return "admin";
    }
    return "?";
}

std::optional<Role> parse_role(std::string_view s) {
    if (s == "officer") return Role::officer;
    if (s == "approver") return Role::approver;
    if (s == "auditor") return Role::auditor;
    if (s == "admin") return Role::admin;
    return std::nullopt;
}

std::string to_string(AuthStatus s) {
    switch (s) {
        case AuthStatus::ok: return "ok";
        case AuthStatus::unknown_user: return "unknown_user";
        case AuthStatus::bad_password: return "bad_password";
        case AuthStatus::bad_totp: return "bad_totp";
        case AuthStatus::replayed_totp: return "replayed_totp";
        case AuthStatus::locked: return "locked";
        case AuthStatus::disabled: return "disabled";
    }
    return "?";
}

bool valid_user_name(std::string_view n) {
    if (n.empty() || n.size() > 32) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(n[0])) return false;
    for (char c : n)
        if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

Users::Users(Database& db, const SecretKey& key, LockoutPolicy lockout) : db_(db), key_(key), lockout_(lockout) {}

NewSecret Users::add(const std::string& name, Role role, const std::string& password, std::int64_t now) {
    if (!valid_user_name(name))
        throw std::invalid_argument("ユーザー名は英小文字・数字・. _ - の1〜32文字です (user name: 1-32 of a-z 0-9 . _ -)");
    if (find(name)) throw std::invalid_argument("ユーザー " + name + " は既に存在します (user exists)");
    std::string hash = hash_password(password);
    std::string secret = random_bytes(20);
    std::string sealed = to_hex(key_.seal(secret, aad_for(name)));
    std::string n = name, r = to_string(role);
    Poco::Int64 zero = 0, at = now, at2 = now;
    db_.session() << "INSERT INTO users (name, role, pw_hash, totp_sealed, totp_last_step, failed, locked_until,"
                     " disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        useRef(n), useRef(r), useRef(hash), useRef(sealed), use(zero), use(zero), use(zero), use(zero), use(at),
        use(at2), Poco::Data::Keywords::now;
    return {totp::base32_encode(secret), totp::provisioning_uri(name, secret)};
}

void Users::set_password(const std::string& name, const std::string& password, std::int64_t now) {
    std::string hash = hash_password(password), n = name;
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET pw_hash = $1, failed = 0, locked_until = 0, updated_at = $2 WHERE name = $3",
        useRef(hash), use(at), useRef(n);
    if (st.execute() != 1) throw std::invalid_argument("ユーザー " + name + " はありません (no such user)");
}

NewSecret Users::reset_totp(const std::string& name, std::int64_t now) {
    std::string secret = random_bytes(20);
    std::string sealed = to_hex(key_.seal(secret, aad_for(name))), n = name;
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET totp_sealed = $1, totp_last_step = 0, updated_at = $2 WHERE name = $3", useRef(sealed),
        use(at), useRef(n);
    if (st.execute() != 1) throw std::invalid_argument("ユーザー " + name + " はありません (no such user)");
    return {totp::base32_encode(secret), totp::provisioning_uri(name, secret)};
}

void Users::set_disabled(const std::string& name, bool disabled, std::int64_t now) {
    std::string n = name;
    Poco::Int64 d = disabled ? 1 : 0, at = now;
    Statement st(db_.session());
    st << "UPDATE users SET disabled = $1, failed = 0, locked_until = 0, updated_at = $2 WHERE name = $3", use(d),
        use(at), useRef(n);
    if (st.execute() != 1) throw std::invalid_argument("ユーザー " + name + " はありません (no such user)");
}

void Users::set_role(const std::string& name, Role role, std::int64_t now) {
    std::string n = name, r = to_string(role);
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET role = $1, updated_at = $2 WHERE name = $3", useRef(r), use(at), useRef(n);
    if (st.execute() != 1) throw std::invalid_argument("ユーザー " + name + " はありません (no such user)");
}

std::optional<Account> Users::find(const std::string& name) {
    if (!valid_user_name(name)) return std::nullopt;
    Statement st(db_.session());
    std::string n = name;
    st << "SELECT " << account_columns << " FROM users WHERE name = $1", useRef(n);
    st.execute();
    RecordSet rs(st);
    if (rs.rowCount() == 0) return std::nullopt;
    return account_from(rs, 0);
}

std::vector<Account> Users::list() {
    Statement st(db_.session());
    st << "SELECT " << account_columns << " FROM users ORDER BY name";
    st.execute();
    RecordSet rs(st);
    std::vector<Account> out;
    for (std::size_t r = 0; r < rs.rowCount(); ++r) out.push_back(account_from(rs, r));
    return out;
}

std::size_t Users::count() {
    Poco::Int64 n = 0;
    db_.session() << "SELECT COUNT(*) FROM users", into(n), Poco::Data::Keywords::now;
    return static_cast<std::size_t>(n);
}

std::string Users::sealed_secret(const std::string& name) {
    std::string sealed, n = name;
    db_.session() << "SELECT totp_sealed FROM users WHERE name = $1", useRef(n), into(sealed), Poco::Data::Keywords::now;
    return key_.open(from_hex(sealed), aad_for(name));
}

void Users::record_failure(const Account& a, std::int64_t now, AuthResult& r) {
    std::string n = a.name;
    Poco::Int64 at = now;
    db_.session() << "UPDATE users SET failed = failed + 1, updated_at = $1 WHERE name = $2", use(at), useRef(n), Poco::Data::Keywords::now;
    Poco::Int64 failed = 0;
    db_.session() << "SELECT failed FROM users WHERE name = $1", useRef(n), into(failed), Poco::Data::Keywords::now;
    if (failed >= lockout_.max_failures) {
        Poco::Int64 until = now + lockout_.lock_seconds;
        db_.session() << "UPDATE users SET locked_until = $1, failed = 0 WHERE name = $2", use(until), useRef(n), Poco::Data::Keywords::now;
        r.now_locked = true;
    }
}

AuthResult Users::authenticate(const std::string& name, const std::string& password, const std::string& code,
                               std::int64_t now) {
    AuthResult r;
    r.account = find(name);
    if (!r.account) {
        verify_password(dummy_hash(), password);
        r.status = AuthStatus::unknown_user;
        return r;
    }
    const Account& a = *r.account;
    if (a.disabled) {
        r.status = AuthStatus::disabled;
        return r;
    }
    if (a.locked_until > now) {
        r.status = AuthStatus::locked;   // not even the password is checked while locked
        return r;
    }
    std::string hash, n = name;
    db_.session() << "SELECT pw_hash FROM users WHERE name = $1", useRef(n), into(hash), Poco::Data::Keywords::now;
    if (!verify_password(hash, password)) {
        r.status = AuthStatus::bad_password;
        record_failure(a, now, r);
        return r;
    }
    std::string secret = sealed_secret(name);
    auto step = totp::match(secret, code, now);
    sodium_memzero(secret.data(), secret.size());
    if (!step) {
        r.status = AuthStatus::bad_totp;
        record_failure(a, now, r);
        return r;
    }
    // The conditional update is the replay check: of two logins with the same code, one wins.
    Poco::Int64 s = *step, s2 = *step, at = now;
    Statement st(db_.session());
    st << "UPDATE users SET totp_last_step = $1, failed = 0, locked_until = 0, updated_at = $2"
          " WHERE name = $3 AND totp_last_step < $4",
        use(s), use(at), useRef(n), use(s2);
    if (st.execute() != 1) {
        r.status = AuthStatus::replayed_totp;
        record_failure(a, now, r);
        return r;
    }
    r.status = AuthStatus::ok;
    return r;
}

}  // namespace mugaika::quarantine
