#include "gateway_sink.hpp"

#include <chrono>
#include <system_error>

#include "../scan/malware_scan.hpp"
#include "../worker/isolated.hpp"
#include "maildir.hpp"
#include "mugaika/atomic_file.hpp"
#include "mugaika/names.hpp"
#include "mugaika/reasons.hpp"
#include "mugaika/registry.hpp"
#include "smtp_relay.hpp"

namespace mugaika {
namespace fs = std::filesystem;
namespace q = quarantine;

namespace {

enum class Route { share, mail, release_dir };

Route route_of(const q::ReleasedItem& item) {
    if (item.source == "mail" || (item.source != "share" && !item.recipients.empty())) return Route::mail;
    if (!item.section.empty() && valid_section_name(item.section)) return Route::share;
    return Route::release_dir;
}

// The item disarmed again in an isolated worker, with the policy the release kind asks for.
std::vector<Output> redisarm(const q::ReleasedItem& item, const GatewayConfig& config) {
    Policy policy = config.policy;
    if (item.kind == q::release_kind::pixels) policy.options["pdf"]["mode"] = "pixels";
    Engine engine(builtin_registry(), policy);
    ItemSecrets secrets;
    if (item.kind == q::release_kind::ppap) secrets.passwords.push_back(item.password);
    Outcome o = process_isolated(engine, item.bytes, item.name, config.worker, secrets);
    // Parts still held: releasing the rest would deliver again what went out with the first verdict.
    if (!o.quarantined() && !o.held.empty())
        throw q::ReleaseError("再度無害化しても、一部(" + std::string(reason::explain_ja(o.held.front().reason)) +
                                  ")を安全にできませんでした。",
                              "disarmed again (" + item.kind + "), " + std::to_string(o.held.size()) + " parts still held: " +
                                  o.held.front().reason);
    if (o.quarantined())
        throw q::ReleaseError("再度無害化しても安全にできませんでした(" + std::string(reason::explain_ja(o.reason)) + ")",
                              "disarmed again (" + item.kind + "), still quarantined: " + o.reason + ": " +
                                  o.reason_detail);
    if (o.outputs.empty())
        throw q::ReleaseError("再度無害化した結果、解放できる内容がありませんでした。", "disarmed again, no outputs");
    return o.outputs;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
    return s;
}

// All outputs or none: a failure removes what this release already wrote.
std::string to_folder(const fs::path& dir, const std::vector<Output>& outputs, const std::string& fallback_name) {
    fs::create_directories(dir);
    std::vector<fs::path> written;
    try {
        for (const auto& o : outputs)
            written.push_back(write_new_file(dir, check_name(o.name.empty() ? fallback_name : o.name).safe_name, o.bytes));
    } catch (...) {
        std::error_code ec;
        for (const auto& p : written) fs::remove(p, ec);
        throw;
    }
    std::vector<std::string> names;
    for (const auto& p : written) names.push_back(p.string());
    return joined(names);
}

std::string to_recipients(const q::ReleasedItem& item, const std::vector<Output>& outputs, const GatewayConfig& config) {
    for (const auto& o : outputs)
        if (o.type != "eml")
            throw q::ReleaseError("メールとして解放できる形になりませんでした。", "mail item produced a '" + o.type + "' output");
    std::string head = mugaika_trace_headers(item.item_id, item.recipients) + "X-Mugaika-Release: " + item.kind + "\n";
    std::vector<std::string> where;
    const auto& next_hop = config.release.smtp_next_hop;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        std::string message = head + outputs[i].bytes;
        if (next_hop.empty()) {
            auto t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
            std::string name = std::to_string(t.count()) + ".M" + item.item_id + "_" + item.kind + "_" + std::to_string(i) +
                               ".mugaika-release";
            where.push_back(deliver_to_maildir(config.release.maildir, name, message).string());
            continue;
        }
        SmtpResult r = smtp_send(next_hop, config.release.smtp_helo, item.sender, item.recipients, message,
                                 {config.release.smtp_timeout, config.release.smtp_min_data_rate});
        if (r.kind == SmtpResult::permanent)
            throw q::ReleaseError("LGWAN側のメールサーバが受け取りを拒否しました。", "next hop refused: " + r.reply);
        if (r.kind == SmtpResult::temporary)
            throw std::runtime_error("next hop " + next_hop + " deferred the mail: " + r.reply);
        where.push_back("smtp://" + next_hop + "/" + item.item_id + "/" + std::to_string(i));
    }
    return joined(where);
}

// What people approved still goes through the malware scanner: the original as it is, and what
// re-disarming made of it (for a PPAP zip, the first time its decrypted members can be seen at all).
void scan_release(const q::ReleasedItem& item, const std::vector<Output>& outputs, const ScanConfig& scan) {
    Outcome o;
    o.verdict = Verdict::disarmed;
    o.outputs = outputs;
    Outcome judged = apply_malware_scan(std::move(o), std::string_view(item.bytes), scan);   // throws when unavailable
    if (judged.quarantined())
        throw q::ReleaseError(judged.reason == reason::malware
                                  ? "マルウェアが検出されたため解放できません(" + judged.findings.back().detail + ")。"
                                  : "マルウェア検査を完了できないため解放できません。",
                              "malware scan: " + judged.reason + ": " + judged.reason_detail);
}

}  // namespace

