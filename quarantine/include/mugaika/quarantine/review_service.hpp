// The officer's review: every action a person (or the gateway, or the retention rule) takes on the
// quarantine, with its role check, the four-eyes rule and an audit line, whether it succeeds or is
// refused. The web UI and the CLI are thin layers over this class; neither checks roles itself.
//
//   officer   list, show, download (with reason), request release (with reason), delete (with reason)
//   approver  list, show, approve or reject a request made by someone else
//   auditor   list, show, the audit log and the disposal register; never acts
//   admin     accounts only; never sees an item
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mugaika/quarantine/audit_log.hpp"
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
    std::string channel;   // "web 127.0.0.1", "cli": recorded with each audit line
};

struct ReviewOptions {
    bool four_eyes = true;
    std::int64_t retention_seconds = 90 * 86400;
    std::vector<std::string> release_kinds{"original"};   // which release kinds the site's policy allows (release_kind)
    std::size_t max_reason_chars = 1000;
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
    Actor login(const std::string& name, const std::string& password, const std::string& totp_code,
                const std::string& channel);
    void logout(const Actor& a);

    std::vector<Item> list(const Actor& a, const ItemFilter& filter);
    ItemDetail show(const Actor& a, const std::string& id);
    std::string download(const Actor& a, const std::string& id, const std::string& reason);
    // `password`: only for kind ppap, where it is required; stored sealed until the request is decided.
    ReleaseRequest request_release(const Actor& a, const std::string& id, const std::string& kind,
                                   const std::string& reason, const std::string& password = "");
    std::string approve(const Actor& a, const std::string& id, const std::string& note);   // where it went
    void reject(const Actor& a, const std::string& id, const std::string& note);
    void remove(const Actor& a, const std::string& id, const std::string& reason);
    // The retention rule: disposes of everything held longer than the retention period.
    std::vector<Item> purge_expired(const std::string& rule = "retention");

    std::vector<nlohmann::json> audit_tail(const Actor& a, std::size_t max_lines);
    std::vector<Disposal> disposals(const Actor& a);

    // Accounts. `by` empty: the local bootstrap, allowed only while no account exists and only for an admin.
    NewSecret add_user(const std::optional<Actor>& by, const std::string& name, Role role, const std::string& password);
    void set_password(const Actor& by, const std::string& name, const std::string& password);
    NewSecret reset_totp(const Actor& by, const std::string& name);
    void set_disabled(const Actor& by, const std::string& name, bool disabled);
    // A changed role takes effect at once; open requests keep their requester, so someone who asked for a
    // release as an officer still cannot approve it after becoming an approver.
    void set_role(const Actor& by, const std::string& name, Role role);
    std::vector<Account> accounts(const Actor& by);

    // For the front ends: an attempt refused before it reached an action (bad CSRF token, oversized form,
    // malformed id, expired session). Audited as outcome "denied".
    void refused(const std::string& actor, const std::string& action, const std::string& item,
                 const std::string& why, const std::string& channel);

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

    ItemStore& store_;
    Users& users_;
    AuditLog& audit_;
    ReleaseSink& sink_;
    ReviewOptions options_;
    std::function<std::int64_t()> clock_;
};

}  // namespace mugaika::quarantine
