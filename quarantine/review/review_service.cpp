#include "mugaika/quarantine/review_service.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "mugaika/atomic_file.hpp"
#include "mugaika/labels.hpp"
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
    return std::string(labels::role_label(to_string(r))) + "(" + to_string(r) + ")";
}

// One answer for every failed sign-in, whatever failed: which one it was is in the audit log only.
constexpr const char* login_failed_ja =
    "ユーザー名、パスワード、または確認コードが正しくありません。確認コードは30秒ごとに1回だけ使えます(次のコードを待ってや"
    "り直してください)。失敗が続くと、アカウントは一時的にロックされます。";
constexpr const char* enrol_failed_ja =
    "ユーザー名または登録コードが正しくないか、有効期限が切れています。管理者に新しい登録コードを依頼してください。";
constexpr const char* changed_ja = "他の人が先に操作しました。画面を更新してください。";

}  // namespace

ReviewService::ReviewService(ItemStore& store, Users& users, AuditLog& audit, ReleaseSink& sink, ReviewOptions options)
    : store_(store), users_(users), audit_(audit), sink_(sink), options_(std::move(options)) {}

ReviewService::~ReviewService() {
    try {
        flush_throttled(true);
    } catch (...) {
    }
}

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

void ReviewService::write_throttled(const std::string& actor, const std::string& action, const std::string& outcome,
                                    json detail) {
    flush_throttled();
    std::string why = detail.contains("why") && detail["why"].is_string() ? detail["why"].get<std::string>() : "";
    std::string channel =
        detail.contains("channel") && detail["channel"].is_string() ? detail["channel"].get<std::string>() : "";
    if (throttle_.admit(now(), action + " " + why.substr(0, 60) + " " + channel))
        write(actor, action, "", outcome, std::move(detail));
}

void ReviewService::refused_anonymous(const std::string& actor, const std::string& action, const std::string& why,
                                      const std::string& channel) {
    write_throttled(actor, action, "denied", {{"why", why}, {"channel", channel}});
}

void ReviewService::flush_throttled(bool force) {
    if (auto summary = throttle_.take_summary(now(), force)) write("(anonymous)", "http.suppressed", "", "denied", *summary);
}

void ReviewService::require(const Actor& a, std::initializer_list<Role> roles, const std::string& action,
                            const std::string& item) {
    auto account = users_.find(a.name);
    if (!account || account->disabled)
        deny(a, action, item, ReviewError::denied, "このアカウントは無効です。", "account missing or disabled");
    if (account->role != a.role)
        deny(a, action, item, ReviewError::denied, "役割が変更されました。再度ログインしてください。",
             "role changed since login");
    if (account->epoch != a.epoch)
        deny(a, action, item, ReviewError::denied,
             "パスワード・確認コードまたは役割が変更されたため、このログインは終了しました。再度ログインしてください。",
             "credentials changed since login");
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
        return Actor{name, r.account->role, channel, r.account->epoch};
    }
    json detail{{"channel", channel}, {"why", to_string(r.status)}};
    if (r.status == AuthStatus::no_role) {
        // Both factors were right: only the account's own person learns that the role awaits a second admin.
        if (r.account->pending_role) detail["pending_role"] = to_string(*r.account->pending_role);
        write(name, "login.failed", "", "denied", std::move(detail));
        throw ReviewError(ReviewError::auth_failed,
                          "このアカウントの役割は、別の管理者の確認を待っています。確認されるとログインできます。",
                          "login refused: role awaits a second admin's confirmation");
    }
    // A failure that locks an account is always written; the rest go through the anonymous throttle
    // (anyone who reaches the login page can cause them).
    if (r.now_locked) {
        detail["locked"] = true;
        write(who, "login.failed", "", "denied", std::move(detail));
    } else {
        write_throttled(who, "login.failed", "denied", std::move(detail));
    }
    // Which check failed is in the audit log, not on the screen: the same words and the same work
    // (users.cpp) whether the name exists, is locked or disabled, or the password or code is wrong.
    throw ReviewError(ReviewError::auth_failed, login_failed_ja, "login failed: " + to_string(r.status));
}

