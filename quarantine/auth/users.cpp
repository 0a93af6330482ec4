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

void check_password_policy(const std::string& password) {
    if (password.size() < 12) throw std::invalid_argument("パスワードは12文字以上にしてください (at least 12 characters)");
    if (password.size() > 1024) throw std::invalid_argument("パスワードが長すぎます (at most 1024 bytes)");
}

// libsodium's "interactive" limits (t=2, 64 MiB): above OWASP's Argon2id minimum, and quick enough for
// a login form. The parameters travel inside each hash, so raising them later needs no migration.
std::string hash_password(const std::string& password) {
    check_password_policy(password);
    if (sodium_init() < 0) throw CryptoError("libsodium could not initialise");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw CryptoError("Argon2id hashing failed (out of memory?)");
    return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
    if (password.size() > 1024 || hash.empty()) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash to verify against whenever there is no real one to check (no such name, locked, disabled, not
// enrolled), so that every refusal before the factors are known takes one Argon2id verification.
const std::string& dummy_hash() {
    static const std::string h = hash_password("mugaika-dummy-password-for-timing");
    return h;
}

std::string totp_aad(const std::string& name) { return "mugaika.totp/1:" + name; }
std::string pending_aad(const std::string& name) { return "mugaika.totp-pending/1:" + name; }

constexpr const char* account_columns =
    "name, role, totp_last_step, failed, locked_until, disabled, created_at, updated_at, epoch, pending_role,"
    " pending_by, pending_at, enrol_expires, enrolled_at, CASE WHEN pw_hash <> '' THEN 1 ELSE 0 END";

Account account_from(RecordSet& rs, std::size_t r) {
    auto text = [&](std::size_t c) { return rs.value(c, r).isEmpty() ? std::string() : rs.value(c, r).convert<std::string>(); };
    auto num = [&](std::size_t c) { return rs.value(c, r).isEmpty() ? Poco::Int64(0) : rs.value(c, r).convert<Poco::Int64>(); };
    Account a;
    a.name = text(0);
    a.role = parse_role(text(1)).value_or(Role::none);
    a.totp_last_step = num(2);
    a.failed = num(3);
    a.locked_until = num(4);
    a.disabled = num(5) != 0;
    a.created_at = num(6);
    a.updated_at = num(7);
    a.epoch = num(8);
    a.pending_role = parse_role(text(9));
    a.pending_by = text(10);
    a.pending_at = num(11);
    a.enrol_expires = num(12);
    a.enrolled_at = num(13);
    a.enrolled = num(14) != 0;
    return a;
}

// 32 symbols without the ones people misread (0/O, 1/I): five bits each, 16 of them.
constexpr char code_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

std::string new_enrolment_code() {
    std::string raw = random_bytes(16), code;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i && i % 4 == 0) code.push_back('-');
        code.push_back(code_alphabet[static_cast<unsigned char>(raw[i]) & 31]);
    }
    sodium_memzero(raw.data(), raw.size());
    return code;
}

[[noreturn]] void no_such_user(const std::string& name) {
    throw std::invalid_argument("ユーザー " + name + " はありません (no such user)");
}

std::string role_text(Role r) { return r == Role::none ? std::string() : to_string(r); }

}  // namespace

std::string to_string(Role r) {
    switch (r) {
        case Role::officer: return "officer";
        case Role::approver: return "approver";
        case Role::auditor: return "auditor";
        case Role::admin: return "admin";
        case Role::none: return "none";
    }
    return "none";
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
        case AuthStatus::not_enrolled: return "not_enrolled";
        case AuthStatus::no_role: return "no_role";
    }
    return "?";
}

