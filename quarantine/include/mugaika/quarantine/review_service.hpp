// The officer's review: every action a person (or the gateway, or the retention rule) takes on the
// quarantine, with its role check, the four-eyes rule and an audit line, whether it succeeds or is
// refused. The web UI and the CLI are thin layers over this class; neither checks roles itself.
//
//   officer   list, show, download (with reason), request release (with reason), delete (with reason)
//   approver  list, show, approve or reject a request made by someone else
//   auditor   list, show, the audit log and the disposal register; never acts
//   admin     accounts only; never sees an item, never learns another person's password or second factor
//
// Nobody can release on their own: the requester never decides their own request (the original always
// needs a second person); an approval names the request and the kind the approver saw and is refused when
// either changed since; and with four_eyes, a role that can act (officer, approver, admin) takes effect
// only when a second admin confirms it, including after a reset of someone's factors (whoever resets an
// account could otherwise enrol it as their own).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mugaika/quarantine/audit_log.hpp"
#include "mugaika/quarantine/audit_read.hpp"
#include "mugaika/quarantine/audit_throttle.hpp"
#include "mugaika/quarantine/item_store.hpp"
#include "mugaika/quarantine/release_sink.hpp"
#include "mugaika/quarantine/users.hpp"

namespace mugaika::quarantine {

// A refusal or failure with a message for people (Japanese) and one for logs (English).
struct ReviewError : std::runtime_error {
    enum Kind { denied, not_found, conflict, bad_input, auth_failed, internal };
    Kind kind;
    std::string message_ja;
    ReviewError(Kind k, std::string ja, const std::string& en) : std::runtime_error(en), kind(k), message_ja(std::move(ja)) {}
};

// Someone who has logged in (both factors). Re-checked against the account on every action, so a
// disabled account or a changed role takes effect at once, even in an open web session.
struct Actor {
    std::string name;
    Role role = Role::auditor;
    std::string channel;     // "web 127.0.0.1", "cli": recorded with each audit line
    std::int64_t epoch = 0;  // the account's credentials epoch at sign-in: a later change ends the session
};

struct ReviewOptions {
    bool four_eyes = true;
    std::int64_t retention_seconds = 90 * 86400;
    std::vector<std::string> release_kinds{"original"};   // which release kinds the site's policy allows (release_kind)
    std::size_t max_reason_chars = 1000;
    std::int64_t enrolment_seconds = 8 * 3600;   // how long a one-time enrolment code is valid
};

// What an approver decides on: the request they were shown, named by its id and kind. The decision is
// refused when the pending request is another one (rejected and asked again meanwhile) or of another kind.
struct Decision {
    std::string request_id;
    std::string kind;
    std::string note;
    // Releasing the original as it is needs this extra confirmation (a page of its own in the UI,
    // --confirm-original on the command line).
    bool original_confirmed = false;
};

struct ItemDetail {
    Item item;
    nlohmann::json report;   // null when disposed of or not JSON
    std::vector<ReleaseRequest> requests;
};

class ReviewService {
public:
    ReviewService(ItemStore& store, Users& users, AuditLog& audit, ReleaseSink& sink, ReviewOptions options);

    void set_clock(std::function<std::int64_t()> now) { clock_ = std::move(now); }
    std::int64_t now() const;
    const ReviewOptions& options() const { return options_; }

    // The gateway's entry: hold an item (audited as item.hold).
    Item hold(const HoldRequest& request, const std::string& actor = "gateway");
    // Imports the folders of the file-based quarantine (see file_store.hpp), each audited as item.import.
    // Returns the ids imported; folders already imported are skipped. With `remove_source`, each imported
    // folder's plaintext original is overwritten and the folder removed once the store has it.
    std::vector<std::string> import_file_store(const Actor& by, const std::string& root, bool remove_source);

    // Password + TOTP. Throws ReviewError(auth_failed) with a message for the person; audits either way.
    // The message is the same whether the name exists, the account is locked or disabled, the password or
    // the code is wrong, or the code was used already; the audit line says which.
    Actor login(const std::string& name, const std::string& password, const std::string& totp_code,
                const std::string& channel);
    void logout(const Actor& a);
    // Whether a session made for `a` still stands: the account enabled, its role and credentials epoch
    // unchanged since sign-in.
    bool session_valid(const Actor& a);

    std::vector<Item> list(const Actor& a, const ItemFilter& filter);
    ItemDetail show(const Actor& a, const std::string& id);
    std::string download(const Actor& a, const std::string& id, const std::string& reason);
    // The release kinds that can succeed for this item (the release path's judgement), of those the
    // policy allows. A request of any other kind is refused.
    std::vector<std::string> release_kinds_for(const Item& item);
    // `password`: only for kind ppap, where it is required; stored sealed until the request is decided.
    ReleaseRequest request_release(const Actor& a, const std::string& id, const std::string& kind,
                                   const std::string& reason, const std::string& password = "");
    std::string approve(const Actor& a, const std::string& id, const Decision& d);   // where it went
    void reject(const Actor& a, const std::string& id, const Decision& d);
    void remove(const Actor& a, const std::string& id, const std::string& reason);
    // The retention rule: disposes of everything held longer than the retention period.
    std::vector<Item> purge_expired(const std::string& rule = "retention");