bool ReviewService::session_valid(const Actor& a) {
    auto account = users_.find(a.name);
    return account && !account->disabled && account->role == a.role && account->epoch == a.epoch;
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
    bool possible = false;
    for (const auto& k : release_kinds_for(it)) possible = possible || k == kind;
    if (!possible)
        deny(a, "release.request", id, ReviewError::bad_input,
             "この項目には、この解放方法は使えません(この方法では安全に解放できる見込みがありません)。",
             "release kind '" + kind + "' cannot succeed for this item");
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
        deny(a, "release.request", id, ReviewError::conflict, changed_ja, "state changed concurrently");
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

std::vector<std::string> ReviewService::release_kinds_for(const Item& it) {
    ReleaseCandidate c;
    c.file_type = it.file_type;
    c.reason = it.reason;
    c.partial = it.partial;
    for (const auto& h : it.held_parts) c.held.push_back({h.type, h.reason});
    std::vector<std::string> possible = sink_.possible_kinds(c), out;
    for (const auto& k : options_.release_kinds)
        for (const auto& p : possible)
            if (k == p) {
                out.push_back(k);
                break;
            }
    return out;
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
            deny(a, "release.approve", it.id, ReviewError::conflict, changed_ja, "state changed concurrently");
    } catch (const ReviewError&) {
        throw;
    } catch (const ReleaseError& e) {
        // The requester learns of it on the item's page (a wrong PPAP password, still unsafe, refused).
        try {
            store_.record_failure(q.id, a.name, e.message_ja, now());
        } catch (...) {
        }
        throw ReviewError(ReviewError::conflict, e.message_ja + " 項目は解放依頼中のままです(却下できます)。",
                          std::string("release refused: ") + e.what());
    } catch (const std::exception& e) {
        if (!failure_audited) write(a.name, "release.approve", it.id, "error", {{"channel", a.channel}, {"why", e.what()}});
        try {
            store_.record_failure(q.id, a.name, "解放の処理中にエラーが発生しました(管理者に連絡してください)。", now());
        } catch (...) {
        }
        throw ReviewError(ReviewError::internal, "解放に失敗しました。項目は解放依頼中のままです。",
                          std::string("release failed: ") + e.what());
    }
    return where;
}

namespace {

// The approver decides on what they were shown: the pending request by id and kind, nothing else.
std::string stale_decision_ja(const ReleaseRequest& q) {
    return "画面を開いた後に解放依頼が変わりました(現在の依頼: " + std::string(labels::release_kind_label(q.kind)) + "、依頼者 " +
           q.requested_by + ")。画面を開き直し、現在の依頼の内容を確認してから判断してください。";
}

}  // namespace

std::string ReviewService::approve(const Actor& a, const std::string& id, const Decision& d) {
    require(a, {Role::approver}, "release.approve", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "release.approve");
    std::string text = checked_reason(a, d.note, "release.approve", id, false);
    auto q = store_.pending_request(id);
    if (!q || it.state != state::release_requested)
        deny(a, "release.approve", id, ReviewError::conflict, "承認待ちの解放依頼はありません。", "no pending request");
    if (d.request_id != q->id || d.kind != q->kind)
        deny(a, "release.approve", id, ReviewError::conflict, stale_decision_ja(*q),
             "stale approval: decided on request '" + d.request_id.substr(0, 40) + "' (" + d.kind.substr(0, 20) +
                 "), pending is '" + q->id + "' (" + q->kind + ")");
    if (needs_second_person(q->kind) && q->requested_by == a.name)
        deny(a, "release.approve", id, ReviewError::denied, "自分が依頼した解放は承認できません(二者承認)。",
             "four-eyes: requester cannot approve own request");
    if (q->kind == release_kind::original && !d.original_confirmed)
        deny(a, "release.approve", id, ReviewError::bad_input,
             "原本をそのまま解放するには、確認画面で危険性を確認したうえで承認してください。",
             "original release without the extra confirmation");
    return decide_release(a, it, *q, text);
}