std::string to_string(EnrolStatus s) {
    switch (s) {
        case EnrolStatus::ok: return "ok";
        case EnrolStatus::bad_code: return "bad_code";
        case EnrolStatus::locked: return "locked";
        case EnrolStatus::bad_totp: return "bad_totp";
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

std::string normalize_enrolment_code(std::string_view code) {
    std::string out;
    for (char c : code.substr(0, 64)) {
        if (c == '-' || c == ' ' || c == '\t') continue;
        out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    return out;
}

Users::Users(Database& db, const SecretKey& key, LockoutPolicy lockout) : db_(db), key_(key), lockout_(lockout) {}

std::string Users::enrol_hash(const std::string& name, const std::string& code) const {
    return sha256_hex("mugaika.enrol/1:" + name + ":" + normalize_enrolment_code(code));
}

NewSecret Users::add_enrolled(const std::string& name, Role role, const std::string& password, std::int64_t now) {
    if (!valid_user_name(name))
        throw std::invalid_argument("ユーザー名は英小文字・数字・. _ - の1〜32文字です (user name: 1-32 of a-z 0-9 . _ -)");
    if (find(name)) throw std::invalid_argument("ユーザー " + name + " は既に存在します (user exists)");
    std::string hash = hash_password(password);
    std::string secret = random_bytes(20);
    std::string sealed = to_hex(key_.seal(secret, totp_aad(name)));
    std::string n = name, r = role_text(role);
    Poco::Int64 zero = 0, at = now, at2 = now, at3 = now;
    db_.session() << "INSERT INTO users (name, role, pw_hash, totp_sealed, totp_last_step, failed, locked_until,"
                     " disabled, created_at, updated_at, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        useRef(n), useRef(r), useRef(hash), useRef(sealed), use(zero), use(zero), use(zero), use(zero), use(at),
        use(at2), use(at3), Poco::Data::Keywords::now;
    NewSecret s{totp::base32_encode(secret), totp::provisioning_uri(name, secret)};
    sodium_memzero(secret.data(), secret.size());
    return s;
}

Enrolment Users::add(const std::string& name, Role role, bool pending, const std::string& by, std::int64_t now,
                     std::int64_t code_seconds) {
    if (!valid_user_name(name))
        throw std::invalid_argument("ユーザー名は英小文字・数字・. _ - の1〜32文字です (user name: 1-32 of a-z 0-9 . _ -)");
    if (find(name)) throw std::invalid_argument("ユーザー " + name + " は既に存在します (user exists)");
    Enrolment e{new_enrolment_code(), now + code_seconds};
    std::string n = name, r = pending ? std::string() : role_text(role), pr = pending ? role_text(role) : std::string();
    std::string pb = pending ? by : std::string(), h = enrol_hash(name, e.code), empty;
    Poco::Int64 zero = 0, at = now, at2 = now, pat = pending ? now : 0, exp = e.expires;
    db_.session() << "INSERT INTO users (name, role, pw_hash, totp_sealed, totp_last_step, failed, locked_until,"
                     " disabled, created_at, updated_at, pending_role, pending_by, pending_at, enrol_hash, enrol_expires)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        useRef(n), useRef(r), useRef(empty), useRef(empty), use(zero), use(zero), use(zero), use(zero), use(at),
        use(at2), useRef(pr), useRef(pb), use(pat), useRef(h), use(exp), Poco::Data::Keywords::now;
    return e;
}

Enrolment Users::reset(const std::string& name, bool repend, const std::string& by, std::int64_t now,
                       std::int64_t code_seconds) {
    auto a = find(name);
    if (!a) no_such_user(name);
    Enrolment e{new_enrolment_code(), now + code_seconds};
    // The role goes back to awaiting confirmation; a grant already awaiting one stays as it is.
    bool move_role = repend && a->role != Role::none;
    std::string r = move_role ? std::string() : role_text(a->role);
    std::string pr = move_role ? role_text(a->role) : (a->pending_role ? role_text(*a->pending_role) : std::string());
    std::string pb = move_role ? by : a->pending_by;
    Poco::Int64 pat = move_role ? now : a->pending_at, exp = e.expires, at = now;
    std::string n = name, h = enrol_hash(name, e.code);
    Statement st(db_.session());
    st << "UPDATE users SET pw_hash = '', totp_sealed = '', totp_pending = '', totp_last_step = 0, failed = 0,"
          " locked_until = 0, enrolled_at = 0, epoch = epoch + 1, role = $1, pending_role = $2, pending_by = $3,"
          " pending_at = $4, enrol_hash = $5, enrol_expires = $6, updated_at = $7 WHERE name = $8",
        useRef(r), useRef(pr), useRef(pb), use(pat), useRef(h), use(exp), use(at), useRef(n);
    if (st.execute() != 1) no_such_user(name);
    return e;
}

EnrolResult Users::begin_enrolment(const std::string& name, const std::string& code, std::int64_t now) {
    EnrolResult r;
    std::string h = enrol_hash(name, code);
    auto a = find(name);
    std::string stored, pending_sealed;
    if (a) {
        std::string n = name;
        db_.session() << "SELECT enrol_hash, totp_pending FROM users WHERE name = $1", useRef(n), into(stored),
            into(pending_sealed), Poco::Data::Keywords::now;
    }
    bool match = constant_time_equal(h, stored.empty() ? std::string(64, '-') : stored);
    if (!a || a->disabled || stored.empty() || a->enrol_expires <= now) return r;   // bad_code
    if (a->locked_until > now) {
        r.status = EnrolStatus::locked;
        return r;
    }
    if (!match) {
        record_failure(name, now, r.now_locked);
        return r;
    }
    // The secret already shown (a reload, a second try after a typo) stays the same: the app has it.
    if (!pending_sealed.empty()) {
        std::string secret = key_.open(from_hex(pending_sealed), pending_aad(name));
        r.status = EnrolStatus::ok;
        r.secret = {totp::base32_encode(secret), totp::provisioning_uri(name, secret)};
        sodium_memzero(secret.data(), secret.size());
        return r;
    }
    std::string secret = random_bytes(20);
    std::string sealed = to_hex(key_.seal(secret, pending_aad(name))), n = name;
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET totp_pending = $1, updated_at = $2 WHERE name = $3 AND enrol_hash = $4", useRef(sealed),
        use(at), useRef(n), useRef(h);
    if (st.execute() != 1) return r;   // reset or used meanwhile
    r.status = EnrolStatus::ok;
    r.secret = {totp::base32_encode(secret), totp::provisioning_uri(name, secret)};
    sodium_memzero(secret.data(), secret.size());
    return r;
}

EnrolResult Users::finish_enrolment(const std::string& name, const std::string& code, const std::string& password,
                                    const std::string& totp_code, std::int64_t now) {
    EnrolResult r;
    std::string h = enrol_hash(name, code);
    auto a = find(name);
    std::string stored, pending_sealed, n = name;
    if (a)
        db_.session() << "SELECT enrol_hash, totp_pending FROM users WHERE name = $1", useRef(n), into(stored),
            into(pending_sealed), Poco::Data::Keywords::now;
    bool match = constant_time_equal(h, stored.empty() ? std::string(64, '-') : stored);
    if (!a || a->disabled || stored.empty() || a->enrol_expires <= now || pending_sealed.empty()) return r;
    if (a->locked_until > now) {
        r.status = EnrolStatus::locked;
        return r;
    }
    if (!match) {
        record_failure(name, now, r.now_locked);
        return r;
    }
    check_password_policy(password);   // std::invalid_argument: the person picks another
    std::string secret = key_.open(from_hex(pending_sealed), pending_aad(name));
    auto step = totp::match(secret, totp_code, now);
    if (!step) {
        sodium_memzero(secret.data(), secret.size());
        r.status = EnrolStatus::bad_totp;
        record_failure(name, now, r.now_locked);
        return r;
    }
    std::string pw = hash_password(password), sealed = to_hex(key_.seal(secret, totp_aad(name)));
    sodium_memzero(secret.data(), secret.size());
    Poco::Int64 s = *step, at = now, at2 = now;
    Statement st(db_.session());
    // Conditional on the code still being the one checked: of two racing enrolments, one wins.
    st << "UPDATE users SET pw_hash = $1, totp_sealed = $2, totp_pending = '', enrol_hash = '', enrol_expires = 0,"
          " totp_last_step = $3, failed = 0, locked_until = 0, enrolled_at = $4, epoch = epoch + 1, updated_at = $5"
          " WHERE name = $6 AND enrol_hash = $7",
        useRef(pw), useRef(sealed), use(s), use(at), use(at2), useRef(n), useRef(h);
    if (st.execute() != 1) return r;
    r.status = EnrolStatus::ok;
    return r;
}

AuthStatus Users::change_password(const std::string& name, const std::string& current, const std::string& password,
                                  std::int64_t now) {
    auto a = find(name);
    std::string hash, n = name;
    if (a) db_.session() << "SELECT pw_hash FROM users WHERE name = $1", useRef(n), into(hash), Poco::Data::Keywords::now;
    if (!a || hash.empty()) {
        verify_password(dummy_hash(), current);
        return AuthStatus::unknown_user;
    }
    if (a->locked_until > now) {
        verify_password(dummy_hash(), current);
        return AuthStatus::locked;
    }
    if (!verify_password(hash, current)) {
        bool locked = false;
        record_failure(name, now, locked);
        return AuthStatus::bad_password;
    }
    std::string fresh = hash_password(password);
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET pw_hash = $1, failed = 0, epoch = epoch + 1, updated_at = $2 WHERE name = $3",
        useRef(fresh), use(at), useRef(n);
    if (st.execute() != 1) no_such_user(name);
    return AuthStatus::ok;
}

void Users::set_disabled(const std::string& name, bool disabled, std::int64_t now) {
    std::string n = name;
    Poco::Int64 d = disabled ? 1 : 0, at = now;
    Statement st(db_.session());
    st << "UPDATE users SET disabled = $1, failed = 0, locked_until = 0, epoch = epoch + 1, updated_at = $2"
          " WHERE name = $3",
        use(d), use(at), useRef(n);
    if (st.execute() != 1) no_such_user(name);
}

void Users::set_role(const std::string& name, Role role, bool pending, const std::string& by, std::int64_t now) {
    std::string n = name, r = role_text(role), r2 = r, b = by;
    Poco::Int64 at = now, at2 = now;
    Statement st(db_.session());
    if (pending)
        st << "UPDATE users SET pending_role = $1, pending_by = $2, pending_at = $3, updated_at = $4 WHERE name = $5",
            useRef(r), useRef(b), use(at), use(at2), useRef(n);
    else
        // A role set to what it already is ends no session (only a change does).
        st << "UPDATE users SET epoch = epoch + CASE WHEN role = $1 THEN 0 ELSE 1 END, role = $2, pending_role = '',"
              " pending_by = '', pending_at = 0, updated_at = $3 WHERE name = $4",
            useRef(r), useRef(r2), use(at), useRef(n);
    if (st.execute() != 1) no_such_user(name);
}

void Users::confirm_role(const std::string& name, std::int64_t now) {
    std::string n = name;
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET role = pending_role, pending_role = '', pending_by = '', pending_at = 0, epoch = epoch + 1,"
          " updated_at = $1 WHERE name = $2 AND pending_role <> ''",
        use(at), useRef(n);
    if (st.execute() != 1) throw std::invalid_argument("ユーザー " + name + " に確認待ちの役割はありません (no pending role)");
}

void Users::cancel_pending_role(const std::string& name, std::int64_t now) {
    std::string n = name;
    Poco::Int64 at = now;
    Statement st(db_.session());
    st << "UPDATE users SET pending_role = '', pending_by = '', pending_at = 0, updated_at = $1"
          " WHERE name = $2 AND pending_role <> ''",
        use(at), useRef(n);
    if (st.execute() != 1) throw std::invalid_argument("ユーザー " + name + " に確認待ちの役割はありません (no pending role)");
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

std::size_t Users::count_role(Role role) {
    Poco::Int64 n = 0;
    std::string r = role_text(role);
    db_.session() << "SELECT COUNT(*) FROM users WHERE role = $1 AND disabled = 0", useRef(r), into(n),
        Poco::Data::Keywords::now;
    return static_cast<std::size_t>(n);
}

std::string Users::open_secret(const std::string& sealed_hex, const std::string& name) {
    return key_.open(from_hex(sealed_hex), totp_aad(name));
}

void Users::record_failure(const std::string& name, std::int64_t now, bool& now_locked) {
    std::string n = name;
    Poco::Int64 at = now;
    db_.session() << "UPDATE users SET failed = failed + 1, updated_at = $1 WHERE name = $2", use(at), useRef(n), Poco::Data::Keywords::now;
    Poco::Int64 failed = 0;
    db_.session() << "SELECT failed FROM users WHERE name = $1", useRef(n), into(failed), Poco::Data::Keywords::now;
    if (failed >= lockout_.max_failures) {
        Poco::Int64 until = now + lockout_.lock_seconds;
        db_.session() << "UPDATE users SET locked_until = $1, failed = 0 WHERE name = $2", use(until), useRef(n), Poco::Data::Keywords::now;
        now_locked = true;
    }
}

AuthResult Users::authenticate(const std::string& name, const std::string& password, const std::string& code,
                               std::int64_t now) {
    AuthResult r;
    r.account = find(name);
    std::string hash, sealed, n = name;
    if (r.account)
        db_.session() << "SELECT pw_hash, totp_sealed FROM users WHERE name = $1", useRef(n), into(hash), into(sealed),
            Poco::Data::Keywords::now;
    // Everything refused before the password is checked still checks a password: no name, a disabled,
    // locked or not yet enrolled account all take the time a wrong password takes.
    AuthStatus early = !r.account               ? AuthStatus::unknown_user
                       : r.account->disabled    ? AuthStatus::disabled
                       : r.account->locked_until > now ? AuthStatus::locked   // not even the password is checked
                       : hash.empty() || sealed.empty() ? AuthStatus::not_enrolled
                                                        : AuthStatus::ok;
    if (early != AuthStatus::ok) {
        verify_password(dummy_hash(), password);
        r.status = early;
        return r;
    }
    if (!verify_password(hash, password)) {
        r.status = AuthStatus::bad_password;
        record_failure(name, now, r.now_locked);
        return r;
    }
    std::string secret = open_secret(sealed, name);
    auto step = totp::match(secret, code, now);
    sodium_memzero(secret.data(), secret.size());
    if (!step) {
        r.status = AuthStatus::bad_totp;
        record_failure(name, now, r.now_locked);
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
        record_failure(name, now, r.now_locked);
        return r;
    }
    // Both factors are right; an account whose role awaits a second admin still cannot act.
    r.status = r.account->role == Role::none ? AuthStatus::no_role : AuthStatus::ok;
    return r;
}

std::string totp_secret_aad(const std::string& name) { return totp_aad(name); }
std::string pending_totp_secret_aad(const std::string& name) { return pending_aad(name); }

}  // namespace mugaika::quarantine