std::vector<std::string> GatewaySink::possible_kinds(const q::ReleaseCandidate& item) const {
    // What was held: the item itself, or the parts of it that were.
    std::vector<q::ReleaseCandidate::Part> held = item.held;
    if (held.empty() || !item.partial) held.push_back({item.file_type, item.reason});
    const Registry& registry = builtin_registry();
    bool redisarm = true, pixels = false, ppap = false;
    for (const auto& h : held) {
        const std::string& r = h.reason;
        if (h.type == "pdf") pixels = true;
        if (r == reason::encrypted && h.type == "zip") ppap = true;
        // The same bytes under the same name and policy give the same verdict.
        bool hopeless = r == reason::blocked_name || r == reason::blocked_mismatch || r == "name.dangerous" ||
                        r == "zip.ambiguous" || r == reason::encrypted;
        if (r == reason::blocked_type || r == reason::unsupported) {
            TypeAction a = config_.policy.action_for(h.type);
            hopeless = a == TypeAction::block || !registry.find(h.type, a);
        }
        if (hopeless) redisarm = false;
    }
    std::vector<std::string> out;
    if (redisarm) out.push_back(q::release_kind::resanitize);
    if (redisarm && pixels) out.push_back(q::release_kind::pixels);
    if (ppap) out.push_back(q::release_kind::ppap);
    out.push_back(q::release_kind::original);
    return out;
}

std::string GatewaySink::release(const q::ReleasedItem& item) {
    Route route = route_of(item);
    std::vector<Output> outputs;
    if (item.kind == q::release_kind::original)
        outputs.push_back({item.name, route == Route::mail ? "eml" : "", item.bytes});
    else if (item.kind == q::release_kind::resanitize || item.kind == q::release_kind::pixels ||
             item.kind == q::release_kind::ppap)
        outputs = redisarm(item, config_);
    else
        throw q::ReleaseError("この解放方法には対応していません。", "unknown release kind '" + item.kind + "'");
    scan_release(item, item.kind == q::release_kind::original ? std::vector<Output>{} : outputs, config_.scan);

    switch (route) {
        case Route::mail: return to_recipients(item, outputs, config_);
        case Route::share: return to_folder(config_.out_dir / item.section, outputs, item.item_id + ".bin");
        case Route::release_dir: break;
    }
    return to_folder(config_.review.release_dir, outputs, item.item_id + ".bin");
}

}  // namespace mugaika