void ReviewService::reject(const Actor& a, const std::string& id, const Decision& d) {
    require(a, {Role::approver}, "release.reject", valid_item_id(id) ? id : "");
    Item it = item_or_throw(a, id, "release.reject");
    std::string text = checked_reason(a, d.note, "release.reject", id, false);
    auto q = store_.pending_request(id);
    if (!q || it.state != state::release_requested)
        deny(a, "release.reject", id, ReviewError::conflict, "承認待ちの解放依頼はありません。", "no pending request");
    if (d.request_id != q->id || d.kind != q->kind)
        deny(a, "release.reject", id, ReviewError::conflict, stale_decision_ja(*q),
             "stale rejection: decided on request '" + d.request_id.substr(0, 40) + "', pending is '" + q->id + "'");
    if (needs_second_person(q->kind) && q->requested_by == a.name)
        deny(a, "release.reject", id, ReviewError::denied, "自分が依頼した解放は判断できません(二者承認)。",
             "four-eyes: requester cannot decide own request");
    bool ok = store_.decide(id, q->id, false, a.name, text, now(), [&] {
        write(a.name, "release.reject", id, "ok",
              {{"channel", a.channel}, {"request", q->id}, {"requested_by", q->requested_by}, {"note", text}});
        return std::string();
    });
    if (!ok) deny(a, "release.reject", id, ReviewError::conflict, changed_ja, "state changed concurrently");
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
    if (!ok) deny(a, "item.delete", id, ReviewError::conflict, changed_ja, "state changed concurrently");
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

AuditPage ReviewService::audit_page(const Actor& a, const AuditQuery& query) {
    require(a, {Role::auditor}, "audit.view", "");
    AuditPage page = read_audit_page(audit_.file(), query);
    // Reading changes nothing: a log that refuses new lines (its last line damaged) is exactly what the
    // auditor must still see. The page says that this viewing went unrecorded.
    try {
        write(a.name, "audit.view", "", "ok", {{"channel", a.channel}, {"page", query.page}});
    } catch (const std::exception& e) {
        page.unrecorded = e.what();
    }
    return page;
}

std::vector<Disposal> ReviewService::disposals(const Actor& a) {
    require(a, {Role::auditor, Role::officer}, "disposal.view", "");
    write(a.name, "disposal.view", "", "ok", {{"channel", a.channel}});
    return store_.disposals();
}

bool ReviewService::role_needs_confirmation(Role role) const {
    // The roles that can act on the quarantine or on accounts. An auditor only reads.
    return options_.four_eyes && (role == Role::officer || role == Role::approver || role == Role::admin);
}

Account ReviewService::account_or_throw(const Actor& by, const std::string& name, const std::string& action) {
    auto acc = users_.find(name);
    if (!acc)
        deny(by, action, "", ReviewError::not_found, "そのアカウントはありません。",
             "no such account (" + std::to_string(name.size()) + " bytes)");
    return *acc;
}

NewSecret ReviewService::bootstrap_admin(const std::string& name, const std::string& password) {
    if (users_.count_role(Role::admin) >= 2) {
        write("local-admin", "user.add", "", "denied", {{"user", valid_user_name(name) ? name : "(invalid)"},
                                                        {"why", "bootstrap only while fewer than two admins exist"}});
        throw ReviewError(ReviewError::denied,
                          "管理者が2人になった後は、管理者としてログインしてアカウントを追加してください。",
                          "the local bootstrap is only for the first two admin accounts");
    }
    try {
        NewSecret s = users_.add_enrolled(name, Role::admin, password, now());
        write("local-admin", "user.add", "", "ok", {{"user", name}, {"role", "admin"}, {"channel", "bootstrap"}});
        return s;
    } catch (const std::invalid_argument& e) {
        write("local-admin", "user.add", "", "denied", {{"user", valid_user_name(name) ? name : "(invalid)"}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
}

Enrolment ReviewService::add_user(const Actor& by, const std::string& name, Role role) {
    require(by, {Role::admin}, "user.add", "");
    if (role == Role::none) deny(by, "user.add", "", ReviewError::bad_input, "役割を選んでください。", "no role");
    bool pending = role_needs_confirmation(role);
    try {
        Enrolment e = users_.add(name, role, pending, by.name, now(), options_.enrolment_seconds);
        json detail{{"user", name}, {"role", to_string(role)}, {"channel", by.channel}, {"expires", e.expires}};
        if (pending) detail["pending_role"] = true;
        write(by.name, "user.add", "", "ok", std::move(detail));
        return e;
    } catch (const std::invalid_argument& e) {
        write(by.name, "user.add", "", "denied", {{"user", valid_user_name(name) ? name : "(invalid)"}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
}

Enrolment ReviewService::reset_user(const Actor& by, const std::string& name) {
    require(by, {Role::admin}, "user.reset", "");
    if (by.name == name)
        deny(by, "user.reset", "", ReviewError::denied,
             "自分自身のパスワード・確認コードは再発行できません。別の管理者に依頼してください。", "cannot reset oneself");
    Account acc = account_or_throw(by, name, "user.reset");
    bool repend = role_needs_confirmation(acc.role);
    Enrolment e = users_.reset(name, repend, by.name, now(), options_.enrolment_seconds);
    json detail{{"user", name}, {"channel", by.channel}, {"expires", e.expires}};
    if (repend) detail["pending_role"] = to_string(acc.role);
    write(by.name, "user.reset", "", "ok", std::move(detail));
    return e;
}

NewSecret ReviewService::begin_enrolment(const std::string& name, const std::string& code, const std::string& channel) {
    EnrolResult r = users_.begin_enrolment(name, code, now());
    std::string who = valid_user_name(name) ? name : "(invalid name)";
    if (r.ok()) {
        write(name, "user.enrol", "", "ok", {{"channel", channel}, {"step", "code accepted, TOTP secret shown"}});
        return r.secret;
    }
    json detail{{"channel", channel}, {"why", to_string(r.status)}};
    if (r.now_locked) {
        detail["locked"] = true;
        write(who, "user.enrol", "", "denied", std::move(detail));
    } else {
        write_throttled(who, "user.enrol", "denied", std::move(detail));
    }
    throw ReviewError(ReviewError::auth_failed, enrol_failed_ja, "enrolment refused: " + to_string(r.status));
}

bool ReviewService::finish_enrolment(const std::string& name, const std::string& code, const std::string& password,
                                     const std::string& totp_code, const std::string& channel) {
    std::string who = valid_user_name(name) ? name : "(invalid name)";
    EnrolResult r;
    try {
        r = users_.finish_enrolment(name, code, password, totp_code, now());
    } catch (const std::invalid_argument& e) {
        write(who, "user.enrol", "", "denied", {{"channel", channel}, {"why", e.what()}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
    if (r.ok()) {
        auto acc = users_.find(name);
        json detail{{"channel", channel}, {"step", "password and TOTP set by the person"}};
        bool pending = acc && acc->role == Role::none;
        if (acc && acc->pending_role) detail["pending_role"] = to_string(*acc->pending_role);
        write(name, "user.enrol", "", "ok", std::move(detail));
        return pending;
    }
    json detail{{"channel", channel}, {"why", to_string(r.status)}};
    if (r.now_locked) {
        detail["locked"] = true;
        write(who, "user.enrol", "", "denied", std::move(detail));
    } else {
        write_throttled(who, "user.enrol", "denied", std::move(detail));
    }
    if (r.status == EnrolStatus::bad_totp)
        throw ReviewError(ReviewError::auth_failed,
                          "認証アプリの確認コードが正しくありません。QRコード(または秘密鍵)を登録し直し、表示中の6桁を入力してください。",
                          "enrolment refused: the app's code does not match");
    throw ReviewError(ReviewError::auth_failed, enrol_failed_ja, "enrolment refused: " + to_string(r.status));
}

void ReviewService::change_password(const Actor& a, const std::string& current, const std::string& password) {
    require(a, {Role::officer, Role::approver, Role::auditor, Role::admin}, "user.passwd", "");
    AuthStatus st;
    try {
        st = users_.change_password(a.name, current, password, now());
    } catch (const std::invalid_argument& e) {
        write(a.name, "user.passwd", "", "denied", {{"user", a.name}, {"why", e.what()}, {"channel", a.channel}});
        throw ReviewError(ReviewError::bad_input, e.what(), e.what());
    }
    if (st != AuthStatus::ok) {
        write(a.name, "user.passwd", "", "denied", {{"user", a.name}, {"why", to_string(st)}, {"channel", a.channel}});
        throw ReviewError(ReviewError::auth_failed, "現在のパスワードが正しくありません。", "current password wrong");
    }
    write(a.name, "user.passwd", "", "ok", {{"user", a.name}, {"channel", a.channel}});
}

void ReviewService::set_disabled(const Actor& by, const std::string& name, bool disabled) {
    const char* action = disabled ? "user.disable" : "user.enable";
    require(by, {Role::admin}, action, "");
    if (by.name == name && disabled)
        deny(by, action, "", ReviewError::bad_input, "自分自身は無効にできません。", "cannot disable oneself");
    account_or_throw(by, name, action);
    users_.set_disabled(name, disabled, now());
    write(by.name, action, "", "ok", {{"user", name}, {"channel", by.channel}});
}

void ReviewService::set_role(const Actor& by, const std::string& name, Role role) {
    require(by, {Role::admin}, "user.role", "");
    if (by.name == name)
        deny(by, "user.role", "", ReviewError::bad_input, "自分自身の役割は変更できません。", "cannot change own role");
    if (role == Role::none) deny(by, "user.role", "", ReviewError::bad_input, "役割を選んでください。", "no role");
    Account acc = account_or_throw(by, name, "user.role");
    bool pending = role != acc.role && role_needs_confirmation(role);
    users_.set_role(name, role, pending, by.name, now());
    json detail{{"user", name}, {"role", to_string(role)}, {"channel", by.channel}};
    if (pending) detail["pending_role"] = true;
    write(by.name, "user.role", "", "ok", std::move(detail));
}

void ReviewService::confirm_role(const Actor& by, const std::string& name) {
    require(by, {Role::admin}, "user.role_confirm", "");
    Account acc = account_or_throw(by, name, "user.role_confirm");
    if (!acc.pending_role)
        deny(by, "user.role_confirm", "", ReviewError::conflict, "確認待ちの役割はありません。", "no pending role");
    if (by.name == name)
        deny(by, "user.role_confirm", "", ReviewError::denied, "自分自身の役割は確認できません。", "cannot confirm own role");
    if (acc.pending_by == by.name)
        deny(by, "user.role_confirm", "", ReviewError::denied,
             "自分が付与した役割は確認できません。別の管理者が確認します(二者確認)。",
             "four-eyes: the admin who gave a role cannot confirm it");
    users_.confirm_role(name, now());
    write(by.name, "user.role_confirm", "", "ok",
          {{"user", name}, {"role", to_string(*acc.pending_role)}, {"granted_by", acc.pending_by}, {"channel", by.channel}});
}

void ReviewService::cancel_role(const Actor& by, const std::string& name) {
    require(by, {Role::admin}, "user.role_cancel", "");
    Account acc = account_or_throw(by, name, "user.role_cancel");
    if (!acc.pending_role)
        deny(by, "user.role_cancel", "", ReviewError::conflict, "確認待ちの役割はありません。", "no pending role");
    users_.cancel_pending_role(name, now());
    write(by.name, "user.role_cancel", "", "ok",
          {{"user", name}, {"role", to_string(*acc.pending_role)}, {"granted_by", acc.pending_by}, {"channel", by.channel}});
}

std::vector<Account> ReviewService::accounts(const Actor& by) {
    require(by, {Role::admin}, "user.list", "");
    write(by.name, "user.list", "", "ok", {{"channel", by.channel}});
    return users_.list();
}

}  // namespace mugaika::quarantine
