#include "mugaika/quarantine/review_service.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "mugaika/atomic_file.hpp"
#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

// Strips ASCII white space and the ideographic space (U+3000, what a Japanese IME types) at both ends.
std::string trim(const std::string& s) {
    static const std::string ideographic = "\u3000";
    std::size_t b = 0, e = s.size();
    while (b < e) {
        if (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n') ++b;
        else if (s.compare(b, ideographic.size(), ideographic) == 0) b += ideographic.size();
        else break;
    }
    while (e > b) {
        if (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n') --e;
        else if (e - b >= ideographic.size() && s.compare(e - ideographic.size(), ideographic.size(), ideographic) == 0)
            e -= ideographic.size();
        else break;
    }
    return s.substr(b, e - b);
}

std::string role_ja(Role r) {
    switch (r) {
        case Role::officer: return "担当者(officer)";
        case Role::approver: return "承認者(approver)";
        case Role::auditor: return "監査者(auditor)";
        case Role::admin: return "管理者(admin)";
    }
    return "";
}

}  // namespace

ReviewService::ReviewService(ItemStore& store, Users& users, AuditLog& audit, ReleaseSink& sink, ReviewOptions options)
    : store_(store), users_(users), audit_(audit), sink_(sink), options_(std::move(options)) {}

std::int64_t ReviewService::now() const {
    if (clock_) return clock_();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void ReviewService::write(const std::string& actor, const std::string& action, const std::string& item,
                          const std::string& outcome, json detail) {
    AuditEvent e;
    e.actor = actor;
    e.action = action;
    e.item = item;
    e.outcome = outcome;
    e.detail = std::move(detail);
    audit_.append(e);
}

void ReviewService::deny(const Actor& a, const std::string& action, const std::string& item, ReviewError::Kind kind,
                         const std::string& ja, const std::string& en) {
    write(a.name, action, item, "denied", {{"why", en}, {"channel", a.channel}});
    throw ReviewError(kind, ja, en);
}

void ReviewService::refused(const std::string& actor, const std::string& action, const std::string& item,
                            const std::string& why, const std::string& channel) {
    write(actor, action, item, "denied", {{"why", why}, {"channel", channel}});
}

void ReviewService::require(const Actor& a, std::initializer_list<Role> roles, const std::string& action,
                            const std::string& item) {
    auto account = users_.find(a.name);
    if (!account || account->disabled)
        deny(a, action, item, ReviewError::denied, "このアカウントは無効です。", "account missing or disabled");
    if (account->role != a.role)
        deny(a, action, item, ReviewError::denied, "役割が変更されました。再度ログインしてください。",
             "role changed since login");
    for (Role r : roles)
        if (r == a.role) return;
    deny(a, action, item, ReviewError::denied, role_ja(a.role) + "にはこの操作の権限がありません。",
         "role " + to_string(a.role) + " may not " + action);
}

Item ReviewService::item_or_throw(const Actor& a, const std::string& id, const std::string& action) {
    if (!valid_item_id(id))
        deny(a, action, "", ReviewError::bad_input, "項目IDの形式が正しくありません。",
             "malformed item id (" + std::to_string(id.size()) + " bytes)");
    auto item = store_.find(id);
    if (!item) deny(a, action, id, ReviewError::not_found, "該当する項目はありません。", "no such item");
    return *item;
}

std::string ReviewService::checked_reason(const Actor& a, const std::string& reason, const std::string& action,
                                          const std::string& item, bool required) {
    std::string r = trim(reason);
    if (required && r.empty())
        deny(a, action, item, ReviewError::bad_input, "理由の入力が必要です。", "reason required");
    if (r.size() > options_.max_reason_chars * 4)
        deny(a, action, item, ReviewError::bad_input, "理由が長すぎます。", "reason too long");
    return r;
}

Item ReviewService::hold(const HoldRequest& request, const std::string& actor) {
    return store_.hold(request, now(), [&](const Item& it) {
        write(actor, "item.hold", it.id, "ok",
              {{"sha256", it.sha256}, {"size", it.size}, {"name", it.name}, {"type", it.file_type},
               {"reason", it.reason}, {"section", it.section}, {"sender", it.sender}, {"source", it.source}});
    });
}

std::vector<std::string> ReviewService::import_file_store(const Actor& by, const std::string& root,
                                                          bool remove_source) {
    require(by, {Role::officer}, "item.import", "");
    std::vector<std::string> done;
    for (const auto& entry : fs::directory_iterator(root)) {
        std::string id = entry.path().filename().string();
        // Staging folders (.staging-*) and anything else that is not a committed item are left alone.
        if (!entry.is_directory() || !valid_item_id(id)) continue;
        if (store_.find(id)) continue;
        fs::path original = entry.path() / "original", report = entry.path() / "report.json";
        if (!fs::is_regular_file(original) || !fs::is_regular_file(report)) continue;
        HoldRequest req;
        req.id = id;
        req.source = "file-store";
        req.original = read_file(original, std::uint64_t(4) << 30);
        req.report_json = read_file(report, 64u << 20);
        // Retention counts from when the item was first held (the id's time stamp), not from the import.
        std::tm tm{};
        std::int64_t held_at = now();
        const std::string stamp = id.substr(0, 16);
        if (const char* end = ::strptime(stamp.c_str(), "%Y%m%dT%H%M%SZ", &tm); end && !*end)
            held_at = std::min<std::int64_t>(held_at, static_cast<std::int64_t>(::timegm(&tm)));
        Item it = store_.hold(req, held_at, [&](const Item& it) {
            write(by.name, "item.import", it.id, "ok",
                  {{"sha256", it.sha256}, {"size", it.size}, {"from", entry.path().string()}, {"channel", by.channel}});
        });
        // Only once the store gives back exactly what the folder held is the plaintext copy destroyed.
        if (remove_source && store_.original(it) == req.original) {
            // The folder's files are plaintext: overwrite them before unlinking.
            shred_file(original);
            shred_file(report);
            fs::remove_all(entry.path());
            sync_directory(root);
        }
        done.push_back(it.id);
    }
    return done;
}

Actor ReviewService::login(const std::string& name, const std::string& password, const std::string& code,
                           const std::string& channel) {
    AuthResult r = users_.authenticate(name, password, code, now());
    std::string who = valid_user_name(name) ? name : "(invalid name)";
    if (r.ok()) {
        write(name, "login", "", "ok", {{"channel", channel}, {"role", to_string(r.account->role)}});
        return Actor{name, r.account->role, channel};
    }
    json detail{{"channel", channel}, {"why", to_string(r.status)}};
    if (r.now_locked) detail["locked"] = true;
    write(who, "login.failed", "", "denied", std::move(detail));
    switch (r.status) {
        case AuthStatus::locked:
            throw ReviewError(ReviewError::auth_failed,
                              "ログインの失敗が続いたため、このアカウントは一時的にロックされています。しばらく待ってからやり直してください。",
                              "account locked");
        case AuthStatus::replayed_totp:
            throw ReviewError(ReviewError::auth_failed,
                              "この確認コードは既に使用されました。認証アプリに次のコードが表示されるまで待ってください。",
                              "TOTP code already used");
        default:
            // Which factor failed is in the audit log, not on the screen: no hints for a guesser.
            throw ReviewError(ReviewError::auth_failed,
                              r.now_locked ? "ログインできません。失敗が続いたためアカウントをロックしました。"
                                           : "ユーザー名、パスワード、または確認コードが正しくありません。",
                              "login failed: " + to_string(r.status));
    }
}

void ReviewService::logout(const Actor& a) { write(a.name, "logout", "", "ok", {{"channel", a.channel}}); }

std::vector<Item> ReviewService::list(const Actor& a, const ItemFilter& filter) {
    require(a, {Role::officer, Role::approver, Role::auditor}, "item.list", "");
    auto items = store_.list(filter);
    write(a.name, "item.list", "", "ok", {{"channel", a.channel}, {"count", items.size()}});
    return items;
}

ItemDetail ReviewService::show(const Actor& a, const std::string& id) {
    require(a, {Role::officer, Role::approver, Role::auditor}, "item.view", valid_item_id(id) ? id : "");
    ItemDetail d;
    d.item = item_or_throw(a, id, "item.view");
    std::string report = store_.report(d.item);
    d.report = nlohmann::json::parse(report, nullptr, false);
    if (d.report.is_discarded()) d.report = nullptr;
    d.requests = store_.requests_for(id);
    write(a.name, "item.view", id, "ok", {{"channel", a.channel}});
    return d;
}

std::string ReviewService::download(const Actor& a, const std::string& id, const std::string& reason) {
    require(a, {Role::officer}, "item.download", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "item.download");
    std::string why = checked_reason(a, reason, "item.download", id, true);
    if (it.purged_at != 0)
        deny(a, "item.download", id, ReviewError::conflict, "この項目は既に廃棄されています。", "item disposed of");
    std::string bytes = store_.original(it);
    write(a.name, "item.download", id, "ok", {{"channel", a.channel}, {"reason", why}, {"sha256", it.sha256}});
    return bytes;
}

ReleaseRequest ReviewService::request_release(const Actor& a, const std::string& id, const std::string& kind,
                                              const std::string& reason, const std::string& password) {
    require(a, {Role::officer}, "release.request", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "release.request");
    std::string why = checked_reason(a, reason, "release.request", id, true);
    bool allowed = false;
    for (const auto& k : options_.release_kinds) allowed = allowed || k == kind;
    if (!allowed)
        deny(a, "release.request", id, ReviewError::bad_input, "この解放方法は許可されていません。",
             "release kind '" + kind.substr(0, 40) + "' not allowed by policy");
    if (kind == release_kind::ppap && password.empty())
        deny(a, "release.request", id, ReviewError::bad_input, "パスワード付きZIPの解放には、そのパスワードの入力が必要です。",
             "ppap release without a password");
    if (kind != release_kind::ppap && !password.empty())
        deny(a, "release.request", id, ReviewError::bad_input, "パスワードはパスワード付きZIPの解放にだけ入力してください。",
             "a password was given for release kind '" + kind + "'");
    if (password.size() > 1024)
        deny(a, "release.request", id, ReviewError::bad_input, "パスワードが長すぎます。", "password too long");
    if (it.state != state::held)
        deny(a, "release.request", id, ReviewError::conflict, "この項目は解放を依頼できる状態ではありません。",
             "item is " + it.state);
    ReleaseRequest q;
    q.id = random_hex(8);
    q.item_id = id;
    q.kind = kind;
    q.reason = why;
    q.requested_by = a.name;
    q.requested_at = now();
    q.state = "pending";
    q.secret = password;
    bool ok = store_.request_release(id, q, q.requested_at, [&] {
        json detail{{"channel", a.channel}, {"request", q.id}, {"kind", kind}, {"reason", why}};
        if (!password.empty()) detail["password"] = "supplied";   // that one was given, never what it is
        write(a.name, "release.request", id, "ok", std::move(detail));
    });
    if (!ok)
        deny(a, "release.request", id, ReviewError::conflict, "他の人が先に操作しました。画面を更新してください。",
             "state changed concurrently");
    if (!needs_second_person(kind)) {
        // Four-eyes switched off by the site's policy (never for the original): the request is carried out
        // at once, recorded as a decision by the same person so that the register still shows who released what.
        std::string where = decide_release(a, it, q, "four_eyes = false");
        q.state = "approved";
        q.released_to = where;
    }
    q.secret.clear();
    return q;
}

bool ReviewService::needs_second_person(const std::string& kind) const {
    // Releasing the original as it is lets through exactly what the gateway refused: never on one
    // person's word, whatever the site's four_eyes setting says.
    return options_.four_eyes || kind == release_kind::original;
}

std::string ReviewService::decide_release(const Actor& a, const Item& it, const ReleaseRequest& q, const std::string& note) {
    // Audit order: the decision is written before anything leaves the quarantine (a release that cannot
    // be audited does not happen), then the delivery with where it went. A failed delivery gets an error
    // line and the whole step rolls back: the item stays release_requested.
    std::string where;
    bool failure_audited = false;
    try {
        // Read before the decision wipes it.
        std::string password = q.kind == release_kind::ppap ? store_.request_secret(q.id) : std::string();
        bool ok = store_.decide(it.id, q.id, true, a.name, note, now(), [&] {
            json detail{{"channel", a.channel}, {"request", q.id}, {"requested_by", q.requested_by},
                        {"kind", q.kind}, {"note", note}, {"sha256", it.sha256}};
            if (!needs_second_person(q.kind)) detail["four_eyes"] = false;
            write(a.name, "release.approve", it.id, "ok", std::move(detail));
            try {
                ReleasedItem r{it.id, q.kind, it.name, store_.original(it), it.section, it.sender, it.recipients,
                               q.requested_by, a.name, q.reason, it.source, password};
                where = sink_.release(r);
            } catch (const std::exception& e) {
                write(a.name, "release.deliver", it.id, "error", {{"request", q.id}, {"kind", q.kind}, {"why", e.what()}});
                failure_audited = true;
                throw;
            }
            write(a.name, "release.deliver", it.id, "ok", {{"request", q.id}, {"kind", q.kind}, {"released_to", where}});
            return where;
        });
        if (!ok)
            deny(a, "release.approve", it.id, ReviewError::conflict, "他の人が先に操作しました。画面を更新してください。",
                 "state changed concurrently");
    } catch (const ReviewError&) {
        throw;
    } catch (const ReleaseError& e) {
        throw ReviewError(ReviewError::conflict, e.message_ja + " 項目は解放依頼中のままです(却下できます)。",
                          std::string("release refused: ") + e.what());
    } catch (const std::exception& e) {
        if (!failure_audited) write(a.name, "release.approve", it.id, "error", {{"channel", a.channel}, {"why", e.what()}});
        throw ReviewError(ReviewError::internal, "解放に失敗しました。項目は解放依頼中のままです。",
                          std::string("release failed: ") + e.what());
    }
    return where;
}

std::string ReviewService::approve(const Actor& a, const std::string& id, const std::string& note) {
    require(a, {Role::approver}, "release.approve", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "release.approve");
    std::string text = checked_reason(a, note, "release.approve", id, false);
    auto q = store_.pending_request(id);
    if (!q || it.state != state::release_requested)
        deny(a, "release.approve", id, ReviewError::conflict, "承認待ちの解放依頼はありません。", "no pending request");
    if (needs_second_person(q->kind) && q->requested_by == a.name)
        deny(a, "release.approve", id, ReviewError::denied, "自分が依頼した解放は承認できません(二者承認)。",
             "four-eyes: requester cannot approve own request");
    return decide_release(a, it, *q, text);
}

void ReviewService::reject(const Actor& a, const std::string& id, const std::string& note) {
    require(a, {Role::approver}, "release.reject", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "release.reject");
    std::string text = checked_reason(a, note, "release.reject", id, false);
    auto q = store_.pending_request(id);
    if (!q || it.state != state::release_requested)
        deny(a, "release.reject", id, ReviewError::conflict, "承認待ちの解放依頼はありません。", "no pending request");
    if (needs_second_person(q->kind) && q->requested_by == a.name)
        deny(a, "release.reject", id, ReviewError::denied, "自分が依頼した解放は判断できません(二者承認)。",
             "four-eyes: requester cannot decide own request");
    bool ok = store_.decide(id, q->id, false, a.name, text, now(), [&] {
        write(a.name, "release.reject", id, "ok",
              {{"channel", a.channel}, {"request", q->id}, {"requested_by", q->requested_by}, {"note", text}});
        return std::string();
    });
    if (!ok)
        deny(a, "release.reject", id, ReviewError::conflict, "他の人が先に操作しました。画面を更新してください。",
             "state changed concurrently");
}

void ReviewService::remove(const Actor& a, const std::string& id, const std::string& reason) {
    require(a, {Role::officer}, "item.delete", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "item.delete");
    std::string why = checked_reason(a, reason, "item.delete", id, true);
    if (it.state != state::held && it.state != state::release_requested)
        deny(a, "item.delete", id, ReviewError::conflict, "この項目は削除できる状態ではありません。", "item is " + it.state);
    bool ok = store_.remove(id, a.name, why, now(), [&] {
        write(a.name, "item.delete", id, "ok", {{"channel", a.channel}, {"reason", why}, {"sha256", it.sha256}});
    });
    if (!ok)
        deny(a, "item.delete", id, ReviewError::conflict, "他の人が先に操作しました。画面を更新してください。",
             "state changed concurrently");
}

std::vector<Item> ReviewService::purge_expired(const std::string& rule) {
    std::int64_t t = now();
    std::string rule_text = rule + " (" + std::to_string(options_.retention_seconds / 86400) + " days)";
    return store_.expire(t - options_.retention_seconds, rule_text, t, [&](const Item& it) {
        write("retention", "item.purge", it.id, "ok",
              {{"rule", rule_text}, {"sha256", it.sha256}, {"state", it.state}, {"held_at", it.held_at}});
    });
}

std::vector<nlohmann::json> ReviewService::audit_tail(const Actor& a, std::size_t max_lines) {
    require(a, {Role::auditor}, "audit.view", "");
    write(a.name, "audit.view", "", "ok", {{"channel", a.channel}});
    return read_audit_tail(audit_.file(), max_lines);
}

std::vector<Disposal> ReviewService::disposals(const Actor& a) {
    require(a, {Role::auditor, Role::officer}, "disposal.view", "");
    write(a.name, "disposal.view", "", "ok", {{"channel", a.channel}});
    return store_.disposals();
}

NewSecret ReviewService::add_user(const std::optional<Actor>& by, const std::string& name, Role role,
                                  const std::string& password) {
    if (by) {
        require(*by, {Role::admin}, "user.add", "");
    } else if (users_.count() != 0 || role != Role::admin) {
        write("local-admin", "user.add", "", "denied", {{"user", name}, {"why", "bootstrap only while no account exists"}});
        throw ReviewError(ReviewError::denied,
                          "最初の管理者を作成した後は、管理者としてログインしてアカウントを追加してください。",
                          "local bootstrap is only for the first admin account");
    }
    std::string actor = by ? by->name : "local-admin";
    try {
        NewSecret s = users_.add(name, role, password, now());
        write(actor, "user.add", "", "ok", {{"user", name}, {"role", to_string(role)}});
        return s;
    } catch (const std::invalid_argument& e) {
        write(actor, "user.add", "", "denied", {{"user", valid_user_name(name) ? name : "(invalid)"}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
}

void ReviewService::set_password(const Actor& by, const std::string& name, const std::string& password) {
    if (by.name != name) require(by, {Role::admin}, "user.passwd", "");
    else require(by, {Role::officer, Role::approver, Role::auditor, Role::admin}, "user.passwd", "");
    try {
        users_.set_password(name, password, now());
    } catch (const std::invalid_argument& e) {
        write(by.name, "user.passwd", "", "denied", {{"user", name}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
    write(by.name, "user.passwd", "", "ok", {{"user", name}, {"channel", by.channel}});
}

NewSecret ReviewService::reset_totp(const Actor& by, const std::string& name) {
    require(by, {Role::admin}, "user.totp_reset", "");
    try {
        NewSecret s = users_.reset_totp(name, now());
        write(by.name, "user.totp_reset", "", "ok", {{"user", name}, {"channel", by.channel}});
        return s;
    } catch (const std::invalid_argument& e) {
        write(by.name, "user.totp_reset", "", "denied", {{"user", name}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
}

void ReviewService::set_disabled(const Actor& by, const std::string& name, bool disabled) {
    require(by, {Role::admin}, disabled ? "user.disable" : "user.enable", "");
    if (by.name == name && disabled)
        deny(by, "user.disable", "", ReviewError::bad_input, "自分自身は無効にできません。", "cannot disable oneself");
    try {
        users_.set_disabled(name, disabled, now());
    } catch (const std::invalid_argument& e) {
        write(by.name, disabled ? "user.disable" : "user.enable", "", "denied", {{"user", name}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
    write(by.name, disabled ? "user.disable" : "user.enable", "", "ok", {{"user", name}, {"channel", by.channel}});
}

void ReviewService::set_role(const Actor& by, const std::string& name, Role role) {
    require(by, {Role::admin}, "user.role", "");
    if (by.name == name)
        deny(by, "user.role", "", ReviewError::bad_input, "自分自身の役割は変更できません。", "cannot change own role");
    try {
        users_.set_role(name, role, now());
    } catch (const std::invalid_argument& e) {
        write(by.name, "user.role", "", "denied", {{"user", name}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
    write(by.name, "user.role", "", "ok", {{"user", name}, {"role", to_string(role)}, {"channel", by.channel}});
}

std::vector<Account> ReviewService::accounts(const Actor& by) {
    require(by, {Role::admin}, "user.list", "");
    write(by.name, "user.list", "", "ok", {{"channel", by.channel}});
    return users_.list();
}

}  // namespace mugaika::quarantine
