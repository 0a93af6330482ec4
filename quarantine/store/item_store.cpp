#include "mugaika/quarantine/item_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <ctime>
#include <deque>
#include <nlohmann/json.hpp>
#include <regex>
#include <system_error>

#include "mugaika/quarantine/crypto.hpp"

namespace mugaika::quarantine {
using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace {

// Thrown inside a transaction when a conditional UPDATE lost its race: roll back, report false.
struct LostRace {};

// Holding and shredding share objects (the same original held twice is stored once): an flock on the
// store's lock file keeps "is anyone still using this object?" and "shred it" apart from "store it".
class StoreLock {
public:
    explicit StoreLock(const std::filesystem::path& root) {
        auto p = root / ".lock";
        fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
            throw std::system_error(errno, std::generic_category(), "lock " + p.string());
    }
    ~StoreLock() { ::close(fd_); }
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;

private:
    int fd_ = -1;
};

// Positional parameters for statements built at run time (the list filters).
struct Param {
    bool integer = false;
    std::string text;
    Poco::Int64 number = 0;
};

const char* item_columns =
    "id, sha256, report_sha256, size, name, section, sender, recipients, file_type, reason, summary_ja, source,"
    " state, held_at, updated_at, purged_at, subject, from_name, held_parts, partial, delivered_to";

std::string str(RecordSet& rs, std::size_t col, std::size_t row) {
    const auto& v = rs.value(col, row);
    return v.isEmpty() ? std::string() : v.convert<std::string>();
}
std::int64_t num(RecordSet& rs, std::size_t col, std::size_t row) {
    const auto& v = rs.value(col, row);
    return v.isEmpty() ? 0 : v.convert<Poco::Int64>();
}

std::vector<std::string> parse_list(const std::string& json_text) {
    std::vector<std::string> out;
    auto j = nlohmann::json::parse(json_text, nullptr, false);
    if (j.is_array())
        for (const auto& e : j)
            if (e.is_string()) out.push_back(e.get<std::string>());
    return out;
}

std::vector<HeldPart> parse_parts(const std::string& json_text) {
    std::vector<HeldPart> out;
    auto j = nlohmann::json::parse(json_text, nullptr, false);
    if (!j.is_array()) return out;
    auto text = [](const nlohmann::json& o, const char* k) {
        return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
    };
    for (const auto& e : j)
        if (e.is_object()) out.push_back({text(e, "where"), text(e, "name"), text(e, "type"), text(e, "reason")});
    return out;
}

std::vector<Item> items_from(RecordSet& rs) {
    std::vector<Item> out;
    for (std::size_t r = 0; r < rs.rowCount(); ++r) {
        Item it;
        it.id = str(rs, 0, r);
        it.sha256 = str(rs, 1, r);
        it.report_sha256 = str(rs, 2, r);
        it.size = num(rs, 3, r);
        it.name = str(rs, 4, r);
        it.section = str(rs, 5, r);
        it.sender = str(rs, 6, r);
        it.recipients = parse_list(str(rs, 7, r));
        it.file_type = str(rs, 8, r);
        it.reason = str(rs, 9, r);
        it.summary_ja = str(rs, 10, r);
        it.source = str(rs, 11, r);
        it.state = str(rs, 12, r);
        it.held_at = num(rs, 13, r);
        it.updated_at = num(rs, 14, r);
        it.purged_at = num(rs, 15, r);
        it.subject = str(rs, 16, r);
        it.from_name = str(rs, 17, r);
        it.held_parts = parse_parts(str(rs, 18, r));
        it.partial = num(rs, 19, r) != 0;
        it.delivered_to = str(rs, 20, r);
        out.push_back(std::move(it));
    }
    return out;
}

std::vector<Item> query_items(Poco::Data::Session& s, const std::string& where, std::deque<Param>& params,
                              const std::string& tail = "") {
    Statement st(s);
    st << "SELECT " << item_columns << " FROM items" << (where.empty() ? "" : " WHERE " + where) << tail;
    for (auto& p : params) {
        if (p.integer) st, useRef(p.number);
        else st, useRef(p.text);
    }
    st.execute();
    RecordSet rs(st);
    return items_from(rs);
}

std::string utc_stamp(std::int64_t now) {
    std::time_t t = static_cast<std::time_t>(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

// Binds a sealed request secret to its request: copied to another row it does not decrypt.
std::string secret_aad(const std::string& request_id) { return "mugaika.request-secret/1:" + request_id; }

std::string like_pattern(const std::string& s) {
    std::string out = "%";
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "%";
}

}  // namespace

bool valid_item_id(std::string_view id) {
    static const std::regex re("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}-[0-9a-f]{6}$");
    return id.size() <= 64 && std::regex_match(id.begin(), id.end(), re);
}

Item ItemStore::hold(const HoldRequest& req, std::int64_t now, const std::function<void(const Item&)>& in_tx) {
    Item it;
    it.name = req.name;
    it.file_type = req.file_type;
    it.reason = req.reason;
    // A report that is not JSON is still kept as it is: an item is never lost because its report is odd.
    auto report = nlohmann::json::parse(req.report_json, nullptr, false);
    if (report.is_object()) {
        if (it.name.empty() && report.contains("input") && report["input"].is_object())
            it.name = report["input"].value("name", "");
        if (it.file_type.empty()) it.file_type = report.value("detected_type", "");
        if (it.reason.empty() && report.contains("reason") && report["reason"].is_object())
            it.reason = report["reason"].value("code", "");
        it.summary_ja = report.value("summary_ja", "");
        auto text = [](const nlohmann::json& o, const char* k) {
            return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
        };
        if (report.contains("about")) {
            it.subject = text(report["about"], "subject").substr(0, 1000);
            it.from_name = text(report["about"], "from").substr(0, 1000);
        }
        if (report.contains("held") && report["held"].is_array())
            for (const auto& h : report["held"])
                if (h.is_object() && it.held_parts.size() < 200)
                    it.held_parts.push_back({text(h, "where"), text(h, "name"), text(h, "type"), text(h, "reason")});
        // Only parts held, the rest released: the list's reason is the held parts' (first) reason.
        it.partial = text(report, "verdict") != "quarantined" && !it.held_parts.empty();
        if (it.reason.empty() && !it.held_parts.empty()) it.reason = it.held_parts.front().reason;
    }
    it.delivered_to = req.delivered_to;
    it.section = req.section;
    it.sender = req.sender;
    it.recipients = req.recipients;
    it.source = req.source;
    it.state = state::held;
    it.size = static_cast<std::int64_t>(req.original.size());
    it.held_at = it.updated_at = now;

    StoreLock lock(blobs_.root());
    it.sha256 = blobs_.put(req.original);
    it.report_sha256 = blobs_.put(req.report_json);
    std::string recipients = nlohmann::json(it.recipients).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& h : it.held_parts)
        parts.push_back({{"where", h.where}, {"name", h.name}, {"type", h.type}, {"reason", h.reason}});
    std::string held_parts = parts.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (int attempt = 0;; ++attempt) {
        it.id = req.id.empty() ? utc_stamp(now) + "-" + it.sha256.substr(0, 12) + "-" + random_hex(3) : req.id;
        if (!valid_item_id(it.id)) throw std::invalid_argument("invalid item id '" + it.id + "'");
        try {
            Poco::Int64 size = it.size, held = it.held_at, updated = it.updated_at, purged = 0, partial = it.partial;
            db_.transaction([&] {
                db_.session() << "INSERT INTO items (id, sha256, report_sha256, size, name, section, sender, recipients,"
                                 " file_type, reason, summary_ja, source, state, held_at, updated_at, purged_at,"
                                 " subject, from_name, held_parts, partial, delivered_to)"
                                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
                                 " $17, $18, $19, $20, $21)",
                    useRef(it.id), useRef(it.sha256), useRef(it.report_sha256), use(size), useRef(it.name),
                    useRef(it.section), useRef(it.sender), useRef(recipients), useRef(it.file_type), useRef(it.reason),
                    useRef(it.summary_ja), useRef(it.source), useRef(it.state), use(held), use(updated), use(purged),
                    useRef(it.subject), useRef(it.from_name), useRef(held_parts), use(partial), useRef(it.delivered_to),
                    Poco::Data::Keywords::now;
                if (in_tx) in_tx(it);
            });
            return it;
        } catch (const Poco::Exception&) {
            // A given id (import) that exists already, or a random-suffix collision: retry only the latter.
            if (!req.id.empty() || attempt >= 5 || find(it.id) == std::nullopt) throw;
        }
    }
}

std::optional<Item> ItemStore::find(const std::string& id) {
    if (!valid_item_id(id)) return std::nullopt;
    std::deque<Param> p{{false, id, 0}};
    auto v = query_items(db_.session(), "id = $1", p);
    if (v.empty()) return std::nullopt;
    return v.front();
}

std::vector<Item> ItemStore::list(const ItemFilter& f) {
    std::deque<Param> p;
    std::string where;
    auto add = [&](const std::string& clause) { where += (where.empty() ? "" : " AND ") + clause; };
    auto next = [&] { return "$" + std::to_string(p.size() + 1); };
    if (f.held_from) { add("held_at >= " + next()); p.push_back({true, {}, *f.held_from}); }
    if (f.held_to) { add("held_at < " + next()); p.push_back({true, {}, *f.held_to}); }
    if (!f.section.empty()) { add("section = " + next()); p.push_back({false, f.section, 0}); }
    if (!f.file_type.empty()) { add("file_type = " + next()); p.push_back({false, f.file_type, 0}); }
    if (!f.reason.empty()) { add("reason = " + next()); p.push_back({false, f.reason, 0}); }
    if (!f.state.empty()) { add("state = " + next()); p.push_back({false, f.state, 0}); }
    if (!f.party.empty()) {
        std::string a = next();
        p.push_back({false, like_pattern(f.party), 0});
        std::string b = next();
        p.push_back({false, like_pattern(f.party), 0});
        std::string c = next();
        p.push_back({false, like_pattern(f.party), 0});
        add("(sender LIKE " + a + " ESCAPE '\\' OR recipients LIKE " + b + " ESCAPE '\\' OR from_name LIKE " + c +
            " ESCAPE '\\')");
    }
    return query_items(db_.session(), where, p,
                       " ORDER BY held_at DESC, id DESC LIMIT " + std::to_string(std::min<std::size_t>(f.limit, 5000)));
}

ItemFacets ItemStore::facets() {
    auto distinct = [&](const char* column) {
        Statement st(db_.session());
        st << "SELECT DISTINCT " << column << " FROM items WHERE " << column << " <> '' ORDER BY " << column
           << " LIMIT 500";
        st.execute();
        RecordSet rs(st);
        std::vector<std::string> out;
        for (std::size_t r = 0; r < rs.rowCount(); ++r) out.push_back(str(rs, 0, r));
        return out;
    };
    return {distinct("section"), distinct("file_type"), distinct("reason")};
}

std::string ItemStore::original(const Item& item) {
    if (item.purged_at != 0) throw std::runtime_error("item " + item.id + " was disposed of; its original is gone");
    return blobs_.get(item.sha256);
}

std::string ItemStore::report(const Item& item) {
    if (item.purged_at != 0) return {};
    return blobs_.get(item.report_sha256);
}

std::vector<ReleaseRequest> ItemStore::requests_for(const std::string& item_id) {
    Statement st(db_.session());
    std::string id = item_id;
    st << "SELECT id, item_id, kind, reason, requested_by, state, decided_by, note, released_to, requested_at,"
          " decided_at, failure, failed_by, failed_at FROM requests WHERE item_id = $1 ORDER BY requested_at, id",
        useRef(id);
    st.execute();
    RecordSet rs(st);
    std::vector<ReleaseRequest> out;
    for (std::size_t r = 0; r < rs.rowCount(); ++r) {
        ReleaseRequest q;
        q.id = str(rs, 0, r);
        q.item_id = str(rs, 1, r);
        q.kind = str(rs, 2, r);
        q.reason = str(rs, 3, r);
        q.requested_by = str(rs, 4, r);
        q.state = str(rs, 5, r);
        q.decided_by = str(rs, 6, r);
        q.note = str(rs, 7, r);
        q.released_to = str(rs, 8, r);
        q.requested_at = num(rs, 9, r);
        q.decided_at = num(rs, 10, r);
        q.failure = str(rs, 11, r);
        q.failed_by = str(rs, 12, r);
        q.failed_at = num(rs, 13, r);
        out.push_back(std::move(q));
    }
    return out;
}

std::optional<ReleaseRequest> ItemStore::pending_request(const std::string& item_id) {
    for (auto& r : requests_for(item_id))
        if (r.state == "pending") return r;
    return std::nullopt;
}

std::string ItemStore::request_secret(const std::string& request_id) {
    std::string rid = request_id;
    Statement st(db_.session());
    st << "SELECT secret_sealed FROM requests WHERE id = $1", useRef(rid);
    st.execute();
    RecordSet rs(st);
    if (rs.rowCount() == 0) return {};
    std::string sealed = str(rs, 0, 0);
    if (sealed.empty()) return {};
    return blobs_.key().open(from_hex(sealed), secret_aad(request_id));
}

void ItemStore::record_failure(const std::string& request_id, const std::string& who, const std::string& message_ja,
                               std::int64_t now) {
    std::string rid = request_id, by = who, text = message_ja.substr(0, 2000), pending = "pending";
    Poco::Int64 at = now;
    db_.session() << "UPDATE requests SET failure = $1, failed_by = $2, failed_at = $3 WHERE id = $4 AND state = $5",
        useRef(text), useRef(by), use(at), useRef(rid), useRef(pending), Poco::Data::Keywords::now;
}

void ItemStore::scrub_secrets() {
    // A wiped PPAP password's sealed value must not live on in SQLite's write-ahead log (see Database).
    db_.scrub();
}

std::vector<Disposal> ItemStore::disposals(std::size_t limit) {
    Statement st(db_.session());
    st << "SELECT id, item_id, sha256, kind, actor, rule, reason, disposed_at FROM disposals"
          " ORDER BY disposed_at DESC, id DESC LIMIT "
       << std::to_string(limit);
    st.execute();
    RecordSet rs(st);
    std::vector<Disposal> out;
    for (std::size_t r = 0; r < rs.rowCount(); ++r)
        out.push_back({str(rs, 0, r), str(rs, 1, r), str(rs, 2, r), str(rs, 3, r), str(rs, 4, r), str(rs, 5, r),
                       str(rs, 6, r), num(rs, 7, r)});
    return out;
}

bool ItemStore::request_release(const std::string& item_id, const ReleaseRequest& q, std::int64_t now,
                                const std::function<void()>& in_tx) {
    try {
        db_.transaction([&] {
            std::string id = item_id, from = state::held, to = state::release_requested;
            Poco::Int64 at = now;
            Statement up(db_.session());
            up << "UPDATE items SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4 AND purged_at = 0",
                useRef(to), use(at), useRef(id), useRef(from);
            if (up.execute() != 1) throw LostRace{};
            std::string rid = q.id, kind = q.kind, reason = q.reason, by = q.requested_by, pending = "pending",
                        empty;
            std::string sealed = q.secret.empty() ? std::string() : to_hex(blobs_.key().seal(q.secret, secret_aad(rid)));
            Poco::Int64 zero = 0;
            db_.session() << "INSERT INTO requests (id, item_id, kind, reason, requested_by, requested_at, state,"
                             " decided_by, decided_at, note, released_to, secret_sealed)"
                             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                useRef(rid), useRef(id), useRef(kind), useRef(reason), useRef(by), use(at), useRef(pending),
                useRef(empty), use(zero), useRef(empty), useRef(empty), useRef(sealed), Poco::Data::Keywords::now;
            if (in_tx) in_tx();
        });
        return true;
    } catch (const LostRace&) {
        return false;
    }
}

bool ItemStore::decide(const std::string& item_id, const std::string& request_id, bool approve, const std::string& who,
                       const std::string& note, std::int64_t now, const std::function<std::string()>& release_in_tx) {
    try {
        db_.transaction([&] {
            std::string id = item_id, rid = request_id, by = who, text = note;
            std::string from = state::release_requested, to = approve ? state::released : state::held;
            std::string decision = approve ? "approved" : "rejected", pending = "pending";
            Poco::Int64 at = now;
            Statement up(db_.session());
            up << "UPDATE items SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4 AND purged_at = 0",
                useRef(to), use(at), useRef(id), useRef(from);
            if (up.execute() != 1) throw LostRace{};
            Statement rq(db_.session());
            // The secret is wiped with the decision: a password outlives the request by no more than that.
            rq << "UPDATE requests SET state = $1, decided_by = $2, decided_at = $3, note = $4, secret_sealed = ''"
                  " WHERE id = $5 AND item_id = $6 AND state = $7",
                useRef(decision), useRef(by), use(at), useRef(text), useRef(rid), useRef(id), useRef(pending);
            if (rq.execute() != 1) throw LostRace{};
            if (release_in_tx) {
                std::string where = release_in_tx();
                if (approve)
                    db_.session() << "UPDATE requests SET released_to = $1 WHERE id = $2", useRef(where), useRef(rid), Poco::Data::Keywords::now;
            }
        });
        scrub_secrets();
        return true;
    } catch (const LostRace&) {
        return false;
    }
}

void ItemStore::record_disposal(const Item& item, const std::string& kind, const std::string& actor,
                                const std::string& rule, const std::string& reason, std::int64_t now) {
    std::string id = random_hex(12), item_id = item.id, sha = item.sha256, k = kind, a = actor, ru = rule, re = reason;
    Poco::Int64 at = now;
    db_.session() << "INSERT INTO disposals (id, item_id, sha256, kind, actor, rule, reason, disposed_at)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        useRef(id), useRef(item_id), useRef(sha), useRef(k), useRef(a), useRef(ru), useRef(re), use(at), Poco::Data::Keywords::now;
}

void ItemStore::shred_unreferenced(const Item& item) {
    StoreLock lock(blobs_.root());
    for (const std::string& sha : {item.sha256, item.report_sha256}) {
        std::string a = sha, b = sha;
        Poco::Int64 users = 0;
        db_.session() << "SELECT COUNT(*) FROM items WHERE (sha256 = $1 OR report_sha256 = $2) AND purged_at = 0",
            useRef(a), useRef(b), into(users), Poco::Data::Keywords::now;
        if (users == 0) blobs_.shred(sha);
    }
}

bool ItemStore::remove(const std::string& item_id, const std::string& who, const std::string& reason, std::int64_t now,
                       const std::function<void()>& in_tx) {
    auto item = find(item_id);
    if (!item) return false;
    try {
        db_.transaction([&] {
            std::string id = item_id, to = state::deleted, a = state::held, b = state::release_requested;
            Poco::Int64 at = now, at2 = now;
            Statement up(db_.session());
            up << "UPDATE items SET state = $1, updated_at = $2, purged_at = $3 WHERE id = $4 AND state IN ($5, $6)"
                  " AND purged_at = 0",
                useRef(to), use(at), use(at2), useRef(id), useRef(a), useRef(b);
            if (up.execute() != 1) throw LostRace{};
            std::string cancelled = "cancelled", pending = "pending";
            db_.session() << "UPDATE requests SET state = $1, secret_sealed = '' WHERE item_id = $2 AND state = $3", useRef(cancelled),
                useRef(id), useRef(pending), Poco::Data::Keywords::now;
            record_disposal(*item, "deleted", who, "", reason, now);
            if (in_tx) in_tx();
        });
    } catch (const LostRace&) {
        return false;
    }
    scrub_secrets();
    shred_unreferenced(*item);
    return true;
}

std::vector<Item> ItemStore::expire(std::int64_t cutoff, const std::string& rule, std::int64_t now,
                                    const std::function<void(const Item&)>& in_tx) {
    std::deque<Param> p{{true, {}, cutoff}};
    auto due = query_items(db_.session(), "held_at <= $1 AND purged_at = 0", p, " ORDER BY held_at");
    std::vector<Item> done;
    for (auto& item : due) {
        try {
            db_.transaction([&] {
                std::string id = item.id, expired = "expired", pending = "pending";
                Poco::Int64 at = now, at2 = now;
                Statement up(db_.session());
                up << "UPDATE items SET state = CASE WHEN state IN ('held', 'release_requested') THEN 'expired'"
                      " ELSE state END, purged_at = $1, updated_at = $2 WHERE id = $3 AND purged_at = 0",
                    use(at), use(at2), useRef(id);
                if (up.execute() != 1) throw LostRace{};
                db_.session() << "UPDATE requests SET state = $1, secret_sealed = '' WHERE item_id = $2 AND state = $3", useRef(expired),
                    useRef(id), useRef(pending), Poco::Data::Keywords::now;
                record_disposal(item, "expired", "", rule, "retention period ended", now);
                if (in_tx) in_tx(item);
            });
        } catch (const LostRace&) {
            continue;   // another node purged it
        }
        scrub_secrets();
        shred_unreferenced(item);
        if (item.state == state::held || item.state == state::release_requested) item.state = state::expired;
        item.purged_at = now;
        done.push_back(std::move(item));
    }
    return done;
}

std::string request_secret_aad(const std::string& request_id) { return secret_aad(request_id); }

}  // namespace mugaika::quarantine