    std::vector<nlohmann::json> audit_tail(const Actor& a, std::size_t max_lines);
    AuditPage audit_page(const Actor& a, const AuditQuery& query);
    std::vector<Disposal> disposals(const Actor& a);

    // Accounts.
    // The local bootstrap (no login: whoever runs it controls the configuration, key and database): an
    // admin who sets their own password, allowed while fewer than two admins exist, so that a site with
    // four_eyes can make the two admins that confirm each other's grants.
    NewSecret bootstrap_admin(const std::string& name, const std::string& password);
    // An admin adds an account and hands the returned one-time code to its person, who enrols with it.
    // With four_eyes an acting role (officer, approver, admin) awaits a second admin's confirmation.
    Enrolment add_user(const Actor& by, const std::string& name, Role role);
    // Clears someone else's password and TOTP (a lost phone, a forgotten password) and issues a new
    // enrolment code; nobody resets their own. With four_eyes an acting role awaits confirmation again.
    Enrolment reset_user(const Actor& by, const std::string& name);
    // Enrolment by the person, with the code: step 1 shows the new TOTP secret; step 2 sets their
    // password and proves their app has the secret. Refusals do not tell whether the name exists.
    NewSecret begin_enrolment(const std::string& name, const std::string& code, const std::string& channel);
    // Returns true when the account's role still awaits a second admin (the person cannot sign in yet).
    bool finish_enrolment(const std::string& name, const std::string& code, const std::string& password,
                          const std::string& totp_code, const std::string& channel);
    // The person's own password; the current one is required. Ends every session of the account.
    void change_password(const Actor& a, const std::string& current, const std::string& password);
    void set_disabled(const Actor& by, const std::string& name, bool disabled);
    // A role change; with four_eyes an acting role awaits a second admin's confirmation, other changes
    // take effect at once. Open requests keep their requester, so someone who asked for a release as an
    // officer still cannot approve it after becoming an approver.
    void set_role(const Actor& by, const std::string& name, Role role);
    // The second admin: confirms (or withdraws) a role grant another admin made.
    void confirm_role(const Actor& by, const std::string& name);
    void cancel_role(const Actor& by, const std::string& name);
    std::vector<Account> accounts(const Actor& by);
    // Whether giving this role needs a second admin's confirmation under the site's policy.
    bool role_needs_confirmation(Role role) const;

    // For the front ends: an attempt refused before it reached an action (bad CSRF token, oversized form,
    // malformed id, expired session). Audited as outcome "denied".
    void refused(const std::string& actor, const std::string& action, const std::string& item,
                 const std::string& why, const std::string& channel);
    // The same for refusals of requests nobody signed in made: rate-limited (see AuditThrottle).
    void refused_anonymous(const std::string& actor, const std::string& action, const std::string& why,
                           const std::string& channel);
    // Writes the summary of anonymous refusals held back in a window that has ended (`force`: now).
    void flush_throttled(bool force = false);
    ~ReviewService();

    AuditLog& audit() { return audit_; }
    Users& users() { return users_; }
    ItemStore& store() { return store_; }

    // Whether a release of this kind needs a second person: always for the original, else as four_eyes says.
    bool needs_second_person(const std::string& kind) const;

private:
    std::string decide_release(const Actor& a, const Item& it, const ReleaseRequest& q, const std::string& note);
    void require(const Actor& a, std::initializer_list<Role> roles, const std::string& action, const std::string& item);
    Item item_or_throw(const Actor& a, const std::string& id, const std::string& action);
    std::string checked_reason(const Actor& a, const std::string& reason, const std::string& action,
                               const std::string& item, bool required);
    void deny(const Actor& a, const std::string& action, const std::string& item, ReviewError::Kind kind,
              const std::string& ja, const std::string& en);
    void write(const std::string& actor, const std::string& action, const std::string& item, const std::string& outcome,
               nlohmann::ordered_json detail);
    void write_throttled(const std::string& actor, const std::string& action, const std::string& outcome,
                         nlohmann::ordered_json detail);
    Account account_or_throw(const Actor& by, const std::string& name, const std::string& action);

    ItemStore& store_;
    Users& users_;
    AuditLog& audit_;
    ReleaseSink& sink_;
    ReviewOptions options_;
    std::function<std::int64_t()> clock_;
    AuditThrottle throttle_;
};

}  // namespace mugaika::quarantine
